"""The kinds of client message and what each needs: its consent category, its source record
and the template variables it may use.

Adding a kind (a healing check, later) means one ``Kind`` member, one ``KindSpec`` here, a
default template in ``aftercare/defaults.py`` and the rule that creates its rows; the outbox,
dispatcher, templates editor and staff pages work from this table.
"""

import re
from dataclasses import dataclass

from django.db import models

from smp_clinic.lib.text import counted, ordinal


class Kind(models.TextChoices):
    BOOKING_CONFIRMATION = "booking_confirmation", "Booking confirmation"
    APPOINTMENT_REMINDER = "appointment_reminder", "Appointment reminder"
    RESCHEDULE_NOTICE = "reschedule_notice", "Reschedule notice"
    CANCELLATION_NOTICE = "cancellation_notice", "Cancellation notice"
    NO_SHOW_FOLLOW_UP = "no_show_follow_up", "No-show follow-up"
    AFTERCARE = "aftercare", "Aftercare step"
    NEXT_SESSION_NUDGE = "next_session_nudge", "Next-session nudge"
    CONSULTATION_FOLLOW_UP = "consultation_follow_up", "Consultation follow-up"
    TOUCH_UP_RECALL = "touch_up_recall", "Touch-up recall"
    HEALING_CHECK = "healing_check", "Healing check"


class Category(models.TextChoices):
    """Which of the client's two email choices a message follows."""

    CARE = "care", "Appointment messages and aftercare"
    MARKETING = "marketing", "Follow-ups and touch-up invitations"


class Source(models.TextChoices):
    APPOINTMENT = "appointment", "Appointment"
    COURSE = "course", "Course"
    CONSULTATION = "consultation", "Consultation"


@dataclass(frozen=True)
class KindSpec:
    kind: Kind
    category: Category
    source: Source
    # Template variable groups beyond the ones every message has (client, clinic, links).
    groups: tuple[str, ...]
    description: str
    attach_ics: bool = False
    # Says something about an appointment still to come ("you are booked", "see you
    # tomorrow", "it moved", "it is off"): worth nothing once the appointment has started,
    # so it is neither made nor sent at or after the start (outbox.in_time_for).
    before_start: bool = False


SPECS: dict[str, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec(
            Kind.BOOKING_CONFIRMATION,
            Category.CARE,
            Source.APPOINTMENT,
            ("appointment",),
            "Sent when an appointment is booked, with a calendar (.ics) attachment; not for "
            "an appointment that will have started by then (booked late at night for the "
            "early morning, or entered after the fact).",
            attach_ics=True,
            before_start=True,
        ),
        KindSpec(
            Kind.APPOINTMENT_REMINDER,
            Category.CARE,
            Source.APPOINTMENT,
            ("appointment",),
            "Sent the configured number of hours before an appointment (48 h and 24 h); one "
            "that quiet hours would hold until after the start is not sent.",
            before_start=True,
        ),
        KindSpec(
            Kind.RESCHEDULE_NOTICE,
            Category.CARE,
            Source.APPOINTMENT,
            ("appointment", "change"),
            "Sent when an appointment moves, with the updated calendar entry.",
            attach_ics=True,
            before_start=True,
        ),
        KindSpec(
            Kind.CANCELLATION_NOTICE,
            Category.CARE,
            Source.APPOINTMENT,
            ("appointment",),
            "Sent when an appointment the client was told about is cancelled, with a "
            "calendar (.ics) cancellation that removes the entry.",
            attach_ics=True,
            before_start=True,
        ),
        KindSpec(
            Kind.NO_SHOW_FOLLOW_UP,
            # A nudge to rebook, not care for a treatment: like other follow-ups it needs
            # marketing consent.
            Category.MARKETING,
            Source.APPOINTMENT,
            ("appointment",),
            "Sent a little after an appointment is marked as a no-show, to rebook.",
        ),
        KindSpec(
            Kind.AFTERCARE,
            Category.CARE,
            Source.APPOINTMENT,
            ("appointment", "course", "step"),
            "One per step of the aftercare plan after a pigmentation session.",
        ),
        KindSpec(
            Kind.NEXT_SESSION_NUDGE,
            Category.CARE,
            Source.COURSE,
            ("course",),
            "Sent when a course has sessions left and none is booked some days after the last.",
        ),
        KindSpec(
            Kind.CONSULTATION_FOLLOW_UP,
            Category.MARKETING,
            Source.CONSULTATION,
            ("consultation",),
            "Sent on the follow-up date of a consultation whose outcome was 'thinking it over'.",
        ),
        KindSpec(
            Kind.HEALING_CHECK,
            Category.CARE,
            Source.APPOINTMENT,
            ("appointment", "healing"),
            "Sent some days after a pigmentation session: a link where the client sends a "
            "photo of the healed result for the practitioner to review before the next one.",
        ),
        KindSpec(
            Kind.TOUCH_UP_RECALL,
            Category.MARKETING,
            # The client's latest completed session or touch-up: the clock of the pigment's
            # fading restarts with each treatment, whatever course it belongs to.
            Source.APPOINTMENT,
            ("course", "recall"),
            "Sent months after the client's latest pigmentation session or touch-up (once "
            "its course, if any, is no longer under way), repeating at the configured interval.",
        ),
    )
}


# The messages that tell a client about an appointment: once one of them has reached the
# client, a cancellation must reach them too.
APPOINTMENT_NOTICES = (
    Kind.BOOKING_CONFIRMATION,
    Kind.APPOINTMENT_REMINDER,
    Kind.RESCHEDULE_NOTICE,
)


def spec_for(kind: str) -> KindSpec:
    return SPECS[kind]


# Steps that say no more than their kind ("booked", "cancelled"…, and the nudge's
# "after-<id of the last session>").
_PLAIN_STEP = re.compile(r"booked|cancelled|no-show|follow-up|healing|after-\d+")
_STEP_WORDS = {
    # 48h, or 48h-m2 once the appointment moved a second time (reminders for the new time)
    Kind.APPOINTMENT_REMINDER: (
        re.compile(r"(?P<hours>\d+)h(?:-m(?P<move>\d+))?"),
        lambda m: (
            f"Reminder, {counted(int(m['hours']), 'hour')} before"
            + (f" the new time ({ordinal(int(m['move']))} move)" if m["move"] else "")
        ),
    ),
    Kind.RESCHEDULE_NOTICE: (
        re.compile(r"move-(?P<move>\d+)"),
        lambda m: f"Reschedule notice, {ordinal(int(m['move']))} move",
    ),
    # day4-s12: the plan's step 12, due on day 4
    Kind.AFTERCARE: (
        re.compile(r"day(?P<day>\d+)-s\d+"),
        lambda m: f"Aftercare step, day {m['day']}",
    ),
    Kind.TOUCH_UP_RECALL: (
        re.compile(r"recall-(?P<number>\d+)"),
        lambda m: f"{ordinal(int(m['number']))} touch-up recall",
    ),
}


def message_label(kind: str, step: str) -> str:
    """What staff lists call a message: its kind, with what its step says in words
    ("Reminder, 24 hours before"). A step in no known shape is shown as it is."""
    label = Kind(kind).label
    words = _STEP_WORDS.get(kind)
    match = words and words[0].fullmatch(step)
    if match:
        return words[1](match)
    if not step or _PLAIN_STEP.fullmatch(step):
        return label
    return f"{label} ({step})"
