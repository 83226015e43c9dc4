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
    NavEntry(
        "Calendar",
        "scheduling:day",
        "calendar3",
        STAFF,
        (
            "scheduling:day",
            "scheduling:week",
            "scheduling:book",
            "scheduling:appointment",
            "scheduling:slots",
            "scheduling:course_plan",
        ),
    ),
    NavEntry("Clients", "clients:list", "person-vcard", STAFF, ("clients:",)),
    NavEntry(
        "Outbox",
        "aftercare:outbox",
        "envelope",
        (Role.FRONT_DESK, Role.MANAGER),
        ("aftercare:outbox", "aftercare:message"),
    ),
    NavEntry(
        "Time off",
        "scheduling:time_off",
        "airplane",
        (Role.FRONT_DESK, Role.MANAGER),
        ("scheduling:time_off",),
    ),
    NavEntry(
        "Inventory",
        "sessions_app:inventory",
        "droplet",
        MANAGERS,
        (
            "sessions_app:inventory",
            "sessions_app:product",
            "sessions_app:lot",
            "sessions_app:needle",
        ),
    ),
    NavEntry("Audit", "audit:trail", "shield-check", MANAGERS, ("audit:",)),
    NavEntry("Staff", "accounts:staff_list", "people", MANAGERS, ("accounts:staff_",)),
    NavEntry(
        "Messages",
        "aftercare:templates",
        "chat-square-text",
        MANAGERS,
        (
            "aftercare:template",
            "aftercare:settings",
            "aftercare:plan",
            "aftercare:step_",
        ),
    ),
    NavEntry(
        "Settings",
        "scheduling:settings",
        "gear",
        MANAGERS,
        (
            "scheduling:settings",
            "scheduling:location",
            "scheduling:room",
            "scheduling:type",
            "scheduling:working_hours",
        ),
    ),
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
