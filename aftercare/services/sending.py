"""Dispatching due messages and sending one message: the outbox's delivery guarantees.

Design
------
1. **Claim** (``outbox_dispatch``, run by beat every minute). In short transactions of
   ``OUTBOX_BATCH_SIZE`` rows: ``SELECT id … WHERE status='pending' AND due_at<=now ORDER BY
   due_at FOR UPDATE SKIP LOCKED LIMIT n``, then one UPDATE to ``sending`` with the claim time
   and a fresh claim token. Only ids travel; a run handles ``OUTBOX_DISPATCH_LIMIT`` rows at
   most, so 10,000 due rows cost 10,000/n small transactions and never sit in memory at once.
   Several dispatchers at once each get disjoint rows (SKIP LOCKED).
2. **Enqueue on commit**: one ``outbox_send(id, token)`` task per claimed row, published after
   the claim commits. If the broker refuses, the unpublished rows go straight back to
   ``pending``; if the broker loses a published task (Redis restarted without persistence),
   the row stays ``sending`` and step 5 returns it.
3. **Send** (``outbox_send``): under the row lock, the row must still be ``sending`` with this
   token, otherwise the task is a duplicate delivery and does nothing. The send-time rules
   run (consent, address, archive, whether the source still calls for it, quiet hours), then
   the attempt is counted and ``claimed_at`` refreshed, and that commits before anything
   else is done: whatever happens next, the attempt is on the row. The email is then
   prepared (context, template, calendar file): a broken template fails the message with
   the error; any other exception is logged and retried like an SMTP error, with its text
   on the row for staff. The rendered email is stored (a conditional UPDATE on the claim),
   then the SMTP conversation happens outside any transaction.
4. **Mark sent** with a conditional UPDATE (``status='sending' AND claim_token=token``). An
   SMTP error (or any exception) instead puts the row back to ``pending`` with an exponential
   backoff (``OUTBOX_RETRY_BASE_SECONDS`` × 2^(attempt-1)), or ``failed`` with the error once
   ``OUTBOX_MAX_ATTEMPTS`` are used or the server refuses permanently (5xx).
5. **Recover**: each dispatch first returns rows ``sending`` for longer than
   ``OUTBOX_STUCK_AFTER_SECONDS`` to ``pending`` (a worker killed, a task lost with Redis),
   or to ``failed`` once their counted attempts reach ``OUTBOX_MAX_ATTEMPTS`` (a message
   that kills its worker every time stops being tried). That timeout is longer than the
   task's hard time limit (settings.py enforces it), so a live sender is never overtaken by
   its own recovery.

Guarantees, honestly
--------------------
No message is lost: a row leaves ``pending``/``sending`` only by a committed decision
(sent, failed, cancelled, skipped), and every crash point leaves it recoverable. Duplicates
are prevented everywhere but one window: a worker that dies after the SMTP server accepted
the message (its "250 OK" to DATA) and before step 4 commits leaves the row ``sending``;
recovery then sends it again. SMTP offers no way to ask a server whether it already holds a
message, so that window (the time of one UPDATE, well under a millisecond per message)
cannot be closed from this side. Such a duplicate carries the same ``Message-ID`` and
``X-SMP-Idempotency-Key`` headers as the first copy, so it is recognisable and many mail
programs fold it away. The reliability test kills workers while every send is waiting for
the server's reply, outside that window (see tests/aftercare/test_reliability.py).
"""

import logging
import smtplib
import uuid
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from aftercare.context import message_context
from aftercare.email import appointment_ics, build_email
from aftercare.kinds import Kind, spec_for
from aftercare.models import MessageSettings, OutboundMessage
from aftercare.rendering import TemplateProblem, render_email, render_source
from aftercare.services.checks import send_time_verdict
from aftercare.services.outbox import in_time_for, quiet_adjusted

log = logging.getLogger(__name__)
Status = OutboundMessage.Status
MAX_BACKOFF = timedelta(hours=6)


def outbox_recover_stuck(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.OUTBOX_STUCK_AFTER_SECONDS)
    stuck = OutboundMessage.objects.filter(status=Status.SENDING, claimed_at__lt=cutoff)
    limit = settings.OUTBOX_MAX_ATTEMPTS
    given_up = stuck.filter(attempts__gte=limit).update(
        status=Status.FAILED,
        claim_token=None,
        claimed_at=None,
        last_error=(
            f"The worker sending this message stopped during each of its {limit} attempts; "
            "it is not tried again. Check the worker's log, then send it again."
        ),
        updated_at=now,
    )
    recovered = stuck.update(
        status=Status.PENDING,
        claim_token=None,
        claimed_at=None,
        due_at=now,
        last_error="The worker sending this message stopped; it was queued again.",
        updated_at=now,
    )
    if given_up:
        log.error("outbox: %s message(s) stuck in sending used up their attempts", given_up)
    if recovered:
        log.warning("outbox: %s message(s) stuck in sending were queued again", recovered)
    return recovered + given_up


