"""Which messages each domain event makes, moves or cancels.

These listeners run inside the emitting service's transaction (smp_clinic/lib/events.py):
the rows commit or roll back with the booking, move, cancellation or status change itself.
Nothing is enqueued here; the dispatcher picks rows up when they are due.
"""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from aftercare.kinds import APPOINTMENT_NOTICES, SPECS, Category, Kind
from aftercare.models import AftercarePlan, MessageSettings, OutboundMessage
from aftercare.quiet_hours import wall_clock
from aftercare.services.outbox import (
    consent_reason,
    in_time_for,
    message_move,
    message_schedule,
    messages_cancel,
    quiet_adjusted,
)

Status = OutboundMessage.Status
Reason = OutboundMessage.Reason
# Messages that ask the client to get back in touch: any booking answers them.
GET_IN_TOUCH_KINDS = (Kind.NO_SHOW_FOLLOW_UP, Kind.CONSULTATION_FOLLOW_UP)
# An aftercare step whose time passed longer ago than this when the session is recorded as
# completed (a session logged days late) is not sent at all; a more recent one goes now.
AFTERCARE_GRACE = timedelta(hours=12)


def _schedule_reminders(appointment, conf: MessageSettings, *, suffix: str = "", skip_hours=()):
    now = timezone.now()
    for hours in conf.reminder_offsets:
        due = appointment.start - timedelta(hours=hours)
        if hours in skip_hours or due <= now:
            continue  # a reminder whose time has already passed is not sent at all
        message_schedule(
            kind=Kind.APPOINTMENT_REMINDER,
            client=appointment.client,
            appointment=appointment,
            step=f"{hours}h{suffix}",
            due_at=due,
            data={"hours": hours},
            conf=conf,
        )


def answered_by(appointment) -> Q:
    """The client's messages a new booking answers: the follow-ups asking them to get in
    touch; the nudge of the course the booking belongs to (a consultation, or a session
    of another course, leaves the course with nothing booked); the touch-up recall when
    the booking is a treatment (session or touch-up). The send-time check asks the same."""
    answered = Q(kind__in=GET_IN_TOUCH_KINDS)
    if appointment.course_id:
        answered |= Q(kind=Kind.NEXT_SESSION_NUDGE, course_id=appointment.course_id)
    if appointment.appointment_type.is_pigmentation:
        answered |= Q(kind=Kind.TOUCH_UP_RECALL)
    return answered


def on_appointment_booked(*, appointment, by, **_) -> None:
    conf = MessageSettings.current()
    # Neither is made when it could only go once the appointment has started (booked in
    # the past, or at night for the early morning): message_schedule asks in_time_for.
    message_schedule(
        kind=Kind.BOOKING_CONFIRMATION,
        client=appointment.client,
        appointment=appointment,
        step="booked",
        due_at=timezone.now(),
        conf=conf,
    )
    _schedule_reminders(appointment, conf)
    # Cancelled as not needed, so that the scans reopen a nudge or recall if this booking
    # is cancelled in turn (see outbox.message_schedule).
    messages_cancel(
        OutboundMessage.objects.filter(answered_by(appointment), client=appointment.client),
        reason=Reason.NOT_NEEDED,
    )


def on_appointment_rescheduled(*, appointment, by, old_start, **_) -> None:
    conf = MessageSettings.current()
    now = timezone.now()
    revision = appointment.changes.filter(kind="rescheduled").count()
    mine = OutboundMessage.objects.filter(appointment=appointment).select_related(
        "client__home_location"
    )
    moved_hours = set()
    for reminder in mine.filter(kind=Kind.APPOINTMENT_REMINDER, status=Status.PENDING):
        hours = reminder.data.get("hours")
        due = appointment.start - timedelta(hours=hours or 0)
        arrives = quiet_adjusted(reminder.client, due, conf)
        if (
            hours in conf.reminder_offsets
            and due > now
            and in_time_for(Kind.APPOINTMENT_REMINDER, appointment, arrives)
        ):
            message_move(reminder, due_at=due, conf=conf)
            moved_hours.add(hours)
        else:
            messages_cancel(mine.filter(pk=reminder.pk), reason=Reason.TOO_LATE)
    # A confirmation still waiting for the morning, for an appointment moved to before it.
    messages_cancel(
        mine.filter(kind=Kind.BOOKING_CONFIRMATION, due_at__gte=appointment.start),
        reason=Reason.NOT_NEEDED,
    )
    # Reminders already sent for the old time are due again for the new one.
    _schedule_reminders(appointment, conf, suffix=f"-m{revision}", skip_hours=moved_hours)
    told = mine.filter(status__in=(Status.SENT, Status.SENDING)).exists()
    if not told:
        return  # the pending confirmation will carry the new time
    messages_cancel(mine.filter(kind=Kind.RESCHEDULE_NOTICE), reason=Reason.NOT_NEEDED)
    message_schedule(
        kind=Kind.RESCHEDULE_NOTICE,
        client=appointment.client,
        appointment=appointment,
        step=f"move-{revision}",
        due_at=now,
        data={"old_start": old_start.isoformat()},
        conf=conf,
    )


