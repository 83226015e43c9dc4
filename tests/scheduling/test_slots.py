from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from scheduling.models import TimeOff
from scheduling.slots import find_slots, propose_course
from smp_clinic.lib.tz import local_datetime
from tests.factories import (
    RoomFactory,
    appointment_type,
    give_rota,
    make_appointment,
    make_client,
    make_staff,
    next_weekday,
)


@pytest.fixture
def day():
    return next_weekday(2)  # a Wednesday ahead


def local(slot, location):
    return timezone.localtime(slot.start, location.tz)


def test_slots_start_at_opening_and_respect_an_existing_booking_with_its_buffers(
    practitioner, location, day
):
    give_rota(practitioner, location)
    room = RoomFactory(location=location)
    make_appointment(
        client=make_client(location=location),
        practitioner=practitioner,
        room=room,
        day=day,
        at=time(10),
    )
    slots = find_slots(
        appointment_type=appointment_type("consultation"),
        location=location,
        date_from=day,
        date_to=day,
        limit=100,
    )
    starts = [local(s, location).time() for s in slots]
    assert starts[0] == time(9)
    # Booked 10:00–10:45 (+15 cleaning): a new 45-minute consultation with 15 minutes
    # of cleaning cannot start between 09:15 and 10:45.
    assert time(9, 15) not in starts
    assert time(10) not in starts
    assert time(11) in starts
    assert local(slots[-1], location).time() == time(17, 15)  # ends 18:00, closing time


def test_a_pigmentation_session_needs_its_four_hours_inside_the_shift(practitioner, location, day):
    give_rota(practitioner, location, start=time(9), end=time(14))
    RoomFactory(location=location)
    slots = find_slots(
        appointment_type=appointment_type("session"), location=location, date_from=day, date_to=day
    )
    assert [local(s, location).time() for s in slots] == [
        time(9),
        time(9, 15),
        time(9, 30),
        time(9, 45),
        time(10),
    ]


def test_no_slot_when_every_room_is_taken(practitioner, location, day):
    give_rota(practitioner, location)
    room = RoomFactory(location=location)
    other = make_staff(role="practitioner", locations=[location])
    give_rota(other, location)
    make_appointment(
        client=make_client(location=location), practitioner=other, room=room, day=day, at=time(9)
    )
    slots = find_slots(
        appointment_type=appointment_type("consultation"),
        location=location,
        date_from=day,
        date_to=day,
        practitioner=practitioner,
    )
    assert all(local(s, location).time() >= time(10) for s in slots)


def test_time_off_removes_slots(practitioner, location, day):
    give_rota(practitioner, location)
    RoomFactory(location=location)
    TimeOff.objects.create(
        practitioner=practitioner,
        start=local_datetime(day, time(0), location.tz),
        end=local_datetime(day + timedelta(days=1), time(0), location.tz),
    )
    assert (
        find_slots(
            appointment_type=appointment_type("consultation"),
            location=location,
            date_from=day,
            date_to=day,
        )
        == []
    )


def test_past_times_today_are_not_offered(practitioner, location, day):
    give_rota(practitioner, location)
    RoomFactory(location=location)
    noon = local_datetime(day, time(12, 5), location.tz)
    slots = find_slots(
        appointment_type=appointment_type("consultation"),
        location=location,
        date_from=day,
        date_to=day,
        now=noon,
    )
    assert local(slots[0], location).time() == time(12, 15)


def test_a_course_is_proposed_within_its_interval_with_one_practitioner(practitioner, location):
    give_rota(practitioner, location)
    RoomFactory(location=location)
    first_from = next_weekday(0)
    proposals = propose_course(
        appointment_type=appointment_type("session"),
        location=location,
        sessions=3,
        min_interval_days=10,
        max_interval_days=30,
        first_from=first_from,
        preferred_time=time(10),
    )
    assert [p.number for p in proposals] == [1, 2, 3]
    assert all(p.slot is not None for p in proposals)
    days = [local(p.slot, location).date() for p in proposals]
    assert days[0] >= first_from
    for earlier, later in zip(days, days[1:], strict=False):
        assert 10 <= (later - earlier).days <= 30
    assert {p.slot.practitioner for p in proposals} == {practitioner}
    assert all(local(p.slot, location).time() == time(10) for p in proposals)


def test_a_course_window_without_room_is_reported_not_invented(practitioner, location):
    give_rota(practitioner, location, days=[0])  # Mondays only
    RoomFactory(location=location)
    proposals = propose_course(
        appointment_type=appointment_type("session"),
        location=location,
        sessions=2,
        min_interval_days=2,
        max_interval_days=4,
        first_from=next_weekday(0),
        first_window_days=0,
    )
    assert proposals[0].slot is not None
    assert proposals[1].slot is None  # Wed–Fri window, but the practitioner only works Mondays
    assert (proposals[1].window_to - proposals[1].window_from).days == 2


def test_slot_search_range_is_capped(practitioner, location):
    give_rota(practitioner, location)
    RoomFactory(location=location)
    start = next_weekday(0)
    slots = find_slots(
        appointment_type=appointment_type("consultation"),
        location=location,
        date_from=start,
        date_to=start + timedelta(days=1000),
        limit=100000,
        step_minutes=60,
    )
    assert max(s.start for s in slots) < datetime.combine(
        start + timedelta(days=122), time(), tzinfo=location.tz
    )
