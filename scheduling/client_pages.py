"""What the calendar adds to the client pages: the Appointments tab, the Overview's next
appointments and course progress, the "has an upcoming appointment" filter, and the rule
that a client with upcoming appointments stays active."""

from django.utils import timezone

from accounts.roles import STAFF
from clients.registry import (
    ClientListFilter,
    ClientSection,
    OverviewPanel,
    register_archive_check,
    register_list_filter,
    register_overview_panel,
    register_section,
)


def _appointments_context(*, client, user, query) -> dict:
    from scheduling.selectors import booking_location_for, client_appointments

    return {
        "appointments": client_appointments(client=client, user=user, page=query.get("page")),
        "booking_location": booking_location_for(user=user, client=client),
        "now": timezone.now(),
    }


def _overview_context(*, client, user) -> dict:
    from scheduling.selectors import client_overview

    return {"overview": client_overview(client=client, user=user)}


def _has_upcoming(queryset):
    from scheduling.selectors import client_has_upcoming

    return client_has_upcoming(queryset)


def _upcoming_blocks_archive(client) -> list[str]:
    from scheduling.models import Appointment

    count = Appointment.objects.filter(
        client=client, status__in=Appointment.UPCOMING, start__gte=timezone.now()
    ).count()
    if count:
        plural = "s" if count != 1 else ""
        return [f"{count} upcoming appointment{plural}: cancel or complete them first."]
    return []


def register() -> None:
    register_section(
        ClientSection(
            key="appointments",
            label="Appointments",
            template="scheduling/client_section.html",
            roles=frozenset(STAFF),
            context=_appointments_context,
            order=10,
            icon="calendar3",
            uses_query=True,
        )
    )
    register_overview_panel(
        OverviewPanel(
            key="appointments",
            template="scheduling/client_overview.html",
            roles=frozenset(STAFF),
            context=_overview_context,
            order=10,
        )
    )
    register_list_filter(
        ClientListFilter(key="upcoming", label="With an upcoming appointment", apply=_has_upcoming)
    )
    register_archive_check(_upcoming_blocks_archive)
