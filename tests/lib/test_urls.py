"""Return-to URLs from forms: only paths and full URLs of this site are followed."""

import pytest
from django.test import RequestFactory

from smp_clinic.lib.urls import redirect_back, safe_next


def posted(next_value: str):
    return RequestFactory().post("/somewhere/", {"next": next_value})


@pytest.mark.parametrize("value", ["/calendar/day/", "http://testserver/clients/"])
def test_a_local_next_is_followed(value):
    assert safe_next(posted(value), "/fallback/") == value


@pytest.mark.parametrize(
    "value",
    [
        "https://evil.example/",
        "//evil.example/",
        # Found by the form fuzzer: redirect() took these for view names and raised.
        "9999-12-31T23:59",
        "dashboard:today",
        "admin:index",
        "javascript:alert(1)",
    ],
)
def test_anything_else_falls_back_without_an_error(value):
    assert safe_next(posted(value), "/fallback/") == "/fallback/"
    assert redirect_back(posted(value), "/fallback/").url == "/fallback/"
