"""A fixed-window rate limit on views, counted in the shared cache (Redis in production,
so every web process sees the same count).

    @rate_limit("login", per_minute=20)

Each client address gets ``per_minute`` requests (of the listed methods) per window; the
next one gets a 429 page saying when to try again. It limits a brute-force or scraping loop,
not a person: django-axes does the per-account lockout. ``key`` counts by something else
than the address (it gets the view's arguments), for requests that many people send from
few addresses. ``refused_over_limit`` counts one request from inside a view, for a limit on
only some of its requests.

When the cache cannot count (Redis down), the limit fails open: the request goes through
and a warning is logged. Nobody can sign in otherwise, while the per-account lockout (in
the database) still stands. After a failure the cache is left alone for a while
(``cache_guard``), so a Redis that hangs does not hold every request for its timeout.
"""

import hashlib
import logging
import time
from collections.abc import Callable
from functools import wraps

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from smp_clinic.lib import cache_guard
from smp_clinic.lib.http import client_ip

logger = logging.getLogger(__name__)


def _hit(key: str, window: int) -> int:
    # add() creates the counter with its expiry only if absent; incr() is atomic on Redis.
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=window)
        return 1


def _count(scope: str, key: str, window: int) -> int:
    """This request's number in its window, or 0 when the cache does not answer."""
    try:
        return cache_guard.call(_hit, key, window)
    except Exception as error:  # noqa: BLE001 - any cache backend's failure fails open
        logger.warning("Rate limit %r not applied: the cache failed (%r)", scope, error)
        return 0


def refused_over_limit(
    request: HttpRequest, scope: str, *, per_minute: int, window: int = 60, who: str | None = None
) -> HttpResponse | None:
    """Count this request against ``scope`` for ``who`` (the client address by default):
    the 429 page once past ``per_minute`` in the window, else None. For a view that counts
    only some of its requests (those it finds wrong), where the decorator counts them all."""
    bucket = int(time.time() // window)
    who = who or client_ip(request) or "unknown"
    if _count(scope, f"ratelimit:{scope}:{who}:{bucket}", window) <= per_minute:
        return None
    retry = window - int(time.time()) % window
    response = render(request, "429.html", {"retry_after": retry}, status=429)
    response["Retry-After"] = str(retry)
    return response


def rate_limit(
    scope: str,
    *,
    per_minute: int,
    window: int = 60,
    methods=("POST",),
    key: Callable[..., str] | None = None,
) -> Callable:
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods:
                who = None
                if key is not None:  # hashed: a bounded cache key whatever the value
                    who = hashlib.sha256(key(request, *args, **kwargs).encode()).hexdigest()[:32]
                refused = refused_over_limit(
                    request, scope, per_minute=per_minute, window=window, who=who
                )
                if refused is not None:
                    return refused
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
