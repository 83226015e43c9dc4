import re
from datetime import time, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts import services
from scheduling.models import Appointment, AppointmentType, Course, TimeOff, WorkingHours
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


def booking_data(client, practitioner, room, day, at="10:00", kind="consultation", **extra):
    return {
        "client": str(client.public_id),
        "appointment_type": appointment_type(kind).pk,
        "date": day.isoformat(),
        "time": at,
        "practitioner": str(practitioner.public_id),
        "room": str(room.public_id),
        "course": "",
        "notes": "",
        **extra,
    }


@pytest.fixture
def signed_in_front_desk(client, front_desk):
    client.force_login(front_desk)
    return client


def test_front_desk_books_a_consultation_from_the_form(
    signed_in_front_desk, rota, smp_client, treatment_room, tuesday, location
):
    response = signed_in_front_desk.post(
        reverse("scheduling:book") + f"?location={location.public_id}",
        booking_data(smp_client, rota, treatment_room, tuesday),
    )
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.client == smp_client
    assert appointment.start == local_datetime(tuesday, time(10), location.tz)
    page = signed_in_front_desk.get(response.url)
    content = page.content.decode()
    assert "Booked consultation for Sam Carter with Priya Patel" in content
    assert 'data-testid="cal-appointment"' in content


def test_an_htmx_booking_redirects_the_page_and_a_conflict_stays_in_the_dialog(
    signed_in_front_desk, rota, smp_client, treatment_room, second_room, tuesday, location
):
    url = reverse("scheduling:book") + f"?location={location.public_id}"
    first = signed_in_front_desk.post(
        url,
        booking_data(smp_client, rota, treatment_room, tuesday),
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="app-modal-content",
    )
    assert first.status_code == 204
    assert first["HX-Redirect"].startswith(reverse("scheduling:day"))
    other = make_client(location=location, first_name="Jo", last_name="Blake")
    second = signed_in_front_desk.post(
        url,
        booking_data(other, rota, second_room, tuesday, at="10:15"),
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="app-modal-content",
    )
    assert second.status_code == 200
    content = second.content.decode()
    assert "modal-header" in content
    assert "<html" not in content
    assert "Priya Patel is already booked for Sam Carter&#x27;s consultation" in content
    assert Appointment.objects.count() == 1


def _refresh_slot(browser, location, **data):
    return browser.post(
        reverse("scheduling:book") + f"?location={location.public_id}&refresh=slot",
        data,
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="booking-slot",
    )


def _selected_room(content: str) -> str | None:
    match = re.search(r'<option value="([^"]*)" selected>', content)
    return match.group(1) if match else None


def _held_by_a_colleague(colleague, room, day, at):
    """Another practitioner's client holds ``room`` from ``at``."""
    return make_appointment(
        client=make_client(location=room.location),
        practitioner=colleague,
        room=room,
        day=day,
        at=at,
    )


def test_changing_the_dialogs_type_checks_the_room_and_the_end_time_again(
    signed_in_front_desk, rota, smp_client, treatment_room, second_room, tuesday, location
):
    colleague = make_staff(role="practitioner", locations=[location])
    _held_by_a_colleague(colleague, treatment_room, tuesday, time(12))
    slot = {
        "date": tuesday.isoformat(),
        "time": "10:00",
        "practitioner": str(rota.public_id),
        "room": str(treatment_room.public_id),
    }
    consultation = _refresh_slot(
        signed_in_front_desk, location, appointment_type=appointment_type().pk, **slot
    )
    content = consultation.content.decode()
    assert "<html" not in content
    assert content.lstrip().startswith('<div class="col-md-6" id="booking-slot">')
    assert _selected_room(content) == str(treatment_room.public_id)
    assert "Ends at 10:45; the room is held 10:00–11:00 with preparation and clean-up." in content
    # A four-hour session with its buffers reaches the noon appointment in room 1.
    session = _refresh_slot(
        signed_in_front_desk, location, appointment_type=appointment_type("session").pk, **slot
    ).content.decode()
    assert _selected_room(session) == str(second_room.public_id)
    assert "Treatment room 1 is taken then; Treatment room 2 is free." in session
    assert "Ends at 14:00; the room is held 09:45–14:30" in session
    # With room 2 taken too, the dialog says so instead of leaving the room empty silently.
    _held_by_a_colleague(colleague, second_room, tuesday, time(14))
    none_free = _refresh_slot(
        signed_in_front_desk, location, appointment_type=appointment_type("session").pk, **slot
    ).content.decode()
    assert _selected_room(none_free) in (None, "")
    assert 'data-testid="no-free-room"' in none_free
    assert "No room is free 09:45–14:30" in none_free
    # No time chosen yet: nothing to check, and nothing swapped.
    no_time = _refresh_slot(
        signed_in_front_desk,
        location,
        appointment_type=appointment_type("session").pk,
        **{**slot, "time": ""},
    )
    assert no_time.status_code == 204


