from scheduling.models.appointment import Appointment, AppointmentChange, AppointmentType, Course
from scheduling.models.availability import TimeOff, WorkingHours

__all__ = [
    "Appointment",
    "AppointmentChange",
    "AppointmentType",
    "Course",
    "TimeOff",
    "WorkingHours",
]
