"""With Redis (the cache) down, staff still sign in and work: the rate limits fail open with a
warning, sessions, messages and lockouts live in the database, and the audit trail logs each
image on its own when it cannot remember which ones a page showed."""

import logging

import pytest
from django.core import mail
from django.urls import reverse

from audit.models import AuditEvent
from tests.factories import TEST_PASSWORD, make_photo, make_signed_consent


@pytest.fixture
def cache_down(settings, closed_port):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


def test_signing_in_works_while_the_cache_is_down_and_the_skipped_limit_is_logged(
    client, front_desk, cache_down, caplog
):
    with caplog.at_level(logging.WARNING, logger="smp_clinic.lib.ratelimit"):
        response = client.post(
            reverse("accounts:login"),
            {"username": front_desk.email, "password": TEST_PASSWORD},
            follow=True,
        )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("dashboard:today")
    assert response.context["user"] == front_desk
    assert "Rate limit 'login' not applied: the cache failed" in caplog.text


def test_a_wrong_password_while_the_cache_is_down_gets_the_form_error(
    client, front_desk, cache_down
):
    response = client.post(
        reverse("accounts:login"), {"username": front_desk.email, "password": "not it"}
    )
    assert response.status_code == 200
    assert "do not match a staff account" in response.content.decode()


def test_a_password_reset_while_the_cache_is_down_sends_the_link(client, front_desk, cache_down):
    response = client.post(reverse("accounts:password_reset"), {"email": front_desk.email})
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[front_desk.email]]


def test_photos_and_their_images_open_while_the_cache_is_down_and_each_look_is_logged(
    client, practitioner, smp_client, cache_down, caplog
):
    make_signed_consent(client=smp_client, kind="photos", witness=practitioner)
    photo = make_photo(client=smp_client, by=practitioner)
    client.force_login(practitioner)
    with caplog.at_level(logging.WARNING, logger="audit.middleware"):
        page = client.get(reverse("clients:section", args=[smp_client.public_id, "photos"]))
        image = client.get(
            reverse("clients:photo_file", args=[smp_client.public_id, photo.public_id, "small"])
        )
    assert page.status_code == 200
    assert image.status_code == 200
    logged = [
        (e.object_type, e.object_id, e.changes)
        for e in AuditEvent.objects.filter(action="view").order_by("pk")
    ]
    # The page could not note which images it showed, so the thumbnail is its own event.
    assert logged == [
        ("photos", str(smp_client.public_id), {"photos": [str(photo.public_id)]}),
        ("photo", str(photo.public_id), {"size": "small"}),
    ]
    assert "the cache failed" in caplog.text
