"""The dispatcher and the sender with Django's locmem backend: content, headers, retries,
recovery, send-time rules and batching."""

import re
import tracemalloc
import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from aftercare.kinds import Kind
from aftercare.models import MessageTemplate, OutboundMessage
from aftercare.services import sending
from aftercare.services.sending import outbox_send
from clients.services import client_archive
from tests.aftercare.conftest import rows
from tests.factories import complete_appointment, make_appointment, make_consultation

Status = OutboundMessage.Status
pytestmark = pytest.mark.usefixtures("clock")
NEXT_TUESDAY = date(2027, 1, 12)


@pytest.fixture
def appointment(smp_client, practitioner, room):
    return make_appointment(
        client=smp_client, practitioner=practitioner, room=room, day=NEXT_TUESDAY
    )


def confirmation(appointment) -> OutboundMessage:
    return OutboundMessage.objects.get(appointment=appointment, kind=Kind.BOOKING_CONFIRMATION)


def test_the_confirmation_goes_out_with_both_parts_headers_and_a_calendar_file(
    appointment, dispatch, mailoutbox
):
    assert dispatch() == 1  # only the confirmation is due yet
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["sam.carter@example.test"]
    assert email.subject == "Your consultation on Tuesday 12 January 2027"
    assert "Hi Sam," in email.body
    assert "at 10:00 with Priya Patel at Central Clinic" in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert "Hi Sam," in html
    assert "SMP Clinic" in html
    headers = email.extra_headers
    assert re.fullmatch(
        r"<http://127\.0\.0\.1:8000/messages/unsubscribe/[^/]+/>", headers["List-Unsubscribe"]
    )
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    message = confirmation(appointment)
    assert headers["X-SMP-Idempotency-Key"] == message.idempotency_key
    assert re.fullmatch(r"<outbox\.[0-9a-f]{32}\.0@127\.0\.0\.1>", headers["Message-ID"])
    name, content, ics_type = email.attachments[0]
    assert (name, ics_type) == ("appointment.ics", "text/calendar")
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == appointment.start
    assert event.decoded("dtend") == appointment.end
    assert str(event["summary"]) == "Consultation at SMP Clinic"
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.sent_at == datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    assert (message.attempts, message.to_email, message.subject) == (
        1,
        "sam.carter@example.test",
        email.subject,
    )
    assert "Unsubscribe from emails like this one" in message.body_text


def test_a_reminder_is_sent_when_due_and_not_before(appointment, dispatch, mailoutbox, clock):
    dispatch()
    clock.move_to(appointment.start - timedelta(hours=48, minutes=1))
    assert dispatch() == 0
    clock.move_to(appointment.start - timedelta(hours=48))
    assert dispatch() == 1
    assert mailoutbox[-1].subject == "Reminder: consultation on Tuesday 12 January 2027 at 10:00"


def test_a_cancelled_appointment_sends_no_reminder_even_when_its_row_was_claimed(
    appointment, dispatch, mailoutbox, front_desk, clock
):
    from scheduling.services import appointment_cancel

    dispatch()
    reminder = OutboundMessage.objects.get(step="48h")
    OutboundMessage.objects.filter(pk=reminder.pk).update(
        status=Status.SENDING, claim_token=uuid.uuid4(), claimed_at=datetime.now(UTC)
    )
    appointment_cancel(appointment=appointment, by=front_desk, reason="Client moved away")
    reminder.refresh_from_db()
    assert reminder.status == Status.SENDING  # being sent: the sender decides, under its lock
    assert outbox_send(message_id=reminder.pk, claim_token=str(reminder.claim_token)) == "not-sent"
    reminder.refresh_from_db()
    assert (reminder.status, reminder.reason) == (Status.CANCELLED, "source_changed")
    assert [m.subject for m in mailoutbox] == ["Your consultation on Tuesday 12 January 2027"]


def test_the_send_task_is_idempotent(appointment, mailoutbox):
    message = confirmation(appointment)
    token = uuid.uuid4()
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=Status.SENDING, claim_token=token, claimed_at=datetime.now(UTC)
    )
    assert outbox_send(message_id=message.pk, claim_token=str(uuid.uuid4())) == "not-sent"
    assert outbox_send(message_id=message.pk, claim_token=str(token)) == "sent"
    assert outbox_send(message_id=message.pk, claim_token=str(token)) == "not-sent"
    assert len(mailoutbox) == 1


