"""Unsubscribe and preferences: signed links, no login, no CSRF for the one-click POST,
a clear page for a tampered or expired link, and pending messages following the choice."""

from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from aftercare.kinds import Kind
from aftercare.models import OutboundMessage
from aftercare.tokens import PREFERENCES_MAX_AGE, preferences_token, unsubscribe_token
from tests.aftercare.conftest import rows
from tests.factories import make_appointment, make_consultation


def unsubscribe_url(client_obj, category="care") -> str:
    token = unsubscribe_token(client_public_id=client_obj.public_id, category=category)
    return reverse("aftercare:unsubscribe", args=[token])


def preferences_url(client_obj) -> str:
    return reverse(
        "aftercare:preferences", args=[preferences_token(client_public_id=client_obj.public_id)]
    )


def test_the_unsubscribe_link_asks_before_acting(client, smp_client):
    response = client.get(unsubscribe_url(smp_client))
    assert response.status_code == 200
    assert "Unsubscribe, Sam?" in response.content.decode()
    smp_client.refresh_from_db()
    assert smp_client.email_reminders is True


def test_one_click_post_unsubscribes_without_login_or_csrf(smp_client, practitioner, room):
    from django.test import Client

    appointment = make_appointment(client=smp_client, practitioner=practitioner, room=room)
    browserless = Client(enforce_csrf_checks=True)
    response = browserless.post(unsubscribe_url(smp_client), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "You're unsubscribed, Sam" in response.content.decode()
    smp_client.refresh_from_db()
    assert (smp_client.email_reminders, smp_client.marketing_consent) == (False, False)
    # The pending reminders of that category are closed in the same transaction.
    assert {(m.status, m.reason) for m in rows(appointment=appointment)} == {
        ("skipped", "opted_out")
    }
    # Twice is harmless.
    assert browserless.post(unsubscribe_url(smp_client)).status_code == 200


def test_unsubscribing_from_marketing_keeps_care_messages(client, smp_client):
    smp_client.marketing_consent = True
    smp_client.save()
    client.post(unsubscribe_url(smp_client, "marketing"))
    smp_client.refresh_from_db()
    assert (smp_client.email_reminders, smp_client.marketing_consent) == (True, False)
    assert smp_client.marketing_consent_at is None


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
        lambda t: "x" + t,
        lambda t: "not-a-token",
        lambda t: signing.dumps({"c": "nobody", "k": "care"}, salt="aftercare.unsubscribe.v1"),
        lambda t: signing.dumps({"c": "1", "k": "care"}, salt="another.salt"),
    ],
)
def test_a_tampered_unsubscribe_link_gets_a_clear_page(client, smp_client, mangle):
    token = unsubscribe_token(client_public_id=smp_client.public_id, category="care")
    url = reverse("aftercare:unsubscribe", args=[mangle(token)])
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 400
        assert "This unsubscribe link is not valid." in response.content.decode()
        assert "Sam" not in response.content.decode()
    smp_client.refresh_from_db()
    assert smp_client.email_reminders is True


def test_the_unsubscribe_link_keeps_working_for_years(client, smp_client):
    url = unsubscribe_url(smp_client)
    with time_machine.travel(timezone.now() + timedelta(days=5 * 365)):
        assert client.post(url).status_code == 200
    smp_client.refresh_from_db()
    assert smp_client.email_reminders is False


def test_the_preferences_page_shows_and_saves_the_choices(client, smp_client):
    url = preferences_url(smp_client)
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial == {"care": True, "marketing": False}
    body = page.content.decode()
    assert "Sam" in body
    for private in ("Carter", "sam.carter@example.test", "+447700900123"):
        assert private not in body
    saved = client.post(url, {"marketing": "on"})
    assert saved.status_code == 200
    assert "Your choices are saved." in saved.content.decode()
    smp_client.refresh_from_db()
    assert (smp_client.email_reminders, smp_client.marketing_consent) == (False, True)
    assert smp_client.marketing_consent_at is not None


def test_an_expired_preferences_link_says_so(client, smp_client):
    url = preferences_url(smp_client)
    with time_machine.travel(timezone.now() + PREFERENCES_MAX_AGE + timedelta(minutes=1)):
        response = client.get(url)
    assert response.status_code == 400
    assert "This link has expired." in response.content.decode()


def test_a_tampered_preferences_link_says_so(client, smp_client):
    token = preferences_token(client_public_id=smp_client.public_id)
    response = client.post(
        reverse("aftercare:preferences", args=[token[:-3] + "xyz"]), {"care": "on"}
    )
    assert response.status_code == 400
    assert "This link is not valid." in response.content.decode()


def test_the_unsubscribe_token_does_not_open_the_preferences_page(client, smp_client):
    token = unsubscribe_token(client_public_id=smp_client.public_id, category="care")
    assert client.get(reverse("aftercare:preferences", args=[token])).status_code == 400


def test_opting_back_in_reopens_the_future_messages_skipped_for_that_reason(
    client, smp_client, practitioner
):
    make_consultation(
        client=smp_client,
        practitioner=practitioner,
        decision="thinking",
        follow_up_on=timezone.localdate() + timedelta(days=10),
    )
    follow_up = OutboundMessage.objects.get(kind=Kind.CONSULTATION_FOLLOW_UP)
    assert (follow_up.status, follow_up.reason) == ("skipped", "opted_out")
    client.post(preferences_url(smp_client), {"care": "on", "marketing": "on"})
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.reason) == ("pending", "")


