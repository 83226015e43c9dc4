import shutil
import socket
import subprocess
import time

import pytest
from django.db import connection
from django.urls import reverse

from smp_clinic.celery import app as celery_app


def test_healthz_is_200_when_database_and_redis_answer(client, db):
    response = client.get(reverse("dashboard:healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["database"]["detail"] == "postgresql"
    assert body["broker"] == {"ok": True, "detail": "redis"}


def test_healthz_reports_an_exhausted_pool_without_failing_on_it(client, db):
    """The probe opens a connection of its own, so a pool with every connection in use still
    answers 200: the pool's figures (this process's) say how busy it is."""
    pool = connection.pool
    assert pool is not None
    held = []
    try:
        while pool.get_stats()["pool_available"] or pool.get_stats()["pool_size"] < pool.max_size:
            held.append(pool.getconn(timeout=5))
        response = client.get(reverse("dashboard:healthz"))
    finally:
        for conn in held:
            pool.putconn(conn)
    assert response.status_code == 200
    figures = response.json()["database"]["pool"]
    assert figures["max"] == pool.max_size
    assert figures["in_use"] == figures["size"] == pool.max_size
    assert figures["available"] == 0
    assert figures["waiting"] == 0
    after = client.get(reverse("dashboard:healthz")).json()["database"]["pool"]
    assert after["in_use"] < pool.max_size


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def own_redis():
    """A private redis-server for this test, so stopping it disturbs nobody else."""
    binary = shutil.which("redis-server")
    assert binary, "redis-server must be installed for this test"
    port = _free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    previous = celery_app.conf.broker_url
    celery_app.conf.broker_url = f"redis://127.0.0.1:{port}/0"
    try:
        yield process
    finally:
        celery_app.conf.broker_url = previous
        process.kill()
        process.wait()


def test_healthz_turns_503_when_redis_stops(client, db, own_redis):
    assert client.get(reverse("dashboard:healthz")).status_code == 200
    own_redis.terminate()
    own_redis.wait(timeout=10)
    response = client.get(reverse("dashboard:healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["broker"]["ok"] is False
    assert body["database"]["ok"] is True


@pytest.fixture
def silent_server():
    """A port that accepts connections and never says a word: a server that hangs."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield sock.getsockname()[1]


def _healthz_timed(client):
    started = time.monotonic()
    response = client.get(reverse("dashboard:healthz"))
    return response, time.monotonic() - started


@pytest.mark.parametrize(
    ("server", "detail"), [("closed", "OperationalError"), ("silent", "ConnectionTimeout")]
)
def test_healthz_answers_503_within_seconds_when_the_database_is_unreachable(
    client, db, monkeypatch, silent_server, closed_port, server, detail
):
    port = silent_server if server == "silent" else closed_port
    # The health check connects with the connection's own settings, pointed elsewhere here;
    # the test's open connection is not touched.
    monkeypatch.setitem(connection.settings_dict, "HOST", "127.0.0.1")
    monkeypatch.setitem(connection.settings_dict, "PORT", str(port))
    response, seconds = _healthz_timed(client)
    assert response.status_code == 503
    body = response.json()
    assert (body["database"]["ok"], body["database"]["detail"]) == (False, detail)
    assert body["broker"]["ok"] is True
    assert seconds < 4


def test_healthz_answers_503_within_seconds_when_redis_hangs(client, db, silent_server):
    previous = celery_app.conf.broker_url
    celery_app.conf.broker_url = f"redis://127.0.0.1:{silent_server}/0"
    try:
        response, seconds = _healthz_timed(client)
    finally:
        celery_app.conf.broker_url = previous
    assert response.status_code == 503
    body = response.json()
    assert body["broker"]["ok"] is False
    assert body["database"]["ok"] is True
    assert seconds < 6
