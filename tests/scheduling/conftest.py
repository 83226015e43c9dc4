from datetime import time

import pytest

from tests.factories import RoomFactory, give_rota, next_weekday


@pytest.fixture
def treatment_room(location):
    return RoomFactory(location=location, name="Treatment room 1")


@pytest.fixture
def second_room(location):
    return RoomFactory(location=location, name="Treatment room 2")


@pytest.fixture
def rota(practitioner, location):
    give_rota(practitioner, location)
    return practitioner


@pytest.fixture
def tuesday():
    """A Tuesday at least a day ahead: open, on the rota, in the future."""
    return next_weekday(1)


@pytest.fixture
def at():
    return time
