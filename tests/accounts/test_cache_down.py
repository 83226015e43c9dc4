"""With Redis (the cache) down, staff still sign in: the rate limits fail open with a warning,
and sessions, messages and lockouts live in the database."""

import logging

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import TEST_PASSWORD


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
