"""Which rows each event creates, moves or cancels, in the same transaction as the change."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import transaction

from aftercare.kinds import Kind
from aftercare.models import AftercareStep, MessageSettings, OutboundMessage
from scheduling.services import (
    appointment_cancel,
    appointment_reschedule,
    appointment_set_status,
)
from smp_clinic.lib.tz import local_datetime
from tests.aftercare.conftest import kinds_and_steps, rows
from tests.factories import complete_appointment, give_rota, make_appointment, make_consultation

Status = OutboundMessage.Status
Reason = OutboundMessage.Reason
pytestmark = pytest.mark.usefixtures("clock")
NEXT_TUESDAY = date(2027, 1, 12)


def book(smp_client, practitioner, room, day=NEXT_TUESDAY, at=time(10), kind="consultation", **kw):
    return make_appointment(
        client=smp_client, practitioner=practitioner, room=room, kind=kind, day=day, at=at, **kw
    )


def complete(appointment, by, clock):
    """Check in, start and complete on the appointment's day (the status rules need it)."""
    clock.move_to(appointment.start)
    return complete_appointment(appointment, by=by)


def test_booking_makes_a_confirmation_due_now_and_two_reminders(smp_client, practitioner, room):
    appointment = book(smp_client, practitioner, room)
    made = rows(appointment=appointment)
    assert [(m.kind, m.step) for m in made] == [
        (Kind.BOOKING_CONFIRMATION, "booked"),
        (Kind.APPOINTMENT_REMINDER, "48h"),
        (Kind.APPOINTMENT_REMINDER, "24h"),
    ]
    assert {m.status for m in made} == {Status.PENDING}
    assert made[0].due_at == datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    assert made[1].due_at == appointment.start - timedelta(hours=48)
    assert made[2].due_at == appointment.start - timedelta(hours=24)
    assert made[1].idempotency_key == f"appointment_reminder:appointment:{appointment.pk}:48h"


def test_a_reminder_whose_time_has_passed_at_booking_is_not_made(smp_client, practitioner, room):
    # Tomorrow at 10:00 is 25 hours away: only the 24-hour reminder is still ahead.
    appointment = book(smp_client, practitioner, room, day=date(2027, 1, 5))
    assert [m.step for m in rows(kind=Kind.APPOINTMENT_REMINDER)] == ["24h"]
    assert appointment.status == "booked"


def test_reminder_hours_come_from_the_clinic_timings(smp_client, practitioner, room):
    MessageSettings.objects.filter(pk=1).update(reminder_hours="72, 2")
    book(smp_client, practitioner, room)
    assert [m.step for m in rows(kind=Kind.APPOINTMENT_REMINDER)] == ["72h", "2h"]


def test_a_booking_rolled_back_leaves_no_message(smp_client, practitioner, room):
    @transaction.atomic
    def book_then_fail():
        book(smp_client, practitioner, room)
        raise RuntimeError("something later in the same transaction fails")

    with pytest.raises(RuntimeError):
        book_then_fail()
    assert OutboundMessage.objects.count() == 0


def test_rescheduling_moves_pending_reminders_and_sends_no_notice_before_the_confirmation(
    smp_client, practitioner, room
):
    appointment = book(smp_client, practitioner, room)
    moved = appointment_reschedule(
        appointment=appointment, by=practitioner, start=appointment.start + timedelta(days=2)
    )
    reminders = rows(kind=Kind.APPOINTMENT_REMINDER, status=Status.PENDING)
    assert [(m.step, m.due_at) for m in reminders] == [
        ("48h", moved.start - timedelta(hours=48)),
        ("24h", moved.start - timedelta(hours=24)),
    ]
    # The confirmation has not gone yet: it will carry the new time, no notice needed.
    assert not rows(kind=Kind.RESCHEDULE_NOTICE)


