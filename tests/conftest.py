"""Named people and places shared by the whole suite."""

import pytest

from accounts.roles import Role
from tests.factories import LocationFactory, RoomFactory, make_client, make_staff


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache (this worker's own Redis database): each test
    starts from zero so earlier tests' sign-ins never throttle a later one."""
    from django.core.cache import cache

    from smp_clinic.lib import cache_guard

    cache_guard.reset()
    cache.clear()


@pytest.fixture
def within_one_rate_window():
    """Rate limits count per fixed minute: a burst that starts just after a minute begins
    never straddles two windows, however slow the machine."""
    import time
    from datetime import UTC, datetime

    import time_machine

    start = (time.time() // 60 + 1) * 60 + 1
    with time_machine.travel(datetime.fromtimestamp(start, tz=UTC), tick=True):
        yield


@pytest.fixture
def closed_port() -> int:
    """A local TCP port that nothing listens on: a server that is down."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def location(db):
    return LocationFactory(name="Central Clinic")


@pytest.fixture
def other_location(db):
    return LocationFactory(name="Northside Clinic", time_zone="Europe/Dublin")


@pytest.fixture
def room(location):
    return RoomFactory(location=location, name="Treatment room 1")


@pytest.fixture
def front_desk(location):
    return make_staff(
        role=Role.FRONT_DESK, locations=[location], full_name="Fran Desk", email="fran@example.test"
    )


@pytest.fixture
def practitioner(location):
    return make_staff(
        role=Role.PRACTITIONER,
        locations=[location],
        full_name="Priya Patel",
        email="priya@example.test",
    )


@pytest.fixture
def manager(location):
    return make_staff(
        role=Role.MANAGER,
        locations=[location],
        full_name="Morgan Manager",
        email="morgan@example.test",
    )


@pytest.fixture
def practitioner_elsewhere(other_location):
    """A practitioner who works only at another location."""
    return make_staff(
        role=Role.PRACTITIONER,
        locations=[other_location],
        full_name="Omar Other",
        email="omar@example.test",
    )


@pytest.fixture
def no_role_user(location):
    """Signed in but holding no role: must be refused everywhere a role is required."""
    return make_staff(
        role="", locations=[location], full_name="Nora Norole", email="nora@example.test"
    )


@pytest.fixture
def people(front_desk, practitioner, manager, no_role_user):
    return {
        "front_desk": front_desk,
        "practitioner": practitioner,
        "manager": manager,
        "no_role": no_role_user,
    }


@pytest.fixture
def smp_client(location, front_desk):
    """A client of the clinic (named smp_client: ``client`` is Django's test client)."""
    return make_client(
        location=location,
        by=front_desk,
        first_name="Sam",
        last_name="Carter",
        email="sam.carter@example.test",
        phone="+447700900123",
    )
