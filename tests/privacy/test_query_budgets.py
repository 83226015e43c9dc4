"""Query budgets of the export and erasure pages: the same for a new client and for one
with a long history."""

from datetime import time

import pytest
from django.urls import reverse

from tests.factories import RoomFactory, make_appointment, next_weekday
from tests.query_budget import queries_before_and_after


def book_weekly(client_obj, practitioner, location, weeks: range) -> None:
    room = RoomFactory(location=location)
    for week in weeks:
        make_appointment(
            client=client_obj,
            practitioner=practitioner,
            room=room,
            day=next_weekday(1, weeks=week),
            at=time(11),
        )


@pytest.mark.parametrize(("page", "budget"), [("privacy:export", 4), ("privacy:erase", 5)])
def test_the_privacy_pages_cost_the_same_with_more_appointments(
    client, manager, practitioner, smp_client, location, page, budget
):
    book_weekly(smp_client, practitioner, location, range(1))
    client.force_login(manager)
    few, many, _ = queries_before_and_after(
        client,
        reverse(page, args=[smp_client.public_id]),
        lambda: book_weekly(smp_client, practitioner, location, range(1, 7)),
    )
    assert (few, many) == (budget, budget)
