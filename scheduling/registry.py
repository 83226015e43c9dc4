"""Actions the apps above ``scheduling`` add to an appointment's page (start a consultation,
open the session log), so the calendar never imports them."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class AppointmentAction:
    label: str
    url: str
    icon: str = "arrow-right-circle"
    method: str = "get"  # "post" renders a small form with the CSRF token
    primary: bool = True


_providers: list[Callable] = []


def register_appointment_actions(provider: Callable) -> None:
    """``provider(appointment, user) -> list[AppointmentAction]``."""
    if provider not in _providers:
        _providers.append(provider)


def actions_for(appointment, user) -> list[AppointmentAction]:
    return [action for provider in _providers for action in provider(appointment, user)]


_status_guards: list[Callable] = []


def register_status_guard(guard: Callable) -> None:
    """``guard(appointment, new_status) -> str | None``: a reason the appointment may not
    take this status now (a pigmentation session completes from its log only), or None."""
    if guard not in _status_guards:
        _status_guards.append(guard)


def status_refusal(appointment, new_status: str) -> str | None:
    for guard in _status_guards:
        reason = guard(appointment, new_status)
        if reason:
            return reason
    return None
