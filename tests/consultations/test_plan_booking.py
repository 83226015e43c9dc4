"""Booking a treatment plan's course where the person booking works (so they see what they
booked), and the plan's price in the clinic's currency."""

from datetime import time

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clients.services import client_link_location
from consultations import services
from consultations.models import TreatmentPlan
from scheduling.models import Appointment, Course
from smp_clinic.lib.tz import local_datetime
from tests.factories import RoomFactory, give_rota, make_consultation, make_staff, next_weekday


@pytest.fixture
def plan(smp_client, practitioner, location):
    give_rota(practitioner, location)
    RoomFactory(location=location, name="Treatment room")
    return make_consultation(client=smp_client, practitioner=practitioner).plan


@pytest.fixture
def northside(other_location):
    """The other location, with a practitioner on its rota and a treatment room."""
    colleague = make_staff(
        role="practitioner", locations=[other_location], email="nia@example.test"
    )
    give_rota(colleague, other_location)
    RoomFactory(location=other_location, name="North room")
    return other_location


def book_url(plan) -> str:
    return reverse("consultations:plan_book", args=[plan.consultation.public_id])


def proposed(response) -> list[str]:
    return [
        f"{p.slot.start.isoformat()}|{p.slot.practitioner.public_id}|{p.slot.room.public_id}"
        for p in response.context["proposals"]
    ]


def test_a_desk_at_another_location_books_the_course_where_it_works(
    client, plan, smp_client, northside
):
    """The client's home is Central; a Northside desk that knows them books at Northside,
    and then sees the sessions on its own calendar."""
    client_link_location(client=smp_client, location=northside)
    desk = make_staff(role="front_desk", locations=[northside], email="north-desk@example.test")
    client.force_login(desk)
    page = client.get(book_url(plan))
    assert page.context["location"] == northside
    assert "Northside Clinic" in page.content.decode()
    assert 'id="plan-location"' not in page.content.decode()  # one location: no choice
    response = client.post(
        book_url(plan), {"location": str(northside.public_id), "session": proposed(page)}
    )
    assert response.status_code == 302
    booked = Appointment.objects.filter(course__treatment_plan=plan)
    assert {a.location_id for a in booked} == {northside.pk}
    day = booked.order_by("start").first()
    calendar = client.get(
        reverse("scheduling:day"),
        {"location": str(northside.public_id), "date": f"{day.start:%Y-%m-%d}"},
    )
    assert "Sam Carter" in calendar.content.decode()


def test_someone_at_two_locations_chooses_where_to_book(client, plan, location, northside):
    desk = make_staff(role="front_desk", locations=[location, northside], email="both@example.test")
    client.force_login(desk)
    first = client.get(book_url(plan))
    assert first.context["location"] == location  # the client's home comes first
    assert 'id="plan-location"' in first.content.decode()
    chosen = client.get(book_url(plan), {"location": str(northside.public_id)})
    assert chosen.context["location"] == northside
    assert {p.slot.room.location_id for p in chosen.context["proposals"]} == {northside.pk}


def test_a_location_the_user_does_not_work_at_is_refused(client, front_desk, plan, northside):
    client.force_login(front_desk)
    asked = client.get(book_url(plan), {"location": str(northside.public_id)})
    assert "You do not work at that location" in asked.content.decode()
    assert asked.context["location"] != northside
    north_room = northside.rooms.get()
    proposals = client.get(book_url(plan)).context["proposals"]
    forged = [
        f"{p.slot.start.isoformat()}|{p.slot.practitioner.public_id}|{north_room.public_id}"
        for p in proposals
    ]
    refused = client.post(book_url(plan), {"location": str(northside.public_id), "session": forged})
    assert "You do not work at that location" in refused.content.decode()
    assert not Course.objects.exists()


def test_the_service_refuses_sessions_at_a_location_the_booker_cannot_see(
    front_desk, plan, northside
):
    from scheduling.models import AppointmentType
    from scheduling.selectors import practitioners_at

    room = northside.rooms.get()
    practitioner = practitioners_at(northside).get()
    start = local_datetime(next_weekday(1), time(10), northside.tz)
    with pytest.raises(ValidationError, match="You do not work at Northside Clinic"):
        services.plan_book_course(
            plan=plan,
            by=front_desk,
            appointment_type=AppointmentType.objects.get(kind="session"),
            sessions=[(start, practitioner, room)],
        )
    assert not Course.objects.exists()


def test_with_no_open_location_the_booking_page_says_so(client, plan, smp_client):
    from locations.models import Location

    boss = make_staff(role="manager", locations=[], email="boss@example.test")
    boss.all_locations = True
    boss.save(update_fields=["all_locations"])
    Location.objects.update(is_active=False)
    client.force_login(boss)
    response = client.get(book_url(plan), follow=True)
    assert "You work at no open location" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("clients:detail", args=[smp_client.public_id])


def test_a_plan_is_quoted_in_the_clinics_currency_and_keeps_it(
    client, smp_client, practitioner, settings
):
    settings.CLINIC_CURRENCY = "EUR"
    consultation = make_consultation(client=smp_client, practitioner=practitioner)
    plan = consultation.plan
    assert plan.currency == "EUR"
    TreatmentPlan.objects.filter(pk=plan.pk).update(price="1450.00")
    settings.CLINIC_CURRENCY = "USD"
    client.force_login(practitioner)
    page = client.get(reverse("consultations:detail", args=[consultation.public_id]))
    assert "1450.00 EUR" in page.content.decode()
    plan.refresh_from_db()
    assert plan.currency == "EUR"


def test_a_currency_that_is_not_iso_4217_is_refused_on_the_plan(plan):
    plan.currency = "XYZ"
    with pytest.raises(ValidationError, match="not an ISO 4217 currency code"):
        plan.full_clean()