def test_consent_is_checked_again_at_send_time(appointment, dispatch, mailoutbox, smp_client):
    # Changed behind the services' back: the send-time check is the last line.
    type(smp_client).objects.filter(pk=smp_client.pk).update(email_reminders=False)
    dispatch()
    message = confirmation(appointment)
    assert (message.status, message.reason) == (Status.SKIPPED, "opted_out")
    assert mailoutbox == []


def test_a_client_without_email_is_skipped_at_send_time(
    appointment, dispatch, mailoutbox, smp_client
):
    type(smp_client).objects.filter(pk=smp_client.pk).update(email="")
    dispatch()
    assert (confirmation(appointment).status, confirmation(appointment).reason) == (
        Status.SKIPPED,
        "no_email",
    )
    assert mailoutbox == []


def test_archiving_a_client_cancels_their_pending_messages(smp_client, practitioner, front_desk):
    smp_client.marketing_consent = True
    smp_client.save()
    make_consultation(
        client=smp_client,
        practitioner=practitioner,
        decision="thinking",
        follow_up_on=date(2027, 2, 1),
    )
    assert rows(client=smp_client)[0].status == Status.PENDING
    client_archive(client=smp_client, by=front_desk)
    follow_up = rows(client=smp_client)[0]
    assert (follow_up.status, follow_up.reason) == (Status.CANCELLED, "archived")


def test_an_archived_client_is_skipped_at_send_time(appointment, dispatch, mailoutbox, smp_client):
    type(smp_client).objects.filter(pk=smp_client.pk).update(status="archived")
    dispatch()
    assert confirmation(appointment).reason == "archived"
    assert mailoutbox == []


def test_a_broken_template_fails_the_message_with_the_error_and_sends_nothing(
    appointment, dispatch, mailoutbox
):
    # Written behind the editor's back (the editor refuses it): the sender must refuse too.
    MessageTemplate.objects.filter(kind=Kind.BOOKING_CONFIRMATION).update(
        body_text="Hi {{ client.nickname }}"
    )
    dispatch()
    message = confirmation(appointment)
    assert message.status == Status.FAILED
    assert "Unknown variable {{ client.nickname }}" in message.last_error
    MessageTemplate.objects.filter(kind=Kind.BOOKING_CONFIRMATION).update(body_text="{% if %}")
    OutboundMessage.objects.filter(pk=message.pk).update(status=Status.PENDING)
    dispatch()
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.last_error.startswith("Template syntax error")
    assert mailoutbox == []


def test_smtp_errors_retry_with_exponential_backoff_then_fail(
    appointment, dispatch, mailoutbox, settings, clock
):
    settings.EMAIL_BACKEND = "tests.aftercare.backends.UnavailableBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    start = datetime.now(UTC)
    dispatch()
    message = confirmation(appointment)
    assert (message.status, message.attempts) == (Status.PENDING, 1)
    assert message.due_at == start + timedelta(minutes=1)
    assert "SMTPServerDisconnected" in message.last_error
    clock.move_to(start + timedelta(seconds=59))
    assert dispatch() == 0
    clock.move_to(start + timedelta(minutes=1))
    dispatch()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.PENDING, 2)
    assert message.due_at == start + timedelta(minutes=1 + 2)
    clock.move_to(start + timedelta(minutes=3))
    dispatch()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.FAILED, 3)
    assert "Connection unexpectedly closed" in message.last_error
    assert mailoutbox == []


def test_a_permanent_refusal_fails_at_once(appointment, dispatch, settings):
    settings.EMAIL_BACKEND = "tests.aftercare.backends.RefusingBackend"
    dispatch()
    message = confirmation(appointment)
    assert (message.status, message.attempts) == (Status.FAILED, 1)
    assert "No such user" in message.last_error


def test_rows_stuck_in_sending_are_recovered_and_sent_once(
    appointment, dispatch, mailoutbox, settings, clock
):
    settings.OUTBOX_STUCK_AFTER_SECONDS = 600
    message = confirmation(appointment)
    claimed = datetime.now(UTC)
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=Status.SENDING, claim_token=uuid.uuid4(), claimed_at=claimed
    )
    clock.move_to(claimed + timedelta(seconds=599))
    dispatch()
    assert confirmation(appointment).status == Status.SENDING  # not yet: it may still be sending
    clock.move_to(claimed + timedelta(seconds=601))
    dispatch()
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert len(mailoutbox) == 1


