"""Stored in UTC, shown on the location's clocks, and correct across DST changes."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from locations.models import OpeningHours
from scheduling.selectors import GRID_MINUTES, calendar_day
from scheduling.slots import find_slots
from smp_clinic.lib.tz import NonexistentLocalTime, day_bounds, local_datetime
from tests.factories import (
    LocationFactory,
    RoomFactory,
    appointment_type,
    give_rota,
    make_appointment,
    make_client,
)

LONDON = ZoneInfo("Europe/London")
# Clocks go forward at 01:00 UTC on Sunday 28 March 2027 and back on Sunday 31 October 2027.
BEFORE_SPRING = date(2027, 3, 23)  # Tuesday, GMT (UTC+0)
AFTER_SPRING = date(2027, 3, 30)  # Tuesday, BST (UTC+1)
SPRING_SUNDAY = date(2027, 3, 28)


def test_a_skipped_wall_clock_time_is_refused_not_shifted():
    with pytest.raises(NonexistentLocalTime, match="01:30 does not exist"):
        local_datetime(SPRING_SUNDAY, time(1, 30), LONDON)


def test_the_spring_forward_day_has_23_hours():
    start, end = day_bounds(SPRING_SUNDAY, LONDON)
    # Subtract as instants: Python subtracts same-zone datetimes on the wall clock.
    assert (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() == 23 * 3600


@time_machine.travel(datetime(2027, 3, 1, 9, tzinfo=UTC))
def test_the_same_wall_clock_time_either_side_of_the_change_is_stored_an_hour_apart(
    practitioner, location
):
    room = RoomFactory(location=location)
    client = make_client(location=location)
    before = make_appointment(
        client=client, practitioner=practitioner, room=room, day=BEFORE_SPRING, at=time(10)
    )
    after = make_appointment(
        client=client, practitioner=practitioner, room=room, day=AFTER_SPRING, at=time(10)
    )
    assert before.start == datetime(2027, 3, 23, 10, tzinfo=UTC)
    assert after.start == datetime(2027, 3, 30, 9, tzinfo=UTC)
    # Both sit on the 10:00 row of their day in the calendar.
    rows = []
    for day in (BEFORE_SPRING, AFTER_SPRING):
        grid = calendar_day(location=location, day=day)
        [column] = grid.columns
        [item] = [i for i in column.items if i.appointment]
        rows.append(item.row)
    assert rows[0] == rows[1] == (10 - grid.first.hour) * 60 // GRID_MINUTES + 1


@time_machine.travel(datetime(2027, 3, 1, 9, tzinfo=UTC))
def test_an_appointment_on_the_change_day_itself_sits_on_its_wall_clock_row(practitioner, location):
    OpeningHours.objects.create(location=location, weekday=6, opens=time(9), closes=time(18))
    give_rota(practitioner, location, days=[6])
    room = RoomFactory(location=location)
    appointment = make_appointment(
        client=make_client(location=location),
        practitioner=practitioner,
        room=room,
        day=SPRING_SUNDAY,
        at=time(11),
    )
    assert appointment.start == datetime(2027, 3, 28, 10, tzinfo=UTC)
    grid = calendar_day(location=location, day=SPRING_SUNDAY)
    [item] = [i for i in grid.columns[0].items if i.appointment]
    assert item.row == (11 - grid.first.hour) * 60 // GRID_MINUTES + 1


@time_machine.travel(datetime(2027, 3, 1, 9, tzinfo=UTC))
def test_free_slots_keep_local_opening_time_across_the_change(practitioner, location):
    give_rota(practitioner, location)
    RoomFactory(location=location)
    slots = find_slots(
        appointment_type=appointment_type("consultation"),
        location=location,
        date_from=BEFORE_SPRING,
        date_to=AFTER_SPRING,
        limit=1000,
    )
    first_of_day = {}
    for slot in slots:
        local = slot.start.astimezone(LONDON)
        first_of_day.setdefault(local.date(), local.time())
    assert first_of_day[BEFORE_SPRING] == time(9)
    assert first_of_day[AFTER_SPRING] == time(9)


@time_machine.travel(datetime(2027, 3, 1, 9, tzinfo=UTC))
def test_two_locations_in_different_zones_each_show_their_own_clock(practitioner, location):
    tokyo = LocationFactory(name="Tokyo Studio", time_zone="Asia/Tokyo")
    practitioner.locations.add(tokyo)
    client = make_client(location=location)
    london_visit = make_appointment(
        client=client,
        practitioner=practitioner,
        room=RoomFactory(location=location),
        day=BEFORE_SPRING,
        at=time(10),
    )
    tokyo_visit = make_appointment(
        client=client,
        practitioner=practitioner,
        room=RoomFactory(location=tokyo),
        day=AFTER_SPRING,
        at=time(10),
    )
    assert london_visit.start == datetime(2027, 3, 23, 10, tzinfo=UTC)
    assert tokyo_visit.start == datetime(2027, 3, 30, 1, tzinfo=UTC)
    tokyo_grid = calendar_day(location=tokyo, day=AFTER_SPRING)
    [item] = [i for i in tokyo_grid.columns[0].items if i.appointment]
    assert item.row == (10 - tokyo_grid.first.hour) * 60 // GRID_MINUTES + 1
