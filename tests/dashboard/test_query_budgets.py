"""The Today page costs the same queries on a quiet day and on a full one."""

from datetime import time

import pytest
import time_machine

from accounts.roles import Role
from smp_clinic.lib.tz import local_datetime
from tests.factories import (
    RoomFactory,
    give_rota,
    make_appointment,
    make_client,
    make_staff,
    next_weekday,
)
from tests.query_budget import queries_before_and_after


@pytest.fixture
def tuesday():
    return next_weekday(1)


@pytest.fixture
def early_on_tuesday(tuesday, location):
    with time_machine.travel(local_datetime(tuesday, time(7), location.tz), tick=False):
        yield


def book_the_day(location, people, count: int, tuesday, *, from_hour: int = 9) -> None:
    rooms = [RoomFactory(location=location) for _ in people]
    for n in range(count):
        make_appointment(
            client=make_client(location=location),
            practitioner=people[n % len(people)],
            room=rooms[n % len(people)],
            day=tuesday,
            at=time(from_hour + n // len(people)),
        )


# session, user, location ids, locations, the day's appointments (everything joined); the
# clinical roles add the healing photos waiting for a check.
@pytest.mark.parametrize(
    ("viewer", "budget"), [("front_desk", 5), ("practitioner", 6), ("manager", 6)]
)
def test_the_today_page_costs_the_same_with_two_or_sixteen_appointments(
    client, location, practitioner, tuesday, early_on_tuesday, viewer, budget, request
):
    colleague = make_staff(role=Role.PRACTITIONER, locations=[location])
    people = [practitioner, colleague]
    for person in people:
        give_rota(person, location)
    book_the_day(location, people, 2, tuesday)
    client.force_login(request.getfixturevalue(viewer))
    few, many, response = queries_before_and_after(
        client, "/", lambda: book_the_day(location, people, 14, tuesday, from_hour=10)
    )
    assert (few, many) == (budget, budget)
    assert len(response.context["appointments"]) == (16 if viewer != "practitioner" else 8)
