"""What consultations add to the client page and to a consultation appointment's page."""

from datetime import timedelta

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


# A local day lasts up to 25 hours (the autumn DST change), so every location's today lies
# within this much of now, whatever its time zone.
_LONGEST_DAY = timedelta(hours=25)


def _consultation_today(client, user) -> list:
    """A consultation appointment of this client today, in its location's own day: the
    practitioner starts (or goes back to) the consultation from the client page in one tap.
    One query."""
    from django.db.models import OuterRef, Subquery
    from django.utils import timezone

    from clients.registry import ClientNotice
    from consultations.models import Consultation
    from scheduling.models import Appointment, AppointmentType
    from scheduling.selectors import appointments_visible_to
    from smp_clinic.lib.tz import day_bounds

    if user.role not in CLINICAL or client.is_archived:
        return []
    now = timezone.now()
    opened = Consultation.objects.filter(appointment=OuterRef("pk"))
    candidates = (
        appointments_visible_to(user)
        .filter(
            client=client,
            appointment_type__kind=AppointmentType.Kind.CONSULTATION,
            status__in=[*Appointment.UPCOMING, "checked_in", "in_progress"],
            # Today somewhere (the locations' zones are not known before this query): each
            # appointment is held to its own location's day bounds below.
            start__gt=now - _LONGEST_DAY,
            start__lt=now + _LONGEST_DAY,
        )
        .annotate(
            consultation_id=Subquery(opened.values("public_id")[:1]),
            consultation_status=Subquery(opened.values("status")[:1]),
        )
        .order_by("start")
    )
    for appointment in candidates:
        tz = appointment.location.tz
        start, end = day_bounds(timezone.localdate(now, tz), tz)
        if not start <= appointment.start < end:
            continue
        at = timezone.localtime(appointment.start, tz)
        text = f"Consultation today at {at:%H:%M} with {appointment.practitioner.full_name}."
        if appointment.consultation_id is None:
            url = (
                reverse("consultations:start", args=[client.public_id])
                + f"?appointment={appointment.public_id}"
            )
            return [ClientNotice(text, url, "Start consultation", "clipboard2-pulse", "post")]
        if appointment.consultation_status == Consultation.Status.DRAFT:
            url = reverse("consultations:detail", args=[appointment.consultation_id])
            return [ClientNotice(text, url, "Open consultation", "clipboard2-pulse")]
    return []


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
    register_notice(_consultation_today)