def test_a_broker_refusal_gives_the_claimed_rows_back(appointment, dispatch, monkeypatch):
    from aftercare import tasks

    def refuse(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.outbox_send, "delay", refuse)
    dispatch()
    message = confirmation(appointment)
    assert (message.status, message.claim_token) == (Status.PENDING, None)
    assert "broker down" in message.last_error


def test_the_dispatcher_claims_in_batches_without_loading_every_row(
    smp_client, settings, monkeypatch, django_capture_on_commit_callbacks
):
    now = datetime.now(UTC)
    OutboundMessage.objects.bulk_create(
        OutboundMessage(
            kind=Kind.TOUCH_UP_RECALL,
            client=smp_client,
            step=f"bulk-{n}",
            due_at=now - timedelta(minutes=n % 60),
            idempotency_key=f"bulk:{n}",
        )
        for n in range(2500)
    )
    enqueued: list[int] = []
    monkeypatch.setattr(sending, "_enqueue", lambda ids, token: enqueued.extend(ids))
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        claimed = sending.outbox_dispatch(batch_size=100)
    assert claimed == 2500
    assert sorted(enqueued) == sorted(OutboundMessage.objects.values_list("pk", flat=True))
    locking = [q["sql"] for q in queries if "FOR UPDATE SKIP LOCKED" in q["sql"]]
    assert len(locking) == 26  # 25 full batches and the empty one that ends the run
    assert all("LIMIT 100" in sql for sql in locking)
    # Only the ids travel: a batch is 100 integers whatever the size of the outbox.
    assert all(
        sql.startswith('SELECT "aftercare_outboundmessage"."id" AS "id" FROM') for sql in locking
    )
    assert OutboundMessage.objects.filter(status=Status.SENDING).count() == 2500


def test_ten_thousand_due_messages_are_claimed_a_batch_at_a_time_in_bounded_memory(
    smp_client, settings, monkeypatch, django_capture_on_commit_callbacks
):
    now = datetime.now(UTC)
    OutboundMessage.objects.bulk_create(
        (
            OutboundMessage(
                kind=Kind.TOUCH_UP_RECALL,
                client=smp_client,
                step=f"bulk-{n}",
                due_at=now - timedelta(seconds=n),
                idempotency_key=f"bulk:{n}",
            )
            for n in range(10_000)
        ),
        batch_size=2000,
    )
    assert settings.OUTBOX_DISPATCH_LIMIT >= 10_000
    settings.OUTBOX_BATCH_SIZE = 500
    # The send task is replaced by a counter, so the eager Celery of the tests neither sends
    # nor keeps the ids alive: what the run holds at its peak is the dispatcher's own doing.
    published = {"tasks": 0, "largest batch": 0}

    def count(ids, token):
        published["tasks"] += len(ids)
        published["largest batch"] = max(published["largest batch"], len(ids))

    monkeypatch.setattr(sending, "_enqueue", count)

    tracemalloc.start()
    try:
        list(OutboundMessage.objects.filter(status=Status.PENDING))
        _, loading_everything = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks(execute=True),
        ):
            tracemalloc.reset_peak()
            claimed = sending.outbox_dispatch()
            _, dispatching = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert claimed == 10_000
    assert published == {"tasks": 10_000, "largest batch": 500}
    assert not OutboundMessage.objects.filter(status=Status.PENDING).exists()
    locking = [q["sql"] for q in queries if "FOR UPDATE SKIP LOCKED" in q["sql"]]
    assert len(locking) == 20  # the limit is reached with the 20th full batch: no empty probe
    assert all(sql.endswith("LIMIT 500 FOR UPDATE SKIP LOCKED") for sql in locking)
    # Loading the 10,000 rows as objects costs megabytes; claiming them a batch of ids at a
    # time must stay a small fraction of that (the captured SQL counts against it too).
    assert dispatching < loading_everything / 5, (dispatching, loading_everything)


