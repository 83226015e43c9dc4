"""Extension points of the client pages for the apps above ``clients``.

The client page shows appointments, consultations, sessions, photos and messages, which
live in apps that depend on ``clients``. Rather than ``clients`` importing them, each app
registers a section (a tab) or a list filter from its ``AppConfig.ready``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import QuerySet


@dataclass(frozen=True)
class ClientSection:
    key: str
    label: str
    template: str
    roles: frozenset[str]
    # Returns the template context of the section for one client, shaped by a selector so
    # that rendering triggers no query.
    context: Callable[..., dict]
    order: int = 100
    icon: str = "circle"
    # When set, ``context`` also receives ``query``: the request's GET parameters (a filter
    # such as ``?kind=healing`` on the Photos tab).
    uses_query: bool = False


@dataclass(frozen=True)
class ClientListFilter:
    key: str
    label: str
    apply: Callable[[QuerySet], QuerySet]


@dataclass(frozen=True)
class ClientNotice:
    """A line at the top of the client page with one action (e.g. a plan waiting to be
    booked); providers must keep to what every role that sees it may know."""

    text: str
    url: str
    label: str
    icon: str = "info-circle"
    method: str = "get"  # "post" renders the action as a small form with the CSRF token


@dataclass(frozen=True)
class OverviewPanel:
    """A card on the client's Overview tab from an app above ``clients`` (the next
    appointments and the course's progress); ``context(client=, user=)`` shapes what the
    template shows, in a fixed number of queries."""

    key: str
    template: str
    roles: frozenset[str]
    context: Callable[..., dict]
    order: int = 100


@dataclass(frozen=True)
class RenderedPanel:
    template: str
    data: dict


@dataclass
class _Registry:
    sections: dict[str, ClientSection] = field(default_factory=dict)
    list_filters: dict[str, ClientListFilter] = field(default_factory=dict)
    # Callables (client) -> list of reasons the client cannot be archived yet.
    archive_checks: list[Callable] = field(default_factory=list)
    # Callables (client, user) -> list[ClientNotice].
    notices: list[Callable] = field(default_factory=list)
    overview_panels: dict[str, OverviewPanel] = field(default_factory=dict)


registry = _Registry()


def register_section(section: ClientSection) -> None:
    registry.sections[section.key] = section


def register_list_filter(list_filter: ClientListFilter) -> None:
    registry.list_filters[list_filter.key] = list_filter


def register_archive_check(check: Callable) -> None:
    if check not in registry.archive_checks:
        registry.archive_checks.append(check)


def register_notice(provider: Callable) -> None:
    if provider not in registry.notices:
        registry.notices.append(provider)


def register_overview_panel(panel: OverviewPanel) -> None:
    registry.overview_panels[panel.key] = panel


def overview_panels_for(client, user) -> list[RenderedPanel]:
    panels = sorted(
        (p for p in registry.overview_panels.values() if user.role in p.roles),
        key=lambda p: (p.order, p.key),
    )
    return [RenderedPanel(p.template, p.context(client=client, user=user)) for p in panels]


def notices_for(client, user) -> list[ClientNotice]:
    return [notice for provider in registry.notices for notice in provider(client, user)]


def sections_for(role: str) -> list[ClientSection]:
    return sorted(
        (s for s in registry.sections.values() if role in s.roles), key=lambda s: (s.order, s.key)
    )