def test_rescheduling_after_the_confirmation_went_sends_a_notice_and_new_reminders(
    smp_client, practitioner, room, dispatch, mailoutbox
):
    appointment = book(smp_client, practitioner, room)
    dispatch()  # the confirmation goes out now
    old_start = appointment.start
    OutboundMessage.objects.filter(step="48h").update(status=Status.SENT, sent_at=old_start)
    moved = appointment_reschedule(
        appointment=appointment, by=practitioner, start=old_start + timedelta(days=1)
    )
    notice = rows(kind=Kind.RESCHEDULE_NOTICE)
    assert [(m.step, m.status) for m in notice] == [("move-1", Status.PENDING)]
    assert notice[0].data == {"old_start": old_start.isoformat()}
    reminders = kinds_and_steps(kind=Kind.APPOINTMENT_REMINDER)
    # The 24-hour one moved; the sent 48-hour one is due again for the new time.
    assert (Kind.APPOINTMENT_REMINDER, "24h", Status.PENDING) in reminders
    assert (Kind.APPOINTMENT_REMINDER, "48h-m1", Status.PENDING) in reminders
    assert rows(step="48h-m1")[0].due_at == moved.start - timedelta(hours=48)


def test_a_cancelled_appointment_sends_no_reminder(smp_client, practitioner, room, front_desk):
    appointment = book(smp_client, practitioner, room)
    appointment_cancel(appointment=appointment, by=front_desk, reason="Client is unwell")
    assert {m.status for m in rows(appointment=appointment)} == {Status.CANCELLED}
    assert {m.reason for m in rows(appointment=appointment)} == {"source_changed"}
    # Cancelled before the confirmation left: the client hears nothing at all.
    assert not rows(kind=Kind.CANCELLATION_NOTICE)


def test_cancelling_after_the_confirmation_went_sends_a_cancellation_notice(
    smp_client, practitioner, room, front_desk, dispatch
):
    appointment = book(smp_client, practitioner, room)
    dispatch()
    appointment_cancel(appointment=appointment, by=front_desk, reason="Client is unwell")
    assert kinds_and_steps(kind=Kind.CANCELLATION_NOTICE) == [
        (Kind.CANCELLATION_NOTICE, "cancelled", Status.PENDING)
    ]
    assert {m.status for m in rows(kind=Kind.APPOINTMENT_REMINDER)} == {Status.CANCELLED}


def test_a_no_show_follow_up_is_marketing_and_needs_consent(
    smp_client, practitioner, room, front_desk, clock
):
    smp_client.marketing_consent = False
    smp_client.save(update_fields=["marketing_consent"])
    appointment = book(smp_client, practitioner, room)
    clock.move_to(appointment.start + timedelta(minutes=20))
    appointment_set_status(appointment=appointment, by=front_desk, status="no_show")
    follow_up = rows(kind=Kind.NO_SHOW_FOLLOW_UP)
    assert [(m.status, m.reason) for m in follow_up] == [(Status.SKIPPED, Reason.OPTED_OUT)]


def test_a_no_show_gets_a_follow_up_that_a_late_check_in_cancels(
    smp_client, practitioner, room, front_desk, clock
):
    smp_client.marketing_consent = True
    smp_client.save(update_fields=["marketing_consent"])
    appointment = book(smp_client, practitioner, room)
    clock.move_to(appointment.start + timedelta(minutes=20))
    appointment = appointment_set_status(appointment=appointment, by=front_desk, status="no_show")
    follow_up = rows(kind=Kind.NO_SHOW_FOLLOW_UP)
    assert [(m.step, m.status) for m in follow_up] == [("no-show", Status.PENDING)]
    assert follow_up[0].due_at == appointment.start + timedelta(minutes=20, hours=2)
    assert {m.status for m in rows(kind=Kind.APPOINTMENT_REMINDER)} == {Status.CANCELLED}
    appointment_set_status(appointment=appointment, by=front_desk, status="checked_in")
    assert rows(kind=Kind.NO_SHOW_FOLLOW_UP)[0].status == Status.CANCELLED


def test_completing_a_pigmentation_session_schedules_the_aftercare_plan(
    smp_client, practitioner, room, clock
):
    session = book(smp_client, practitioner, room, kind="session", new_course_sessions=3)
    complete(session, practitioner, clock)
    steps = rows(kind=Kind.AFTERCARE)
    plan = list(AftercareStep.objects.all())
    assert len(steps) == len(plan) == 7
    tz = smp_client.home_location.tz
    for message, step in zip(steps, plan, strict=True):
        expected = local_datetime(
            NEXT_TUESDAY + timedelta(days=step.day_offset), step.send_time, tz
        )
        assert message.due_at == expected
        assert message.appointment == session
        assert message.course == session.course
        assert message.step == f"day{step.day_offset}-s{step.pk}"


