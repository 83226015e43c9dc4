"""The course scans: next-session nudges and touch-up recalls."""

from datetime import UTC, date, datetime

import pytest

from aftercare.kinds import Kind
from aftercare.models import MessageSettings, OutboundMessage
from aftercare.services.periodic import (
    add_months,
    months_between,
    outbox_scan_nudges,
    outbox_scan_recalls,
)
from aftercare.tasks import outbox_scan_courses
from tests.aftercare.conftest import rows
from tests.factories import complete_appointment, make_appointment

pytestmark = pytest.mark.usefixtures("clock")
FIRST_SESSION = date(2027, 1, 12)


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
    make_appointment(
        client=first_session.client,
        practitioner=practitioner,
        room=room,
        kind="session",
        day=date(2027, 2, 16),
        course=first_session.course,
    )
    clock.move_to(datetime(2027, 2, 3, 12, 0, tzinfo=UTC))
    assert outbox_scan_nudges() == 0


def test_booking_the_next_session_cancels_a_pending_nudge(first_session, practitioner, room, clock):
    clock.move_to(datetime(2027, 2, 3, 12, 0, tzinfo=UTC))
    outbox_scan_nudges()
    make_appointment(
        client=first_session.client,
        practitioner=practitioner,
        room=room,
        kind="session",
        day=date(2027, 2, 16),
        course=first_session.course,
    )
    assert rows(kind=Kind.NEXT_SESSION_NUDGE)[0].status == "cancelled"


def finish_course(first_session, practitioner, room, clock):
    second = make_appointment(
        client=first_session.client,
        practitioner=practitioner,
        room=room,
        kind="session",
        day=date(2027, 1, 26),
        course=first_session.course,
    )
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
    make_appointment(
        client=smp_client,
        practitioner=practitioner,
        room=room,
        kind="touch_up",
        day=date(2028, 2, 1),
    )
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
