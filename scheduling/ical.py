"""The practitioner's calendar feed (iCalendar), built with the icalendar package.

Phones and calendar services fetch it, so it carries as little as works: the type of
appointment, the client's first name and initial, the room and location. No notes.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from accounts.models import User
from scheduling.models import Appointment

FEED_PAST_DAYS = 30
FEED_FUTURE_DAYS = 180


def feed_appointments(practitioner: User, now: datetime) -> list[Appointment]:
    return list(
        Appointment.objects.filter(
            practitioner=practitioner,
            status__in=Appointment.LIVE,
            start__gte=now - timedelta(days=FEED_PAST_DAYS),
            start__lt=now + timedelta(days=FEED_FUTURE_DAYS),
        )
        .select_related("client", "appointment_type", "room", "location", "course")
        .order_by("start")
    )


def practitioner_feed(practitioner: User) -> bytes:
    now = timezone.now()
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.CLINIC_NAME}//SMP Clinic//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{settings.CLINIC_NAME}: {practitioner.full_name}")
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0]
    for appointment in feed_appointments(practitioner, now):
        client = appointment.client
        who = f"{client.first_name} {client.last_name[:1]}.".strip()
        summary = f"{appointment.appointment_type.name}: {who}"
        if appointment.course_id and appointment.course_position:
            summary += (
                f" (session {appointment.course_position} of {appointment.course.planned_sessions})"
            )
        event = Event()
        event.add("uid", f"{appointment.public_id}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", appointment.start)
        event.add("dtend", appointment.end)
        event.add("summary", summary)
        event.add("location", f"{appointment.room.name}, {appointment.location.name}")
        event.add(
            "status",
            "CONFIRMED" if appointment.status != Appointment.Status.BOOKED else "TENTATIVE",
        )
        calendar.add_component(event)
    return calendar.to_ical()
