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


def test_a_double_tap_on_log_this_pass_logs_it_once_and_takes_stock_once(
    transactional_db, practitioner, location
):
    """Two copies of the same pass form arriving at once (a double tap, a retried request)
    give the one pass: the form's one-time token is checked with the session locked."""
    from decimal import Decimal
    from uuid import uuid4

    from sessions_app.models import LayeringPass, PigmentLot
    from sessions_app.services import pass_add
    from tests.factories import make_inventory, make_started_session, pass_data

    session = make_started_session(practitioner=practitioner, location=location, with_pass=False)
    lot, needle = make_inventory()
    data = pass_data(lot=lot, needle=needle) | {"form_token": uuid4()}

    results = _twice_at_once(lambda: pass_add(session=session, by=practitioner, data=data))

    assert all(isinstance(r, int) for r in results), results
    assert results[0] == results[1]
    assert LayeringPass.objects.filter(session=session).count() == 1
    assert PigmentLot.objects.get(pk=lot.pk).volume_remaining_ml == Decimal("29.50")
    needle.refresh_from_db()
    assert needle.quantity_remaining == 19


def test_one_pass_form_sent_to_two_sessions_at_once_logs_one_pass_and_refuses_the_other(
    transactional_db, practitioner, location
):
    """A copied form posted to two session logs together: the second, which waits for the
    first's token to commit, is told the form was used, never shown an error page, and its
    stock stays put."""
    import time
    from decimal import Decimal
    from uuid import uuid4

    from django.core.exceptions import ValidationError
    from django.db import transaction

    from sessions_app.models import LayeringPass, PigmentLot
    from sessions_app.services import pass_add
    from tests.factories import make_inventory, make_started_session, pass_data

    first = make_started_session(practitioner=practitioner, location=location, with_pass=False)
    second = make_started_session(
        practitioner=practitioner, location=location, with_pass=False, weekday=4
    )
    lot, needle = make_inventory()
    data = pass_data(lot=lot, needle=needle) | {"form_token": uuid4()}
    logged = threading.Event()
    outcome: list = []

    def first_desk() -> None:
        try:
            with transaction.atomic():
                outcome.append(pass_add(session=first, by=practitioner, data=data).pk)
                logged.set()
                time.sleep(1)  # the second desk reaches the token meanwhile, and waits
        finally:
            connections.close_all()

    desk = threading.Thread(target=first_desk)
    desk.start()
    assert logged.wait(timeout=30)
    with pytest.raises(ValidationError, match="This form was already used"):
        pass_add(session=second, by=practitioner, data=data)
    desk.join(timeout=30)

    assert LayeringPass.objects.filter(session=first).count() == 1
    assert not LayeringPass.objects.filter(session=second).exists()
    assert PigmentLot.objects.get(pk=lot.pk).volume_remaining_ml == Decimal("29.50")
    needle.refresh_from_db()
    assert needle.quantity_remaining == 19