def test_the_dialog_opened_from_a_free_cell_says_when_no_room_is_free_for_the_type(
    signed_in_front_desk, rota, treatment_room, tuesday, location
):
    from urllib.parse import quote

    colleague = make_staff(role="practitioner", locations=[location])
    _held_by_a_colleague(colleague, treatment_room, tuesday, time(10, 30))
    start = local_datetime(tuesday, time(10), location.tz).isoformat()
    url = (
        reverse("scheduling:book")
        + f"?location={location.public_id}&start={quote(start)}&practitioner={rota.public_id}"
    )

    def dialog(query=""):
        return signed_in_front_desk.get(
            url + query, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="app-modal-content"
        ).content.decode()

    # No type chosen yet: no end, held span or refusal of a type nobody chose.
    untyped = dialog()
    assert 'data-testid="no-free-room"' not in untyped
    assert 'data-testid="booking-slot-hint"' not in untyped
    consultation = f"&type={appointment_type().pk}"
    assert "No room is free 10:00–11:00" in dialog(consultation)
    # Once that appointment is cancelled, the room is offered with its end time.
    Appointment.objects.update(status="cancelled", cancel_reason="test")
    untyped = dialog()
    assert _selected_room(untyped.split('id="booking-slot"')[1]) == str(treatment_room.public_id)
    assert 'data-testid="booking-slot-hint"' not in untyped
    assert "Ends at 10:45" in dialog(consultation)


def test_setting_the_type_back_to_none_takes_the_rooms_hint_away_and_keeps_the_room(
    signed_in_front_desk, rota, treatment_room, tuesday, location
):
    untyped = _refresh_slot(
        signed_in_front_desk,
        location,
        appointment_type="",
        date=tuesday.isoformat(),
        time="10:00",
        practitioner=str(rota.public_id),
        room=str(treatment_room.public_id),
    ).content.decode()
    assert _selected_room(untyped) == str(treatment_room.public_id)
    assert 'data-testid="booking-slot-hint"' not in untyped


def test_a_booking_without_a_client_asks_for_one_and_keeps_the_answers(
    signed_in_front_desk, rota, treatment_room, tuesday, location
):
    data = booking_data(make_client(location=location), rota, treatment_room, tuesday)
    data.pop("client")
    response = signed_in_front_desk.post(
        reverse("scheduling:book") + f"?location={location.public_id}", data
    )
    content = response.content.decode()
    assert "Choose the client first" in content
    assert f'value="{tuesday.isoformat()}"' in content
    assert Appointment.objects.count() == 0


def test_the_client_search_in_the_booking_form_finds_by_phone(
    signed_in_front_desk, smp_client, location
):
    response = signed_in_front_desk.get(reverse("scheduling:client_picker"), {"q": "07700 900123"})
    assert "Sam Carter" in response.content.decode()


def test_a_skipped_local_time_gets_a_clear_field_error(
    signed_in_front_desk, rota, smp_client, treatment_room, location
):
    from datetime import date

    response = signed_in_front_desk.post(
        reverse("scheduling:book") + f"?location={location.public_id}",
        booking_data(smp_client, rota, treatment_room, date(2027, 3, 28), at="01:30"),
    )
    assert "01:30 does not exist on 28 Mar 2027" in response.content.decode()


def test_check_in_from_the_day_view_returns_to_it(
    client, front_desk, rota, smp_client, treatment_room, tuesday, location
):
    appointment = make_appointment(
        client=smp_client, practitioner=rota, room=treatment_room, day=tuesday
    )
    day_url = reverse("scheduling:day") + f"?location={location.public_id}&date={tuesday}"
    with time_machine.travel(local_datetime(tuesday, time(9, 55), location.tz)):
        # Signed in on the day itself: a session from days earlier would have timed out.
        client.force_login(front_desk)
        response = client.post(
            reverse("scheduling:appointment_status", args=[appointment.public_id]),
            {"status": "checked_in", "next": day_url},
        )
    assert response.url == day_url
    appointment.refresh_from_db()
    assert appointment.status == "checked_in"