def test_completing_a_consultation_schedules_no_aftercare(smp_client, practitioner, room, clock):
    appointment = book(smp_client, practitioner, room)
    complete(appointment, practitioner, clock)
    assert not rows(kind=Kind.AFTERCARE)


def test_the_last_planned_session_completes_the_course(smp_client, practitioner, room, clock):
    first = book(smp_client, practitioner, room, kind="session", new_course_sessions=2)
    second = book(
        smp_client, practitioner, room, kind="session", day=date(2027, 1, 26), course=first.course
    )
    complete(first, practitioner, clock)
    first.course.refresh_from_db()
    assert first.course.status == "active"
    complete(second, practitioner, clock)
    first.course.refresh_from_db()
    assert first.course.status == "completed"


def test_a_consultation_thinking_it_over_gets_a_follow_up_in_the_morning(
    smp_client, practitioner, room
):
    give_rota(practitioner, room.location)
    consultation = make_consultation(
        client=smp_client,
        practitioner=practitioner,
        decision="thinking",
        follow_up_on=date(2027, 1, 20),
    )
    follow_up = rows(kind=Kind.CONSULTATION_FOLLOW_UP)
    assert [(m.consultation_id, m.step) for m in follow_up] == [(consultation.pk, "follow-up")]
    assert follow_up[0].due_at == datetime(2027, 1, 20, 10, 0, tzinfo=UTC)
    # Marketing-like: the client has not consented, so it is kept but skipped, with why.
    assert (follow_up[0].status, follow_up[0].reason) == (Status.SKIPPED, "opted_out")


def test_booking_again_cancels_the_pending_follow_ups(smp_client, practitioner, room):
    smp_client.marketing_consent = True
    smp_client.save()
    make_consultation(
        client=smp_client,
        practitioner=practitioner,
        decision="thinking",
        follow_up_on=date(2027, 1, 20),
    )
    assert rows(kind=Kind.CONSULTATION_FOLLOW_UP)[0].status == Status.PENDING
    book(smp_client, practitioner, room)
    follow_up = rows(kind=Kind.CONSULTATION_FOLLOW_UP)[0]
    assert (follow_up.status, follow_up.reason) == (Status.CANCELLED, "not_needed")


def test_rules_are_idempotent_per_kind_source_and_step(smp_client, practitioner, room):
    from aftercare.services.rules import on_appointment_booked

    appointment = book(smp_client, practitioner, room)
    before = OutboundMessage.objects.count()
    on_appointment_booked(appointment=appointment, by=practitioner)
    assert OutboundMessage.objects.count() == before


# Messages about an appointment still to come (confirmation, reminders, notices) are worth
# nothing once it has started: none is made that could only go out at or after the start.
MONDAY_EVENING = datetime(2027, 1, 4, 21, 37, tzinfo=UTC)  # London time in winter


def set_timings(**fields) -> None:
    MessageSettings.objects.update_or_create(pk=1, defaults=fields)


def test_appointments_booked_after_the_fact_get_no_confirmation_and_no_reminder(
    smp_client, practitioner, room, clock
):
    # The demo walk: the day's appointments entered that evening, after they took place.
    # Quiet hours would have held their confirmations until the next morning.
    clock.move_to(MONDAY_EVENING)
    booked = [
        book(smp_client, practitioner, room, day=date(2027, 1, 4), at=at, allow_past=True)
        for at in (time(9, 30), time(11), time(13, 30))
    ]
    assert rows(appointment__in=booked) == []


def test_a_confirmation_that_quiet_hours_would_hold_past_the_start_is_not_made(
    smp_client, practitioner, room, clock
):
    set_timings(quiet_end=time(10))
    clock.move_to(MONDAY_EVENING)
    too_early = book(smp_client, practitioner, room, day=date(2027, 1, 5), at=time(9, 30))
    later = book(smp_client, practitioner, room, day=date(2027, 1, 5), at=time(11))
    assert rows(appointment=too_early) == []
    confirmation = rows(appointment=later, kind=Kind.BOOKING_CONFIRMATION)
    assert [(m.status, m.due_at) for m in confirmation] == [
        (Status.PENDING, datetime(2027, 1, 5, 10, 0, tzinfo=UTC))
    ]


