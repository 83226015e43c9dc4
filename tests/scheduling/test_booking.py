from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clients.services import client_archive
from scheduling.models import Appointment, AppointmentChange, TimeOff
from scheduling.services import (
    allowed_transitions,
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
    appointment_set_status,
)
from smp_clinic.lib.tz import local_datetime
from tests.factories import (
    LocationFactory,
    RoomFactory,
    appointment_type,
    give_rota,
    make_client,
    make_staff,
)


def start_at(location, day, hour, minute=0):
    return local_datetime(day, time(hour, minute), location.tz)


def book(*, client, practitioner, room, day, hour, minute=0, kind="consultation", by=None, **extra):
    return appointment_book(
        by=by or practitioner,
        client=client,
        appointment_type=appointment_type(kind),
        practitioner=practitioner,
        room=room,
        start=start_at(room.location, day, hour, minute),
        **extra,
    )


def test_a_booking_holds_the_buffers_and_records_its_history(
    rota, smp_client, treatment_room, tuesday, front_desk
):
    appointment = book(
        client=smp_client,
        practitioner=rota,
        room=treatment_room,
        day=tuesday,
        hour=10,
        by=front_desk,
    )
    consultation = appointment_type("consultation")
    assert appointment.end - appointment.start == timedelta(minutes=consultation.duration_minutes)
    assert appointment.blocked_start == appointment.start - consultation.buffer_before
    assert appointment.blocked_end == appointment.end + consultation.buffer_after
    assert appointment.status == Appointment.Status.BOOKED
    assert appointment.booked_by == front_desk
    assert list(appointment.changes.values_list("kind", flat=True)) == [
        AppointmentChange.Kind.BOOKED
    ]


def test_an_overlapping_booking_names_the_appointment_in_the_way(
    rota, smp_client, treatment_room, second_room, tuesday, location
):
    book(client=smp_client, practitioner=rota, room=treatment_room, day=tuesday, hour=10)
    other = make_client(location=location, first_name="Jo", last_name="Blake")
    with pytest.raises(ValidationError) as refused:
        book(client=other, practitioner=rota, room=second_room, day=tuesday, hour=10, minute=30)
    message = " ".join(refused.value.messages)
    assert "Priya Patel is already booked" in message
    assert "Sam Carter's consultation" in message
    assert "10:00–10:45" in message
    assert Appointment.objects.count() == 1


def test_the_cleaning_buffer_keeps_the_next_client_out(
    rota, smp_client, treatment_room, second_room, tuesday, location
):
    book(
        client=smp_client, practitioner=rota, room=treatment_room, day=tuesday, hour=10
    )  # 10:00–10:45 + 15 min
    other = make_client(location=location)
    with pytest.raises(ValidationError, match="preparation and cleaning time"):
        book(client=other, practitioner=rota, room=second_room, day=tuesday, hour=10, minute=50)
    assert book(client=other, practitioner=rota, room=second_room, day=tuesday, hour=11).pk


def test_a_room_cannot_hold_two_appointments(rota, smp_client, treatment_room, tuesday, location):
    colleague = make_staff(role="practitioner", locations=[location], full_name="Ravi Kumar")
    give_rota(colleague, location)
    book(client=smp_client, practitioner=rota, room=treatment_room, day=tuesday, hour=10)
    other = make_client(location=location)
    with pytest.raises(ValidationError, match="Treatment room 1 is already taken"):
        book(
            client=other,
            practitioner=colleague,
            room=treatment_room,
            day=tuesday,
            hour=10,
            minute=15,
        )


@pytest.mark.parametrize(
    ("hour", "message"),
    [(7, "is open 09:00–18:00"), (17, "is open 09:00–18:00")],
)
def test_bookings_outside_opening_hours_are_refused(
    rota, smp_client, treatment_room, tuesday, hour, message
):
    with pytest.raises(ValidationError, match=message):
        book(
            client=smp_client,
            practitioner=rota,
            room=treatment_room,
            day=tuesday,
            hour=hour,
            minute=30,
        )