def on_appointment_cancelled(*, appointment, by, **_) -> None:
    mine = OutboundMessage.objects.filter(appointment=appointment)
    # Told about it, or perhaps (a notice being sent, which its sender may still drop when
    # it sees the cancellation): a notice is made, and at its own send time it goes only
    # if a notice really reached the client (aftercare/services/checks.py). A booking
    # cancelled before its confirmation left gets no mail at all.
    told = mine.filter(
        kind__in=APPOINTMENT_NOTICES, status__in=(Status.SENT, Status.SENDING)
    ).exists()
    messages_cancel(mine, reason=Reason.SOURCE_CHANGED, by=by)
    if told:
        message_schedule(
            kind=Kind.CANCELLATION_NOTICE,
            client=appointment.client,
            appointment=appointment,
            step="cancelled",
            due_at=timezone.now(),
        )


def _schedule_aftercare(appointment, conf: MessageSettings) -> None:
    plan = AftercarePlan.objects.filter(is_default=True).first()
    if plan is None:
        return
    client = appointment.client
    tz = client.home_location.tz
    session_day = timezone.localtime(appointment.start, tz).date()
    now = timezone.now()
    for step in plan.steps.all():
        due = wall_clock(session_day + timedelta(days=step.day_offset), step.send_time, tz)
        if due < now - AFTERCARE_GRACE:
            continue
        message_schedule(
            kind=Kind.AFTERCARE,
            client=client,
            appointment=appointment,
            course=appointment.course,
            aftercare_step=step,
            step=f"day{step.day_offset}-s{step.pk}",
            due_at=max(due, now),
            data={"day": step.day_offset},
            conf=conf,
        )


def _schedule_healing_check(appointment, conf: MessageSettings) -> None:
    tz = appointment.client.home_location.tz
    session_day = timezone.localtime(appointment.start, tz).date()
    due = wall_clock(session_day + timedelta(days=conf.healing_check_days), conf.day_send_time, tz)
    message_schedule(
        kind=Kind.HEALING_CHECK,
        client=appointment.client,
        appointment=appointment,
        course=appointment.course,
        step="healing",
        due_at=max(due, timezone.now()),
        data={"days_since": conf.healing_check_days},
        conf=conf,
    )


def on_appointment_status_changed(*, appointment, by, old_status, **_) -> None:
    from scheduling.models import Appointment

    new = appointment.status
    mine = OutboundMessage.objects.filter(appointment=appointment)
    if new not in Appointment.UPCOMING:
        messages_cancel(mine.filter(kind__in=APPOINTMENT_NOTICES), reason=Reason.SOURCE_CHANGED)
    conf = MessageSettings.current()
    if new == Appointment.Status.COMPLETED and appointment.appointment_type.is_pigmentation:
        _schedule_aftercare(appointment, conf)
        _schedule_healing_check(appointment, conf)
        # The recall clock restarts at this treatment (aftercare/services/periodic.py).
        messages_cancel(
            OutboundMessage.objects.filter(
                client=appointment.client, kind=Kind.TOUCH_UP_RECALL
            ).exclude(appointment=appointment),
            reason=Reason.NOT_NEEDED,
        )
    elif new == Appointment.Status.NO_SHOW:
        message_schedule(
            kind=Kind.NO_SHOW_FOLLOW_UP,
            client=appointment.client,
            appointment=appointment,
            step="no-show",
            due_at=timezone.now() + timedelta(hours=conf.no_show_delay_hours),
            conf=conf,
        )
    elif old_status == Appointment.Status.NO_SHOW:
        messages_cancel(
            mine.filter(kind=Kind.NO_SHOW_FOLLOW_UP), reason=Reason.SOURCE_CHANGED, by=by
        )


def on_consultation_completed(*, consultation, by, **_) -> None:
    from consultations.models.choices import Decision

    if consultation.decision != Decision.THINKING or consultation.follow_up_on is None:
        return
    conf = MessageSettings.current()
    client = consultation.client
    due = wall_clock(consultation.follow_up_on, conf.day_send_time, client.home_location.tz)
    message_schedule(
        kind=Kind.CONSULTATION_FOLLOW_UP,
        client=client,
        consultation=consultation,
        step="follow-up",
        due_at=max(due, timezone.now()),
        conf=conf,
    )


def on_client_preferences_changed(*, client, by=None, **_) -> None:
    """Opting out closes the pending rows of that category now (they would be skipped at
    send time anyway); opting back in, or adding an address, re-opens the future ones that
    were skipped for that reason. The same consent rule as at scheduling and send time."""
    now = timezone.now()
    for category in Category:
        kinds = [kind for kind, spec in SPECS.items() if spec.category == category]
        rows = OutboundMessage.objects.filter(client=client, kind__in=kinds)
        reason = consent_reason(client, category)
        if reason in (Reason.NO_EMAIL, Reason.OPTED_OUT):
            rows.filter(status=Status.PENDING).update(
                status=Status.SKIPPED, reason=reason, updated_by=by, updated_at=now
            )
        elif not reason:
            rows.filter(
                status=Status.SKIPPED,
                reason__in=(Reason.OPTED_OUT, Reason.NO_EMAIL),
                due_at__gt=now,
            ).update(status=Status.PENDING, reason=Reason.NONE, updated_by=by, updated_at=now)


def on_client_archived(*, client, by=None, **_) -> None:
    messages_cancel(OutboundMessage.objects.filter(client=client), reason=Reason.ARCHIVED, by=by)


def connect() -> None:
    from smp_clinic.lib.events import listen

    listen("appointment.booked", on_appointment_booked)
    listen("appointment.rescheduled", on_appointment_rescheduled)
    listen("appointment.cancelled", on_appointment_cancelled)
    listen("appointment.status_changed", on_appointment_status_changed)
    listen("consultation.completed", on_consultation_completed)
    listen("client.preferences_changed", on_client_preferences_changed)
    listen("client.archived", on_client_archived)
