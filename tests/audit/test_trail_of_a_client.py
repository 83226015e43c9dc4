"""A manager opens one client's audit trail from the client page, erased clients too."""

import pytest
from django.urls import reverse

from privacy.erasure import client_erase
from tests.factories import make_client, make_intake

TRAIL = reverse("audit:trail")


def trail_of(client) -> str:
    return f"{TRAIL}?client_id={client.public_id}"


@pytest.fixture
def boss(client, manager):
    client.force_login(manager)
    return client


def test_the_client_page_links_managers_to_the_clients_trail(boss, smp_client):
    page = boss.get(reverse("clients:detail", args=[smp_client.public_id])).content.decode()
    assert f'href="{trail_of(smp_client)}"' in page


@pytest.mark.parametrize("role", ["front_desk", "practitioner"])
def test_other_roles_get_no_trail_link(client, people, smp_client, role):
    client.force_login(people[role])
    page = client.get(reverse("clients:detail", args=[smp_client.public_id])).content.decode()
    assert 'data-testid="client-audit-trail"' not in page


def test_the_clients_trail_shows_only_their_events(boss, smp_client, location, practitioner):
    other = make_client(location=location, by=practitioner, first_name="Kim", last_name="Ng")
    make_intake(client=smp_client, by=practitioner)
    response = boss.get(trail_of(smp_client))
    rows = response.context["page_obj"].object_list
    assert rows
    assert {row.client_public_id for row in rows} == {smp_client.public_id}
    assert other.public_id not in {row.client_public_id for row in rows}
    content = response.content.decode()
    assert 'data-testid="trail-of-client"' in content
    assert "Sam Carter" in content
    # Filtering further keeps to the client.
    narrowed = boss.get(TRAIL, {"client_id": smp_client.public_id, "action": "create"})
    narrowed_rows = narrowed.context["page_obj"].object_list
    assert narrowed_rows
    assert {(r.client_public_id, r.action) for r in narrowed_rows} == {
        (smp_client.public_id, "create")
    }


def test_an_erased_clients_trail_still_opens_from_their_page(
    boss, manager, smp_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_erase(client=smp_client, by=manager, confirmation="Sam Carter")
    page = boss.get(reverse("clients:detail", args=[smp_client.public_id])).content.decode()
    assert f'href="{trail_of(smp_client)}"' in page
    # The name is gone, so the name search no longer finds them; the link does.
    assert not boss.get(TRAIL, {"client": "carter"}).context["page_obj"].object_list
    response = boss.get(trail_of(smp_client))
    actions = {row.action for row in response.context["page_obj"].object_list}
    assert {"create", "erase"} <= actions
    assert "Erased" in response.content.decode()


def test_a_manager_elsewhere_following_the_link_sees_nothing_of_the_client(
    client, smp_client, other_location
):
    from accounts.roles import Role
    from tests.factories import make_staff

    client.force_login(make_staff(role=Role.MANAGER, locations=[other_location]))
    response = client.get(trail_of(smp_client))
    assert response.status_code == 200
    assert not response.context["page_obj"].object_list
    assert "Sam Carter" not in response.content.decode()


def test_a_broken_client_link_says_so_and_lists_nothing(boss, smp_client):
    response = boss.get(TRAIL, {"client_id": "not-a-client"})
    assert response.status_code == 200
    assert 'data-testid="trail-bad-client"' in response.content.decode()
    assert not response.context["page_obj"].object_list


@pytest.mark.parametrize("intakes", [1, 15])
def test_a_clients_trail_query_count_is_constant(
    boss, smp_client, practitioner, intakes, django_assert_num_queries
):
    for _ in range(intakes):
        make_intake(client=smp_client, by=practitioner)
    boss.get(trail_of(smp_client))  # the session settles
    # session, user, the manager's locations, staff list for the filter, the client named,
    # count, page of events, client names
    with django_assert_num_queries(8):
        response = boss.get(trail_of(smp_client))
    assert len(response.context["page_obj"].object_list) > intakes