def test_staff_changing_the_email_choice_on_the_client_form_closes_pending_messages(
    smp_client, practitioner, room, front_desk
):
    from clients.services import client_update

    appointment = make_appointment(client=smp_client, practitioner=practitioner, room=room)
    client_update(client=smp_client, by=front_desk, data={"email_reminders": False})
    assert {m.status for m in rows(appointment=appointment)} == {"skipped"}
    client_update(client=smp_client, by=front_desk, data={"email_reminders": True, "email": ""})
    assert {m.reason for m in rows(appointment=appointment)} == {"opted_out"}


def test_every_email_links_to_both_pages_and_they_open(
    smp_client, practitioner, room, dispatch, mailoutbox, client, clock
):
    make_appointment(client=smp_client, practitioner=practitioner, room=room)
    dispatch()
    body = mailoutbox[0].body
    links = [
        line.split(": ", 1)[1]
        for line in body.splitlines()
        if "http://127.0.0.1:8000/messages/" in line
    ]
    assert len(links) == 2
    for link in links:
        assert client.get(link.removeprefix("http://127.0.0.1:8000")).status_code == 200


@pytest.mark.usefixtures("within_one_rate_window")
def test_one_click_posts_from_one_mail_provider_address_are_never_refused(location):
    from django.test import Client

    from tests.factories import make_client

    provider = Client(enforce_csrf_checks=True, REMOTE_ADDR="192.0.2.25")
    people = [make_client(location=location) for _ in range(40)]
    statuses = {
        provider.post(unsubscribe_url(person), {"List-Unsubscribe": "One-Click"}).status_code
        for person in people
    }
    assert statuses == {200}
    assert (
        not type(people[0])
        .objects.filter(pk__in=[p.pk for p in people], email_reminders=True)
        .exists()
    )


@pytest.mark.usefixtures("within_one_rate_window")
def test_a_loop_on_one_unsubscribe_link_is_still_limited(client, smp_client):
    url = unsubscribe_url(smp_client)
    posts = [client.post(url, REMOTE_ADDR=f"198.51.100.{n}").status_code for n in range(11)]
    assert posts == [200] * 10 + [429]
    gets = [client.get(url, REMOTE_ADDR="198.51.100.200").status_code for _ in range(31)]
    assert gets == [200] * 30 + [429]


@pytest.mark.usefixtures("within_one_rate_window")
def test_one_click_posts_with_made_up_links_are_limited_per_address(location):
    """A loop trying random links from one address is cut off after a generous number; the
    same address's real links keep working (a mail provider posting for its users)."""
    from django.test import Client

    from tests.factories import make_client

    prober = Client(REMOTE_ADDR="192.0.2.66")
    statuses = [
        prober.post(
            reverse("aftercare:unsubscribe", args=[f"made-up-{n}"]),
            {"List-Unsubscribe": "One-Click"},
        ).status_code
        for n in range(61)
    ]
    assert statuses == [400] * 60 + [429]
    assert_rate_limited_page(prober.post(reverse("aftercare:unsubscribe", args=["made-up-again"])))
    person = make_client(location=location)
    assert prober.post(unsubscribe_url(person), {"List-Unsubscribe": "One-Click"}).status_code == (
        200
    )
    person.refresh_from_db()
    assert person.email_reminders is False
    other = Client(REMOTE_ADDR="192.0.2.67")
    assert other.post(reverse("aftercare:unsubscribe", args=["made-up-0"])).status_code == 400


def assert_rate_limited_page(response):
    assert response.status_code == 429
    assert int(response["Retry-After"]) <= 60
    page = response.content.decode()
    assert 'data-testid="rate-limited"' in page
    assert "Too many requests" in page


@pytest.mark.usefixtures("within_one_rate_window")
def test_the_preferences_page_is_rate_limited_per_address(client, smp_client):
    url = preferences_url(smp_client)
    responses = [client.get(url, REMOTE_ADDR="203.0.113.7") for _ in range(31)]
    assert [r.status_code for r in responses[:30]] == [200] * 30
    assert_rate_limited_page(responses[30])
    refused = client.post(url, {}, REMOTE_ADDR="203.0.113.7")  # both choices off
    assert_rate_limited_page(refused)
    smp_client.refresh_from_db()
    assert smp_client.email_reminders is True  # the refused post changed nothing
    assert client.get(url, REMOTE_ADDR="203.0.113.8").status_code == 200


@pytest.mark.usefixtures("within_one_rate_window")
def test_the_healing_photo_page_is_rate_limited_per_address(client, practitioner, location):
    from aftercare.tokens import healing_token
    from tests.factories import make_started_session

    session = make_started_session(practitioner=practitioner, location=location, sign_off=True)
    token = healing_token(
        appointment_public_id=session.appointment.public_id,
        client_public_id=session.client.public_id,
    )
    url = reverse("aftercare:healing_upload", args=[token])
    responses = [client.get(url, REMOTE_ADDR="203.0.113.9") for _ in range(21)]
    assert [r.status_code for r in responses[:20]] == [200] * 20
    assert_rate_limited_page(responses[20])