@pytest.mark.parametrize("view", ["day", "week"])
def test_an_htmx_check_in_swaps_in_the_calendar_with_the_status_and_the_message(
    client, front_desk, rota, smp_client, treatment_room, tuesday, location, view
):
    """The Check in button swaps the calendar's inside: htmx follows the redirect back to
    the view with its headers, so the view answers with the calendar fragment alone, and the
    confirmation arrives out of band in the page's messages box."""
    appointment = make_appointment(
        client=smp_client, practitioner=rota, room=treatment_room, day=tuesday
    )
    view_url = reverse(f"scheduling:{view}") + f"?location={location.public_id}&date={tuesday}"
    htmx = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "calendar"}
    status_url = reverse("scheduling:appointment_status", args=[appointment.public_id])
    with time_machine.travel(local_datetime(tuesday, time(9, 55), location.tz)):
        client.force_login(front_desk)
        page = client.get(view_url).content.decode()
        assert f'action="{status_url}"' in page
        response = client.post(
            status_url, {"status": "checked_in", "next": view_url}, follow=True, **htmx
        )
        again = client.post(
            status_url, {"status": "checked_in", "next": view_url}, follow=True, **htmx
        )
    content = response.content.decode()
    assert response.redirect_chain == [(view_url, 302)]
    assert "<html" not in content
    # The fragment is what goes inside <div id="calendar">, not a second one of it.
    assert 'id="calendar"' not in content
    assert 'data-testid="calendar-grid"' in content
    card = content[content.index('data-testid="cal-appointment"') :]
    assert "Checked in" in card[: card.index("</div>")]
    assert f'action="{status_url}"' not in content
    assert '<div id="messages" aria-live="polite" hx-swap-oob="true">' in content
    assert "Sam Carter: checked in." in content
    appointment.refresh_from_db()
    assert appointment.status == "checked_in"
    # A refused second click keeps the calendar and says why, in the same box.
    refused = again.content.decode()
    assert 'data-testid="calendar-grid"' in refused
    assert "A checked in appointment cannot become checked in." in refused


def test_an_unsafe_next_url_is_ignored(
    signed_in_front_desk, rota, smp_client, treatment_room, tuesday
):
    appointment = make_appointment(
        client=smp_client, practitioner=rota, room=treatment_room, day=tuesday
    )
    response = signed_in_front_desk.post(
        reverse("scheduling:appointment_status", args=[appointment.public_id]),
        {"status": "confirmed", "next": "https://evil.example/"},
    )
    assert response.url == reverse("scheduling:appointment", args=[appointment.public_id])


def test_front_desk_cannot_complete_an_appointment(
    signed_in_front_desk, rota, smp_client, treatment_room, tuesday
):
    appointment = make_appointment(
        client=smp_client, practitioner=rota, room=treatment_room, day=tuesday
    )
    response = signed_in_front_desk.post(
        reverse("scheduling:appointment_status", args=[appointment.public_id]),
        {"status": "completed"},
    )
    assert response.status_code == 403


