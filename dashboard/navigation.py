"""The role-aware main navigation: one table, read by the context processor."""

from dataclasses import dataclass

from django.urls import reverse

from accounts.roles import MANAGERS, STAFF, Role


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    icon: str
    roles: tuple[Role, ...]
    # URL namespaces (or full names) that mark this entry as the current section.
    sections: tuple[str, ...] = ()


NAVIGATION: tuple[NavEntry, ...] = (
    NavEntry("Today", "dashboard:today", "sun", STAFF, ("dashboard:today",)),
    NavEntry("Clients", "clients:list", "person-vcard", STAFF, ("clients:",)),
    NavEntry("Staff", "accounts:staff_list", "people", MANAGERS, ("accounts:staff_",)),
)


def nav_items_for(user, current_view: str) -> list[dict]:
    role = getattr(user, "role", "")
    items = []
    for entry in NAVIGATION:
        if role not in entry.roles:
            continue
        active = any(current_view.startswith(section) for section in entry.sections)
        items.append(
            {
                "label": entry.label,
                "url": reverse(entry.url_name),
                "icon": entry.icon,
                "active": active,
            }
        )
    return items
