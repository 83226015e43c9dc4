"""Handing the tablet to a client: the session shows their form only, until the staff member
takes it back with their own password."""

import pytest
from django.urls import reverse

from tests.factories import (
    TEST_PASSWORD,
    hand_back,
    make_consultation,
    make_design,
    signature_data_url,
)

HANDOVER = "/accounts/handover/"


@pytest.fixture
def desk(client, front_desk):
    client.force_login(front_desk)
    return client


def tablet_url(smp_client) -> str:
    return reverse("clients:intake_new", args=[smp_client.public_id]) + "?tablet=1"


def test_the_handover_page_is_where_it_is_expected():
    assert reverse("accounts:handover") == HANDOVER


def test_while_the_client_holds_the_tablet_every_other_page_is_the_hand_back_page(
    desk, smp_client, location
):
    form = desk.get(tablet_url(smp_client))
    assert form.status_code == 200
    content = form.content.decode()
    assert 'data-testid="main-nav"' not in content
    assert 'data-testid="handover-bar"' in content
    for url in [
        reverse("clients:list"),
        reverse("clients:detail", args=[smp_client.public_id]),
        reverse("scheduling:day"),
        reverse("dashboard:today"),
    ]:
        response = desk.get(url)
        assert (response.status_code, response.url) == (302, HANDOVER), url
    htmx = desk.get(reverse("clients:list"), HTTP_HX_REQUEST="true")
    assert (htmx.status_code, htmx["HX-Redirect"]) == (204, HANDOVER)
    locked = desk.get(HANDOVER).content.decode()
    assert "This tablet is with Sam" in locked
    assert 'data-testid="handover-back-to-form"' in locked
    assert "Sam Carter" not in locked  # not even the client's own full record
    assert desk.get(reverse("clients:intake_new", args=[smp_client.public_id])).status_code == 200


def test_the_staff_members_password_unlocks_and_returns_to_the_client_page(
    desk, smp_client, front_desk
):
    desk.get(tablet_url(smp_client))
    refused = hand_back(desk, password="guess")
    assert "That is not the password of Fran Desk. 4 more tries" in refused.content.decode()
    assert desk.get(reverse("clients:list")).status_code == 302
    unlocked = hand_back(desk, password=TEST_PASSWORD)
    assert unlocked.url == reverse("clients:detail", args=[smp_client.public_id])
    assert desk.get(reverse("clients:list")).status_code == 200
    assert desk.get(HANDOVER).url == reverse("dashboard:today")  # nothing to hand back


def test_five_wrong_passwords_sign_the_tablet_out(desk, smp_client):
    desk.get(tablet_url(smp_client))
    for _ in range(4):
        assert hand_back(desk, password="guess").status_code == 200
    signed_out = hand_back(desk, password="guess")
    assert signed_out.url == reverse("accounts:login")
    response = desk.get(reverse("clients:list"))
    assert response.url.startswith(reverse("accounts:login"))
    assert "Signed out after several wrong passwords" in desk.get(response.url).content.decode()


def test_staff_messages_wait_until_the_tablet_is_back(desk, smp_client):
    from tests.clients.conftest import intake_post

    desk.get(tablet_url(smp_client))
    desk.post(
        reverse("clients:intake_new", args=[smp_client.public_id]),
        intake_post(filled_by_client="True"),
    )
    thanks = desk.get(HANDOVER).content.decode()
    assert "Thank you, Sam." in thanks
    assert "Intake saved" not in thanks
    back = hand_back(desk)
    assert "Intake saved" in desk.get(back.url).content.decode()


def test_the_client_approves_a_design_on_a_locked_tablet(client, practitioner, smp_client):
    client.force_login(practitioner)
    consultation = make_consultation(client=smp_client, practitioner=practitioner)
    plan = make_design(consultation=consultation, by=practitioner)
    approve = reverse("consultations:design_approve", args=[consultation.public_id, plan.version])
    assert client.get(approve).status_code == 200
    image = reverse("consultations:design_image", args=[consultation.public_id, plan.version])
    assert client.get(image).status_code == 200  # the page shows it
    assert client.get(reverse("consultations:detail", args=[consultation.public_id])).url == (
        HANDOVER
    )
    done = client.post(approve, {"typed_name": "Sam Carter", "signature": signature_data_url()})
    assert done.url == HANDOVER
    assert hand_back(client).url == reverse("consultations:detail", args=[consultation.public_id])
    plan.refresh_from_db()
    assert plan.is_approved