def test_a_dispatch_run_stops_at_its_limit(
    smp_client, monkeypatch, django_capture_on_commit_callbacks
):
    now = datetime.now(UTC)
    OutboundMessage.objects.bulk_create(
        OutboundMessage(
            kind=Kind.TOUCH_UP_RECALL, client=smp_client, due_at=now, idempotency_key=f"k{n}"
        )
        for n in range(30)
    )
    monkeypatch.setattr(sending, "_enqueue", lambda ids, token: None)
    with django_capture_on_commit_callbacks(execute=True):
        assert sending.outbox_dispatch(batch_size=10, limit=25) == 25
    assert OutboundMessage.objects.filter(status=Status.PENDING).count() == 5


def test_staff_resend_gives_a_new_message_id(
    appointment, dispatch, mailoutbox, settings, front_desk
):
    from aftercare.services.outbox import message_resend

    settings.EMAIL_BACKEND = "tests.aftercare.backends.RefusingBackend"
    dispatch()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    message_resend(message=confirmation(appointment), by=front_desk)
    dispatch()
    message = confirmation(appointment)
    assert (message.status, message.resends) == (Status.SENT, 1)
    assert mailoutbox[0].extra_headers["Message-ID"].endswith(".1@127.0.0.1>")


def test_aftercare_steps_carry_the_plan_instructions(
    smp_client, practitioner, room, dispatch, mailoutbox, clock
):
    session = make_appointment(
        client=smp_client, practitioner=practitioner, room=room, kind="session", day=NEXT_TUESDAY
    )
    clock.move_to(session.start)
    complete_appointment(session, by=practitioner)
    dispatch()
    mailoutbox.clear()
    clock.move_to(datetime.combine(NEXT_TUESDAY + timedelta(days=4), time(9), tzinfo=UTC))
    assert dispatch() == 2  # day 0 (evening of the session) and day 4
    subjects = [m.subject for m in mailoutbox]
    assert subjects == [
        "Your aftercare: the first four days",
        "Day 4: you can wet your scalp again",
    ]
    assert "no water on the scalp" in mailoutbox[0].body
    assert "lukewarm water or a mild, unscented cleanser" in mailoutbox[1].body


def calendar_of(email):
    name, content, mimetype = email.attachments[0]
    assert (name, mimetype) == ("appointment.ics", "text/calendar")
    calendar = Calendar.from_ical(content)
    return calendar, calendar.walk("VEVENT")[0]


def test_each_move_updates_the_same_calendar_entry_with_a_higher_sequence(
    appointment, dispatch, mailoutbox, front_desk, clock
):
    from scheduling.services import appointment_reschedule

    dispatch()
    _, booked = calendar_of(mailoutbox[0])
    for _ in range(2):
        appointment = appointment_reschedule(
            appointment=appointment, by=front_desk, start=appointment.start + timedelta(days=1)
        )
        dispatch()
    notices = [m for m in mailoutbox if m.subject.startswith("Your appointment has moved")]
    assert len(notices) == 2
    events = [calendar_of(m) for m in notices]
    assert [str(cal["method"]) for cal, _ in events] == ["PUBLISH", "PUBLISH"]
    assert {str(event["uid"]) for _, event in events} == {str(booked["uid"])}
    assert [booked["sequence"]] + [event["sequence"] for _, event in events] == [0, 1, 2]
    assert events[-1][1].decoded("dtstart") == appointment.start
    assert str(events[-1][1]["status"]) == "CONFIRMED"


def test_the_cancellation_notice_cancels_the_calendar_entry(
    appointment, dispatch, mailoutbox, front_desk
):
    from scheduling.services import appointment_cancel, appointment_reschedule

    dispatch()
    _, booked = calendar_of(mailoutbox[0])
    appointment = appointment_reschedule(
        appointment=appointment, by=front_desk, start=appointment.start + timedelta(days=1)
    )
    dispatch()
    _, moved = calendar_of(mailoutbox[-1])
    appointment_cancel(appointment=appointment, by=front_desk, reason="Client is unwell")
    dispatch()
    notice = mailoutbox[-1]
    assert notice.subject.startswith("Your appointment on")
    assert "is cancelled" in notice.body
    calendar, event = calendar_of(notice)
    assert str(calendar["method"]) == "CANCEL"
    assert str(event["status"]) == "CANCELLED"
    assert str(event["uid"]) == str(booked["uid"])
    assert (booked["sequence"], moved["sequence"], event["sequence"]) == (0, 1, 2)
    assert str(event["organizer"]).startswith("mailto:")


