import pytest
from django.urls import reverse

from accounts.roles import Role
from tests.factories import LocationFactory, make_staff


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.PRACTITIONER, Role.MANAGER])
def test_ping_answers_staff_with_one_row_in_three_queries_at_most(
    client, db, django_assert_max_num_queries, role
):
    location = LocationFactory(name="Central Clinic")
    client.force_login(make_staff(role=role, locations=[location]))
    with django_assert_max_num_queries(3):  # session, user, the row
        response = client.get(reverse("dashboard:ping"))
    assert response.status_code == 200
    assert response.content == b"Central Clinic"


def test_ping_refuses_a_signed_in_account_without_a_role(client, db):
    location = LocationFactory(name="Central Clinic")
    client.force_login(make_staff(role="", locations=[location]))
    response = client.get(reverse("dashboard:ping"))
    assert response.status_code == 403
    assert b"Central Clinic" not in response.content


def test_ping_sends_an_anonymous_visitor_to_sign_in(client, db):
    response = client.get(reverse("dashboard:ping"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