def test_a_closed_day_is_refused(rota, smp_client, treatment_room, tuesday):
    sunday = tuesday + timedelta(days=5)
    with pytest.raises(ValidationError, match="closed on Sundays"):
        book(client=smp_client, practitioner=rota, room=treatment_room, day=sunday, hour=10)


def test_outside_the_practitioners_hours_is_refused(
    practitioner, smp_client, treatment_room, tuesday, location
):
    give_rota(practitioner, location, start=time(12), end=time(18))
    with pytest.raises(ValidationError, match="Priya Patel works 12:00–18:00"):
        book(
            client=smp_client, practitioner=practitioner, room=treatment_room, day=tuesday, hour=10
        )


def test_time_off_blocks_booking(rota, smp_client, treatment_room, tuesday, manager):
    TimeOff.objects.create(
        practitioner=rota,
        kind=TimeOff.Kind.SICK,
        created_by=manager,
        start=start_at(treatment_room.location, tuesday, 0),
        end=start_at(treatment_room.location, tuesday, 23),
    )
    with pytest.raises(ValidationError, match=r"is away \(sick\)"):
        book(client=smp_client, practitioner=rota, room=treatment_room, day=tuesday, hour=10)


def test_the_past_cannot_be_booked(rota, smp_client, treatment_room):
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(ValidationError, match="already passed"):
        book(client=smp_client, practitioner=rota, room=treatment_room, day=yesterday, hour=10)


def test_an_archived_client_cannot_be_booked(rota, smp_client, treatment_room, tuesday, manager):
    client_archive(client=smp_client, by=manager)
    smp_client.refresh_from_db()
    with pytest.raises(ValidationError, match="is archived"):
        book(client=smp_client, practitioner=rota, room=treatment_room, day=tuesday, hour=10)


def test_a_practitioner_of_another_location_cannot_be_booked_here(
    practitioner_elsewhere, smp_client, treatment_room, tuesday
):
    give_rota(practitioner_elsewhere, treatment_room.location)
    with pytest.raises(ValidationError, match="does not work at Central Clinic"):
        book(
            client=smp_client,
            practitioner=practitioner_elsewhere,
            room=treatment_room,
            day=tuesday,
            hour=10,
        )


def test_front_desk_cannot_be_booked_as_practitioner(
    front_desk, smp_client, treatment_room, tuesday
):
    with pytest.raises(ValidationError, match="does not take appointments"):
        book(client=smp_client, practitioner=front_desk, room=treatment_room, day=tuesday, hour=10)


def test_cancelling_needs_a_reason_and_frees_the_slot(
    rota, smp_client, treatment_room, tuesday, front_desk, location
):
    appointment = book(
        client=smp_client, practitioner=rota, room=treatment_room, day=tuesday, hour=10
    )
    with pytest.raises(ValidationError, match="Say why"):
        appointment_cancel(appointment=appointment, by=front_desk, reason="  ")
    appointment_cancel(appointment=appointment, by=front_desk, reason="Client cancelled: flu")
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert appointment.cancel_reason == "Client cancelled: flu"
    other = make_client(location=location)
    assert book(client=other, practitioner=rota, room=treatment_room, day=tuesday, hour=10).pk


def test_rescheduling_keeps_the_history_of_times(
    rota, smp_client, treatment_room, tuesday, front_desk
):
    appointment = book(
        client=smp_client, practitioner=rota, room=treatment_room, day=tuesday, hour=10
    )
    old_start = appointment.start
    moved = appointment_reschedule(
        appointment=appointment,
        by=front_desk,
        start=start_at(treatment_room.location, tuesday, 14),
        reason="Client asked",
    )
    assert moved.start == start_at(treatment_room.location, tuesday, 14)
    assert moved.end - moved.start == timedelta(minutes=45)
    change = moved.changes.get(kind=AppointmentChange.Kind.RESCHEDULED)
    assert change.from_start == old_start
    assert change.to_start == moved.start
    assert change.detail == "Client asked"
    assert change.by == front_desk