def test_a_reminder_that_quiet_hours_would_hold_past_the_start_is_not_made(
    smp_client, practitioner, room
):
    set_timings(reminder_hours="2", quiet_end=time(10))
    too_early = book(smp_client, practitioner, room, at=time(9, 30))  # due 07:30, held to 10:00
    later = book(smp_client, practitioner, room, at=time(11))  # due 09:00, held to 10:00
    assert rows(appointment=too_early, kind=Kind.APPOINTMENT_REMINDER) == []
    reminder = rows(appointment=later, kind=Kind.APPOINTMENT_REMINDER)
    assert [(m.step, m.due_at) for m in reminder] == [
        ("2h", local_datetime(NEXT_TUESDAY, time(10), room.location.tz))
    ]


def test_a_reminder_moved_to_where_quiet_hours_hold_it_past_the_start_is_cancelled(
    smp_client, practitioner, room
):
    set_timings(reminder_hours="2", quiet_end=time(10))
    appointment = book(smp_client, practitioner, room, at=time(14))
    assert [m.status for m in rows(kind=Kind.APPOINTMENT_REMINDER)] == [Status.PENDING]
    appointment_reschedule(
        appointment=appointment,
        by=practitioner,
        start=local_datetime(NEXT_TUESDAY, time(9, 30), room.location.tz),
    )
    reminders = rows(kind=Kind.APPOINTMENT_REMINDER)
    assert [(m.step, m.status, m.reason) for m in reminders] == [
        ("2h", Status.CANCELLED, Reason.TOO_LATE)
    ]


def test_a_confirmation_waiting_for_the_morning_is_cancelled_when_the_booking_moves_before_it(
    smp_client, practitioner, room, clock
):
    set_timings(quiet_end=time(10))
    clock.move_to(MONDAY_EVENING)
    appointment = book(smp_client, practitioner, room)
    confirmation = rows(kind=Kind.BOOKING_CONFIRMATION)[0]
    assert confirmation.due_at == datetime(2027, 1, 5, 10, 0, tzinfo=UTC)
    appointment_reschedule(
        appointment=appointment,
        by=practitioner,
        start=local_datetime(date(2027, 1, 5), time(9, 30), room.location.tz),
    )
    confirmation.refresh_from_db()
    assert (confirmation.status, confirmation.reason) == (Status.CANCELLED, Reason.NOT_NEEDED)
    assert not rows(kind=Kind.RESCHEDULE_NOTICE)


def test_an_appointment_cancelled_after_its_start_gets_no_cancellation_notice(
    smp_client, practitioner, room, front_desk, dispatch, clock
):
    appointment = book(smp_client, practitioner, room)
    dispatch()  # the confirmation went: the client knows of the booking
    assert rows(kind=Kind.BOOKING_CONFIRMATION)[0].status == Status.SENT
    clock.move_to(appointment.start + timedelta(minutes=30))
    appointment_cancel(appointment=appointment, by=front_desk, reason="Tidying the diary")
    assert not rows(kind=Kind.CANCELLATION_NOTICE)


def test_a_cancellation_that_could_only_go_after_the_start_is_not_made(
    smp_client, practitioner, room, front_desk, dispatch, clock
):
    appointment = book(smp_client, practitioner, room, day=date(2027, 1, 5), at=time(9, 30))
    dispatch()
    assert rows(kind=Kind.BOOKING_CONFIRMATION)[0].status == Status.SENT
    set_timings(quiet_end=time(10))
    clock.move_to(MONDAY_EVENING)
    appointment_cancel(appointment=appointment, by=front_desk, reason="Practitioner is ill")
    assert not rows(kind=Kind.CANCELLATION_NOTICE)
    # One that can still reach the client first is made as before.
    other = book(smp_client, practitioner, room, day=date(2027, 1, 5), at=time(11))
    clock.move_to(datetime(2027, 1, 5, 10, 0, tzinfo=UTC))
    dispatch()
    appointment_cancel(appointment=other, by=front_desk, reason="Practitioner is ill")
    assert kinds_and_steps(kind=Kind.CANCELLATION_NOTICE) == [
        (Kind.CANCELLATION_NOTICE, "cancelled", Status.PENDING)
    ]
