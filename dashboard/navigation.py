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
    # Entries of a group share one menu in the bar, so a manager's dozen sections still fit
    # a tablet's width beside the person's own menu.
    group: str = ""


MANAGE = "Manage"
GROUP_ICONS = {MANAGE: "sliders"}


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
        MANAGE,
    ),
    NavEntry("Audit trail", "audit:trail", "shield-check", MANAGERS, ("audit:",), MANAGE),
    NavEntry("Staff", "accounts:staff_list", "people", MANAGERS, ("accounts:staff_",), MANAGE),
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
        MANAGE,
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
        MANAGE,
    ),
)


def nav_items_for(user, current_view: str) -> list[dict]:
    """The bar's items in order; a group is one item with ``children``, placed where its
    first entry is, and current when one of them is."""
    role = getattr(user, "role", "")
    items: list[dict] = []
    groups: dict[str, dict] = {}
    for entry in NAVIGATION:
        if role not in entry.roles:
            continue
        item = {
            "label": entry.label,
            "url": reverse(entry.url_name),
            "icon": entry.icon,
            "active": any(current_view.startswith(section) for section in entry.sections),
        }
        if not entry.group:
            items.append(item)
            continue
        group = groups.get(entry.group)
        if group is None:
            group = {
                "label": entry.group,
                "icon": GROUP_ICONS.get(entry.group, "list"),
                "active": False,
                "children": [],
            }
            groups[entry.group] = group
            items.append(group)
        group["children"].append(item)
        group["active"] = group["active"] or item["active"]
    return items