def test_rescheduling_onto_a_taken_slot_is_refused_and_changes_nothing(
    rota, smp_client, treatment_room, tuesday, location, front_desk
):
    first = book(client=smp_client, practitioner=rota, room=treatment_room, day=tuesday, hour=10)
    other = book(
        client=make_client(location=location),
        practitioner=rota,
        room=treatment_room,
        day=tuesday,
        hour=14,
    )
    with pytest.raises(ValidationError, match="already booked"):
        appointment_reschedule(appointment=other, by=front_desk, start=first.start)
    other.refresh_from_db()
    assert other.start == start_at(location, tuesday, 14)


def test_check_in_start_complete_on_the_day(rota, smp_client, treatment_room, front_desk, tuesday):
    import time_machine

    appointment = book(
        client=smp_client, practitioner=rota, room=treatment_room, day=tuesday, hour=10
    )
    with time_machine.travel(start_at(treatment_room.location, tuesday, 9, 50)):
        with pytest.raises(ValidationError, match="cannot become completed"):
            appointment_set_status(appointment=appointment, by=rota, status="completed")
        with pytest.raises(ValidationError, match="once its start time has passed"):
            appointment_set_status(appointment=appointment, by=front_desk, status="no_show")
        appointment_set_status(appointment=appointment, by=front_desk, status="checked_in")
        appointment_set_status(appointment=appointment, by=rota, status="in_progress")
        appointment_set_status(appointment=appointment, by=rota, status="completed")
    appointment.refresh_from_db()
    assert appointment.status == "completed"
    assert appointment.checked_in_at is not None
    assert list(appointment.changes.filter(kind="status").values_list("to_status", flat=True)) == [
        "checked_in",
        "in_progress",
        "completed",
    ]


def test_the_page_offers_the_next_steps_of_the_day_in_order(
    rota, smp_client, treatment_room, front_desk, tuesday
):
    import time_machine

    appointment = book(
        client=smp_client, practitioner=rota, room=treatment_room, day=tuesday, hour=10
    )
    # Cancelling is offered on its own page, with a reason.
    assert allowed_transitions(appointment) == ["confirmed", "checked_in", "no_show"]
    with time_machine.travel(start_at(treatment_room.location, tuesday, 9, 50)):
        appointment = appointment_set_status(
            appointment=appointment, by=front_desk, status="checked_in"
        )
        assert allowed_transitions(appointment) == ["in_progress", "completed"]
        appointment = appointment_set_status(appointment=appointment, by=rota, status="completed")
    assert allowed_transitions(appointment) == []


def test_check_in_is_refused_on_another_day(rota, smp_client, treatment_room, front_desk, tuesday):
    appointment = book(
        client=smp_client, practitioner=rota, room=treatment_room, day=tuesday, hour=10
    )
    with pytest.raises(ValidationError, match="on the day of their appointment"):
        appointment_set_status(appointment=appointment, by=front_desk, status="checked_in")


def test_a_no_show_frees_the_slot_and_a_late_arrival_takes_it_back(
    rota, smp_client, treatment_room, front_desk, tuesday, location
):
    import time_machine

    appointment = book(
        client=smp_client, practitioner=rota, room=treatment_room, day=tuesday, hour=10
    )
    with time_machine.travel(start_at(location, tuesday, 10, 20)):
        appointment_set_status(appointment=appointment, by=front_desk, status="no_show")
        appointment_set_status(appointment=appointment, by=front_desk, status="checked_in")
    appointment.refresh_from_db()
    assert appointment.status == "checked_in"


