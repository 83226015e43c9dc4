"""Appointment events for the apps above ``scheduling`` (aftercare's messages).

Listeners run inside the service's transaction, so the rows they write (an outbox message,
a cancelled reminder) commit or roll back together with the appointment change.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class _Listeners:
    booked: list[Callable[..., Any]] = field(default_factory=list)
    rescheduled: list[Callable[..., Any]] = field(default_factory=list)
    cancelled: list[Callable[..., Any]] = field(default_factory=list)
    status_changed: list[Callable[..., Any]] = field(default_factory=list)


listeners = _Listeners()


def listen(event: str, callback: Callable[..., Any]) -> None:
    registered = getattr(listeners, event)
    if callback not in registered:
        registered.append(callback)


def emit(event: str, **payload: Any) -> None:
    for callback in getattr(listeners, event):
        callback(**payload)
