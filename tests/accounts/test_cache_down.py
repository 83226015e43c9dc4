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


class HangingServer:
    """A TCP server that accepts connections and reads what is sent, and never answers:
    a Redis that hangs. It counts the bytes it was sent."""

    def __init__(self):
        import socket
        import threading

        self.received = 0
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen()
        self.port = self._sock.getsockname()[1]
        self._open = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        import threading

        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self._open.append(conn)
            threading.Thread(target=self._read, args=(conn,), daemon=True).start()

    def _read(self, conn):
        while True:
            try:
                data = conn.recv(4096)
            except OSError:
                return
            if not data:
                return
            self.received += len(data)

    def close(self):
        for conn in self._open:
            conn.close()
        self._sock.close()


@pytest.fixture
def cache_hangs(settings):
    server = HangingServer()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{server.port}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 0.3},
        }
    }
    yield server
    server.close()


def _sign_in(client, user):
    return client.post(
        reverse("accounts:login"), {"username": user.email, "password": TEST_PASSWORD}
    )


def test_a_cache_that_hangs_is_asked_once_and_then_left_alone_for_a_while(
    client, front_desk, cache_hangs, monkeypatch, caplog
):
    """The first sign-in waits for the cache's timeout and goes through; the next ones do not
    ask it at all (the hanging server is sent nothing more), until the retry time is over."""
    from smp_clinic.lib import cache_guard

    with caplog.at_level(logging.WARNING, logger="smp_clinic.lib.ratelimit"):
        assert _sign_in(client, front_desk).status_code == 302
    assert "Rate limit 'login' not applied: the cache failed" in caplog.text
    asked = cache_hangs.received
    assert asked > 0  # the first request did send its command to the hanging cache

    client.logout()
    for _ in range(3):
        assert _sign_in(client, front_desk).status_code == 302
        client.logout()
    assert cache_hangs.received == asked
    assert "asked again after 30 s" in caplog.text

    later = cache_guard.time.monotonic() + cache_guard.RETRY_SECONDS + 1
    monkeypatch.setattr(cache_guard.time, "monotonic", lambda: later)
    assert _sign_in(client, front_desk).status_code == 302
    assert cache_hangs.received > asked


def test_the_cache_is_asked_again_as_soon_as_it_answers(settings, closed_port):
    """A success after the retry time forgets the failure: the next failure is new."""
    from django.core.cache import cache

    from smp_clinic.lib import cache_guard

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port}/0",
        }
    }
    with pytest.raises(Exception) as failed:  # noqa: PT011 - redis-py's own connection error
        cache_guard.call(cache.get, "k")
    assert not isinstance(failed.value, cache_guard.CacheUnavailable)
    with pytest.raises(cache_guard.CacheUnavailable):
        cache_guard.call(cache.get, "k")
    cache_guard._failed_at -= cache_guard.RETRY_SECONDS + 1
    assert cache_guard.call(lambda: "answered") == "answered"
    assert cache_guard._failed_at is None