def test_a_course_numbers_its_sessions_by_date(
    rota, smp_client, treatment_room, front_desk, tuesday, monkeypatch
):
    from scheduling.services import course_create

    monkeypatch.setattr("scheduling.services._check_clinical_clearance", lambda **kwargs: None)
    course = course_create(client=smp_client, by=front_desk, planned_sessions=3)
    third = book(
        client=smp_client,
        practitioner=rota,
        room=treatment_room,
        day=tuesday + timedelta(weeks=4),
        hour=9,
        minute=15,
        kind="session",
        course=course,
    )
    first = book(
        client=smp_client,
        practitioner=rota,
        room=treatment_room,
        day=tuesday,
        hour=9,
        minute=15,
        kind="session",
        course=course,
    )
    second = book(
        client=smp_client,
        practitioner=rota,
        room=treatment_room,
        day=tuesday + timedelta(weeks=2),
        hour=9,
        minute=15,
        kind="session",
        course=course,
    )
    for appointment, position in ((first, 1), (second, 2), (third, 3)):
        appointment.refresh_from_db()
        assert appointment.course_position == position
    with pytest.raises(ValidationError, match="All 3 planned sessions"):
        book(
            client=smp_client,
            practitioner=rota,
            room=treatment_room,
            day=tuesday + timedelta(weeks=6),
            hour=9,
            minute=15,
            kind="session",
            course=course,
        )
    appointment_cancel(appointment=second, by=front_desk, reason="Clinic rescheduled")
    third.refresh_from_db()
    assert third.course_position == 2


def test_a_practitioner_at_two_locations_cannot_be_in_both_at_once(
    practitioner, smp_client, tuesday, location
):
    new_york = LocationFactory(name="New York Studio", time_zone="America/New_York")
    practitioner.locations.add(new_york)
    give_rota(practitioner, location)
    give_rota(practitioner, new_york)
    london_room = RoomFactory(location=location)
    ny_room = RoomFactory(location=new_york)
    # 10:00 in New York is 15:00 in London (EST, UTC-5) or 14:00/15:00 around DST.
    ny_booking = book(
        client=smp_client, practitioner=practitioner, room=ny_room, day=tuesday, hour=10
    )
    london_local = timezone.localtime(ny_booking.start, location.tz)
    with pytest.raises(ValidationError, match="Priya Patel is already booked"):
        appointment_book(
            by=practitioner,
            client=make_client(location=location),
            appointment_type=appointment_type(),
            practitioner=practitioner,
            room=london_room,
            start=ny_booking.start,
        )
    assert london_local.hour in (14, 15)
    assert timezone.localtime(ny_booking.start, new_york.tz).hour == 10


def test_a_conflict_names_the_other_client_only_to_someone_who_may_see_them(
    rota, smp_client, treatment_room, tuesday, location, other_location, front_desk
):
    """Priya works at both clinics; the front desk of one must not learn who she is seeing
    at the other."""
    rota.locations.add(other_location)
    give_rota(rota, other_location)
    elsewhere = make_client(location=other_location, first_name="Theo", last_name="There")
    book(
        client=elsewhere,
        practitioner=rota,
        room=RoomFactory(location=other_location),
        day=tuesday,
        hour=10,
    )
    with pytest.raises(ValidationError) as refused:
        book(
            client=smp_client,
            practitioner=rota,
            room=treatment_room,
            day=tuesday,
            hour=10,
            by=front_desk,
        )
    message = " ".join(refused.value.messages)
    assert "Priya Patel is already booked for another client's consultation" in message
    assert "Theo" not in message
    with pytest.raises(ValidationError, match="Theo There's consultation"):
        book(client=smp_client, practitioner=rota, room=treatment_room, day=tuesday, hour=10)


def test_a_week_of_working_hours_is_saved_whole_or_not_at_all(rota, location):
    from scheduling.models import WorkingHours
    from scheduling.services import working_hours_set_week

    def week_at(where):
        return sorted(
            WorkingHours.objects.filter(practitioner=rota, location=where).values_list(
                "weekday", "start", "end"
            )
        )

    before = week_at(location)
    with pytest.raises(ValidationError, match="Wednesday: Two shifts on the same day overlap"):
        working_hours_set_week(
            practitioner=rota,
            location=location,
            week={
                0: [(time(10), time(14))],
                1: [],
                2: [(time(9), time(13)), (time(12), time(17))],
                3: [(time(10), time(14))],
            },
        )
    # Monday and Tuesday came before the refused Wednesday: they are untouched too.
    assert week_at(location) == before

    working_hours_set_week(
        practitioner=rota, location=location, week={0: [(time(10), time(14))], 1: []}
    )
    after = week_at(location)
    assert (0, time(10), time(14)) in after
    assert not [row for row in after if row[0] == 1]
