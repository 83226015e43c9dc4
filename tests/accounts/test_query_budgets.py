"""Query budgets of a staff member's page and of one's own profile: the same with one
location or many (the staff list is pinned in test_staff_management)."""

from django.urls import reverse

from accounts.roles import Role
from tests.factories import LocationFactory, make_staff
from tests.query_budget import queries_before_and_after


def test_a_staff_member_page_costs_the_same_with_more_locations(client, manager, location):
    member = make_staff(role=Role.PRACTITIONER, locations=[location])
    client.force_login(manager)

    def open_more_clinics():
        for _ in range(6):
            clinic = LocationFactory()
            member.locations.add(clinic)
            manager.locations.add(clinic)

    few, many, response = queries_before_and_after(
        client, reverse("accounts:staff_edit", args=[member.public_id]), open_more_clinics
    )
    assert (few, many) == (5, 5)
    assert response.content.decode().count('name="locations"') == 7


def test_the_profile_costs_the_same_with_more_locations(client, practitioner):
    client.force_login(practitioner)
    few, many, response = queries_before_and_after(
        client,
        reverse("accounts:profile"),
        lambda: practitioner.locations.add(*[LocationFactory() for _ in range(6)]),
    )
    assert (few, many) == (4, 4)
    assert len(response.context["account"].locations.all()) == 7