def test_an_unexpected_error_while_preparing_is_recorded_and_retried_then_failed(
    appointment, dispatch, mailoutbox, settings, clock, monkeypatch, caplog
):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    settings.OUTBOX_RETRY_BASE_SECONDS = 60

    def broken_context(message):
        raise KeyError("location")

    monkeypatch.setattr(sending, "message_context", broken_context)
    start = datetime.now(UTC)
    assert dispatch() == 1
    message = confirmation(appointment)
    assert (message.status, message.attempts) == (Status.PENDING, 1)
    assert message.last_error == "Preparing the message failed: KeyError: 'location'"
    assert message.due_at == start + timedelta(minutes=1)
    assert message.claim_token is None
    assert "preparing message" in caplog.text
    clock.move_to(start + timedelta(minutes=1))
    dispatch()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.FAILED, 2)
    assert "KeyError" in message.last_error
    assert mailoutbox == []


def test_an_error_in_the_calendar_file_fails_the_message_with_the_error(
    appointment, dispatch, mailoutbox, settings, monkeypatch
):
    settings.OUTBOX_MAX_ATTEMPTS = 1

    def broken_ics(appointment, **kwargs):
        raise ValueError("no time zone")

    monkeypatch.setattr(sending, "appointment_ics", broken_ics)
    dispatch()
    message = confirmation(appointment)
    assert (message.status, message.attempts) == (Status.FAILED, 1)
    assert message.last_error == "Preparing the message failed: ValueError: no time zone"
    assert mailoutbox == []


def test_the_error_while_preparing_is_shown_to_staff(
    appointment, dispatch, settings, monkeypatch, client, front_desk
):
    from django.urls import reverse

    settings.OUTBOX_MAX_ATTEMPTS = 1
    monkeypatch.setattr(
        sending, "message_context", lambda message: (_ for _ in ()).throw(KeyError("x"))
    )
    dispatch()
    client.force_login(front_desk)
    failed = client.get(reverse("aftercare:outbox"), {"view": "failed"}).content.decode()
    assert "Preparing the message failed: KeyError: &#x27;x&#x27;" in failed


def test_a_row_whose_worker_keeps_dying_stops_being_recovered_after_the_last_attempt(
    appointment, dispatch, settings, clock
):
    settings.OUTBOX_STUCK_AFTER_SECONDS = 600
    settings.OUTBOX_MAX_ATTEMPTS = 3
    message = confirmation(appointment)
    claimed = datetime.now(UTC)
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=Status.SENDING, claim_token=uuid.uuid4(), claimed_at=claimed, attempts=2
    )
    clock.move_to(claimed + timedelta(seconds=601))
    sending.outbox_recover_stuck()
    message.refresh_from_db()
    assert message.status == Status.PENDING  # two attempts used: one left
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=Status.SENDING, claim_token=uuid.uuid4(), claimed_at=claimed, attempts=3
    )
    sending.outbox_recover_stuck()
    message.refresh_from_db()
    assert (message.status, message.claim_token) == (Status.FAILED, None)
    assert "stopped during each of its 3 attempts" in message.last_error


def test_the_attempt_is_counted_before_preparing_so_a_crash_there_uses_it_up(
    appointment, settings, monkeypatch
):
    # A worker killed while rendering leaves the attempt on the row (it committed first).
    message = confirmation(appointment)
    token = uuid.uuid4()
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=Status.SENDING, claim_token=token, claimed_at=datetime.now(UTC)
    )

    class WorkerKilled(BaseException):
        pass

    def killed(message, now):
        raise WorkerKilled

    monkeypatch.setattr(sending, "_render", killed)
    with pytest.raises(WorkerKilled):
        outbox_send(message_id=message.pk, claim_token=str(token))
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENDING, 1)