def _release(ids: list[int], token: uuid.UUID, error: str) -> None:
    OutboundMessage.objects.filter(pk__in=ids, status=Status.SENDING, claim_token=token).update(
        status=Status.PENDING, claim_token=None, claimed_at=None, last_error=error
    )


def _enqueue(ids: list[int], token: uuid.UUID) -> None:
    from aftercare.tasks import outbox_send

    for position, message_id in enumerate(ids):
        try:
            outbox_send.delay(message_id, str(token))
        except Exception as error:  # noqa: BLE001 - the broker is down: give the rows back
            log.warning("outbox: broker refused a send task (%s); releasing the batch", error)
            _release(ids[position:], token, f"Could not queue the message: {error}")
            return


def outbox_claim_batch(*, now: datetime, batch_size: int) -> list[int]:
    """Claim up to ``batch_size`` due rows and enqueue their sends once the claim commits."""
    with transaction.atomic():
        ids = list(
            OutboundMessage.objects.select_for_update(skip_locked=True)
            .filter(status=Status.PENDING, due_at__lte=now)
            .order_by("due_at", "id")
            .values_list("id", flat=True)[:batch_size]
        )
        if ids:
            token = uuid.uuid4()
            OutboundMessage.objects.filter(pk__in=ids).update(
                status=Status.SENDING, claimed_at=now, claim_token=token
            )
            transaction.on_commit(partial(_enqueue, ids, token))
    return ids


def outbox_dispatch(
    *, now: datetime | None = None, batch_size: int | None = None, limit: int | None = None
) -> int:
    """Recover stuck rows, then claim due rows batch by batch; the number claimed."""
    now = now or timezone.now()
    batch_size = batch_size or settings.OUTBOX_BATCH_SIZE
    limit = limit or settings.OUTBOX_DISPATCH_LIMIT
    outbox_recover_stuck(now=now)
    claimed = 0
    while claimed < limit:
        ids = outbox_claim_batch(now=now, batch_size=min(batch_size, limit - claimed))
        claimed += len(ids)
        if len(ids) < batch_size:
            break
    return claimed


def _step_context(message: OutboundMessage, context: dict) -> dict:
    step = message.aftercare_step
    if step is None:
        raise TemplateProblem("The aftercare step of this message was deleted from the plan.")
    return {
        "day": str(step.day_offset),
        "subject": " ".join(
            render_source(
                step.subject, context, kind=message.kind, autoescape=False, for_step=True
            ).split()
        ),
        "body": render_source(
            step.body, context, kind=message.kind, autoescape=False, for_step=True
        ).strip(),
    }


def _render(message: OutboundMessage, now: datetime):
    from aftercare.models import MessageTemplate

    template = MessageTemplate.objects.filter(kind=message.kind).first()
    if template is None:
        raise TemplateProblem("There is no template for this kind of message.")
    context = message_context(message)
    if message.kind == Kind.AFTERCARE:
        context["step"] = _step_context(message, context)
    rendered = render_email(
        kind=message.kind,
        subject=template.subject,
        body_text=template.body_text,
        body_html=template.body_html,
        context=context,
    )
    ics = None
    if spec_for(message.kind).attach_ics and message.appointment is not None:
        ics = appointment_ics(
            message.appointment, now=now, cancelled=message.kind == Kind.CANCELLATION_NOTICE
        )
    return build_email(
        message, rendered, unsubscribe_url=context["links"]["unsubscribe"], ics=ics
    ), rendered


# What the sender reads beside the message, per source: only the joins a kind needs (a
# dozen-table join costs more to plan than to run).
RELATED_BY_SOURCE: dict[str, tuple[str, ...]] = {
    "appointment": (
        "appointment__appointment_type",
        "appointment__location",
        "appointment__practitioner",
        "appointment__course",
        "aftercare_step",
    ),
    "course": ("course",),
    "consultation": ("consultation__practitioner",),
}


def _unclaim(
    message: OutboundMessage, *, status: str = Status.PENDING, reason: str = "", due_at=None
) -> None:
    """Give up the claim without an attempt: closed with ``status`` and ``reason``, or back
    to pending, due at ``due_at``."""
    message.status = status
    fields = ["status", "claim_token", "claimed_at", "updated_at"]
    if due_at is None:
        message.reason = reason
        fields.append("reason")
    else:
        message.due_at = due_at
        fields.append("due_at")
    message.claim_token = message.claimed_at = None
    message.save(update_fields=fields)


