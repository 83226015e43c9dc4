"""The clinic always keeps a manager who can sign in: invited managers who never chose a
password and deactivated managers do not count, and two managers demoting each other at
once end with one manager, never a deadlock."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_invite, user_update
from tests.factories import make_staff


def step_down(client, manager, location):
    return client.post(
        reverse("accounts:staff_edit", args=[manager.public_id]),
        {"full_name": manager.full_name, "role": Role.PRACTITIONER, "locations": [location.pk]},
    )


def test_a_manager_cannot_step_down_while_the_only_other_manager_has_not_accepted_the_invite(
    client, manager, location
):
    user_invite(
        invited_by=manager,
        email="next.manager@example.test",
        full_name="Next Manager",
        role=Role.MANAGER,
        locations=[location],
    )
    client.force_login(manager)
    response = step_down(client, manager, location)
    assert response.status_code == 200
    content = response.content.decode()
    assert "last active manager who can sign in" in content
    assert "an invited manager counts once they have set their password" in content
    manager.refresh_from_db()
    assert manager.role == Role.MANAGER


def test_a_manager_can_step_down_once_the_invited_manager_has_set_a_password(
    client, manager, location
):
    invited = user_invite(
        invited_by=manager,
        email="next.manager@example.test",
        full_name="Next Manager",
        role=Role.MANAGER,
        locations=[location],
    ).user
    invited.set_password("a pass phrase of their own")
    invited.save(update_fields=["password"])
    client.force_login(manager)
    assert step_down(client, manager, location).status_code == 302
    manager.refresh_from_db()
    assert manager.role == Role.PRACTITIONER


def test_a_deactivated_manager_does_not_count_as_another_manager(client, manager, location):
    from accounts.services import user_deactivate

    other = make_staff(role=Role.MANAGER, locations=[location])
    user_deactivate(user=other, by=manager)
    client.force_login(manager)
    response = step_down(client, manager, location)
    assert "last active manager who can sign in" in response.content.decode()
    manager.refresh_from_db()
    assert manager.role == Role.MANAGER


def _waiting_for_a_lock(pid: int | None) -> bool:
    if pid is None:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT cardinality(pg_blocking_pids(%s)) > 0", [pid])
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_two_managers_demoting_each_other_at_once_leave_one_manager_and_no_error(location):
    first = make_staff(role=Role.MANAGER, locations=[location])
    second = make_staff(role=Role.MANAGER, locations=[location])
    pids: list = [None, None]
    results: list = [None, None]
    started = threading.Barrier(3)

    def demote(index: int, user: User, by: User) -> None:
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pids[index] = cursor.fetchone()[0]
            started.wait(timeout=10)
            user_update(
                user=user,
                by=by,
                full_name=user.full_name,
                role=Role.FRONT_DESK,
                locations=[location],
                all_locations=False,
            )
            results[index] = "demoted"
        except ValidationError as error:
            results[index] = " ".join(error.messages)
        except Exception as error:  # noqa: BLE001 - the test reports any other outcome
            results[index] = f"{type(error).__name__}: {error}"
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=demote, args=(0, second, first)),
        threading.Thread(target=demote, args=(1, first, second)),
    ]
    # Hold both rows while the two requests start, so that both are already waiting when
    # they are let go together: the order they then lock rows in decides everything.
    with transaction.atomic():
        list(User.objects.select_for_update().filter(pk__in=[first.pk, second.pk]))
        for thread in threads:
            thread.start()
        started.wait(timeout=10)
        deadline = time.monotonic() + 20
        while not all(_waiting_for_a_lock(pid) for pid in pids):
            assert time.monotonic() < deadline, "the two requests never waited for the rows"
            time.sleep(0.02)
    for thread in threads:
        thread.join(timeout=60)

    assert results.count("demoted") == 1, results
    [refused] = [r for r in results if r != "demoted"]
    assert "last active manager who can sign in" in refused, results
    assert User.objects.filter(role=Role.MANAGER).count() == 1
