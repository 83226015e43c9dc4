from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.models import Client
from clients.search import search_terms
from tests.factories import RoomFactory, make_appointment, make_client


def client_form(location, **overrides):
    return {
        "first_name": "Dana",
        "last_name": "Whitfield",
        "preferred_name": "",
        "date_of_birth": "1980-02-14",
        "sex": "female",
        "pronouns": "",
        "email": "dana@example.test",
        "phone": "+44 7911 123456",
        "address": "",
        "home_location": location.pk,
        "preferred_channel": "email",
        "email_reminders": "on",
        "notes": "",
        **overrides,
    }


@pytest.fixture
def desk(client, front_desk):
    client.force_login(front_desk)
    return client


def test_front_desk_creates_a_client_and_lands_on_the_record(desk, location):
    response = desk.post(reverse("clients:create"), client_form(location))
    created = Client.objects.get(email="dana@example.test")
    assert response.url == reverse("clients:detail", args=[created.public_id])
    assert str(created.phone) == "+447911123456"
    assert created.home_location == location
    assert created.locations.filter(pk=location.pk).exists()
    assert "dana whitfield" in created.search_text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"phone": "12"}, "Enter a valid phone number"),
        (
            {"date_of_birth": (timezone.localdate() + timedelta(days=3)).isoformat()},
            "The date of birth is in the future.",
        ),
        ({"date_of_birth": "1890-01-01"}, "over 110"),
        (
            {"date_of_birth": (timezone.localdate() - timedelta(days=365 * 16)).isoformat()},
            "at least 18 years old",
        ),
        (
            {"email": "", "phone": "", "email_reminders": ""},
            "Give at least an email address or a phone number.",
        ),
        (
            {"email": "", "preferred_channel": "email", "email_reminders": ""},
            "Email is the preferred channel",
        ),
        (
            {"email": "", "preferred_channel": "sms", "email_reminders": "on"},
            "Email reminders need an email address.",
        ),
        ({"first_name": "   "}, "This field is required."),
    ],
)
def test_bad_client_details_get_clear_messages_and_nothing_is_saved(
    desk, location, overrides, message
):
    response = desk.post(reverse("clients:create"), client_form(location, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Client.objects.filter(last_name="Whitfield").exists()


def test_a_likely_duplicate_is_shown_before_a_second_record_is_saved(desk, smp_client, location):
    data = client_form(
        location, first_name="Samuel", last_name="Carter", email="SAM.CARTER@example.test"
    )
    response = desk.post(reverse("clients:create"), data)
    content = response.content.decode()
    assert 'data-testid="duplicate-warning"' in content
    assert "Sam Carter" in content
    assert Client.objects.count() == 1
    confirmed = desk.post(reverse("clients:create"), {**data, "confirm_not_duplicate": "on"})
    assert confirmed.status_code == 302
    assert Client.objects.count() == 2


def test_a_duplicate_at_another_location_is_mentioned_without_details(
    desk, location, other_location
):
    make_client(
        location=other_location, first_name="Hidden", last_name="Person", phone="+447911123456"
    )
    response = desk.post(reverse("clients:create"), client_form(location))
    content = response.content.decode()
    assert "1 client at another location" in content
    assert "Hidden" not in content


def test_editing_keeps_the_record_and_updates_search(desk, smp_client, location):
    response = desk.post(
        reverse("clients:edit", args=[smp_client.public_id]),
        client_form(
            location,
            first_name="Sam",
            last_name="Carter-Jones",
            email="sam.carter@example.test",
            phone="+447911123457",
        ),
    )
    assert response.status_code == 302
    smp_client.refresh_from_db()
    assert smp_client.last_name == "Carter-Jones"
    assert "carter-jones" in smp_client.search_text


@pytest.fixture
def desk_elsewhere(client, smp_client, other_location):
    """A front desk at another location, where the client has been seen too."""
    from accounts.roles import Role
    from clients.services import client_link_location
    from tests.factories import make_staff

    client_link_location(client=smp_client, location=other_location)
    client.force_login(make_staff(role=Role.FRONT_DESK, locations=[other_location]))
    return client


def test_a_desk_elsewhere_editing_a_shared_client_keeps_their_home_location(
    desk_elsewhere, smp_client, location, other_location
):
    url = reverse("clients:edit", args=[smp_client.public_id])
    form = desk_elsewhere.get(url).content.decode()
    # The current home is offered and selected; the desk's own location is offered too.
    assert f'<option value="{location.pk}" selected>Central Clinic</option>' in form
    assert f'<option value="{other_location.pk}">Northside Clinic</option>' in form
    response = desk_elsewhere.post(
        url,
        client_form(
            location,
            first_name="Sam",
            last_name="Carter",
            email="sam.carter@example.test",
            phone="+447911123457",
        ),
    )
    assert response.status_code == 302
    smp_client.refresh_from_db()
    assert smp_client.home_location == location
    assert str(smp_client.phone) == "+447911123457"


def test_a_desk_may_move_a_client_to_its_own_location_but_not_to_one_it_does_not_work_at(
    desk_elsewhere, smp_client, location, other_location
):
    from tests.factories import LocationFactory

    url = reverse("clients:edit", args=[smp_client.public_id])
    details = {"first_name": "Sam", "last_name": "Carter", "email": "sam.carter@example.test"}
    third = LocationFactory(name="Harbour Clinic")
    refused = desk_elsewhere.post(url, client_form(third, **details))
    assert refused.status_code == 200
    assert (
        "Choose one of the locations you work at, or keep the client&#x27;s current home."
        in refused.content.decode()
    )
    smp_client.refresh_from_db()
    assert smp_client.home_location == location
    moved = desk_elsewhere.post(url, client_form(other_location, **details))
    assert moved.status_code == 302
    smp_client.refresh_from_db()
    assert smp_client.home_location == other_location
    # Moved away, the old home is no longer offered to this desk.
    assert f'value="{location.pk}"' not in desk_elsewhere.get(url).content.decode()


def test_a_new_client_can_only_be_homed_at_the_desks_own_locations(desk, other_location):
    response = desk.post(reverse("clients:create"), client_form(other_location))
    assert "Choose one of the locations you work at" in response.content.decode()
    assert not Client.objects.filter(last_name="Whitfield").exists()


@pytest.mark.parametrize(
    "query", ["sam", "CARTER", "sam car", "carter@exa", "07700 900123", "+44 7700 900123", "900123"]
)
def test_search_finds_by_partial_name_email_or_phone_in_any_case(desk, smp_client, query):
    response = desk.get(reverse("clients:list"), {"q": query})
    assert "Sam Carter" in response.content.decode()


def test_search_that_matches_nobody_offers_to_add_the_person(desk, smp_client):
    response = desk.get(reverse("clients:list"), {"q": "Zebedee"})
    content = response.content.decode()
    assert "No clients match" in content
    assert reverse("clients:create") + "?name=Zebedee" in content


def test_an_empty_clinic_says_so(desk, db):
    content = desk.get(reverse("clients:list")).content.decode()
    assert "No clients yet." in content


def test_search_terms_turn_phone_numbers_into_digits():
    assert search_terms("+44 (0)7700-900 123") == ["4407700900123"]
    assert search_terms("Sam  Carter") == ["sam", "carter"]


def test_filters_for_archived_and_upcoming(desk, smp_client, location, practitioner, manager):
    from clients.services import client_archive

    archived = make_client(location=location, first_name="Old", last_name="Timer")
    client_archive(client=archived, by=manager)
    booked = make_client(location=location, first_name="Booked", last_name="Person")
    make_appointment(client=booked, practitioner=practitioner, room=RoomFactory(location=location))
    active = desk.get(reverse("clients:list")).content.decode()
    assert "Old Timer" not in active
    assert "Sam Carter" in active
    only_archived = desk.get(reverse("clients:list"), {"status": "archived"}).content.decode()
    assert "Old Timer" in only_archived
    assert "Sam Carter" not in only_archived
    upcoming = desk.get(reverse("clients:list"), {"show": "upcoming"}).content.decode()
    assert "Booked Person" in upcoming
    assert "Sam Carter" not in upcoming


def test_staff_only_see_clients_of_their_locations(client, practitioner_elsewhere, smp_client):
    client.force_login(practitioner_elsewhere)
    assert "Sam Carter" not in client.get(reverse("clients:list")).content.decode()
    assert client.get(reverse("clients:detail", args=[smp_client.public_id])).status_code == 404
    assert client.get(reverse("clients:edit", args=[smp_client.public_id])).status_code == 404


def test_a_client_booked_at_a_second_location_becomes_visible_there(
    client, practitioner, smp_client, other_location, practitioner_elsewhere
):
    practitioner.locations.add(other_location)
    make_appointment(
        client=smp_client, practitioner=practitioner, room=RoomFactory(location=other_location)
    )
    client.force_login(practitioner_elsewhere)
    assert client.get(reverse("clients:detail", args=[smp_client.public_id])).status_code == 200


def test_archiving_asks_first_and_is_refused_while_appointments_are_upcoming(
    desk, smp_client, practitioner, location
):
    appointment = make_appointment(
        client=smp_client, practitioner=practitioner, room=RoomFactory(location=location)
    )
    page = desk.get(reverse("clients:archive", args=[smp_client.public_id])).content.decode()
    assert "1 upcoming appointment" in page
    desk.post(reverse("clients:archive", args=[smp_client.public_id]))
    smp_client.refresh_from_db()
    assert not smp_client.is_archived
    from scheduling.services import appointment_cancel

    appointment_cancel(appointment=appointment, by=practitioner, reason="Client cancelled")
    desk.post(reverse("clients:archive", args=[smp_client.public_id]))
    smp_client.refresh_from_db()
    assert smp_client.is_archived
    desk.post(reverse("clients:restore", args=[smp_client.public_id]))
    smp_client.refresh_from_db()
    assert not smp_client.is_archived


def test_an_unknown_section_is_not_found(desk, smp_client):
    assert (
        desk.get(reverse("clients:section", args=[smp_client.public_id, "nonsense"])).status_code
        == 404
    )


@pytest.mark.parametrize("extra", [2, 30])
def test_client_list_query_count_is_constant(desk, location, extra, django_assert_num_queries):
    for _ in range(extra):
        make_client(location=location)
    # session, user, location ids, count, page (with home location joined)
    with django_assert_num_queries(5):
        response = desk.get(reverse("clients:list"))
    assert response.status_code == 200


FLAG_ANSWERS = ["keloid", "scalp_skin_condition", "pregnancy", "diabetes", "epilepsy"]


@pytest.mark.parametrize("role", ["front_desk", "practitioner"])
@pytest.mark.parametrize("extra", [1, 5])
def test_client_page_query_count_is_constant(
    client, smp_client, location, extra, role, django_assert_num_queries, practitioner, front_desk
):
    """The Overview with what it renders: the next appointments (a course's sessions among
    them), the course's progress, and an intake with flags (labels for clinical roles)."""
    from scheduling.services import course_create
    from tests.factories import make_intake, next_weekday

    room = RoomFactory(location=location)
    course = course_create(client=smp_client, by=practitioner, planned_sessions=6)
    for week in range(extra):
        make_appointment(
            client=smp_client,
            practitioner=practitioner,
            room=room,
            kind="session",
            day=next_weekday(1, weeks=2 * week),
            course=course,
        )
        make_appointment(
            client=smp_client,
            practitioner=practitioner,
            room=room,
            day=next_weekday(3, weeks=2 * week),
        )
    make_intake(client=smp_client, by=practitioner, yes=FLAG_ANSWERS[:extra])
    client.force_login(front_desk if role == "front_desk" else practitioner)
    # session, user, location ids, client, latest intake, its flags, consent status (the
    # latest signature of each kind), notices (a plan to book), the next appointments, the
    # course in progress with its sessions counted; for clinical roles also the notice of
    # a consultation appointment today to start
    with django_assert_num_queries(11 if role == "practitioner" else 10):
        response = client.get(reverse("clients:detail", args=[smp_client.public_id]))
    content = response.content.decode()
    assert content.count('data-testid="overview-appointment"') == min(3, 2 * extra)
    assert "· session 1 of 6" in content
    assert "0 of 6 sessions done · next: session 1 of 6 on" in content
    assert f"{6 - extra} still to book" in content
    assert 'data-testid="flag-banner-blocked"' in content
    labels = content.count('<li class="list-inline-item mb-1"><span class="badge rounded-pill')
    assert labels == (extra if role == "practitioner" else 0)
    assert ("Keloid / hypertrophic scarring" in content) is (role == "practitioner")
