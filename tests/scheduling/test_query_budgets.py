"""Query budgets of the scheduling pages not pinned elsewhere: each costs the same with a
few rows and with many (the day, week and appointments tab are in test_views.py)."""

from datetime import time, timedelta
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from scheduling.models import AppointmentType
from scheduling.services import appointment_reschedule, appointment_set_status, time_off_add
from smp_clinic.lib.tz import local_datetime
from tests.factories import LocationFactory, RoomFactory, make_appointment, make_client
from tests.query_budget import queries_before_and_after


@pytest.fixture
def booked(rota, smp_client, treatment_room, tuesday):
    return make_appointment(
        client=smp_client, practitioner=rota, room=treatment_room, day=tuesday, at=time(9)
    )


def test_the_appointment_page_costs_the_same_after_many_changes(
    client, front_desk, booked, location, tuesday
):
    client.force_login(front_desk)
    url = reverse("scheduling:appointment", args=[booked.public_id])

    def move_it_around():
        for hour in (11, 14, 10, 15, 12, 16):
            appointment_reschedule(
                appointment=booked,
                by=front_desk,
                start=local_datetime(tuesday, time(hour), location.tz),
                reason=f"Asked for {hour}:00",
            )
        appointment_set_status(appointment=booked, by=front_desk, status="confirmed")

    few, many, response = queries_before_and_after(client, url, move_it_around)
    # session, user, location ids, the appointment (everything joined), its changes with
    # their authors, and who booked it
    assert (few, many) == (6, 6)
    assert len(response.context["changes"]) == 8


def test_the_client_picker_costs_the_same_for_one_match_or_a_full_list(
    client, front_desk, location
):
    make_client(location=location, first_name="Quinn", last_name="Harper")
    client.force_login(front_desk)
    url = reverse("scheduling:client_picker") + "?q=harper"

    def more_harpers():
        for n in range(12):
            make_client(location=location, first_name=f"Quinn{n}", last_name="Harper")

    few, many, response = queries_before_and_after(client, url, more_harpers)
    # session, user, location ids, the matches (home location joined)
    assert (few, many) == (4, 4)
    assert response.content.decode().count('name="client"') == 8


def test_the_settings_page_costs_the_same_with_more_locations_and_rooms(client, manager, location):
    RoomFactory(location=location)
    client.force_login(manager)

    def open_more_clinics():
        for _ in range(4):
            clinic = LocationFactory()
            manager.locations.add(clinic)
            for _ in range(3):
                RoomFactory(location=clinic)

    few, many, response = queries_before_and_after(
        client, reverse("scheduling:settings"), open_more_clinics
    )
    # session, user, location ids, locations, their rooms, opening hours and staff, the types
    assert (few, many) == (8, 8)
    assert response.content.decode().count('data-testid="settings-location"') == 5


def test_the_location_page_costs_the_same_with_more_rooms(client, manager, location):
    RoomFactory(location=location)
    client.force_login(manager)
    url = reverse("scheduling:location_edit", args=[location.public_id])

    def more_rooms():
        for _ in range(8):
            RoomFactory(location=location)

    few, many, response = queries_before_and_after(client, url, more_rooms)
    assert (few, many) == (6, 6)
    assert len(response.context["rooms"]) == 9


def test_the_time_off_page_costs_the_same_with_more_absences(
    client, manager, rota, location, tuesday
):
    def away(weeks: int) -> None:
        start = local_datetime(tuesday + timedelta(weeks=weeks), time(0), location.tz)
        time_off_add(
            practitioner=rota, by=manager, start=start, end=start + timedelta(days=1), kind="sick"
        )

    away(20)
    client.force_login(manager)
    url = reverse("scheduling:time_off") + f"?location={location.public_id}"
    few, many, response = queries_before_and_after(
        client, url, lambda: [away(weeks) for weeks in range(21, 31)]
    )
    assert (few, many) == (6, 6)
    assert len(response.context["upcoming"]) == 11


def test_the_calendar_feed_costs_the_same_with_more_appointments(
    client, rota, treatment_room, tuesday
):
    def book(weeks) -> None:
        for week in weeks:
            make_appointment(
                client=make_client(location=treatment_room.location),
                practitioner=rota,
                room=treatment_room,
                day=tuesday + timedelta(weeks=week),
            )

    book(range(1))
    url = reverse("scheduling:feed", args=[rota.feed_token])
    few, many, response = queries_before_and_after(client, url, lambda: book(range(1, 11)))
    # the practitioner by token, the appointments with everything the events show
    assert (few, many) == (2, 2)
    assert response.content.decode().count("BEGIN:VEVENT") == 11


def test_the_slot_finder_costs_the_same_on_a_busier_fortnight(
    client, front_desk, rota, treatment_room, location, tuesday
):
    def book(hours) -> None:
        for hour in hours:
            make_appointment(
                client=make_client(location=location),
                practitioner=rota,
                room=treatment_room,
                day=tuesday,
                at=time(hour),
            )

    book([9])
    client.force_login(front_desk)
    consultation = AppointmentType.objects.filter(kind="consultation").first()
    url = (
        reverse("scheduling:slots")
        + "?"
        + urlencode(
            {
                "location": location.public_id,
                "appointment_type": consultation.pk,
                "date_from": tuesday.isoformat(),
                "date_to": (tuesday + timedelta(days=13)).isoformat(),
            }
        )
    )
    few, many, response = queries_before_and_after(client, url, lambda: book(range(10, 17)))
    assert (few, many) == (14, 14)
    assert response.context["found"]
