"""Junk in a query string or a date field gets a page or a 404 and a clear message,
never a server error: a hand-edited address, an old bookmark, a year typed as 20255."""

import pytest
from django.urls import reverse

from consultations.models import Consultation
from scheduling.models import TimeOff
from tests.factories import make_consultation, make_photo, make_signed_consent

JUNK_VALUES = ["junk", "0001-01-01", "9999-12-31", "9999-12-31T23:59", "²", "1" * 30, ""]


@pytest.fixture
def signed_in_manager(client, manager):
    client.force_login(manager)
    return client


@pytest.mark.parametrize("value", JUNK_VALUES)
@pytest.mark.parametrize(
    ("url_name", "param"),
    [
        ("scheduling:day", "date"),
        ("scheduling:week", "date"),
        ("scheduling:week", "practitioner"),
        ("scheduling:day", "location"),
        ("scheduling:book", "start"),
        ("scheduling:book", "date"),
        ("scheduling:book", "type"),
        ("scheduling:book", "client"),
        ("scheduling:book", "practitioner"),
        ("scheduling:slots", "client"),
        ("dashboard:today", "location"),
        ("clients:list", "page"),
        ("audit:trail", "date_from"),
    ],
)
def test_a_junk_query_parameter_is_a_page_or_a_404(
    signed_in_manager, location, url_name, param, value
):
    response = signed_in_manager.get(reverse(url_name), {param: value})
    assert response.status_code in {200, 404}


@pytest.mark.parametrize("value", ["junk", "00000000-0000-0000-0000-000000000000", "1"])
def test_the_design_page_ignores_a_photo_that_is_not_one_of_the_clients(
    signed_in_manager, manager, smp_client, value
):
    make_signed_consent(client=smp_client, kind="photos", witness=manager)
    photo = make_photo(client=smp_client, by=manager)
    consultation = make_consultation(client=smp_client, practitioner=manager)
    url = reverse("consultations:design", kwargs={"consultation_id": consultation.public_id})
    response = signed_in_manager.get(url, {"photo": value})
    assert response.status_code == 200
    assert str(photo.public_id) in response.content.decode()
    assert Consultation.objects.count() == 1


def test_time_off_far_in_the_future_is_refused_with_a_message(signed_in_manager, manager, location):
    response = signed_in_manager.post(
        reverse("scheduling:time_off") + f"?location={location.public_id}",
        {
            "practitioner": str(manager.public_id),
            "kind": TimeOff.Kind.choices[0][0],
            "start_date": "9999-12-30",
            "end_date": "9999-12-31",
            "note": "",
        },
    )
    assert response.status_code == 200
    assert "Enter a date between 1900 and 2100." in response.content.decode()
    assert not TimeOff.objects.exists()
