"""Quiet hours on the client's clocks, across DST changes, at creation and at send time."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from aftercare.kinds import Kind
from aftercare.models import MessageSettings, OutboundMessage
from aftercare.quiet_hours import is_quiet, next_allowed, wall_clock
from aftercare.services.outbox import message_schedule
from scheduling.models import Course
from tests.factories import LocationFactory, make_client

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
NIGHT = {"start": time(21), "end": time(8)}


def at(tz, *args) -> datetime:
    return datetime(*args, tzinfo=tz)


@pytest.mark.parametrize(
    ("local", "quiet"),
    [
        ((20, 59), False),
        ((21, 0), True),
        ((23, 30), True),
        ((3, 0), True),
        ((7, 59), True),
        ((8, 0), False),
    ],
)
def test_the_night_window_wraps_midnight(local, quiet):
    assert is_quiet(at(LONDON, 2027, 1, 5, *local), tz=LONDON, **NIGHT) is quiet


def test_a_message_due_in_the_evening_waits_for_the_next_morning():
    assert next_allowed(at(LONDON, 2027, 1, 5, 22, 15), tz=LONDON, **NIGHT) == at(
        LONDON, 2027, 1, 6, 8, 0
    )


def test_a_message_due_before_dawn_waits_for_the_same_morning():
    assert next_allowed(at(LONDON, 2027, 1, 6, 5, 0), tz=LONDON, **NIGHT) == at(
        LONDON, 2027, 1, 6, 8, 0
    )


def test_a_daytime_message_is_not_moved():
    moment = at(LONDON, 2027, 1, 6, 12, 0)
    assert next_allowed(moment, tz=LONDON, **NIGHT) is moment


def test_equal_bounds_mean_no_quiet_hours():
    moment = at(LONDON, 2027, 1, 6, 3, 0)
    assert next_allowed(moment, tz=LONDON, start=time(0), end=time(0)) is moment


def test_the_spring_forward_night_still_ends_at_eight_local():
    # 28 March 2027: London's clocks go from 01:00 to 02:00; that night is 10 hours long.
    evening = at(LONDON, 2027, 3, 27, 23, 0)
    morning = next_allowed(evening, tz=LONDON, **NIGHT)
    assert morning.astimezone(UTC) == datetime(2027, 3, 28, 7, 0, tzinfo=UTC)  # 08:00 BST
    assert morning.astimezone(UTC) - evening.astimezone(UTC) == timedelta(hours=8)


def test_the_fall_back_night_still_ends_at_eight_local():
    # 31 October 2027: clocks go back from 02:00 to 01:00; that night is 12 hours long.
    evening = at(LONDON, 2027, 10, 30, 23, 0)
    morning = next_allowed(evening, tz=LONDON, **NIGHT)
    assert morning.astimezone(UTC) == datetime(2027, 10, 31, 8, 0, tzinfo=UTC)  # 08:00 GMT
    assert morning.astimezone(UTC) - evening.astimezone(UTC) == timedelta(hours=10)


def test_a_wall_clock_time_skipped_by_dst_moves_an_hour_later():
    assert wall_clock(date(2027, 3, 28), time(1, 30), LONDON) == at(LONDON, 2027, 3, 28, 2, 30)


@pytest.fixture
def new_yorker(db):
    location = LocationFactory(name="Manhattan", time_zone="America/New_York")
    return make_client(location=location, marketing_consent=True)


def _nudge(client, due) -> OutboundMessage:
    course = Course.objects.create(client=client, planned_sessions=2)
    return message_schedule(
        kind=Kind.NEXT_SESSION_NUDGE, client=client, course=course, step="after-1", due_at=due
    )


def test_rows_are_made_due_in_the_clients_morning(new_yorker):
    # 03:00 UTC is 22:00 the evening before in New York: wait for 08:00 there.
    message = _nudge(new_yorker, datetime(2027, 1, 6, 3, 0, tzinfo=UTC))
    assert message.due_at == at(NEW_YORK, 2027, 1, 6, 8, 0)


def test_the_quiet_hours_are_the_clinics_setting(new_yorker):
    MessageSettings.objects.filter(pk=1).update(quiet_start=time(23), quiet_end=time(7))
    message = _nudge(new_yorker, datetime(2027, 1, 6, 3, 0, tzinfo=UTC))
    assert message.due_at == datetime(2027, 1, 6, 3, 0, tzinfo=UTC)


def test_a_message_delayed_into_the_night_is_put_back_to_the_morning_at_send_time(
    new_yorker, dispatch, mailoutbox
):
    message = _nudge(new_yorker, datetime(2027, 1, 6, 20, 0, tzinfo=UTC))  # 15:00 in New York
    # The workers were down all afternoon; they come back at 23:30 New York time.
    with time_machine.travel(at(NEW_YORK, 2027, 1, 6, 23, 30), tick=False):
        dispatch()
    message.refresh_from_db()
    assert (message.status, message.due_at) == ("pending", at(NEW_YORK, 2027, 1, 7, 8, 0))
    assert mailoutbox == []
    with time_machine.travel(at(NEW_YORK, 2027, 1, 7, 8, 0), tick=False):
        dispatch()
    message.refresh_from_db()
    assert message.status == "sent"
    assert len(mailoutbox) == 1
