"""The database, not the app, has the last word: overlapping live appointments of one
practitioner or one room cannot both exist, whatever races happen above it."""

import threading
from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction

from scheduling import services
from scheduling.models import Appointment
from smp_clinic.lib.tz import local_datetime
from tests.factories import RoomFactory, appointment_type, give_rota, make_client, next_weekday

THREADS = 8


def test_the_appointment_table_carries_both_exclusion_constraints(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'scheduling_appointment'::regclass AND contype = 'x' ORDER BY conname"
        )
        constraints = dict(cursor.fetchall())
    assert set(constraints) == {
        "appointment_no_practitioner_overlap",
        "appointment_no_room_overlap",
    }
    held = "EXCLUDE USING gist (tstzrange(blocked_start, blocked_end, '[)'::text) WITH &&"
    assert constraints["appointment_no_practitioner_overlap"].startswith(
        f"{held}, practitioner_id WITH =)"
    )
    assert constraints["appointment_no_room_overlap"].startswith(f"{held}, room_id WITH =)")
    for definition in constraints.values():
        assert "WHERE (((status)::text = ANY" in definition


def test_a_raw_overlapping_insert_is_refused_by_postgresql(practitioner, smp_client, location):
    room = RoomFactory(location=location)
    first = make_appointment_row(smp_client, practitioner, room, hour=10)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_appointment_row(
            smp_client, practitioner, RoomFactory(location=location), hour=10, minute=30
        )
    # A cancelled appointment does not hold the time.
    Appointment.objects.filter(pk=first.pk).update(status="cancelled", cancel_reason="test")
    assert make_appointment_row(smp_client, practitioner, room, hour=10).pk


def test_a_raw_insert_overlapping_on_the_room_alone_is_refused_by_postgresql(
    practitioner, manager, smp_client, location
):
    room = RoomFactory(location=location)
    make_appointment_row(smp_client, practitioner, room, hour=10)
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        make_appointment_row(smp_client, manager, room, hour=10, minute=30)
    assert refused.value.__cause__.diag.constraint_name == "appointment_no_room_overlap"
    # The same practitioners in another room at that time are two separate bookings.
    assert make_appointment_row(smp_client, manager, RoomFactory(location=location), hour=10).pk


def make_appointment_row(client, practitioner, room, *, hour, minute=0):
    start = local_datetime(next_weekday(1), time(hour, minute), room.location.tz)
    end = start + timedelta(minutes=45)
    return Appointment.objects.create(
        client=client,
        appointment_type=appointment_type(),
        location=room.location,
        practitioner=practitioner,
        room=room,
        start=start,
        end=end,
        blocked_start=start,
        blocked_end=end,
    )


def _race(*, practitioner, rooms, clients, start) -> list:
    barrier = threading.Barrier(len(clients))
    results: list = [None] * len(clients)

    def attempt(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            services.appointment_book(
                by=practitioner,
                client=clients[index],
                appointment_type=appointment_type(),
                practitioner=practitioner,
                room=rooms[index],
                start=start,
            )
            results[index] = "booked"
        except ValidationError as error:
            results[index] = " ".join(error.messages)
        except Exception as error:  # noqa: BLE001 - the test reports any other outcome
            results[index] = f"unexpected {type(error).__name__}: {error}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def contenders(transactional_db, practitioner, location):
    give_rota(practitioner, location)
    rooms = [RoomFactory(location=location) for _ in range(THREADS)]
    clients = [make_client(location=location) for _ in range(THREADS)]
    return rooms, clients


def test_many_browsers_booking_one_slot_at_once_exactly_one_wins(
    practitioner, location, contenders
):
    rooms, clients = contenders
    start = local_datetime(next_weekday(2), time(11), location.tz)
    results = _race(practitioner=practitioner, rooms=rooms, clients=clients, start=start)
    assert results.count("booked") == 1, results
    for result in results:
        assert result == "booked" or "Priya Patel is already booked" in result, results
    assert (
        Appointment.objects.filter(practitioner=practitioner, status__in=Appointment.LIVE).count()
        == 1
    )


def test_when_every_check_passes_at_once_the_constraint_decides_with_the_same_message(
    practitioner, location, contenders, monkeypatch
):
    """Skip the service's own overlap check: all threads reach the INSERT together, and the
    losers of the exclusion constraint still get a message, never an error page."""
    monkeypatch.setattr(services, "_check_overlaps", lambda appointment, viewer: None)
    rooms, clients = contenders
    start = local_datetime(next_weekday(3), time(14), location.tz)
    results = _race(practitioner=practitioner, rooms=rooms, clients=clients, start=start)
    assert results.count("booked") == 1, results
    losers = [r for r in results if r != "booked"]
    assert len(losers) == THREADS - 1
    assert all("Priya Patel is already booked" in r for r in losers), losers


def test_two_desks_booking_the_last_session_of_a_course_at_once_cannot_overfill_it(
    practitioner, location, contenders
):
    from scheduling.models import Course
    from scheduling.services import course_create

    rooms, clients = contenders
    client = clients[0]
    course = course_create(client=client, by=practitioner, planned_sessions=2)
    first_day = next_weekday(1)
    services.appointment_book(
        by=practitioner,
        client=client,
        appointment_type=appointment_type("session"),
        practitioner=practitioner,
        room=rooms[0],
        start=local_datetime(first_day, time(10), location.tz),
        course=course,
    )
    barrier = threading.Barrier(2)
    results: list = [None, None]

    def attempt(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            services.appointment_book(
                by=practitioner,
                client=client,
                appointment_type=appointment_type("session"),
                practitioner=practitioner,
                room=rooms[index],
                start=local_datetime(first_day + timedelta(weeks=3 + index), time(10), location.tz),
                course=Course.objects.get(pk=course.pk),
            )
            results[index] = "booked"
        except ValidationError as error:
            results[index] = " ".join(error.messages)
        except Exception as error:  # noqa: BLE001 - the test reports any other outcome
            results[index] = f"unexpected {type(error).__name__}: {error}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results.count("booked") == 1, results
    assert any("All 2 planned sessions of this course are booked already" in r for r in results)
    assert course.appointments.filter(status__in=Appointment.LIVE).count() == 2
