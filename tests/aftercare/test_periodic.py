"""The course scans: next-session nudges and touch-up recalls."""

from datetime import UTC, date, datetime, timedelta

import pytest

from aftercare.kinds import Kind
from aftercare.models import MessageSettings, OutboundMessage
from aftercare.services.outbox import message_schedule
from aftercare.services.periodic import (
    add_months,
    months_between,
    outbox_scan_nudges,
    outbox_scan_recalls,
)
from aftercare.tasks import outbox_scan_courses
from tests.aftercare.conftest import rows
from tests.factories import complete_appointment, make_appointment, make_intake

pytestmark = pytest.mark.usefixtures("clock")
FIRST_SESSION = date(2027, 1, 12)


def book(client, practitioner, room, kind, day, **extra):
    return make_appointment(
        client=client, practitioner=practitioner, room=room, kind=kind, day=day, **extra
    )


def next_session(first_session, practitioner, room, day):
    return book(
        first_session.client, practitioner, room, "session", day, course=first_session.course
    )


def complete(appointment, by, clock):
    clock.move_to(appointment.start)
    return complete_appointment(appointment, by=by)


@pytest.fixture
def first_session(smp_client, practitioner, room, clock):
    session = make_appointment(
        client=smp_client,
        practitioner=practitioner,
        room=room,
        kind="session",
        day=FIRST_SESSION,
        new_course_sessions=2,
    )
    return complete(session, practitioner, clock)


def test_a_course_with_sessions_left_and_none_booked_gets_a_nudge(first_session, clock):
    clock.move_to(datetime(2027, 2, 1, 12, 0, tzinfo=UTC))  # 20 days on: not yet
    assert outbox_scan_nudges() == 0
    clock.move_to(datetime(2027, 2, 2, 12, 0, tzinfo=UTC))  # 21 days on
    assert outbox_scan_nudges() == 1
    nudge = rows(kind=Kind.NEXT_SESSION_NUDGE)
    assert [(m.course_id, m.step, m.status) for m in nudge] == [
        (first_session.course_id, f"after-{first_session.pk}", "pending")
    ]
    assert nudge[0].due_at == datetime(2027, 2, 2, 12, 0, tzinfo=UTC)
    assert outbox_scan_nudges() == 1  # the next run finds the same row
    assert len(rows(kind=Kind.NEXT_SESSION_NUDGE)) == 1


def test_no_nudge_when_the_next_session_is_booked(first_session, practitioner, room, clock):
    next_session(first_session, practitioner, room, date(2027, 2, 16))
    clock.move_to(datetime(2027, 2, 3, 12, 0, tzinfo=UTC))
    assert outbox_scan_nudges() == 0


def test_booking_the_next_session_cancels_a_pending_nudge(first_session, practitioner, room, clock):
    clock.move_to(datetime(2027, 2, 3, 12, 0, tzinfo=UTC))
    outbox_scan_nudges()
    next_session(first_session, practitioner, room, date(2027, 2, 16))
    assert rows(kind=Kind.NEXT_SESSION_NUDGE)[0].status == "cancelled"


def finish_course(first_session, practitioner, room, clock):
    second = next_session(first_session, practitioner, room, date(2027, 1, 26))
    return complete(second, practitioner, clock)


def test_a_completed_course_gets_a_touch_up_recall_after_twelve_months(
    first_session, practitioner, room, clock, smp_client
):
    smp_client.marketing_consent = True
    smp_client.save()
    last = finish_course(first_session, practitioner, room, clock)
    clock.move_to(datetime(2028, 1, 25, 12, 0, tzinfo=UTC))
    assert outbox_scan_recalls() == 0
    clock.move_to(datetime(2028, 1, 26, 7, 0, tzinfo=UTC))
    assert outbox_scan_recalls() == 1
    recall = rows(kind=Kind.TOUCH_UP_RECALL)
    assert [(m.step, m.status, m.data) for m in recall] == [
        ("recall-1", "pending", {"recall_number": 1, "months_since": 12})
    ]
    assert recall[0].due_at == datetime(2028, 1, 26, 10, 0, tzinfo=UTC)  # the day's send time
    assert recall[0].course_id == last.course_id


