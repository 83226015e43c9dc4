from django.urls import reverse

from tests.factories import LocationFactory


def test_ping_answers_a_signed_in_user_with_one_row_in_three_queries_at_most(
    client, db, django_assert_max_num_queries
):
    from tests.factories import make_staff

    location = LocationFactory(name="Central Clinic")
    client.force_login(make_staff(role="", locations=[location]))
    with django_assert_max_num_queries(3):  # session, user, the row
        response = client.get(reverse("dashboard:ping"))
    assert response.status_code == 200
    assert response.content == b"Central Clinic"


def test_ping_sends_an_anonymous_visitor_to_sign_in(client, db):
    response = client.get(reverse("dashboard:ping"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
