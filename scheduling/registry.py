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
    """``guard(appointment, statuses) -> dict[str, str]``: for each of the candidate statuses
    the appointment may not take now, the reason (a pigmentation session completes from its
    log only). Given every candidate at once, a guard reads what it needs once."""
    if guard not in _status_guards:
        _status_guards.append(guard)


def status_refusals(appointment, statuses: set[str]) -> dict[str, str]:
    """The first reason a guard gives against each of ``statuses``; the others are open."""
    refusals: dict[str, str] = {}
    for guard in _status_guards:
        pending = statuses - refusals.keys()
        if not pending:
            break
        for status, reason in guard(appointment, pending).items():
            refusals.setdefault(status, reason)
    return refusals
