import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.db import connections, models
from django.db.models import Func, Q, Value

# No appointment is longer than this (types last at most 10 hours). The calendar relies on
# it: "starts before the day ends and ends after it starts" becomes a start range bounded on
# both sides, which the (location, start) and (practitioner, start) indexes answer without
# reading the whole history.
MAX_APPOINTMENT_LENGTH = timedelta(hours=24)


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class AppointmentQuerySet(models.QuerySet):
    def holding(self, start, end) -> "AppointmentQuerySet":
        """Appointments whose held span (buffers included) overlaps [start, end).

        On PostgreSQL the overlap is asked in the words of the no-overlap constraints below
        (the same range expression), so their GiST indexes find the few rows near the span
        instead of walking every appointment the practitioner or room ever had."""
        if connections[self.db].vendor == "postgresql":
            return self.alias(
                held_span=TsTzRange("blocked_start", "blocked_end", Value("[)"))
            ).filter(held_span__overlap=(start, end))
        return self.filter(blocked_start__lt=end, blocked_end__gt=start)


class AppointmentType(models.Model):
    """Consultation, pigmentation session, touch-up, healing check, follow-up: managers
    edit durations and buffers; the kind is what the rest of the app reasons about."""

    class Kind(models.TextChoices):
        CONSULTATION = "consultation", "Consultation"
        SESSION = "session", "Pigmentation session"
        TOUCH_UP = "touch_up", "Touch-up"
        HEALING_CHECK = "healing_check", "Healing check"
        FOLLOW_UP = "follow_up", "Follow-up"

    CLINICAL_KINDS = (Kind.SESSION, Kind.TOUCH_UP)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices, unique=True)
    name = models.CharField(max_length=80)
    duration_minutes = models.PositiveSmallIntegerField()
    buffer_before_minutes = models.PositiveSmallIntegerField(
        default=0, help_text="Preparation time the room and practitioner need before."
    )
    buffer_after_minutes = models.PositiveSmallIntegerField(
        default=0, help_text="Cleaning and notes time after."
    )
    colour = models.CharField(max_length=20, default="primary")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5, duration_minutes__lte=600),
                name="appointment_type_duration_range",
            ),
            models.CheckConstraint(
                condition=Q(buffer_before_minutes__lte=120, buffer_after_minutes__lte=120),
                name="appointment_type_buffer_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    @property
    def buffer_before(self) -> timedelta:
        return timedelta(minutes=self.buffer_before_minutes)

    @property
    def buffer_after(self) -> timedelta:
        return timedelta(minutes=self.buffer_after_minutes)

    def held_span(self, start: datetime, end: datetime | None = None) -> tuple[datetime, datetime]:
        """What an appointment of this type from ``start`` (to ``end``, else its duration
        later) holds: the preparation before and the cleaning after included."""
        end = end or start + self.duration
        return start - self.buffer_before, end + self.buffer_after

    @property
    def is_pigmentation(self) -> bool:
        """Sessions and touch-ups put pigment in the skin: medical flags block them."""
        return self.kind in self.CLINICAL_KINDS


class Course(models.Model):
    """A client's series of pigmentation sessions ("session 2 of 3")."""

    class Status(models.TextChoices):
        ACTIVE = "active", "In progress"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="courses")
    planned_sessions = models.PositiveSmallIntegerField(default=3)
    min_interval_days = models.PositiveSmallIntegerField(default=10)
    max_interval_days = models.PositiveSmallIntegerField(default=30)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_sessions__gte=1, planned_sessions__lte=6),
                name="course_planned_sessions_range",
            ),
            models.CheckConstraint(
                condition=Q(min_interval_days__lte=models.F("max_interval_days")),
                name="course_interval_order",
            ),
        ]

    def __str__(self) -> str:
        return f"Course of {self.planned_sessions} sessions"


