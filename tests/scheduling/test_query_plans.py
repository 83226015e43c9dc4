"""The calendar's range reads go through a composite index, bounded on both sides, so a
day costs the same after ten years of history as in the first week."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from scheduling import selectors
from scheduling.models import Appointment
from tests.factories import RoomFactory, make_appointment, make_client, next_weekday


@pytest.fixture
def planner_without_seq_scans(db):
    """A test's tables hold a handful of rows, where reading the whole table is the
    cheapest plan and the planner rightly takes it whatever the indexes. With sequential
    scans priced out of the transaction, the plan shows which index the query can use; a
    query no index serves still falls back to a (now very expensive) Seq Scan."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")


@pytest.fixture
def tuesday():
    return next_weekday(1)


@pytest.fixture
def booked(location, practitioner, tuesday):
    room = RoomFactory(location=location)
    return make_appointment(
        client=make_client(location=location), practitioner=practitioner, room=room, day=tuesday
    )


def plan_of_appointment_read(read) -> str:
    """Run ``read`` and EXPLAIN the SQL it sent for the appointments, exactly as sent."""
    with CaptureQueriesContext(connection) as queries:
        read()
    (sql,) = [
        q["sql"]
        for q in queries
        if q["sql"].startswith("SELECT") and 'FROM "scheduling_appointment"' in q["sql"]
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def index_condition(plan: str, index: str) -> str:
    """The condition the scan of ``index`` answers from the index itself."""
    lines = plan.splitlines()
    (at,) = [n for n, line in enumerate(lines) if f" using {index} on " in line]
    return next(line for line in lines[at + 1 :] if "Index Cond" in line)


def test_the_day_view_reads_one_location_day_through_the_location_start_index(
    location, booked, tuesday, planner_without_seq_scans
):
    plan = plan_of_appointment_read(lambda: selectors.calendar_day(location=location, day=tuesday))
    condition = index_condition(plan, "appointment_location_start")
    # Both ends of the start range are in the index condition: the scan never walks the
    # location's past appointments to find the ones still running.
    assert "location_id =" in condition, plan
    assert "start >" in condition, plan
    assert "start <" in condition, plan


def test_the_week_view_reads_one_practitioner_week_through_a_composite_start_index(
    location, practitioner, booked, tuesday, planner_without_seq_scans
):
    monday = tuesday - timedelta(days=1)
    plan = plan_of_appointment_read(
        lambda: selectors.calendar_week(
            location=location, practitioner=practitioner, week_start=monday
        )
    )
    index = next(
        name
        for name in ("appointment_practitioner_start", "appointment_location_start")
        if name in plan
    )
    condition = index_condition(plan, index)
    assert "start >" in condition, plan
    assert "start <" in condition, plan


def test_the_today_list_reads_one_location_day_through_the_location_start_index(
    location, front_desk, booked, tuesday, planner_without_seq_scans
):
    plan = plan_of_appointment_read(
        lambda: selectors.day_appointments(user=front_desk, day=tuesday, location=location)
    )
    condition = index_condition(plan, "appointment_location_start")
    assert "start >=" in condition, plan
    assert "start <" in condition, plan


def test_an_appointment_longer_than_a_day_is_refused_by_the_database(booked):
    # The bounded reads above are only right because no appointment runs past this.
    with pytest.raises(IntegrityError, match="appointment_at_most_a_day"), transaction.atomic():
        Appointment.objects.filter(pk=booked.pk).update(
            end=booked.start + timedelta(hours=24, minutes=5),
            blocked_end=booked.start + timedelta(hours=25),
        )


def test_an_appointment_that_began_the_evening_before_still_shows_on_the_day(
    location, practitioner, tuesday
):
    room = RoomFactory(location=location)
    late = make_appointment(
        client=make_client(location=location), practitioner=practitioner, room=room, day=tuesday
    )
    # From 20:00 the evening before to 09:30: no booking makes that, so the row is moved
    # directly. It starts before the day, inside the lower bound the read adds.
    Appointment.objects.filter(pk=late.pk).update(
        start=late.start - timedelta(hours=14),
        end=late.start - timedelta(minutes=30),
        blocked_start=late.start - timedelta(hours=14),
        blocked_end=late.start - timedelta(minutes=30),
    )
    grid = selectors.calendar_day(location=location, day=tuesday)
    shown = {item.appointment for column in grid.columns for item in column.items}
    assert late in shown


def test_the_double_booking_check_asks_the_no_overlap_indexes_for_the_span(
    location, practitioner, booked, tuesday, planner_without_seq_scans
):
    """Booking, moving and the slot finder ask which appointments hold a practitioner or a
    room during a span. Asked as the constraints' own range overlap, the GiST indexes behind
    them answer with the span in the index condition: years of a busy practitioner's history
    are not read for every booking."""
    from scheduling.services import overlapping

    start = booked.start + timedelta(minutes=15)
    plan = plan_of_appointment_read(
        lambda: list(
            overlapping(
                practitioner=practitioner,
                room=booked.room,
                blocked_start=start,
                blocked_end=start + timedelta(hours=1),
            )
        )
    )
    used = [
        index
        for index in ("appointment_no_practitioner_overlap", "appointment_no_room_overlap")
        if f" using {index} on " in plan
    ]
    assert used, plan
    for index in used:
        condition = index_condition(plan, index)
        assert "tstzrange(blocked_start, blocked_end" in condition, plan
        assert "&&" in condition, plan
    assert "Seq Scan on scheduling_appointment" not in plan, plan
