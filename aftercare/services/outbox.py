"""Making, moving and cancelling outbox rows. Every rule in ``rules`` and ``periodic`` writes
through these, so the creation-time checks (consent, address, archive, quiet hours) and the
idempotency key are applied in one place."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from aftercare.kinds import Category, spec_for
from aftercare.models import MessageSettings, OutboundMessage
from aftercare.quiet_hours import next_allowed
from audit.models import AuditEvent
from audit.services import event_record

Status = OutboundMessage.Status
Reason = OutboundMessage.Reason


def idempotency_key(*, kind: str, source: str, source_id: int, step: str) -> str:
    """Unique per kind + source record + step: the same rule applied twice finds its row."""
    return f"{kind}:{source}:{source_id}:{step or '-'}"


def consent_reason(client, category: str) -> str:
    """Why the client must not get a message of ``category`` now ('' when they may)."""
    if client.is_archived:
        return Reason.ARCHIVED
    if not (client.email or "").strip():
        return Reason.NO_EMAIL
    wants = client.email_reminders if category == Category.CARE else client.marketing_consent
    return "" if wants else Reason.OPTED_OUT


def quiet_adjusted(client, due_at: datetime, conf: MessageSettings) -> datetime:
    return next_allowed(
        due_at, tz=client.home_location.tz, start=conf.quiet_start, end=conf.quiet_end
    )


def in_time_for(kind: str, appointment, at: datetime) -> bool:
    """Whether a message of ``kind`` going out at ``at`` is still worth sending: always, but
    for the kinds about an appointment still to come (``before_start`` in aftercare.kinds),
    which must reach the client before the appointment starts. The rules ask it when they
    make or move a row, the sender when it is about to send or to hold a row for the
    morning."""
    return not spec_for(kind).before_start or at < appointment.start


def message_schedule(
    *,
    kind: str,
    client,
    due_at: datetime,
    step: str = "",
    appointment=None,
    course=None,
    consultation=None,
    aftercare_step=None,
    data: dict | None = None,
    conf: MessageSettings | None = None,
    reopen: bool = False,
) -> OutboundMessage | None:
    """The row for this kind + source + step, created pending (or skipped, with the reason,
    when the client may not receive it: staff then see why nothing will be sent). None, and
    no row, for a message about an appointment still to come that could only go out (quiet
    hours counted) once the appointment has started: a booking entered after the fact, or
    late at night for the early morning, gets no confirmation and no reminder. Calling
    it again returns the existing row untouched, except with ``reopen`` (the course scans):
    a row cancelled as no longer needed (by a booking's rules, or by its sender, which finds
    a booking before it counts an attempt) is made due again, because what answered it (a
    booking) fell through while the key, computed from the same records, stayed the same.
    The scans decide when that is (a nudge is not called for after a missed booking). Only
    a row never tried is reopened, so no message can reach a client twice this way; one
    cancelled by staff or for another reason stays closed."""
    spec = spec_for(kind)
    source = {"appointment": appointment, "course": course, "consultation": consultation}[
        spec.source
    ]
    if source is None:
        raise ValueError(f"A {kind} message needs its {spec.source}.")
    conf = conf or MessageSettings.current()
    due_at = quiet_adjusted(client, due_at, conf)
    if not in_time_for(kind, appointment, due_at):
        return None
    reason = consent_reason(client, spec.category)
    message, created = OutboundMessage.objects.get_or_create(
        idempotency_key=idempotency_key(
            kind=kind, source=spec.source, source_id=source.pk, step=step
        ),
        defaults={
            "kind": kind,
            "client": client,
            "appointment": appointment,
            "course": course,
            "consultation": consultation,
            "aftercare_step": aftercare_step,
            "step": step,
            "data": data or {},
            "due_at": due_at,
            "status": Status.SKIPPED if reason else Status.PENDING,
            "reason": reason,
        },
    )
    if reopen and not created and message.status == Status.CANCELLED:
        reopened = OutboundMessage.objects.filter(
            pk=message.pk, status=Status.CANCELLED, reason=Reason.NOT_NEEDED, attempts=0
        ).update(
            status=Status.SKIPPED if reason else Status.PENDING,
            reason=reason,
            due_at=due_at,
            data=data or message.data,
            updated_by=None,
            updated_at=timezone.now(),
        )
        if reopened:
            message.refresh_from_db()
    return message


def messages_cancel(
    messages: QuerySet[OutboundMessage], *, reason: str, by: User | None = None
) -> int:
    """Cancel the pending ones among ``messages`` (a row being sent is re-checked by the
    sender under its lock, so it is left to that check)."""
    return messages.filter(status=Status.PENDING).update(
        status=Status.CANCELLED, reason=reason, updated_by=by, updated_at=timezone.now()
    )


def message_move(message: OutboundMessage, *, due_at: datetime, conf: MessageSettings) -> None:
    OutboundMessage.objects.filter(pk=message.pk, status=Status.PENDING).update(
        due_at=quiet_adjusted(message.client, due_at, conf), updated_at=timezone.now()
    )


def _audit(message: OutboundMessage, *, action: str, changes: dict, by: User) -> None:
    event_record(
        action=action,
        object_type=OutboundMessage._meta.label,
        object_id=str(message.public_id),
        # The kind, never the subject: a subject may name the client, and the trail is
        # written once and kept.
        object_label=f"{message.get_kind_display().lower()} {message.public_id}",
        client_public_id=message.client.public_id,
        changes=changes,
        by=by,
    )


def _locked(message: OutboundMessage) -> OutboundMessage:
    return (
        OutboundMessage.objects.select_for_update(of=("self",))
        .select_related("client")
        .get(pk=message.pk)
    )


@transaction.atomic
def message_cancel(*, message: OutboundMessage, by: User) -> OutboundMessage:
    """Staff cancel a pending message."""
    message = _locked(message)
    if not message.can_cancel:
        raise ValidationError(
            f"This message is {message.get_status_display().lower()}; only a pending message "
            "can be cancelled."
        )
    message.status, message.reason, message.updated_by = Status.CANCELLED, Reason.STAFF, by
    message.save(update_fields=["status", "reason", "updated_by", "updated_at"])
    _audit(
        message,
        action=AuditEvent.Action.UPDATE,
        changes={"status": {"before": Status.PENDING, "after": Status.CANCELLED}},
        by=by,
    )
    return message


@transaction.atomic
def message_resend(*, message: OutboundMessage, by: User) -> OutboundMessage:
    """Staff send a message again; the row that will go out, due now. The sender applies
    the send-time rules again (consent, quiet hours, whether it still applies).

    Each idempotency key is sent once at most, so a resend never re-sends a key that went:
    a sent message is copied into a new row linked to it (``resend_of``), keyed
    ``<key of the original>:resend-<n>``, which gets its own Message-ID. A failed, cancelled
    or skipped message was never delivered, so that row itself goes back to the queue."""
    message = _locked(message)
    if not message.can_resend:
        raise ValidationError(
            f"This message is {message.get_status_display().lower()}; only a sent, failed, "
            "cancelled or skipped message can be sent again."
        )
    if message.status == Status.SENT:
        return _resend_copy(message, by=by)
    before = message.status
    message.status = Status.PENDING
    message.reason = Reason.NONE
    message.attempts = 0
    message.due_at = timezone.now()
    message.resends += 1
    message.updated_by = by
    message.save(
        update_fields=[
            "status",
            "reason",
            "attempts",
            "due_at",
            "resends",
            "updated_by",
            "updated_at",
        ]
    )
    _audit(
        message,
        action=AuditEvent.Action.UPDATE,
        changes={
            "status": {"before": before, "after": Status.PENDING},
            "resends": {"before": message.resends - 1, "after": message.resends},
        },
        by=by,
    )
    return message


def _resend_copy(sent: OutboundMessage, *, by: User) -> OutboundMessage:
    # Copies hang off the first message, so their numbers count every resend of it; the
    # lock on that row makes a second desk resending at once wait, then see the first
    # desk's copy still queued and be refused.
    original = _locked(sent.resend_of) if sent.resend_of_id else sent
    copies = original.resent_as.all()
    if copies.filter(status__in=OutboundMessage.OPEN).exists():
        raise ValidationError(
            "This message is already being sent again; the copy goes out within a minute."
        )
    number = copies.count() + 1
    copy = OutboundMessage.objects.create(
        kind=original.kind,
        client=original.client,
        appointment_id=original.appointment_id,
        course_id=original.course_id,
        consultation_id=original.consultation_id,
        aftercare_step_id=original.aftercare_step_id,
        step=original.step,
        data=original.data,
        due_at=timezone.now(),
        status=Status.PENDING,
        idempotency_key=f"{original.idempotency_key}:resend-{number}",
        resend_of=original,
        updated_by=by,
    )
    _audit(
        copy,
        action=AuditEvent.Action.CREATE,
        changes={"after": {"resend_of": str(original.public_id), "copy": number}},
        by=by,
    )
    return copy
