"""What consultations add to the client page and to a consultation appointment's page."""

from django.urls import reverse

from accounts.roles import CLINICAL
from clients.registry import ClientSection, register_notice, register_section
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


def _plan_to_book(client, user) -> list:
    """A plan agreed at a consultation whose course is not booked yet: the front desk books it."""
    from clients.registry import ClientNotice
    from consultations.models import TreatmentPlan

    plan = (
        TreatmentPlan.objects.filter(consultation__client=client, course__isnull=True)
        .select_related("consultation")
        .order_by("-created_at")
        .first()
    )
    if plan is None or client.is_archived:
        return []
    text = (
        f"Treatment plan agreed on {plan.consultation.started_at:%d %b %Y}: {plan.sessions} "
        f"sessions, {plan.min_interval_days}–{plan.max_interval_days} days apart, not booked yet."
    )
    url = reverse("consultations:plan_book", args=[plan.consultation.public_id])
    return [ClientNotice(text, url, "Book the course", icon="calendar-plus")]


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
    register_notice(_plan_to_book)