def _claim_for_send(message_id: int, token: str, now: datetime) -> OutboundMessage | None:
    """Under the row lock: the message with its attempt counted, or None when it is not to
    be sent now (a duplicate task, a send-time rule, quiet hours)."""
    claim = (
        OutboundMessage.objects.select_for_update()
        .filter(pk=message_id)
        .values("kind", "status", "claim_token")
        .first()
    )
    if claim is None or claim["status"] != Status.SENDING or str(claim["claim_token"]) != token:
        return None  # a duplicate task, or the row was recovered and claimed again
    message = OutboundMessage.objects.select_related(
        "client__home_location", *RELATED_BY_SOURCE[spec_for(claim["kind"]).source]
    ).get(pk=message_id)
    status, reason = send_time_verdict(message, now)
    if status == Status.PENDING:  # another message decides this one: ask again shortly
        return _unclaim(message, due_at=now + timedelta(seconds=settings.OUTBOX_RETRY_BASE_SECONDS))
    if not status:
        allowed = quiet_adjusted(message.client, now, MessageSettings.current())
        if allowed > now and not in_time_for(message.kind, message.appointment, allowed):
            # The morning comes after the appointment's start: nothing to wait for.
            status, reason = Status.CANCELLED, OutboundMessage.Reason.NOT_NEEDED
        elif allowed > now:  # due during the night (or delayed into it): wait for the morning
            return _unclaim(message, due_at=allowed)
    if status:
        return _unclaim(message, status=status, reason=reason)
    message.attempts += 1
    message.claimed_at = now  # the stuck-claim timer runs from the start of the send
    message.save(update_fields=["attempts", "claimed_at", "updated_at"])
    return message


def _store_rendered(message: OutboundMessage, token: str, rendered) -> bool:
    return bool(
        OutboundMessage.objects.filter(
            pk=message.pk, status=Status.SENDING, claim_token=token
        ).update(
            to_email=message.client.email,
            subject=rendered.subject,
            body_text=rendered.text,
            body_html=rendered.html,
            updated_at=timezone.now(),
        )
    )


def _is_permanent(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and 500 <= error.smtp_code < 600


def backoff(attempts: int) -> timedelta:
    delay = timedelta(seconds=settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0))
    return min(delay, MAX_BACKOFF)


def _after_failure(
    message: OutboundMessage, token: str, error: Exception, *, doing: str = ""
) -> str:
    now = timezone.now()
    text = f"{doing}{type(error).__name__}: {error}"[:2000]
    final = _is_permanent(error) or message.attempts >= settings.OUTBOX_MAX_ATTEMPTS
    claimed = OutboundMessage.objects.filter(
        pk=message.pk, status=Status.SENDING, claim_token=token
    )
    if final:
        claimed.update(
            status=Status.FAILED, last_error=text, claim_token=None, claimed_at=None, updated_at=now
        )
        log.error("outbox: message %s failed for good: %s", message.pk, text)
        return "failed"
    claimed.update(
        status=Status.PENDING,
        due_at=now + backoff(message.attempts),
        last_error=text,
        claim_token=None,
        claimed_at=None,
        updated_at=now,
    )
    log.warning("outbox: message %s will be retried: %s", message.pk, text)
    return "retry"


def _fail_template(message: OutboundMessage, token: str, problem: TemplateProblem) -> str:
    """A template that cannot render fails at once: retrying cannot mend it."""
    OutboundMessage.objects.filter(pk=message.pk, status=Status.SENDING, claim_token=token).update(
        status=Status.FAILED,
        last_error=str(problem),
        claim_token=None,
        claimed_at=None,
        updated_at=timezone.now(),
    )
    return "failed"


def outbox_send(*, message_id: int, claim_token: str) -> str:
    """Send one claimed message; returns what happened (for logs and tests)."""
    now = timezone.now()
    with transaction.atomic():
        message = _claim_for_send(message_id, claim_token, now)
    if message is None:
        return "not-sent"
    try:
        email, rendered = _render(message, now)
    except TemplateProblem as problem:
        return _fail_template(message, claim_token, problem)
    except Exception as error:  # noqa: BLE001 - a bug or an outage while preparing: recorded
        log.exception("outbox: preparing message %s failed", message.pk)
        return _after_failure(message, claim_token, error, doing="Preparing the message failed: ")
    if not _store_rendered(message, claim_token, rendered):
        return "not-sent"  # the claim was recovered meanwhile: the new claim sends it
    try:
        email.send()
    except Exception as error:  # noqa: BLE001 - any failure of the send is retried or recorded
        return _after_failure(message, claim_token, error)
    marked = OutboundMessage.objects.filter(
        pk=message.pk, status=Status.SENDING, claim_token=claim_token
    ).update(status=Status.SENT, sent_at=timezone.now(), last_error="", claim_token=None)
    if not marked:
        log.warning("outbox: message %s was sent after its claim was recovered", message.pk)
    return "sent"
