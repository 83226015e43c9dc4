import uuid
from datetime import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from aftercare.kinds import Kind
from smp_clinic.lib.text import and_list

MAX_REMINDERS = 4


def parse_reminder_hours(raw: str) -> list[int]:
    """ "48, 24" -> [48, 24]; largest first, no duplicates, each 1..336 (two weeks)."""
    try:
        hours = sorted(
            {int(part) for part in raw.replace(" ", "").split(",") if part}, reverse=True
        )
    except ValueError:
        raise ValidationError("Write whole hours separated by commas, e.g. 48, 24.") from None
    if not hours:
        raise ValidationError("Give at least one reminder time, e.g. 24.")
    if len(hours) > MAX_REMINDERS:
        raise ValidationError(f"At most {MAX_REMINDERS} reminders per appointment.")
    if any(not 1 <= h <= 336 for h in hours):
        raise ValidationError("Each reminder is between 1 and 336 hours (two weeks) before.")
    return hours


class MessageTemplate(models.Model):
    """The editable words of one kind of message (Django template syntax with a fixed set of
    variables; see aftercare/rendering.py). Saved only when it compiles and every variable
    it uses exists for its kind."""

    kind = models.CharField(max_length=40, choices=Kind.choices, unique=True)
    subject = models.CharField(max_length=200)
    body_text = models.TextField("plain-text body")
    body_html = models.TextField(
        "HTML body (optional)",
        blank=True,
        help_text="Leave empty to send the plain-text body as simple HTML paragraphs.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.get_kind_display()


class AftercarePlan(models.Model):
    """The instructions a client receives day by day after a pigmentation session."""

    name = models.CharField(max_length=120)
    is_default = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="aftercare_one_default"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AftercareStep(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(AftercarePlan, on_delete=models.CASCADE, related_name="steps")
    day_offset = models.PositiveSmallIntegerField(
        "day after the session",
        validators=[MaxValueValidator(3650)],
        help_text="0 is the evening of the session day.",
    )
    send_time = models.TimeField(
        "time of day", help_text="On the client's clocks; quiet hours still apply."
    )
    subject = models.CharField(max_length=200)
    body = models.TextField(
        help_text="The instructions. Variables such as {{ client.first_name }} work."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["day_offset", "send_time", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(day_offset__lte=3650), name="aftercare_step_offset_range"
            ),
        ]

    def __str__(self) -> str:
        return f"Day {self.day_offset}: {self.subject}"


class MessageSettings(models.Model):
    """The clinic's message timings (one row, edited by managers).

    Kept in the database rather than the environment: they are clinic policy that a manager
    changes on a page, not deployment configuration. Operational knobs (batch size, retry
    backoff, stuck-claim timeout) stay in settings.py from the environment.
    """

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    reminder_hours = models.CharField(
        "reminders (hours before)",
        max_length=40,
        default="48, 24",
        help_text="Comma-separated, e.g. 48, 24. A reminder whose time has passed is not sent.",
    )
    nudge_days = models.PositiveSmallIntegerField(
        "next-session nudge after (days)",
        default=21,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="Days after a session with none booked, while the course has sessions left.",
    )
    recall_first_months = models.PositiveSmallIntegerField(
        "first touch-up recall (months after the course)",
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    recall_repeat_months = models.PositiveSmallIntegerField(
        "then every (months)",
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    recall_max = models.PositiveSmallIntegerField(
        "recalls at most",
        default=3,
        validators=[MaxValueValidator(10)],
        help_text="0 turns touch-up recalls off.",
    )
    healing_check_days = models.PositiveSmallIntegerField(
        "healing-check photo request after (days)",
        default=21,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="Days after a pigmentation session; the next session needs a healing check.",
    )
    no_show_delay_hours = models.PositiveSmallIntegerField(
        "no-show follow-up after (hours)",
        default=2,
        validators=[MaxValueValidator(168)],
    )
    quiet_start = models.TimeField(
        "quiet hours from", default=time(21), help_text="Nothing is sent at night, client's time."
    )
    quiet_end = models.TimeField("quiet hours until", default=time(8))
    day_send_time = models.TimeField(
        "send time for dated messages",
        default=time(10),
        help_text="Follow-ups, nudges and recalls go out at this time on their day.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "message settings"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="message_settings_singleton"),
        ]

    def __str__(self) -> str:
        return "Message settings"

    @property
    def reminder_offsets(self) -> list[int]:
        try:
            return parse_reminder_hours(self.reminder_hours)
        except ValidationError:
            return [48, 24]

    @property
    def reminders_summary(self) -> str:
        """ "Reminder 24 hours before", "Reminders 48 and 24 hours before"."""
        hours = self.reminder_offsets
        noun = "Reminder" if len(hours) == 1 else "Reminders"
        return f"{noun} {and_list(hours)} {'hour' if hours == [1] else 'hours'} before"

    @classmethod
    def current(cls) -> "MessageSettings":
        found = cls.objects.filter(pk=cls.SINGLETON_ID).first()
        return found if found is not None else cls(id=cls.SINGLETON_ID)