def test_recalls_repeat_at_the_configured_interval_up_to_the_maximum(
    first_session, practitioner, room, clock, smp_client
):
    MessageSettings.objects.filter(pk=1).update(
        recall_first_months=12, recall_repeat_months=24, recall_max=2
    )
    finish_course(first_session, practitioner, room, clock)
    for year in (2028, 2030, 2032, 2034):
        clock.move_to(datetime(year, 2, 1, 12, 0, tzinfo=UTC))
        outbox_scan_recalls()
    # Without marketing consent they are kept as skipped, and only two are ever made.
    assert [(m.step, m.status, m.reason) for m in rows(kind=Kind.TOUCH_UP_RECALL)] == [
        ("recall-1", "skipped", "opted_out"),
        ("recall-2", "skipped", "opted_out"),
    ]


def test_a_missed_recall_is_not_sent_late(first_session, practitioner, room, clock):
    finish_course(first_session, practitioner, room, clock)
    clock.move_to(datetime(2032, 2, 1, 12, 0, tzinfo=UTC))  # the feature was off until now
    outbox_scan_recalls()
    assert [m.step for m in rows(kind=Kind.TOUCH_UP_RECALL)] == ["recall-3"]


def test_recalls_can_be_switched_off(first_session, practitioner, room, clock):
    MessageSettings.objects.filter(pk=1).update(recall_max=0)
    finish_course(first_session, practitioner, room, clock)
    clock.move_to(datetime(2029, 1, 1, 12, 0, tzinfo=UTC))
    assert outbox_scan_courses() == {"nudges": 0, "recalls": 0}


def test_a_recall_is_not_sent_when_the_client_has_booked(
    first_session, practitioner, room, clock, smp_client, dispatch, mailoutbox
):
    smp_client.marketing_consent = True
    smp_client.save()
    finish_course(first_session, practitioner, room, clock)
    clock.move_to(datetime(2028, 1, 26, 10, 0, tzinfo=UTC))
    outbox_scan_recalls()
    recall = OutboundMessage.objects.get(kind=Kind.TOUCH_UP_RECALL)
    book(smp_client, practitioner, room, "touch_up", date(2028, 2, 1))
    recall.refresh_from_db()
    assert (recall.status, recall.reason) == ("cancelled", "not_needed")


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2027, 1, 31), 13, date(2028, 2, 29)),
        (date(2027, 12, 15), 1, date(2028, 1, 15)),
        (date(2027, 3, 10), 24, date(2029, 3, 10)),
    ],
)
def test_months_are_added_on_the_calendar(start, months, expected):
    assert add_months(start, months) == expected


def test_months_between_counts_whole_months():
    assert months_between(date(2027, 1, 26), date(2028, 1, 25)) == 11
    assert months_between(date(2027, 1, 26), date(2028, 1, 26)) == 12


