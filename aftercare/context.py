"""The template variables of a message, built as plain strings from its source records
(see aftercare/variables.py for the names), and the sample context of the preview."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from aftercare.kinds import spec_for
from aftercare.models import OutboundMessage
from aftercare.tokens import preferences_token, unsubscribe_token
from aftercare.variables import groups_for


def _day(value: date) -> str:
    return f"{value:%A} {value.day} {value:%B %Y}"


def _local(moment: datetime, tz: ZoneInfo) -> datetime:
    return timezone.localtime(moment, tz)


def clinic_vars() -> dict:
    return {"name": settings.CLINIC_NAME, "website": settings.SITE_URL}


def client_vars(client) -> dict:
    return {"first_name": client.preferred_name or client.first_name, "last_name": client.last_name}


def link_vars(*, client_public_id, category: str) -> dict:
    unsubscribe = reverse(
        "aftercare:unsubscribe",
        kwargs={
            "unsubscribe_token": unsubscribe_token(
                client_public_id=client_public_id, category=category
            )
        },
    )
    preferences = reverse(
        "aftercare:preferences",
        kwargs={"preferences_token": preferences_token(client_public_id=client_public_id)},
    )
    return {
        "unsubscribe": settings.SITE_URL + unsubscribe,
        "preferences": settings.SITE_URL + preferences,
    }


def appointment_vars(appointment) -> dict:
    location = appointment.location
    start = _local(appointment.start, location.tz)
    end = _local(appointment.end, location.tz)
    label = ""
    if appointment.course_id and appointment.course_position:
        label = f"session {appointment.course_position} of {appointment.course.planned_sessions}"
    return {
        "type": appointment.appointment_type.name,
        "date": _day(start.date()),
        "time": f"{start:%H:%M}",
        "end_time": f"{end:%H:%M}",
        "practitioner": appointment.practitioner.full_name,
        "location": location.name,
        "address": location.address,
        "phone": location.phone,
        "session_label": label,
    }


def change_vars(message: OutboundMessage) -> dict:
    old = message.data.get("old_start")
    if not old or message.appointment is None:
        return {"old_date": "", "old_time": ""}
    moment = _local(datetime.fromisoformat(old), message.appointment.location.tz)
    return {"old_date": _day(moment.date()), "old_time": f"{moment:%H:%M}"}


def course_vars(course) -> dict:
    from scheduling.models import Appointment

    done = list(
        course.appointments.filter(status=Appointment.Status.COMPLETED)
        .select_related("location")
        .order_by("start")
    )
    last = ""
    if done:
        last = _day(_local(done[-1].start, done[-1].location.tz).date())
    return {
        "planned_sessions": str(course.planned_sessions),
        "sessions_done": str(len(done)),
        "sessions_left": str(max(course.planned_sessions - len(done), 0)),
        "last_session_date": last,
    }


def consultation_vars(consultation, *, tz: ZoneInfo) -> dict:
    when = consultation.completed_at or consultation.started_at
    return {
        "date": _day(_local(when, tz).date()),
        "practitioner": consultation.practitioner.full_name,
        "follow_up_date": _day(consultation.follow_up_on) if consultation.follow_up_on else "",
    }


def recall_vars(message: OutboundMessage) -> dict:
    return {
        "number": str(message.data.get("recall_number", 1)),
        "months_since": str(message.data.get("months_since", "")),
    }


def message_context(message: OutboundMessage) -> dict:
    """Everything a message's template may use; the step group is added by the caller
    because it is rendered from the step's own text (see aftercare/services/sending.py)."""
    spec = spec_for(message.kind)
    client = message.client
    context = {
        "client": client_vars(client),
        "clinic": clinic_vars(),
        "links": link_vars(client_public_id=client.public_id, category=spec.category),
    }
    groups = groups_for(message.kind)
    appointment = message.appointment
    if "appointment" in groups and appointment is not None:
        context["appointment"] = appointment_vars(appointment)
    if "change" in groups:
        context["change"] = change_vars(message)
    course = message.course or (appointment.course if appointment is not None else None)
    if "course" in groups and course is not None:
        context["course"] = course_vars(course)
    if "consultation" in groups and message.consultation is not None:
        context["consultation"] = consultation_vars(
            message.consultation, tz=client.home_location.tz
        )
    if "recall" in groups:
        context["recall"] = recall_vars(message)
    if "healing" in groups and appointment is not None:
        context["healing"] = healing_vars(message, appointment)
    return context


def healing_vars(message: OutboundMessage, appointment) -> dict:
    from django.urls import reverse

    from aftercare.tokens import healing_token

    token = healing_token(
        appointment_public_id=appointment.public_id, client_public_id=message.client.public_id
    )
    return {
        "link": f"{settings.SITE_URL}{reverse('aftercare:healing_upload', args=[token])}",
        "days_since": str(message.data.get("days_since", "")),
    }


SAMPLE: dict[str, dict[str, str]] = {
    "client": {"first_name": "Alex", "last_name": "Sample"},
    "appointment": {
        "type": "Pigmentation session",
        "date": "Tuesday 4 March 2031",
        "time": "10:00",
        "end_time": "14:00",
        "practitioner": "Priya Patel",
        "location": "Central Clinic",
        "address": "1 High Street, London",
        "phone": "020 7946 0000",
        "session_label": "session 2 of 3",
    },
    "change": {"old_date": "Friday 28 February 2031", "old_time": "13:30"},
    "course": {
        "planned_sessions": "3",
        "sessions_done": "1",
        "sessions_left": "2",
        "last_session_date": "Monday 3 February 2031",
    },
    "consultation": {
        "date": "Monday 3 February 2031",
        "practitioner": "Priya Patel",
        "follow_up_date": "Monday 17 February 2031",
    },
    "step": {
        "day": "4",
        "subject": "Day 4: you can wet your scalp",
        "body": "From today you may rinse with lukewarm water or a mild cleanser.",
    },
    "recall": {"number": "1", "months_since": "12"},
    "healing": {"link": "https://clinic.example/messages/healing/sample/", "days_since": "21"},
}


def sample_context(kind: str, *, for_step: bool = False) -> dict:
    """The preview's made-up client and records; links point at real (sample) pages."""
    context = {group: dict(values) for group, values in SAMPLE.items()}
    context["clinic"] = clinic_vars()
    context["links"] = {
        "unsubscribe": f"{settings.SITE_URL}/messages/unsubscribe/sample/",
        "preferences": f"{settings.SITE_URL}/messages/preferences/sample/",
    }
    groups = groups_for(kind, for_step=for_step)
    return {group: values for group, values in context.items() if group in groups}
