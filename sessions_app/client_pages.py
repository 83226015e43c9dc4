"""The session log on the client page and on a session appointment's page."""

from django.urls import reverse

from accounts.roles import CLINICAL, STAFF
from clients.registry import ClientSection, register_section
from scheduling.registry import (
    AppointmentAction,
    register_appointment_actions,
    register_status_guard,
)


def _section_context(*, client, user) -> dict:
    from sessions_app.selectors import client_sessions

    return {"sessions": client_sessions(client=client)}


def _appointment_actions(appointment, user) -> list[AppointmentAction]:
    from sessions_app.models import PigmentationSession

    if user.role not in CLINICAL or not appointment.appointment_type.is_pigmentation:
        return []
    existing = (
        PigmentationSession.objects.filter(appointment=appointment)
        .values_list("public_id", flat=True)
        .first()
    )
    if existing:
        return [
            AppointmentAction(
                "Open the session log",
                reverse("sessions_app:session", args=[existing]),
                "journal-medical",
            )
        ]
    if appointment.status in ("cancelled", "no_show"):
        return []
    return [
        AppointmentAction(
            "Open the session log",
            reverse("sessions_app:open", args=[appointment.public_id]),
            "journal-medical",
            method="post",
        )
    ]


def _status_guard(appointment, statuses: set[str]) -> dict[str, str]:
    """A pigmentation appointment follows its session log: it is in progress once the log
    has passed the safety gate and completed once the log is signed off, never by a click
    on the calendar (which would skip the gate and the record)."""
    from sessions_app.models import PigmentationSession

    followed = statuses & {"in_progress", "completed"}
    if not followed or not appointment.appointment_type.is_pigmentation:
        return {}
    status = (
        PigmentationSession.objects.filter(appointment=appointment)
        .values_list("status", flat=True)
        .first()
    )
    refusals = {}
    started = status in (
        PigmentationSession.Status.IN_PROGRESS,
        PigmentationSession.Status.SIGNED_OFF,
    )
    if "in_progress" in followed and not started:
        refusals["in_progress"] = (
            "A pigmentation session starts from its session log, after the safety checks."
        )
    if "completed" in followed and status != PigmentationSession.Status.SIGNED_OFF:
        refusals["completed"] = (
            "A pigmentation session is completed by signing off its session log."
        )
    return refusals


def register() -> None:
    # Front desk sees that a session happened (date, status), never its clinical content.
    register_section(
        ClientSection(
            key="sessions",
            label="Sessions",
            template="sessions_app/client_section.html",
            roles=frozenset(STAFF),
            context=_section_context,
            order=40,
            icon="journal-medical",
        )
    )
    register_appointment_actions(_appointment_actions)
    register_status_guard(_status_guard)
