"""Return-to URLs that travel through forms and query strings, without becoming an open
redirect."""

from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme


def is_local(request: HttpRequest, target: str) -> bool:
    """Whether the URL is a path on this site, or a full URL to it (and on https when the
    request is). A bare word is neither: ``redirect()`` would try it as a view name, and a
    browser would resolve it against whatever page it happens to be on."""
    if not target or not (target.startswith("/") or urlsplit(target).scheme):
        return False
    return url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def safe_next(request: HttpRequest, fallback: str = "") -> str:
    """The ``next`` parameter (POST first, then GET) when it is a local URL, else ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if is_local(request, target) else fallback


def redirect_back(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(safe_next(request, fallback))
