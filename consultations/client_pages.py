"""What consultations add to the client page and to a consultation appointment's page."""

from django.urls import reverse

from accounts.roles import CLINICAL
from clients.registry import ClientSection, register_section
from scheduling.registry import AppointmentAction, register_appointment_actions


def _section_context(*, client, user) -> dict:
    from consultations.selectors import client_consultations

    return {"consultations": client_consultations(client=client)}


def _appointment_actions(appointment, user) -> list[AppointmentAction]:
    from consultations.models import Consultation
    from scheduling.models import Appointment, AppointmentType

    if (
        user.role not in CLINICAL
        or appointment.appointment_type.kind != AppointmentType.Kind.CONSULTATION
    ):
        return []
    existing = (
        Consultation.objects.filter(appointment=appointment)
        .values_list("public_id", flat=True)
        .first()
    )
    if existing:
        return [
            AppointmentAction(
                "Open consultation",
                reverse("consultations:detail", args=[existing]),
                "clipboard2-pulse",
            )
        ]
    if appointment.status in (Appointment.Status.CANCELLED, Appointment.Status.NO_SHOW):
        return []
    url = (
        reverse("consultations:start", args=[appointment.client.public_id])
        + f"?appointment={appointment.public_id}"
    )
    return [AppointmentAction("Start consultation", url, "clipboard2-pulse", method="post")]


def register() -> None:
    register_section(
        ClientSection(
            key="consultations",
            label="Consultations",
            template="consultations/client_section.html",
            roles=frozenset(CLINICAL),
            context=_section_context,
            order=30,
            icon="clipboard2-pulse",
        )
    )
    register_appointment_actions(_appointment_actions)
