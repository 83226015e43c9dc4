"""Send-time rules: is a claimed message still wanted? Re-read under the row lock just before
sending, because hours or weeks may have passed since the row was made."""

from datetime import datetime

from aftercare.kinds import APPOINTMENT_NOTICES, Kind, spec_for
from aftercare.models import MessageSettings, OutboundMessage
from aftercare.services.outbox import consent_reason, in_time_for
from aftercare.services.periodic import (
    course_under_way,
    later_treatment_exists,
    treatment_booked,
)

Status = OutboundMessage.Status
Reason = OutboundMessage.Reason
# Not a reason to close the message: a reason to ask again shortly (see send_time_verdict).
WAIT = "wait"


def _client_has_upcoming(client, now: datetime) -> bool:
    from scheduling.models import Appointment

    return Appointment.objects.filter(
        client=client, status__in=Appointment.UPCOMING, start__gte=now
    ).exists()


def _source_problem(message: OutboundMessage, now: datetime) -> str:
    """A Reason when the record the message is about no longer calls for it."""
    from consultations.models.choices import Decision
    from scheduling.models import Appointment, Course

    appointment = message.appointment
    kind = message.kind
    if kind in (Kind.BOOKING_CONFIRMATION, Kind.APPOINTMENT_REMINDER, Kind.RESCHEDULE_NOTICE):
        if appointment.status not in Appointment.UPCOMING:
            return Reason.SOURCE_CHANGED
        return _started_problem(message, now)
    elif kind == Kind.CANCELLATION_NOTICE:
        if appointment.status != Appointment.Status.CANCELLED:
            return Reason.SOURCE_CHANGED
        return _started_problem(message, now) or _cancellation_problem(message)
    elif kind == Kind.NO_SHOW_FOLLOW_UP:
        if appointment.status != Appointment.Status.NO_SHOW:
            return Reason.SOURCE_CHANGED
        if _client_has_upcoming(message.client, now):
            return Reason.NOT_NEEDED
    elif kind == Kind.AFTERCARE:
        if appointment.status != Appointment.Status.COMPLETED:
            return Reason.SOURCE_CHANGED
    elif kind == Kind.NEXT_SESSION_NUDGE:
        course = message.course
        if course.status != Course.Status.ACTIVE:
            return Reason.SOURCE_CHANGED
        if course.appointments.filter(status__in=Appointment.UPCOMING, start__gte=now).exists():
            return Reason.NOT_NEEDED
    elif kind == Kind.CONSULTATION_FOLLOW_UP:
        if message.consultation.decision != Decision.THINKING:
            return Reason.SOURCE_CHANGED
        if _client_has_upcoming(message.client, now):
            return Reason.NOT_NEEDED
    elif kind == Kind.TOUCH_UP_RECALL:
        # The recall counts from this treatment (aftercare/services/periodic.py); a row
        # made before recalls were per client has no treatment and is not sent.
        if appointment is None or appointment.status != Appointment.Status.COMPLETED:
            return Reason.SOURCE_CHANGED
        if course_under_way(
            appointment.course,
            last_session_start=appointment.start,
            now=now,
            conf=MessageSettings.current(),
        ):
            return Reason.SOURCE_CHANGED
        if later_treatment_exists(appointment) or treatment_booked(message.client_id, now):
            return Reason.NOT_NEEDED
    elif kind == Kind.HEALING_CHECK:
        return _healing_problem(appointment)
    return ""


def _started_problem(message: OutboundMessage, now: datetime) -> str:
    """A message about an appointment still to come that would reach the client once it has
    started (delayed by an outage, a retry, a staff resend) says nothing they need."""
    return "" if in_time_for(message.kind, message.appointment, now) else Reason.NOT_NEEDED


def _cancellation_problem(message: OutboundMessage) -> str:
    """A cancellation notice is for a client who heard of the booking: one of its notices
    was sent. One still being sent may yet be dropped by its own check, so wait for it."""
    notices = OutboundMessage.objects.filter(
        appointment_id=message.appointment_id, kind__in=APPOINTMENT_NOTICES
    )
    statuses = set(notices.values_list("status", flat=True))
    if Status.SENT in statuses:
        return ""
    if Status.SENDING in statuses:
        return WAIT
    return Reason.NOT_NEEDED


def _healing_problem(appointment) -> str:
    from scheduling.models import Appointment
    from sessions_app.models import HealingCheck, PigmentationSession

    if appointment.status != Appointment.Status.COMPLETED:
        return Reason.SOURCE_CHANGED
    session = PigmentationSession.objects.filter(appointment=appointment).first()
    if session is None:
        return Reason.SOURCE_CHANGED
    if HealingCheck.objects.filter(session=session).exists():
        return Reason.NOT_NEEDED
    return ""


def send_time_verdict(message: OutboundMessage, now: datetime) -> tuple[str, str]:
    """(status, reason) to close the message with instead of sending, ('pending', '') to
    ask again shortly, or ('', '') to send."""
    reason = consent_reason(message.client, spec_for(message.kind).category)
    if reason:
        return Status.SKIPPED, reason
    problem = _source_problem(message, now)
    if problem == WAIT:
        return Status.PENDING, Reason.NONE
    if problem:
        return Status.CANCELLED, problem
    return "", ""
