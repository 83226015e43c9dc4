"""Which address the app records for a request: consent signatures, design approvals,
the audit trail and rate limits all depend on it not being forgeable."""

import pytest
from django.test import RequestFactory

from smp_clinic.lib.http import client_ip, valid_ip


def request_from(peer: str, forwarded: str | None = None):
    headers = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


def test_without_a_proxy_the_header_is_ignored(settings):
    settings.SECURE_PROXY_SSL_HEADER = None
    assert client_ip(request_from("203.0.113.9", "1.2.3.4")) == "203.0.113.9"


def test_behind_one_proxy_the_address_the_proxy_saw_wins_over_a_forged_entry(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.PROXY_COUNT = 1
    # The client sent "X-Forwarded-For: 6.6.6.6"; the proxy appended the real address.
    assert client_ip(request_from("10.0.0.2", "6.6.6.6, 198.51.100.7")) == "198.51.100.7"


def test_behind_two_proxies_the_second_entry_from_the_right(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.PROXY_COUNT = 2
    request = request_from("10.0.0.3", "6.6.6.6, 198.51.100.7, 10.0.0.2")
    assert client_ip(request) == "198.51.100.7"


def test_a_short_or_junk_header_falls_back_to_the_peer(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.PROXY_COUNT = 2
    assert client_ip(request_from("10.0.0.3", "198.51.100.7")) == "10.0.0.3"
    settings.PROXY_COUNT = 1
    assert client_ip(request_from("10.0.0.3", "not-an-address")) == "10.0.0.3"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("192.0.2.1", "192.0.2.1"),
        (" 2001:DB8::1 ", "2001:db8::1"),
        ("192.0.2.1:8080", None),
        ("", None),
        (None, None),
        ("<script>", None),
    ],
)
def test_valid_ip_accepts_only_addresses(raw, expected):
    assert valid_ip(raw) == expected
