"""The pages a person sees when something is not there or goes wrong: friendly, inside the
app's look, and with a way back."""

import pytest
from django.test import Client


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
