"""Facts about the request that several apps record (where it came from), and the one way
to send a person elsewhere that also works for htmx requests."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


def valid_ip(raw: str | None) -> str | None:
    """The address in canonical form, or None for anything that is not one (a port, junk)."""
    try:
        return str(ipaddress.ip_address((raw or "").strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. Behind proxies (BEHIND_PROXY), each proxy appends the address
    it received from to X-Forwarded-For, so the client is the entry PROXY_COUNT places from
    the right; anything further left was written by the client and cannot be trusted.
    Without a proxy, the socket's peer address."""
    peer = valid_ip(request.META.get("REMOTE_ADDR"))
    if not getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        return peer
    hops = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    count = getattr(settings, "PROXY_COUNT", 1)
    if len(hops) >= count:
        return valid_ip(hops[-count]) or peer
    return peer


def htmx_redirect(request: HttpRequest, url: str) -> HttpResponse:
    """Redirect a normal request; tell htmx to load the page instead of swapping a fragment
    (a modal form, or a fragment a middleware refuses)."""
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)
