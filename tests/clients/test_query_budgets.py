"""Query budgets of the client pages not pinned elsewhere (consent texts, a signed consent,
photo pages): each costs the same with a few rows and with many."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from clients.consent import services as consent_services
from clients.models import ConsentTemplate
from tests.factories import make_photo, make_signed_consent
from tests.query_budget import queries_before_and_after, queries_of_get


def publish_versions(manager, count: int, *, first: int = 0) -> None:
    for kind in ("treatment", "photos", "marketing"):
        template = ConsentTemplate.objects.get(kind=kind)
        for n in range(first, first + count):
            consent_services.consent_version_publish(
                template=template, by=manager, body=f"The {kind} text, take {n}."
            )


@pytest.fixture
def photo_client(smp_client, practitioner):
    make_signed_consent(client=smp_client, kind="photos", witness=practitioner)
    return smp_client


def test_the_consent_texts_page_costs_the_same_with_more_versions(client, manager):
    client.force_login(manager)
    few, many, response = queries_before_and_after(
        client, reverse("clients:consent_templates"), lambda: publish_versions(manager, 4)
    )
    assert (few, many) == (3, 3)
    assert response.status_code == 200


def test_a_consent_text_page_costs_the_same_with_more_versions(client, manager):
    template = ConsentTemplate.objects.get(kind="treatment")
    client.force_login(manager)
    few, many, response = queries_before_and_after(
        client,
        reverse("clients:consent_template", args=[template.public_id]),
        lambda: publish_versions(manager, 6),
    )
    assert (few, many) == (4, 4)
    assert len(response.context["versions"]) >= 7


def test_a_signed_consent_page_costs_the_same_however_many_the_client_signed(
    client, front_desk, smp_client, practitioner, manager
):
    first = make_signed_consent(client=smp_client, kind="treatment", witness=practitioner)
    client.force_login(front_desk)

    def sign_again_and_again():
        for round_ in range(2):
            publish_versions(manager, 1, first=round_)
            for kind in ("treatment", "photos", "marketing"):
                make_signed_consent(client=smp_client, kind=kind, witness=practitioner)

    few, many, response = queries_before_and_after(
        client,
        reverse("clients:consent_detail", args=[smp_client.public_id, first.public_id]),
        sign_again_and_again,
    )
    assert (few, many) == (7, 7)
    assert response.context["consent"] == first


def test_the_photo_review_page_costs_the_same_for_one_or_eight_photos(
    client, practitioner, photo_client
):
    photos = [make_photo(client=photo_client, by=practitioner)]
    client.force_login(practitioner)
    url = reverse("clients:photo_review", args=[photo_client.public_id])

    def review(photos) -> str:
        return url + "?" + urlencode({"photo": [p.public_id for p in photos]}, doseq=True)

    client.get(review(photos))  # the session settles
    few, _ = queries_of_get(client, review(photos))
    angles = ["front", "top", "crown", "left", "right", "back", "front"]
    photos += [make_photo(client=photo_client, by=practitioner, angle=a) for a in angles]
    many, response = queries_of_get(client, review(photos))
    assert (few, many) == (6, 6)  # the sixth is its audit event
    assert len(response.context["rows"]) == 8


def test_a_photo_page_costs_the_same_however_many_photos_the_client_has(
    client, practitioner, photo_client
):
    photo = make_photo(client=photo_client, by=practitioner)
    client.force_login(practitioner)
    few, many, response = queries_before_and_after(
        client,
        reverse("clients:photo_detail", args=[photo_client.public_id, photo.public_id]),
        lambda: [make_photo(client=photo_client, by=practitioner, angle="top") for _ in range(6)],
    )
    assert (few, many) == (6, 6)
    assert response.context["photo"] == photo
