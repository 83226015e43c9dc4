"""Every registered client page section against every role: its own roles see it."""

import pytest
from django.urls import reverse

from clients.registry import registry
from tests import access_table

SECTION_KEYS = sorted(registry.sections)


@pytest.mark.parametrize("key", SECTION_KEYS)
def test_each_section_opens_for_exactly_its_roles(key, client, people, smp_client):
    section = registry.sections[key]
    url = reverse("clients:section", args=[smp_client.public_id, key])
    for role in (access_table.FD, access_table.PR, access_table.MG, access_table.NO_ROLE):
        client.force_login(people[role])
        status = client.get(url).status_code
        expected = 200 if role in section.roles else 403
        assert status == expected, f"{key} as {role}: {status}, expected {expected}"


def test_an_unknown_section_is_not_found(client, practitioner, smp_client):
    client.force_login(practitioner)
    response = client.get(reverse("clients:section", args=[smp_client.public_id, "nothing"]))
    assert response.status_code == 404
