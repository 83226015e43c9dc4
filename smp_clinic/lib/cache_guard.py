"""The shared cache, asked through a short memory of its last failure.

The cache (Redis) only ever helps a request: rate-limit counters, the audit trail's note of
which images a page showed. Each caller already goes on without it. But a Redis that hangs
instead of refusing makes every call wait for its socket timeout, several calls a request:
every page would take seconds. After a failure, this process does not ask again for
``RETRY_SECONDS``: the calls fail at once (``CacheUnavailable``), and each caller does what
it does when the cache is down. The first call after that asks the cache again.
"""

import threading
import time
from collections.abc import Callable
from typing import TypeVar

RETRY_SECONDS = 30.0

T = TypeVar("T")

_lock = threading.Lock()
_failed_at: float | None = None


class CacheUnavailable(Exception):
    """The cache failed a moment ago and is not asked again yet."""


def call(operation: Callable[..., T], *args, **kwargs) -> T:
    """``operation(*args, **kwargs)`` on the cache, unless it failed less than
    ``RETRY_SECONDS`` ago. Its own error is raised as it was, after being remembered."""
    global _failed_at
    failed_at = _failed_at
    if failed_at is not None:
        ago = time.monotonic() - failed_at
        if ago < RETRY_SECONDS:
            raise CacheUnavailable(
                f"the cache failed {ago:.0f} s ago; asked again after {RETRY_SECONDS:.0f} s"
            )
    try:
        result = operation(*args, **kwargs)
    except Exception:
        with _lock:
            _failed_at = time.monotonic()
        raise
    if failed_at is not None:
        with _lock:
            _failed_at = None
    return result


def reset() -> None:
    """Forget the last failure (tests, and a process that knows the cache is back)."""
    global _failed_at
    with _lock:
        _failed_at = None
