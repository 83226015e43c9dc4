"""Domain events for the apps above the one where a change happens.

An app low in the stack (scheduling, consultations, sessions_app) announces what happened;
an app above it (aftercare) listens from its ``AppConfig.ready``. Listeners run inside the
caller's transaction, so the rows they write (an outbox message, a cancelled reminder)
commit or roll back together with the change that caused them.

Event names are dotted strings owned by the emitting app, e.g. "appointment.booked".
"""

from collections import defaultdict
from collections.abc import Callable
from typing import Any

_listeners: dict[str, list[Callable[..., Any]]] = defaultdict(list)


def listen(event: str, callback: Callable[..., Any]) -> None:
    if callback not in _listeners[event]:
        _listeners[event].append(callback)


def emit(event: str, **payload: Any) -> None:
    for callback in list(_listeners.get(event, ())):
        callback(**payload)


def listeners_of(event: str) -> tuple[Callable[..., Any], ...]:
    return tuple(_listeners.get(event, ()))