def test_the_beat_schedule_runs_the_dispatcher_every_minute(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["outbox-dispatch"] == {"task": "aftercare.outbox_dispatch", "schedule": 60.0}
    assert schedule["outbox-scan-courses"]["task"] == "aftercare.outbox_scan_courses"
    from smp_clinic.celery import app

    assert {
        "aftercare.outbox_dispatch",
        "aftercare.outbox_scan_courses",
        "aftercare.outbox_send",
    } <= set(app.tasks)


def nudges_sent(mailoutbox) -> list:
    return [m for m in mailoutbox if m.subject == "Time to book your next session"]


def test_a_next_session_booked_then_cancelled_brings_the_nudge_back_once(
    first_session, practitioner, room, clock, front_desk, dispatch, mailoutbox
):
    from scheduling.services import appointment_cancel

    clock.move_to(datetime(2027, 2, 3, 9, 0, tzinfo=UTC))
    outbox_scan_nudges()
    second = next_session(first_session, practitioner, room, date(2027, 2, 16))
    nudge = OutboundMessage.objects.get(kind=Kind.NEXT_SESSION_NUDGE)
    assert (nudge.status, nudge.reason) == ("cancelled", "not_needed")
    appointment_cancel(appointment=second, by=front_desk, reason="Client is travelling")
    clock.move_to(datetime(2027, 2, 3, 10, 0, tzinfo=UTC))  # the next hourly scan
    outbox_scan_nudges()
    nudge.refresh_from_db()
    assert (nudge.status, nudge.reason, nudge.due_at) == (
        "pending",
        "",
        datetime(2027, 2, 3, 10, 0, tzinfo=UTC),
    )
    dispatch()
    assert len(nudges_sent(mailoutbox)) == 1
    for hour in (11, 12, 13):  # later scans and dispatches find the sent row
        clock.move_to(datetime(2027, 2, 3, hour, 0, tzinfo=UTC))
        outbox_scan_nudges()
        dispatch()
    assert len(nudges_sent(mailoutbox)) == 1
    assert OutboundMessage.objects.filter(kind=Kind.NEXT_SESSION_NUDGE).count() == 1


def mark_no_show(appointment, by, clock):
    from scheduling.services import appointment_set_status

    clock.move_to(appointment.start + timedelta(hours=1))
    return appointment_set_status(appointment=appointment, by=by, status="no_show")


def test_a_nudge_answered_by_a_booking_the_client_missed_stays_closed_beside_the_follow_up(
    first_session, practitioner, room, clock, front_desk, dispatch, mailoutbox
):
    """The no-show follow-up asks them to rebook; the nudge saying the same is not reopened."""
    clock.move_to(datetime(2027, 2, 3, 9, 0, tzinfo=UTC))
    outbox_scan_nudges()
    second = next_session(first_session, practitioner, room, date(2027, 2, 16))
    nudge = OutboundMessage.objects.get(kind=Kind.NEXT_SESSION_NUDGE)
    assert (nudge.status, nudge.reason) == ("cancelled", "not_needed")
    mark_no_show(second, front_desk, clock)
    for day in (16, 17, 20):
        clock.move_to(datetime(2027, 2, day, 12, 0, tzinfo=UTC))
        outbox_scan_nudges()
        dispatch()
    nudge.refresh_from_db()
    assert (nudge.status, nudge.reason) == ("cancelled", "not_needed")
    assert nudges_sent(mailoutbox) == []
    assert OutboundMessage.objects.filter(kind=Kind.NO_SHOW_FOLLOW_UP).count() == 1


def test_no_nudge_is_made_after_a_missed_next_session(
    first_session, practitioner, room, clock, front_desk
):
    second = next_session(first_session, practitioner, room, date(2027, 1, 28))
    mark_no_show(second, front_desk, clock)
    clock.move_to(datetime(2027, 2, 3, 12, 0, tzinfo=UTC))  # nudge_days after the session
    assert outbox_scan_nudges() == 0
    assert not OutboundMessage.objects.filter(kind=Kind.NEXT_SESSION_NUDGE).exists()


def test_a_rebooking_after_a_no_show_that_is_cancelled_brings_the_nudge_back(
    first_session, practitioner, room, clock, front_desk, dispatch, mailoutbox
):
    from scheduling.services import appointment_cancel

    clock.move_to(datetime(2027, 2, 3, 9, 0, tzinfo=UTC))
    outbox_scan_nudges()
    mark_no_show(
        next_session(first_session, practitioner, room, date(2027, 2, 16)), front_desk, clock
    )
    clock.move_to(datetime(2027, 2, 17, 9, 0, tzinfo=UTC))
    again = next_session(first_session, practitioner, room, date(2027, 3, 2))
    appointment_cancel(appointment=again, by=front_desk, reason="Client is travelling")
    clock.move_to(datetime(2027, 2, 17, 10, 0, tzinfo=UTC))
    outbox_scan_nudges()
    dispatch()
    assert len(nudges_sent(mailoutbox)) == 1


def test_a_nudge_the_sender_dropped_for_a_booking_comes_back_when_that_booking_is_cancelled(
    first_session, practitioner, room, clock, front_desk
):
    """Claimed for sending just as the next session was booked, the nudge is dropped by its
    sender as no longer needed, before any attempt: it is reopened like one the booking
    cancelled."""
    from uuid import uuid4

    from aftercare.services.sending import outbox_send
    from scheduling.services import appointment_cancel

    clock.move_to(datetime(2027, 2, 3, 10, 0, tzinfo=UTC))
    outbox_scan_nudges()
    token = uuid4()  # what the dispatcher's claim writes
    OutboundMessage.objects.filter(kind=Kind.NEXT_SESSION_NUDGE).update(
        status="sending", claim_token=token, claimed_at=datetime(2027, 2, 3, 10, 0, tzinfo=UTC)
    )
    second = next_session(first_session, practitioner, room, date(2027, 2, 16))
    nudge = OutboundMessage.objects.get(kind=Kind.NEXT_SESSION_NUDGE)
    assert nudge.status == "sending"  # a booking cancels only pending rows
    assert outbox_send(message_id=nudge.pk, claim_token=str(token)) == "not-sent"
    nudge.refresh_from_db()
    assert (nudge.status, nudge.reason, nudge.attempts) == ("cancelled", "not_needed", 0)
    appointment_cancel(appointment=second, by=front_desk, reason="Client is travelling")
    outbox_scan_nudges()
    nudge.refresh_from_db()
    assert nudge.status == "pending"


def test_booking_a_consultation_leaves_the_course_nudge_to_go_out(
    first_session, practitioner, room, clock, dispatch, mailoutbox
):
    clock.move_to(datetime(2027, 2, 3, 9, 0, tzinfo=UTC))
    outbox_scan_nudges()
    book(first_session.client, practitioner, room, "consultation", date(2027, 2, 9))
    assert OutboundMessage.objects.get(kind=Kind.NEXT_SESSION_NUDGE).status == "pending"
    clock.move_to(datetime(2027, 2, 3, 10, 0, tzinfo=UTC))
    dispatch()
    assert len(nudges_sent(mailoutbox)) == 1
    assert OutboundMessage.objects.get(kind=Kind.NEXT_SESSION_NUDGE).status == "sent"


def test_a_nudge_cancelled_by_staff_is_not_reopened_by_the_scan(first_session, clock, front_desk):
    from aftercare.services.outbox import message_cancel

    clock.move_to(datetime(2027, 2, 3, 9, 0, tzinfo=UTC))
    outbox_scan_nudges()
    message_cancel(message=OutboundMessage.objects.get(kind=Kind.NEXT_SESSION_NUDGE), by=front_desk)
    clock.move_to(datetime(2027, 2, 4, 9, 0, tzinfo=UTC))
    outbox_scan_nudges()
    nudge = OutboundMessage.objects.get(kind=Kind.NEXT_SESSION_NUDGE)
    assert (nudge.status, nudge.reason) == ("cancelled", "staff")


def test_a_nudge_already_tried_is_not_reopened(first_session, practitioner, room, clock):
    # An attempt may have reached the client (a worker dying just after the server took
    # it): such a row is never sent again by a reopen.
    clock.move_to(datetime(2027, 2, 3, 9, 0, tzinfo=UTC))
    outbox_scan_nudges()
    OutboundMessage.objects.filter(kind=Kind.NEXT_SESSION_NUDGE).update(
        status="cancelled", reason="not_needed", attempts=1
    )
    outbox_scan_nudges()
    assert OutboundMessage.objects.get(kind=Kind.NEXT_SESSION_NUDGE).status == "cancelled"


def recalls_sent(mailoutbox) -> list:
    return [m for m in mailoutbox if m.subject == "Is it time for a touch-up?"]


@pytest.fixture
def consenting(smp_client):
    smp_client.marketing_consent = True
    smp_client.save()
    return smp_client


def test_the_second_recall_follows_the_first_one_sent_at_the_repeat_interval(
    first_session, practitioner, room, clock, consenting, dispatch, mailoutbox
):
    last = finish_course(first_session, practitioner, room, clock)
    clock.move_to(datetime(2028, 1, 26, 10, 0, tzinfo=UTC))
    outbox_scan_recalls()
    dispatch()
    assert len(recalls_sent(mailoutbox)) == 1
    assert "about 12 months since" in recalls_sent(mailoutbox)[0].body
    clock.move_to(datetime(2030, 1, 25, 10, 0, tzinfo=UTC))  # a day short of 24 months on
    outbox_scan_recalls()
    dispatch()
    assert len(recalls_sent(mailoutbox)) == 1
    clock.move_to(datetime(2030, 1, 26, 10, 0, tzinfo=UTC))
    outbox_scan_recalls()
    dispatch()
    assert len(recalls_sent(mailoutbox)) == 2
    assert "about 36 months since" in recalls_sent(mailoutbox)[1].body
    assert [(m.step, m.status, m.appointment_id) for m in rows(kind=Kind.TOUCH_UP_RECALL)] == [
        ("recall-1", "sent", last.pk),
        ("recall-2", "sent", last.pk),
    ]


def touch_up(client, practitioner, room, clock, day, **extra):
    appointment = book(client, practitioner, room, "touch_up", day, **extra)
    return complete_treatment(appointment, practitioner, clock)


def complete_treatment(appointment, practitioner, clock):
    """Months after the course, the safety gate wants a fresh medical intake first."""
    from clients.intake.services import intake_mark_reviewed

    clock.move_to(appointment.start)
    intake = make_intake(client=appointment.client, by=practitioner)
    intake_mark_reviewed(intake=intake, by=practitioner)
    return complete_appointment(appointment, by=practitioner)


def test_a_later_touch_up_course_restarts_the_recall_instead_of_adding_a_second_one(
    first_session, practitioner, room, clock, consenting, dispatch, mailoutbox
):
    finish_course(first_session, practitioner, room, clock)
    later = touch_up(consenting, practitioner, room, clock, date(2027, 7, 6), new_course_sessions=1)
    later.course.refresh_from_db()
    assert later.course.status == "completed"
    clock.move_to(datetime(2028, 1, 26, 10, 0, tzinfo=UTC))  # 12 months after the first course
    assert outbox_scan_recalls() == 0
    clock.move_to(datetime(2028, 7, 6, 10, 0, tzinfo=UTC))  # 12 months after the touch-up
    assert outbox_scan_recalls() == 1
    dispatch()
    assert len(recalls_sent(mailoutbox)) == 1
    assert [(m.step, m.appointment_id, m.course_id) for m in rows(kind=Kind.TOUCH_UP_RECALL)] == [
        ("recall-1", later.pk, later.course_id)
    ]


def test_a_touch_up_on_its_own_resets_the_recall_clock(
    first_session, practitioner, room, clock, consenting, dispatch, mailoutbox
):
    finish_course(first_session, practitioner, room, clock)
    clock.move_to(datetime(2028, 1, 26, 9, 0, tzinfo=UTC))
    outbox_scan_recalls()
    first_recall = OutboundMessage.objects.get(kind=Kind.TOUCH_UP_RECALL)
    assert first_recall.status == "pending"
    # The client books a touch-up (outside any course) on the strength of it.
    standalone = touch_up(consenting, practitioner, room, clock, date(2028, 2, 15))
    assert standalone.course_id is None
    first_recall.refresh_from_db()
    assert (first_recall.status, first_recall.reason) == ("cancelled", "not_needed")
    for moment in (
        datetime(2028, 3, 1, 10, 0, tzinfo=UTC),
        datetime(2029, 2, 14, 10, 0, tzinfo=UTC),
    ):
        clock.move_to(moment)
        assert outbox_scan_recalls() == 0  # the old recall stays closed; the new one not due
        dispatch()
    first_recall.refresh_from_db()
    assert first_recall.status == "cancelled"
    clock.move_to(datetime(2029, 2, 15, 10, 0, tzinfo=UTC))
    outbox_scan_recalls()
    dispatch()
    assert len(recalls_sent(mailoutbox)) == 1
    latest = OutboundMessage.objects.exclude(pk=first_recall.pk).get(kind=Kind.TOUCH_UP_RECALL)
    assert (latest.step, latest.appointment_id, latest.course_id, latest.status) == (
        "recall-1",
        standalone.pk,
        None,
        "sent",
    )


def recall_of(treatment, *, due):
    """A first recall of ``treatment``, made directly rather than by the scan."""
    return message_schedule(
        kind=Kind.TOUCH_UP_RECALL,
        client=treatment.client,
        appointment=treatment,
        course=treatment.course,
        step="recall-1",
        due_at=due,
        data={"recall_number": 1, "months_since": 12},
    )


def test_a_newer_treatment_cancels_the_recalls_still_pending_from_an_older_one(
    first_session, practitioner, room, clock, consenting, dispatch, mailoutbox
):
    last = finish_course(first_session, practitioner, room, clock)
    standalone = book(consenting, practitioner, room, "touch_up", date(2028, 2, 15))
    # A recall of the older treatment made while the touch-up was already booked (a scan
    # racing the front desk): completing the touch-up closes it.
    clock.move_to(datetime(2028, 1, 26, 9, 0, tzinfo=UTC))
    old = recall_of(last, due=datetime(2028, 3, 1, 10, 0, tzinfo=UTC))
    assert old.status == "pending"
    complete_treatment(standalone, practitioner, clock)
    old.refresh_from_db()
    assert (old.status, old.reason) == ("cancelled", "not_needed")


def test_a_recall_of_an_older_treatment_is_not_sent_at_send_time(
    first_session, practitioner, room, clock, consenting, dispatch, mailoutbox
):
    last = finish_course(first_session, practitioner, room, clock)
    touch_up(consenting, practitioner, room, clock, date(2027, 9, 7))
    # Made behind the rules' back: the sender's own check is the last line.
    clock.move_to(datetime(2028, 1, 26, 10, 0, tzinfo=UTC))
    old = recall_of(last, due=datetime(2028, 1, 26, 10, 0, tzinfo=UTC))
    dispatch()
    old.refresh_from_db()
    assert (old.status, old.reason) == ("cancelled", "not_needed")
    assert recalls_sent(mailoutbox) == []


def test_no_recall_while_a_later_course_is_under_way(
    first_session, practitioner, room, clock, consenting
):
    """Under way: its next session booked, or its last one no longer ago than the plan's
    longest interval and the nudge's days (a course planned 12 months apart, here)."""
    from scheduling.models import Course

    finish_course(first_session, practitioner, room, clock)
    later = touch_up(consenting, practitioner, room, clock, date(2027, 3, 2), new_course_sessions=2)
    Course.objects.filter(pk=later.course_id).update(max_interval_days=365)
    clock.move_to(datetime(2028, 3, 2, 12, 0, tzinfo=UTC))  # 12 months: recall 1 would be due
    assert outbox_scan_recalls() == 0
    clock.move_to(datetime(2028, 3, 21, 12, 0, tzinfo=UTC))  # 365 + 21 days on, less a day
    assert outbox_scan_recalls() == 0
    clock.move_to(datetime(2028, 3, 23, 12, 0, tzinfo=UTC))  # past them: it has stopped
    assert outbox_scan_recalls() == 1
    book(consenting, practitioner, room, "touch_up", date(2028, 4, 4), course=later.course)
    clock.move_to(datetime(2028, 3, 24, 12, 0, tzinfo=UTC))
    assert outbox_scan_recalls() == 0  # booked ahead: under way again


def test_an_unfinished_course_stops_holding_back_recalls_once_its_nudge_has_had_its_time(
    first_session, practitioner, room, clock, consenting, dispatch, mailoutbox
):
    """A completed course, then one session of a second course and the client never came
    back: the second course stays in progress for ever, but once it has had the plan's
    longest interval and the nudge's days it no longer holds the recalls back, which count
    from that last session."""
    finish_course(first_session, practitioner, room, clock)
    stopped = touch_up(
        consenting, practitioner, room, clock, date(2027, 7, 6), new_course_sessions=2
    )
    stopped.course.refresh_from_db()
    assert stopped.course.status == "active"
    clock.move_to(datetime(2027, 7, 27, 12, 0, tzinfo=UTC))  # nudge_days after the session
    assert outbox_scan_nudges() == 1  # the early period is the nudge's
    clock.move_to(datetime(2028, 1, 26, 10, 0, tzinfo=UTC))  # 12 months after the first course
    assert outbox_scan_recalls() == 0  # the later session restarted the clock
    clock.move_to(datetime(2028, 7, 5, 10, 0, tzinfo=UTC))
    assert outbox_scan_recalls() == 0
    clock.move_to(datetime(2028, 7, 6, 10, 0, tzinfo=UTC))  # 12 months after that session
    assert outbox_scan_recalls() == 1
    dispatch()
    assert len(recalls_sent(mailoutbox)) == 1
    assert [(m.step, m.status, m.appointment_id) for m in rows(kind=Kind.TOUCH_UP_RECALL)] == [
        ("recall-1", "sent", stopped.pk)
    ]
    clock.move_to(datetime(2030, 7, 6, 10, 0, tzinfo=UTC))  # and on at the repeat interval
    outbox_scan_recalls()
    dispatch()
    assert [m.step for m in rows(kind=Kind.TOUCH_UP_RECALL, status="sent")] == [
        "recall-1",
        "recall-2",
    ]


def test_the_sender_holds_back_a_recall_of_a_course_still_under_way(
    first_session, practitioner, room, clock, consenting, dispatch, mailoutbox
):
    """Made behind the scan's back while the course's last session is recent: the sender
    asks the same rule and drops it; once the course has stopped, one goes out."""
    finish_course(first_session, practitioner, room, clock)
    recent = touch_up(
        consenting, practitioner, room, clock, date(2027, 7, 6), new_course_sessions=2
    )
    clock.move_to(datetime(2027, 7, 20, 10, 0, tzinfo=UTC))
    early = recall_of(recent, due=datetime(2027, 7, 20, 10, 0, tzinfo=UTC))
    dispatch()
    early.refresh_from_db()
    assert (early.status, early.reason) == ("cancelled", "source_changed")
    clock.move_to(datetime(2027, 9, 1, 10, 0, tzinfo=UTC))  # 30 + 21 days have passed
    late = message_schedule(
        kind=Kind.TOUCH_UP_RECALL,
        client=consenting,
        appointment=recent,
        course=recent.course,
        step="recall-test",
        due_at=datetime(2027, 9, 1, 10, 0, tzinfo=UTC),
        data={"recall_number": 1, "months_since": 12},
    )
    dispatch()
    late.refresh_from_db()
    assert late.status == "sent"
    assert len(recalls_sent(mailoutbox)) == 1


def test_a_touch_up_booked_then_cancelled_brings_the_recall_back(
    first_session, practitioner, room, clock, consenting, front_desk, dispatch, mailoutbox
):
    from scheduling.services import appointment_cancel

    finish_course(first_session, practitioner, room, clock)
    clock.move_to(datetime(2028, 1, 26, 9, 0, tzinfo=UTC))
    outbox_scan_recalls()
    booked = book(consenting, practitioner, room, "touch_up", date(2028, 2, 8))
    assert OutboundMessage.objects.get(kind=Kind.TOUCH_UP_RECALL).status == "cancelled"
    outbox_scan_recalls()  # still booked: stays closed
    assert OutboundMessage.objects.get(kind=Kind.TOUCH_UP_RECALL).status == "cancelled"
    appointment_cancel(appointment=booked, by=front_desk, reason="Changed their mind")
    clock.move_to(datetime(2028, 1, 27, 11, 0, tzinfo=UTC))
    outbox_scan_recalls()
    dispatch()
    assert len(recalls_sent(mailoutbox)) == 1
    assert OutboundMessage.objects.get(kind=Kind.TOUCH_UP_RECALL).status == "sent"


def test_booking_a_consultation_leaves_a_pending_recall_but_a_touch_up_answers_it(
    first_session, practitioner, room, clock, consenting
):
    finish_course(first_session, practitioner, room, clock)
    clock.move_to(datetime(2028, 1, 26, 9, 0, tzinfo=UTC))
    outbox_scan_recalls()
    book(consenting, practitioner, room, "consultation", date(2028, 2, 1))
    assert OutboundMessage.objects.get(kind=Kind.TOUCH_UP_RECALL).status == "pending"
    book(consenting, practitioner, room, "touch_up", date(2028, 2, 8))
    assert OutboundMessage.objects.get(kind=Kind.TOUCH_UP_RECALL).status == "cancelled"


def test_recalls_made_per_course_move_to_the_key_of_their_treatment_and_are_not_made_twice(
    first_session, practitioner, room, clock, consenting, dispatch, mailoutbox
):
    from importlib import import_module

    from django.apps import apps

    migration = import_module(
        "aftercare.migrations.0006_touch_up_recalls_keyed_by_latest_treatment"
    )
    last = finish_course(first_session, practitioner, room, clock)
    clock.move_to(datetime(2028, 1, 26, 10, 0, tzinfo=UTC))
    # A recall-1 sent before recalls were per client: keyed by the course, no appointment.
    legacy = OutboundMessage.objects.create(
        kind=Kind.TOUCH_UP_RECALL,
        client=consenting,
        course=last.course,
        step="recall-1",
        due_at=datetime(2028, 1, 26, 10, 0, tzinfo=UTC),
        status="sent",
        sent_at=datetime(2028, 1, 26, 10, 0, tzinfo=UTC),
        idempotency_key=f"touch_up_recall:course:{last.course_id}:recall-1",
    )
    migration.rekey_recalls(apps, None)
    migration.rekey_recalls(apps, None)  # running again changes nothing
    legacy.refresh_from_db()
    assert (legacy.appointment_id, legacy.idempotency_key) == (
        last.pk,
        f"touch_up_recall:appointment:{last.pk}:recall-1",
    )
    outbox_scan_recalls()
    dispatch()
    assert OutboundMessage.objects.filter(kind=Kind.TOUCH_UP_RECALL).count() == 1
    assert recalls_sent(mailoutbox) == []