class Appointment(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        CONFIRMED = "confirmed", "Confirmed"
        CHECKED_IN = "checked_in", "Checked in"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        NO_SHOW = "no_show", "No-show"

    # Statuses that hold the practitioner's and the room's time.
    LIVE = (
        Status.BOOKED,
        Status.CONFIRMED,
        Status.CHECKED_IN,
        Status.IN_PROGRESS,
        Status.COMPLETED,
    )
    UPCOMING = (Status.BOOKED, Status.CONFIRMED)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="appointments"
    )
    appointment_type = models.ForeignKey(
        AppointmentType, on_delete=models.PROTECT, related_name="+"
    )
    location = models.ForeignKey(
        "locations.Location", on_delete=models.PROTECT, related_name="appointments"
    )
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments"
    )
    room = models.ForeignKey(
        "locations.Room", on_delete=models.PROTECT, related_name="appointments"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    # The span the practitioner and room are held: start minus the preparation buffer to end
    # plus the cleaning buffer. Written by the booking service; the exclusion constraints
    # below work on it because PostgreSQL cannot compute `start - interval` in an index.
    blocked_start = models.DateTimeField()
    blocked_end = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.BOOKED)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)
    course = models.ForeignKey(
        Course, null=True, blank=True, on_delete=models.SET_NULL, related_name="appointments"
    )
    course_position = models.PositiveSmallIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    booked_at = models.DateTimeField(auto_now_add=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=models.F("end")), name="appointment_start_before_end"
            ),
            models.CheckConstraint(
                condition=Q(blocked_start__lte=models.F("start"), blocked_end__gte=models.F("end")),
                name="appointment_blocked_span_covers",
            ),
            models.CheckConstraint(
                condition=Q(end__lte=models.F("start") + MAX_APPOINTMENT_LENGTH),
                name="appointment_at_most_a_day",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                name="appointment_cancel_has_reason",
            ),
            ExclusionConstraint(
                name="appointment_no_practitioner_overlap",
                expressions=[
                    (
                        TsTzRange("blocked_start", "blocked_end", models.Value("[)")),
                        RangeOperators.OVERLAPS,
                    ),
                    ("practitioner", RangeOperators.EQUAL),
                ],
                condition=Q(
                    status__in=["booked", "confirmed", "checked_in", "in_progress", "completed"]
                ),
                violation_error_message="The practitioner is already booked at that time.",
            ),
            ExclusionConstraint(
                name="appointment_no_room_overlap",
                expressions=[
                    (
                        TsTzRange("blocked_start", "blocked_end", models.Value("[)")),
                        RangeOperators.OVERLAPS,
                    ),
                    ("room", RangeOperators.EQUAL),
                ],
                condition=Q(
                    status__in=["booked", "confirmed", "checked_in", "in_progress", "completed"]
                ),
                violation_error_message="The room is already booked at that time.",
            ),
        ]
        indexes = [
            models.Index(fields=["location", "start"], name="appointment_location_start"),
            models.Index(fields=["practitioner", "start"], name="appointment_practitioner_start"),
            models.Index(fields=["client", "start"], name="appointment_client_start"),
            models.Index(fields=["course", "start"], name="appointment_course_start"),
        ]

    def __str__(self) -> str:
        return f"{self.appointment_type_id} at {self.start:%Y-%m-%d %H:%M}"

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE

    @property
    def is_upcoming(self) -> bool:
        return self.status in self.UPCOMING

    @property
    def duration_minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


class AppointmentChange(models.Model):
    """The history of an appointment: booking, each reschedule and each status change."""

    class Kind(models.TextChoices):
        BOOKED = "booked", "Booked"
        RESCHEDULED = "rescheduled", "Rescheduled"
        STATUS = "status", "Status changed"

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    from_start = models.DateTimeField(null=True, blank=True)
    from_end = models.DateTimeField(null=True, blank=True)
    to_start = models.DateTimeField(null=True, blank=True)
    to_end = models.DateTimeField(null=True, blank=True)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"
