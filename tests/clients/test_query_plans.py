"""Finding a client by part of a name, an email or a phone number goes through the trigram
index on the search text once the client list is long enough for it to matter."""

import random

import pytest
from django.db import connection

from clients import selectors
from clients.models import Client, ClientLocation
from clients.search import build_search_text
from tests.factories import make_client

SYLLABLES = ["ba", "do", "fi", "gu", "ke", "lo", "mi", "nu", "po", "ri", "su", "te", "vo", "zy"]


def made_up_name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(3)).title()


@pytest.fixture
def a_clinic_of_clients(location):
    """Two thousand clients with made-up names, and the planner's statistics of them, so
    its estimates are those of a real list rather than of an empty, never analysed table."""
    rng = random.Random(8)
    people = []
    for n in range(2000):
        first, last = made_up_name(rng), made_up_name(rng)
        email = f"{first}.{last}{n}@example.test".lower()
        people.append(
            Client(
                first_name=first,
                last_name=last,
                email=email,
                home_location=location,
                search_text=build_search_text(
                    first_name=first, last_name=last, preferred_name="", email=email, phone=""
                ),
            )
        )
    Client.objects.bulk_create(people, batch_size=1000)
    ClientLocation.objects.bulk_create(
        (ClientLocation(client=person, location=location) for person in people), batch_size=1000
    )
    with connection.cursor() as cursor:
        # New rows wait in the GIN index's pending list (fast update) until a vacuum: merge
        # them as a live database would have, then give the planner its statistics.
        cursor.execute("SELECT gin_clean_pending_list('client_search_trgm'::regclass)")
        cursor.execute("ANALYZE clients_client")
        cursor.execute("ANALYZE clients_clientlocation")
        # At this size the planner already takes the index for a rare term ("cart"), but
        # for one many rows share ("carter@exam": every address here ends in example.test)
        # reading the whole table is still cheaper, and rightly chosen. With sequential
        # scans priced out of the transaction, the plan shows whether the index can serve
        # each term: a LIKE '%…%' that no index serves would walk another index or fall
        # back to a (now very expensive) Seq Scan.
        cursor.execute("SET LOCAL enable_seqscan = off")


@pytest.fixture
def samuel(location, a_clinic_of_clients):
    return make_client(
        location=location,
        first_name="Samuel",
        last_name="Carter",
        email="sam.carter@example.test",
        phone="+447700900123",
    )


def test_client_search_by_part_of_a_name_email_or_phone_uses_the_trigram_index(front_desk, samuel):
    queries = ["cart", "SAMU", "uel car", "carter@exam", "07700 900123", "+44 7700 900", "7700900"]
    for query in queries:
        results = selectors.client_search(user=front_desk, q=query)
        assert list(results) == [samuel], query
        plan = results.explain()
        assert "client_search_trgm" in plan, (query, plan)