def test_a_sent_message_resent_by_staff_goes_again_as_a_linked_copy_with_its_own_key(
    appointment, dispatch, mailoutbox, front_desk
):
    from aftercare.services.outbox import message_resend

    dispatch()
    original = confirmation(appointment)
    assert original.status == Status.SENT
    copy = message_resend(message=original, by=front_desk)
    assert copy.pk != original.pk
    assert (copy.resend_of, copy.status, copy.kind, copy.appointment) == (
        original,
        Status.PENDING,
        original.kind,
        appointment,
    )
    assert copy.idempotency_key == f"{original.idempotency_key}:resend-1"
    dispatch()
    assert len(mailoutbox) == 2
    first, again = (m.extra_headers for m in mailoutbox)
    assert first["Message-ID"] != again["Message-ID"]
    assert again["X-SMP-Idempotency-Key"] == copy.idempotency_key
    assert mailoutbox[1].subject == mailoutbox[0].subject
    original.refresh_from_db()
    copy.refresh_from_db()
    # The original keeps its record of what went out, and when.
    assert (original.status, original.sent_at, original.attempts) == (
        Status.SENT,
        datetime(2027, 1, 4, 9, 0, tzinfo=UTC),
        1,
    )
    assert copy.status == Status.SENT
    # Resending either again makes a second copy of the original; dispatching again sends
    # nothing more.
    second = message_resend(message=copy, by=front_desk)
    assert (second.resend_of, second.idempotency_key) == (
        original,
        f"{original.idempotency_key}:resend-2",
    )
    dispatch()
    dispatch()
    assert len(mailoutbox) == 3


def test_a_second_resend_while_the_copy_is_queued_is_refused(appointment, dispatch, front_desk):
    from django.core.exceptions import ValidationError

    from aftercare.services.outbox import message_resend

    dispatch()
    original = confirmation(appointment)
    message_resend(message=original, by=front_desk)
    with pytest.raises(ValidationError, match="already being sent again"):
        message_resend(message=original, by=front_desk)
    assert OutboundMessage.objects.filter(resend_of=original).count() == 1


def test_a_resent_copy_still_follows_the_send_time_rules(
    appointment, dispatch, mailoutbox, front_desk, smp_client
):
    from aftercare.services.outbox import message_resend

    dispatch()
    copy = message_resend(message=confirmation(appointment), by=front_desk)
    type(smp_client).objects.filter(pk=smp_client.pk).update(email_reminders=False)
    dispatch()
    copy.refresh_from_db()
    assert (copy.status, copy.reason) == (Status.SKIPPED, "opted_out")
    assert len(mailoutbox) == 1


def claim(message) -> uuid.UUID:
    token = uuid.uuid4()
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=Status.SENDING, claim_token=token, claimed_at=datetime.now(UTC)
    )
    return token


def test_a_booking_cancelled_while_its_confirmation_is_being_claimed_gets_no_mail_at_all(
    appointment, dispatch, mailoutbox, front_desk, clock, settings
):
    from scheduling.services import appointment_cancel

    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    first = confirmation(appointment)
    token = claim(first)  # claimed, its send task not run yet
    appointment_cancel(appointment=appointment, by=front_desk, reason="Booked by mistake")
    notice = OutboundMessage.objects.get(kind=Kind.CANCELLATION_NOTICE)
    assert notice.status == Status.PENDING
    dispatch()
    notice.refresh_from_db()
    # The confirmation is still being sent: whether the client hears of the booking is not
    # known yet, so the notice waits for it.
    assert (notice.status, notice.due_at) == (
        Status.PENDING,
        datetime(2027, 1, 4, 9, 1, tzinfo=UTC),
    )
    assert outbox_send(message_id=first.pk, claim_token=str(token)) == "not-sent"
    assert confirmation(appointment).status == Status.CANCELLED
    clock.move_to(datetime(2027, 1, 4, 9, 1, tzinfo=UTC))
    dispatch()
    notice.refresh_from_db()
    assert (notice.status, notice.reason) == (Status.CANCELLED, "not_needed")
    assert mailoutbox == []


def test_a_confirmation_that_got_out_while_the_booking_was_cancelled_is_followed_by_the_notice(
    appointment, dispatch, mailoutbox, front_desk, clock
):
    from scheduling.services import appointment_cancel

    first = confirmation(appointment)
    claim(first)  # its sender already passed its checks and is talking to the server
    appointment_cancel(appointment=appointment, by=front_desk, reason="Booked by mistake")
    OutboundMessage.objects.filter(pk=first.pk).update(
        status=Status.SENT, sent_at=datetime.now(UTC), claim_token=None
    )
    clock.move_to(datetime(2027, 1, 4, 9, 1, tzinfo=UTC))
    dispatch()
    assert [m.subject for m in mailoutbox] == [
        "Your appointment on Tuesday 12 January 2027 is cancelled"
    ]


