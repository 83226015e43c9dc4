"""The front desk's day in Chromium: a new client, a booking from the day view, the
calendar refusing an overlapping booking for the same practitioner, and checking a client
in from the day view."""

from datetime import time, timedelta

import time_machine
from playwright.sync_api import expect

from locations.models import Room
from scheduling.models import Appointment
from smp_clinic.lib.tz import local_datetime
from tests.factories import RoomFactory, give_rota, make_appointment, next_weekday


def test_front_desk_creates_a_client_books_from_the_day_view_and_is_refused_an_overlap(
    page, sign_in, front_desk, practitioner, location
):
    give_rota(practitioner, location)
    RoomFactory(location=location, name="Consultation room")
    RoomFactory(location=location, name="Treatment room 2")
    day = next_weekday(1)
    sign_in(front_desk)

    page.get_by_test_id("main-nav").get_by_role("link", name="Clients").click()
    page.get_by_role("link", name="New client").click()
    page.get_by_label("First name").fill("Robin")
    page.get_by_label("Last name").fill("Ashdown")
    page.get_by_label("Date of birth").fill("1979-06-02")
    page.get_by_label("Sex (for hair-loss grading)").select_option("male")
    page.get_by_label("Email", exact=True).fill("robin@example.test")
    page.get_by_label("Phone", exact=True).fill("+44 7911 123456")
    page.get_by_role("button", name="Save client").click()
    expect(page.get_by_test_id("client-name")).to_contain_text("Robin Ashdown")

    page.goto(f"/calendar/?date={day.isoformat()}")
    expect(page.get_by_test_id("cal-column-title")).to_contain_text(["Priya Patel"])
    page.get_by_role("link", name="Book Priya Patel at 10:00").click()
    dialog = page.locator("#app-modal")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Find the client").fill("Ashd")
    dialog.get_by_text("Robin Ashdown").click()
    # No type yet: no end time of a type nobody chose.
    expect(dialog.get_by_test_id("booking-slot-hint")).to_have_count(0)
    # Another type holds the room longer: the dialog follows it with the end time.
    with page.expect_response(lambda r: "refresh=slot" in r.url):
        dialog.get_by_label("Type").select_option(label="Pigmentation session")
    expect(dialog.get_by_test_id("booking-slot-hint")).to_contain_text("Ends at 14:00")
    with page.expect_response(lambda r: "refresh=slot" in r.url):
        dialog.get_by_label("Type").select_option(label="Consultation")
    expect(dialog.get_by_label("Room")).to_have_value(
        str(Room.objects.get(name="Consultation room").public_id)
    )
    expect(dialog.get_by_test_id("booking-slot-hint")).to_contain_text("Ends at 10:45")
    # The hint reads as the room field's help text: right under it, as Bootstrap places one.
    room_box = dialog.get_by_label("Room").bounding_box()
    hint_top = dialog.get_by_test_id("booking-slot-hint").bounding_box()["y"]
    assert 0 <= hint_top - (room_box["y"] + room_box["height"]) <= 6
    dialog.get_by_role("button", name="Book", exact=True).click()

    card = page.get_by_test_id("cal-appointment")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Robin Ashdown")
    expect(card).to_contain_text("10:00–10:45")
    expect(page.locator("#messages")).to_contain_text("Booked consultation for Robin Ashdown")

    # Another booking for Priya at 10:15 in the other room overlaps the first one.
    page.get_by_role("link", name="Book", exact=True).click()
    expect(dialog).to_be_visible()
    dialog.get_by_label("Find the client").fill("Robin")
    dialog.get_by_text("Robin Ashdown").click()
    dialog.get_by_label("Type").select_option(label="Consultation")
    dialog.get_by_label("Time").fill("10:15")
    dialog.get_by_label("Practitioner").select_option(label="Priya Patel")
    dialog.get_by_label("Room").select_option(label="Treatment room 2")
    dialog.get_by_role("button", name="Book", exact=True).click()
    expect(dialog.get_by_test_id("form-errors")).to_contain_text(
        "Priya Patel is already booked for Robin Ashdown's consultation"
    )
    assert Appointment.objects.count() == 1


def test_front_desk_checks_a_client_in_from_the_day_view_and_the_calendar_stays(
    page, sign_in, front_desk, practitioner, smp_client, location
):
    day = next_weekday(1)
    appointment = make_appointment(
        client=smp_client,
        practitioner=practitioner,
        room=RoomFactory(location=location, name="Consultation room"),
        day=day,
    )
    with time_machine.travel(local_datetime(day, time(9, 50), location.tz), tick=True):
        sign_in(front_desk)
        page.goto("/calendar/")
        card = page.get_by_test_id("cal-appointment")
        expect(card).to_contain_text("Sam Carter")
        expect(card).to_contain_text("Booked")
        card.get_by_role("button", name="Check in").click()

        expect(page.locator("#messages")).to_contain_text("Sam Carter: checked in.")
        expect(page.get_by_test_id("calendar-grid")).to_be_visible()
        expect(page.get_by_test_id("calendar-day")).to_have_count(1)
        card = page.get_by_test_id("cal-appointment")
        expect(card).to_contain_text("Checked in")
        expect(card.get_by_role("button", name="Check in")).to_have_count(0)
        # Swapped inside the calendar, not nested in a second copy of it.
        expect(page.locator("#calendar #calendar")).to_have_count(0)
        # The calendar keeps working after the swap: the next day loads in place.
        page.get_by_role("link", name="Next day").click()
        after = day + timedelta(days=1)
        expect(page.get_by_test_id("calendar-day")).to_have_text(
            f"{after:%A} {after.day} {after:%B %Y}"
        )
    appointment.refresh_from_db()
    assert appointment.status == "checked_in"


def test_booking_from_the_dialog_logs_no_console_error(
    page, sign_in, front_desk, practitioner, smp_client, location
):
    """Opening the booking dialog, finding the client and booking break no rule of the
    Content Security Policy (no inline style from htmx or the pages) and raise no script error."""
    give_rota(practitioner, location)
    RoomFactory(location=location, name="Consultation room")
    day = next_weekday(1)
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(front_desk)
    page.goto(f"/calendar/?date={day.isoformat()}")
    page.get_by_role("link", name="Book", exact=True).click()
    dialog = page.locator("#app-modal")
    expect(dialog).to_be_visible()
    with page.expect_response(lambda r: "/calendar/book/clients/" in r.url):
        dialog.get_by_label("Find the client").press_sequentially("Cart")
    dialog.get_by_text("Sam Carter").click()
    with page.expect_response(lambda r: "refresh=slot" in r.url):
        dialog.get_by_label("Type").select_option(label="Consultation")
    # Once the type, day and time are known the room is suggested, as from a free slot.
    with page.expect_response(lambda r: "refresh=slot" in r.url):
        dialog.get_by_label("Time").fill("10:00")
        dialog.get_by_label("Time").press("Tab")
    expect(dialog.get_by_label("Room")).to_have_value(
        str(Room.objects.get(name="Consultation room").public_id)
    )
    expect(dialog.get_by_test_id("booking-slot-hint")).to_contain_text("Ends at 10:45")
    dialog.get_by_label("Practitioner").select_option(label="Priya Patel")
    dialog.get_by_role("button", name="Book", exact=True).click()
    expect(page.get_by_test_id("cal-appointment")).to_contain_text("Sam Carter")
    assert errors == []
