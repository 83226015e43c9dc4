"""Return-to URLs that travel through forms and query strings, without becoming an open
redirect."""

from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def is_local(request: HttpRequest, target: str) -> bool:
    """Whether the URL stays on this site (and on https when the request is)."""
    return bool(target) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def safe_next(request: HttpRequest, fallback: str = "") -> str:
    """The ``next`` parameter (POST first, then GET) when it is a local URL, else ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if is_local(request, target) else fallback


def redirect_back(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    return redirect(safe_next(request, fallback))