def test_cancel_form_requires_details_for_other(
    signed_in_front_desk, rota, smp_client, treatment_room, tuesday
):
    appointment = make_appointment(
        client=smp_client, practitioner=rota, room=treatment_room, day=tuesday
    )
    url = reverse("scheduling:appointment_cancel", args=[appointment.public_id])
    response = signed_in_front_desk.post(url, {"reason_choice": "Other", "details": ""})
    assert "Say what the reason is" in response.content.decode()
    response = signed_in_front_desk.post(
        url, {"reason_choice": "Client cancelled", "details": "moving house"}
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.cancel_reason == "Client cancelled: moving house"


def test_reschedule_form_moves_and_reports_conflicts(
    signed_in_front_desk, rota, smp_client, treatment_room, tuesday, location
):
    first = make_appointment(
        client=smp_client, practitioner=rota, room=treatment_room, day=tuesday, at=time(10)
    )
    second = make_appointment(
        client=make_client(location=location),
        practitioner=rota,
        room=treatment_room,
        day=tuesday,
        at=time(14),
    )
    url = reverse("scheduling:appointment_reschedule", args=[second.public_id])
    data = {
        "date": tuesday.isoformat(),
        "time": "10:00",
        "practitioner": str(rota.public_id),
        "room": str(treatment_room.public_id),
    }
    refused = signed_in_front_desk.post(url, data)
    assert "already booked" in refused.content.decode()
    moved = signed_in_front_desk.post(url, {**data, "time": "15:30", "reason": "Client asked"})
    assert moved.status_code == 302
    second.refresh_from_db()
    assert second.start == local_datetime(tuesday, time(15, 30), location.tz)
    history = signed_in_front_desk.get(
        reverse("scheduling:appointment", args=[second.public_id])
    ).content.decode()
    assert "Moved from" in history
    assert "Client asked" in history
    assert first.pk != second.pk


def test_course_plan_books_all_proposed_sessions(
    signed_in_front_desk, rota, smp_client, treatment_room, location, monkeypatch
):
    monkeypatch.setattr("scheduling.services._check_clinical_clearance", lambda **kwargs: None)
    from tests.factories import next_weekday

    params = {
        "location": str(location.public_id),
        "appointment_type": appointment_type("session").pk,
        "sessions": 3,
        "min_interval_days": 10,
        "max_interval_days": 30,
        "first_from": next_weekday(0).isoformat(),
        "preferred_time": "09:30",
    }
    url = reverse("scheduling:course_plan", args=[smp_client.public_id])
    proposal_page = signed_in_front_desk.get(url, params)
    sessions = proposal_page.context["proposals"]
    assert len(sessions) == 3
    assert all(p.slot for p in sessions)
    chosen = [
        f"{p.slot.start.isoformat()}|{p.slot.practitioner.public_id}|{p.slot.room.public_id}"
        for p in sessions
    ]
    response = signed_in_front_desk.post(
        url + f"?location={location.public_id}", {**params, "session": chosen, "confirm": "1"}
    )
    assert response.status_code == 302
    course = Course.objects.get(client=smp_client)
    assert list(
        course.appointments.order_by("start").values_list("course_position", flat=True)
    ) == [1, 2, 3]


def test_course_booking_refuses_a_tampered_interval(
    signed_in_front_desk, rota, smp_client, treatment_room, location, monkeypatch
):
    monkeypatch.setattr("scheduling.services._check_clinical_clearance", lambda **kwargs: None)
    from tests.factories import next_weekday

    day = next_weekday(1)
    starts = [
        local_datetime(day, time(9, 30), location.tz),
        local_datetime(day.replace(day=day.day), time(9, 30), location.tz),
    ]
    from datetime import timedelta

    starts[1] = starts[0] + timedelta(days=2)
    params = {
        "appointment_type": appointment_type("session").pk,
        "sessions": 2,
        "min_interval_days": 10,
        "max_interval_days": 30,
        "first_from": day.isoformat(),
        "confirm": "1",
        "session": [f"{s.isoformat()}|{rota.public_id}|{treatment_room.public_id}" for s in starts],
    }
    response = signed_in_front_desk.post(
        reverse("scheduling:course_plan", args=[smp_client.public_id])
        + f"?location={location.public_id}",
        params,
    )
    assert "Session 2 is 2 days after the one before" in response.content.decode()
    assert not Course.objects.exists()
    assert not Appointment.objects.exists()


def test_slot_finder_page_lists_bookable_slots(
    signed_in_front_desk, rota, treatment_room, tuesday, location
):
    response = signed_in_front_desk.get(
        reverse("scheduling:slots"),
        {
            "location": str(location.public_id),
            "appointment_type": appointment_type("consultation").pk,
            "date_from": tuesday.isoformat(),
            "date_to": tuesday.isoformat(),
        },
    )
    content = response.content.decode()
    assert 'data-testid="slot-results"' in content
    assert "09:00–09:45" in content


def test_slot_finder_reports_a_backwards_range(signed_in_front_desk, rota, tuesday, location):
    response = signed_in_front_desk.get(
        reverse("scheduling:slots"),
        {
            "appointment_type": appointment_type("consultation").pk,
            "date_from": tuesday.isoformat(),
            "date_to": "2000-01-01",
        },
    )
    assert "The end of the range is before its start" in response.content.decode()


def test_the_feed_lists_the_practitioners_appointments_without_notes(
    client, rota, smp_client, treatment_room, tuesday
):
    make_appointment(
        client=smp_client,
        practitioner=rota,
        room=treatment_room,
        day=tuesday,
        notes="Allergic to latex",
    )
    response = client.get(reverse("scheduling:feed", args=[rota.feed_token]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "BEGIN:VCALENDAR" in body
    assert "BEGIN:VEVENT" in body
    assert "SUMMARY:Consultation: Sam C." in body
    assert "latex" not in body
    assert "Carter" not in body


def test_regenerating_the_feed_revokes_the_old_address(client, rota):
    old = rota.feed_token
    client.force_login(rota)
    client.post(reverse("scheduling:feed_regenerate"))
    rota.refresh_from_db()
    assert rota.feed_token != old
    assert client.get(reverse("scheduling:feed", args=[old])).status_code == 404
    assert client.get(reverse("scheduling:feed", args=[rota.feed_token])).status_code == 200


def test_a_deactivated_practitioners_feed_stays_dead_after_reactivation(client, rota, manager):
    old = rota.feed_token
    services.user_deactivate(user=rota, by=manager)
    assert client.get(reverse("scheduling:feed", args=[old])).status_code == 404
    services.user_reactivate(user=rota, by=manager)
    assert client.get(reverse("scheduling:feed", args=[old])).status_code == 404


@pytest.mark.usefixtures("within_one_rate_window")
def test_the_feed_is_rate_limited_per_address(client, rota):
    url = reverse("scheduling:feed", args=[rota.feed_token])
    statuses = [client.get(url).status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429


def test_manager_sets_working_hours_and_overlaps_are_refused(
    client, manager, practitioner, location
):
    client.force_login(manager)
    url = (
        reverse("scheduling:working_hours", args=[practitioner.public_id])
        + f"?location={location.public_id}"
    )
    bad = client.post(
        url, {"d0_start1": "09:00", "d0_end1": "13:00", "d0_start2": "12:00", "d0_end2": "17:00"}
    )
    assert "the two shifts overlap" in bad.content.decode()
    assert not WorkingHours.objects.filter(practitioner=practitioner).exists()
    good = client.post(
        url, {"d0_start1": "09:00", "d0_end1": "13:00", "d0_start2": "14:00", "d0_end2": "18:00"}
    )
    assert good.status_code == 302
    assert list(
        WorkingHours.objects.filter(practitioner=practitioner).values_list("start", "end")
    ) == [
        (time(9), time(13)),
        (time(14), time(18)),
    ]


def test_a_day_refused_half_way_through_the_week_leaves_the_whole_week_as_it_was(
    client, manager, rota, location, monkeypatch
):
    """The form catches what it can; a refusal it cannot foresee (the service's own checks)
    on Thursday must not leave Monday to Wednesday already replaced."""
    from django.core.exceptions import ValidationError

    from scheduling import services as scheduling_services

    real = scheduling_services.working_hours_set

    def refuse_thursday(*, weekday, **kwargs):
        if weekday == 3:
            raise ValidationError("A shift must end after it starts.")
        real(weekday=weekday, **kwargs)

    monkeypatch.setattr(scheduling_services, "working_hours_set", refuse_thursday)
    before = sorted(
        WorkingHours.objects.filter(practitioner=rota).values_list("weekday", "start", "end")
    )
    client.force_login(manager)
    url = (
        reverse("scheduling:working_hours", args=[rota.public_id])
        + f"?location={location.public_id}"
    )
    week = {f"d{day}_start1": "07:00" for day in range(5)} | {
        f"d{day}_end1": "12:00" for day in range(5)
    }
    response = client.post(url, week)
    assert response.status_code == 200
    assert "Thursday: A shift must end after it starts." in response.content.decode()
    assert (
        sorted(
            WorkingHours.objects.filter(practitioner=rota).values_list("weekday", "start", "end")
        )
        == before
    )


def test_time_off_over_booked_appointments_is_refused(
    client, front_desk, rota, smp_client, treatment_room, tuesday, location
):
    make_appointment(client=smp_client, practitioner=rota, room=treatment_room, day=tuesday)
    client.force_login(front_desk)
    response = client.post(
        reverse("scheduling:time_off") + f"?location={location.public_id}",
        {
            "practitioner": str(rota.public_id),
            "kind": "sick",
            "start_date": tuesday.isoformat(),
            "end_date": tuesday.isoformat(),
        },
    )
    assert "has 1 appointment booked in that period" in response.content.decode()
    assert not TimeOff.objects.exists()


def test_manager_edits_a_type_with_validation(client, manager):
    client.force_login(manager)
    session = AppointmentType.objects.get(kind="session")
    url = reverse("scheduling:type_edit", args=[session.public_id])
    bad = client.post(
        url,
        {
            "name": "Session",
            "duration_minutes": 2,
            "buffer_before_minutes": 200,
            "buffer_after_minutes": 0,
            "is_active": "on",
        },
    )
    content = bad.content.decode()
    assert "Between 5 minutes and 10 hours" in content
    assert "At most 120 minutes" in content
    client.post(
        url,
        {
            "name": "Session",
            "duration_minutes": 210,
            "buffer_before_minutes": 15,
            "buffer_after_minutes": 30,
            "is_active": "on",
        },
    )
    session.refresh_from_db()
    assert session.duration_minutes == 210


def test_manager_creates_a_location_with_hours_and_a_room(client, manager):
    client.force_login(manager)
    response = client.post(
        reverse("scheduling:location_create"),
        {
            "loc-name": "Harbour Clinic",
            "loc-time_zone": "Europe/Dublin",
            "loc-is_active": "on",
            "hours-d0_start1": "10:00",
            "hours-d0_end1": "16:00",
        },
    )
    assert response.status_code == 302
    from locations.models import Location

    harbour = Location.objects.get(name="Harbour Clinic")
    assert list(harbour.opening_hours.values_list("weekday", "opens", "closes")) == [
        (0, time(10), time(16))
    ]
    assert manager.locations.filter(pk=harbour.pk).exists()
    client.post(
        reverse("scheduling:room_create", args=[harbour.public_id]),
        {"name": "Room A", "is_active": "on"},
    )
    duplicate = client.post(
        reverse("scheduling:room_create", args=[harbour.public_id]),
        {"name": "Room A", "is_active": "on"},
    )
    assert "already has a room called Room A" in duplicate.content.decode()


@pytest.mark.parametrize("by", ["practitioner", "room"])
@pytest.mark.parametrize("extra", [1, 12])
def test_day_view_query_count_is_constant(
    client, front_desk, rota, location, tuesday, extra, by, django_assert_num_queries
):
    rooms = [RoomFactory(location=location, name=f"Room {n}") for n in (1, 2, 3)]
    others = [make_staff(role="practitioner", locations=[location]) for _ in range(2)]
    for person in others:
        give_rota(person, location)
    people = [rota, *others]
    for i in range(extra):
        make_appointment(
            client=make_client(location=location),
            practitioner=people[i % 3],
            room=rooms[i % 3],
            day=tuesday,
            at=time(9 + (i // 3) * 2),
        )
    client.force_login(front_desk)
    url = reverse("scheduling:day") + f"?date={tuesday}&by={by}"
    # session, user, location ids, locations, opening hours, appointments, shifts, then
    # practitioners and their time off, or by room the rooms alone
    with django_assert_num_queries({"practitioner": 9, "room": 8}[by]):
        response = client.get(url)
    html = response.content.decode()
    assert html.count('data-testid="cal-appointment"') == extra
    titles = re.findall(r'data-testid="cal-column-title">\s*<div class="cal-title">([^<]+)<', html)
    if by == "room":
        assert titles == ["Room 1", "Room 2", "Room 3"]
    else:
        assert sorted(titles) == sorted(person.full_name for person in people)


@pytest.mark.parametrize("extra", [1, 10])
def test_week_view_query_count_is_constant(
    client, practitioner, rota, location, tuesday, extra, django_assert_num_queries
):
    room = RoomFactory(location=location)
    from datetime import timedelta

    for i in range(extra):
        make_appointment(
            client=make_client(location=location),
            practitioner=rota,
            room=room,
            day=tuesday + timedelta(days=i % 4),
            at=time(9 + (i // 4) * 2),
        )
    client.force_login(practitioner)
    url = reverse("scheduling:week") + f"?date={tuesday}"
    # session, user, location ids, locations, practitioners, opening hours,
    # appointments, shifts, time off
    with django_assert_num_queries(9):
        response = client.get(url)
    assert response.content.decode().count('data-testid="cal-appointment"') == extra


def _past_weekday(weeks_ago: int):
    from datetime import timedelta

    from django.utils import timezone

    return next_weekday(1, after=timezone.localdate() - timedelta(weeks=weeks_ago + 1))


@pytest.mark.parametrize("extra", [1, 5])
def test_client_appointments_tab_query_count_is_constant(
    client, front_desk, rota, smp_client, location, tuesday, extra, django_assert_num_queries
):
    from datetime import timedelta

    from scheduling.services import course_create

    room = RoomFactory(location=location)
    course = course_create(client=smp_client, by=rota, planned_sessions=6)
    for i in range(extra):
        make_appointment(
            client=smp_client, practitioner=rota, room=room, day=tuesday + timedelta(weeks=i)
        )
        make_appointment(
            client=smp_client,
            practitioner=rota,
            room=room,
            kind="session",
            day=_past_weekday(i),
            course=course,
            allow_past=True,
        )
    client.force_login(front_desk)
    url = reverse("clients:section", args=[smp_client.public_id, "appointments"])
    # session, user, location ids, client, flag banner (latest intake; no flags without
    # one), consent line, notices (a plan to book), upcoming, past (count, page),
    # appointments at other locations, courses, their sessions (prefetch)
    with django_assert_num_queries(13):
        response = client.get(url)
    content = response.content.decode()
    assert content.count("list-group-item-action") == 2 * extra
    assert content.count("of 6: ") == extra


def test_the_appointments_tab_shows_only_what_the_viewer_may_open_and_counts_the_rest(
    client, front_desk, rota, smp_client, location, other_location, practitioner_elsewhere
):
    from scheduling.services import appointment_cancel, course_create

    course = course_create(client=smp_client, by=rota, planned_sessions=3)
    here = make_appointment(
        client=smp_client,
        practitioner=rota,
        room=RoomFactory(location=location),
        kind="session",
        course=course,
    )
    away_room = RoomFactory(location=other_location, name="Harbour suite")
    away = make_appointment(
        client=smp_client,
        practitioner=practitioner_elsewhere,
        room=away_room,
        kind="session",
        day=next_weekday(1, weeks=2),
        course=course,
    )
    cancelled = make_appointment(
        client=smp_client,
        practitioner=practitioner_elsewhere,
        room=away_room,
        day=next_weekday(3),
    )
    appointment_cancel(appointment=cancelled, by=practitioner_elsewhere, reason="Moved to Leeds")
    client.force_login(front_desk)
    url = reverse("clients:section", args=[smp_client.public_id, "appointments"])
    content = client.get(url).content.decode()
    assert reverse("scheduling:appointment", args=[here.public_id]) in content
    for hidden in (away, cancelled):
        assert str(hidden.public_id) not in content
    for detail in ("Omar Other", "Northside Clinic", "Harbour suite", "Moved to Leeds"):
        assert detail not in content, detail
    assert "2 appointments at other locations, not shown here." in content
    # The course still counts both sessions; the one elsewhere is not dated.
    assert "2 of 3 sessions booked" in content
    assert "1 at another location" in content
    # Where the viewer works everywhere, nothing is held back.
    client.force_login(make_staff(role="manager", locations=[location, other_location]))
    everything = client.get(url).content.decode()
    assert str(away.public_id) in everything
    assert "Moved to Leeds" in everything
    assert "at other locations" not in everything


def test_the_overview_shows_the_next_three_appointments_the_viewer_may_open(
    client, front_desk, rota, smp_client, location, other_location, practitioner_elsewhere
):
    client.force_login(front_desk)
    url = reverse("clients:detail", args=[smp_client.public_id])
    assert "Nothing booked." in client.get(url).content.decode()
    room = RoomFactory(location=location)
    mine = [
        make_appointment(
            client=smp_client, practitioner=rota, room=room, day=next_weekday(2, weeks=week)
        )
        for week in range(4)
    ]
    away = make_appointment(
        client=smp_client,
        practitioner=practitioner_elsewhere,
        room=RoomFactory(location=other_location),
    )
    content = client.get(url).content.decode()
    for shown in mine[:3]:
        assert reverse("scheduling:appointment", args=[shown.public_id]) in content
    assert str(mine[3].public_id) not in content
    assert "More are booked" in content
    assert str(away.public_id) not in content
    assert "Omar Other" not in content


def test_the_appointments_tab_pages_through_the_whole_history(
    client, front_desk, rota, smp_client, location
):
    room = RoomFactory(location=location)
    for weeks_ago in range(30):
        make_appointment(
            client=smp_client,
            practitioner=rota,
            room=room,
            day=_past_weekday(weeks_ago),
            allow_past=True,
        )
    client.force_login(front_desk)
    url = reverse("clients:section", args=[smp_client.public_id, "appointments"])
    first = client.get(url).content.decode()
    assert first.count("list-group-item-action") == 25
    assert "1–25 of 30" in first
    assert 'href="?page=2"' in first
    second = client.get(url, {"page": 2}).content.decode()
    assert second.count("list-group-item-action") == 5
    assert "26–30 of 30" in second
    # The oldest appointment is on the last page.
    assert f"{_past_weekday(29):%a} {_past_weekday(29).day} " in second


def _link(content: str, testid: str) -> str:
    match = re.search(rf'href="([^"]+)" data-testid="{testid}"', content)
    assert match, testid
    return match.group(1).replace("&amp;", "&")


def test_the_client_pages_booking_links_open_at_a_location_the_desk_works_at(
    client, front_desk, smp_client, location, other_location
):
    from clients.services import client_link_location

    client_link_location(client=smp_client, location=other_location)
    section = reverse("clients:section", args=[smp_client.public_id, "appointments"])
    # At the client's home location: the home location.
    client.force_login(front_desk)
    content = client.get(section).content.decode()
    assert f"location={location.public_id}" in _link(content, "book-for-client")
    # A desk at the second location books there; both links open for it.
    client.force_login(make_staff(role="front_desk", locations=[other_location]))
    content = client.get(section).content.decode()
    for testid in ("book-for-client", "plan-course-for-client"):
        url = _link(content, testid)
        assert f"location={other_location.public_id}" in url
        assert client.get(url).status_code == 200, url


def test_a_next_that_is_not_a_url_returns_to_the_appointment(
    signed_in_front_desk, rota, smp_client, treatment_room, tuesday
):
    appointment = make_appointment(
        client=smp_client, practitioner=rota, room=treatment_room, day=tuesday
    )
    response = signed_in_front_desk.post(
        reverse("scheduling:appointment_status", args=[appointment.public_id]),
        {"status": "confirmed", "next": "9999-12-31T23:59"},
    )
    assert response.url == reverse("scheduling:appointment", args=[appointment.public_id])


@pytest.mark.parametrize("handed_over", [False, True])
def test_the_calendars_htmx_messages_wait_while_the_tablet_is_handed_over_as_on_a_page(
    rf, front_desk, handed_over
):
    """The out-of-band messages box follows base.html: staff messages are not shown to a
    client holding the tablet, and stay queued for the hand-back."""
    from django.contrib import messages
    from django.contrib.messages.storage.session import SessionStorage
    from django.contrib.sessions.backends.db import SessionStore
    from django.template.loader import render_to_string
    from django_htmx.middleware import HtmxDetails

    from accounts import handover

    request = rf.get("/calendar/", HTTP_HX_REQUEST="true")
    request.user = front_desk
    request.session = SessionStore()
    request._messages = SessionStorage(request)
    request.htmx = HtmxDetails(request)
    if handed_over:
        handover.start(request, paths=["/form/"], return_to="/", client_name="Sam")
    messages.success(request, "Sam Carter checked in.")
    html = render_to_string("scheduling/includes/messages_oob.html", request=request)
    assert 'id="messages"' in html
    assert ("Sam Carter checked in." in html) is not handed_over
    # Shown messages are spent; unshown ones go back to the session for the next page.
    assert request._messages.used is not handed_over


def test_the_appointment_page_says_how_long_the_room_is_held_and_why(
    client, front_desk, practitioner, smp_client, room
):
    appointment = make_appointment(
        client=smp_client, practitioner=practitioner, room=room, at=time(10)
    )
    with time_machine.travel(appointment.start + timedelta(minutes=20)):
        client.force_login(front_desk)
        page = client.get(reverse("scheduling:appointment", args=[appointment.public_id]))
    content = page.content.decode()
    held = re.search(r'data-testid="appointment-held">(.+?)</dd>', content).group(1)
    start = timezone.localtime(appointment.blocked_start, room.location.tz)
    end = timezone.localtime(appointment.blocked_end, room.location.tz)
    assert re.sub(r"<[^>]+>", "", held) == (
        f"{start:%H:%M}–{end:%H:%M} (with preparation and clean-up)"
    )
    assert '<dt class="col-sm-4">Room held</dt>' in content
    # Yellow on white is too faint to read; red outline is the clinic's mark of a serious step.
    assert re.search(
        r'class="btn btn-outline-danger" type="submit" data-confirm="Mark [^"]+ as a no-show',
        content,
    )


def _week_of(client, user, day):
    client.force_login(user)
    return client.get(reverse("scheduling:week") + f"?date={day}").context["practitioner"]


def test_the_week_opens_on_a_practitioner_with_appointments_not_on_a_manager(
    client, front_desk, manager, rota, smp_client, treatment_room, tuesday, location
):
    """Someone who is not a practitioner here sees the first practitioner with appointments
    that week; a practitioner sees their own week, busy or not; a choice is kept."""
    colleague = make_staff(role="practitioner", locations=[location], full_name="Zoe Young")
    # Before any appointment: the first practitioner, never the manager ahead in the alphabet.
    assert _week_of(client, manager, tuesday) == rota
    make_appointment(client=smp_client, practitioner=colleague, room=treatment_room, day=tuesday)
    assert _week_of(client, manager, tuesday) == colleague
    assert _week_of(client, front_desk, tuesday) == colleague
    assert _week_of(client, rota, tuesday) == rota
    # Another week, where nobody has appointments.
    assert _week_of(client, front_desk, tuesday + timedelta(days=7)) == rota
    chosen = client.get(
        reverse("scheduling:week") + f"?date={tuesday}&practitioner={manager.public_id}"
    )
    assert chosen.context["practitioner"] == manager
