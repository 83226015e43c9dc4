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
