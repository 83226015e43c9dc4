"""The pages a person sees when something is not there or goes wrong: friendly, inside the
app's look, and with a way back."""

import pytest
from django.test import Client
from django.urls import reverse


def test_an_unknown_address_gets_the_friendly_404_page(client, front_desk):
    client.force_login(front_desk)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We couldn't find that page" in html
    assert 'href="/"' in html


@pytest.mark.urls("tests.boom_urls")
def test_a_server_error_gets_the_friendly_500_page_and_no_details(db):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "RuntimeError" not in html
    assert "on purpose" not in html


def test_a_form_sent_without_the_security_cookie_gets_the_page_expired_page(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/accounts/login/",
        {"username": "someone@example.test", "password": "whatever"},
        HTTP_REFERER="http://testserver/accounts/login/",
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "<title>Page expired · SMP Clinic</title>" in html
    assert "This page has expired" in html
    assert "Nothing was saved" in html
    assert "allow cookies for this site" in html
    assert 'href="http://testserver/accounts/login/" data-testid="page-expired-back"' in html


def test_a_stale_form_of_a_signed_in_person_keeps_the_app_around_the_message(
    db, front_desk, smp_client
):
    client = Client(enforce_csrf_checks=True)
    client.force_login(front_desk)
    client.get(reverse("clients:list"))  # the page sets the security cookie
    before = smp_client.first_name
    response = client.post(
        reverse("clients:edit", args=[smp_client.public_id]),
        {"first_name": "Changed", "csrfmiddlewaretoken": "a-token-from-an-old-page"},
        HTTP_REFERER="https://elsewhere.example/",
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "This page has expired" in html
    assert 'data-testid="main-nav"' in html
    assert "allow cookies" not in html
    # A page of another site is no way back: the link goes to the day's start instead.
    assert 'href="/" data-testid="page-expired-back"' in html
    smp_client.refresh_from_db()
    assert smp_client.first_name == before


def test_a_stale_htmx_request_is_marked_so_the_page_says_it_expired(db, front_desk, smp_client):
    """An htmx swap shows no page, so the refusal carries a header that the script turns into
    "this page has expired" rather than "not open to your role"."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(front_desk)
    client.get(reverse("clients:list"))
    response = client.post(
        reverse("clients:edit", args=[smp_client.public_id]),
        {"first_name": "Changed", "csrfmiddlewaretoken": "a-token-from-an-old-page"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 403
    assert response["X-Refused"] == "page-expired"
    # A refusal for the role carries no such mark.
    refused = client.get(reverse("audit:trail"))
    assert refused.status_code == 403
    assert "X-Refused" not in refused