# The send-time end of "nothing about an appointment still to come once it has started".


def test_a_confirmation_and_reminders_still_queued_at_the_start_are_cancelled_as_not_needed(
    appointment, dispatch, mailoutbox, clock
):
    # The workers were down for a week: everything about the appointment is due at once.
    clock.move_to(appointment.start)
    dispatch()
    made = rows(appointment=appointment)
    assert [(m.step, m.status, m.reason, m.attempts) for m in made] == [
        (step, Status.CANCELLED, "not_needed", 0) for step in ("booked", "48h", "24h")
    ]
    assert mailoutbox == []


def test_a_reminder_held_for_a_morning_after_the_start_is_cancelled_at_once(
    smp_client, practitioner, room, dispatch, mailoutbox, clock
):
    from aftercare.models import MessageSettings

    MessageSettings.objects.update_or_create(pk=1, defaults={"reminder_hours": "14"})
    make_appointment(
        client=smp_client, practitioner=practitioner, room=room, day=NEXT_TUESDAY, at=time(9)
    )
    dispatch()  # the confirmation
    reminder = OutboundMessage.objects.get(kind=Kind.APPOINTMENT_REMINDER)
    assert reminder.due_at == datetime(2027, 1, 11, 19, 0, tzinfo=UTC)
    # An outage delays it into the night; the morning (08:00) would do, 09:00 would not.
    MessageSettings.objects.filter(pk=1).update(quiet_end=time(9))
    clock.move_to(datetime(2027, 1, 11, 22, 0, tzinfo=UTC))
    dispatch()
    reminder.refresh_from_db()
    assert (reminder.status, reminder.reason, reminder.attempts) == (
        Status.CANCELLED,
        "not_needed",
        0,
    )
    assert len(mailoutbox) == 1


def test_a_reminder_held_for_a_morning_before_the_start_waits_for_it(
    smp_client, practitioner, room, dispatch, mailoutbox, clock
):
    from aftercare.models import MessageSettings

    MessageSettings.objects.update_or_create(pk=1, defaults={"reminder_hours": "14"})
    appointment = make_appointment(
        client=smp_client, practitioner=practitioner, room=room, day=NEXT_TUESDAY, at=time(9)
    )
    dispatch()
    clock.move_to(datetime(2027, 1, 11, 22, 0, tzinfo=UTC))
    dispatch()
    reminder = OutboundMessage.objects.get(kind=Kind.APPOINTMENT_REMINDER)
    assert (reminder.status, reminder.due_at) == (
        Status.PENDING,
        datetime(2027, 1, 12, 8, 0, tzinfo=UTC),
    )
    clock.move_to(reminder.due_at)
    dispatch()
    assert mailoutbox[-1].subject == "Reminder: consultation on Tuesday 12 January 2027 at 09:00"
    assert appointment.start > reminder.due_at


def test_a_cancellation_notice_still_queued_at_the_start_is_cancelled_as_not_needed(
    appointment, dispatch, mailoutbox, front_desk, clock
):
    from scheduling.services import appointment_cancel

    dispatch()
    appointment_cancel(appointment=appointment, by=front_desk, reason="Client is unwell")
    notice = OutboundMessage.objects.get(kind=Kind.CANCELLATION_NOTICE)
    clock.move_to(appointment.start)
    dispatch()
    notice.refresh_from_db()
    assert (notice.status, notice.reason) == (Status.CANCELLED, "not_needed")
    assert [m.subject for m in mailoutbox] == ["Your consultation on Tuesday 12 January 2027"]


def test_a_confirmation_resent_after_the_start_is_cancelled_as_not_needed(
    appointment, dispatch, mailoutbox, front_desk, clock
):
    from aftercare.services.outbox import message_resend

    dispatch()
    clock.move_to(appointment.start + timedelta(hours=1))
    copy = message_resend(message=confirmation(appointment), by=front_desk)
    dispatch()
    copy.refresh_from_db()
    assert (copy.status, copy.reason) == (Status.CANCELLED, "not_needed")
    assert len(mailoutbox) == 1
