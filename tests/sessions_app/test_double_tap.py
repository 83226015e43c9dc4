"""A double tap (or two tablets) opening the same session log or consultation at once gets
the one record, never an error page."""

import threading

import pytest
from django.db import connections

from consultations.services import consultation_start
from sessions_app.services import session_open
from tests.factories import RoomFactory, make_appointment, make_client


def _twice_at_once(action) -> list:
    barrier = threading.Barrier(2)
    results: list = [None, None]

    def attempt(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = action().pk
        except Exception as error:  # noqa: BLE001 - the test reports any outcome
            results[index] = f"{type(error).__name__}: {error}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.parametrize("kind", ["session", "consultation"])
def test_opening_the_same_record_twice_at_once_gives_one_record(
    transactional_db, practitioner, location, kind
):
    client = make_client(location=location)
    appointment = make_appointment(
        client=client, practitioner=practitioner, room=RoomFactory(location=location), kind=kind
    )
    if kind == "session":
        results = _twice_at_once(lambda: session_open(appointment=appointment, by=practitioner))
    else:
        results = _twice_at_once(
            lambda: consultation_start(client=client, by=practitioner, appointment=appointment)
        )
    assert all(isinstance(r, int) for r in results), results
    assert results[0] == results[1]
