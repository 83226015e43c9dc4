"""Several dispatchers at once: SKIP LOCKED hands each its own rows."""

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from aftercare.kinds import Kind
from aftercare.models import OutboundMessage
from aftercare.services import sending
from tests.factories import make_client


@pytest.mark.django_db(transaction=True)
def test_a_second_dispatcher_skips_the_rows_another_one_is_claiming(location, monkeypatch):
    client = make_client(location=location)
    due = timezone.now() - timedelta(minutes=1)
    OutboundMessage.objects.bulk_create(
        OutboundMessage(
            kind=Kind.TOUCH_UP_RECALL,
            client=client,
            due_at=due + timedelta(seconds=n),
            idempotency_key=f"c{n}",
        )
        for n in range(10)
    )
    monkeypatch.setattr(sending, "_enqueue", lambda ids, token: None)
    first_four = list(OutboundMessage.objects.order_by("due_at").values_list("pk", flat=True)[:4])
    claimed_elsewhere: list[int] = []

    def other_dispatcher() -> None:
        try:
            claimed_elsewhere.extend(sending.outbox_claim_batch(now=timezone.now(), batch_size=100))
        finally:
            connection.close()

    with transaction.atomic():
        # This dispatcher holds the oldest four rows (its claim has not committed yet).
        locked = list(
            OutboundMessage.objects.select_for_update(skip_locked=True)
            .filter(pk__in=first_four)
            .values_list("pk", flat=True)
        )
        assert sorted(locked) == sorted(first_four)
        thread = threading.Thread(target=other_dispatcher)
        thread.start()
        thread.join(timeout=30)
    assert sorted(claimed_elsewhere) == sorted(
        OutboundMessage.objects.exclude(pk__in=first_four).values_list("pk", flat=True)
    )
    assert set(
        OutboundMessage.objects.filter(pk__in=first_four).values_list("status", flat=True)
    ) == {"pending"}
    assert uuid.UUID(str(OutboundMessage.objects.exclude(pk__in=first_four).first().claim_token))


@pytest.mark.django_db(transaction=True)
def test_two_desks_resending_a_sent_message_at_once_make_one_copy(location, front_desk):
    """The second waits for the lock on the original, then finds the first desk's copy
    queued and is told so: one copy, numbered 1."""
    from django.core.exceptions import ValidationError
    from django.db import connections

    from aftercare.services.outbox import message_resend

    client = make_client(location=location)
    sent = OutboundMessage.objects.create(
        kind=Kind.TOUCH_UP_RECALL,
        client=client,
        due_at=timezone.now() - timedelta(days=1),
        status="sent",
        sent_at=timezone.now() - timedelta(days=1),
        idempotency_key="recall-sent",
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def desk() -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(message_resend(message=sent, by=front_desk).idempotency_key)
        except ValidationError as refused:
            outcomes.append(" ".join(refused.messages))
        finally:
            connections.close_all()

    desks = [threading.Thread(target=desk) for _ in range(2)]
    for thread in desks:
        thread.start()
    for thread in desks:
        thread.join(timeout=30)
    assert sorted(outcomes) == [
        "This message is already being sent again; the copy goes out within a minute.",
        "recall-sent:resend-1",
    ]
    assert OutboundMessage.objects.filter(resend_of=sent).count() == 1
