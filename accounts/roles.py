"""The three staff roles, the groups that carry their model permissions, and the sync.

A user's role is a column on the user row (read on every request without a query) and a
membership of the matching group (which carries Django model permissions). Only the
``user_set_role`` service writes either, so the two never drift.
"""

from django.db import models


class Role(models.TextChoices):
    FRONT_DESK = "front_desk", "Front desk"
    PRACTITIONER = "practitioner", "Practitioner"
    MANAGER = "manager", "Manager"


STAFF = (Role.FRONT_DESK, Role.PRACTITIONER, Role.MANAGER)
CLINICAL = (Role.PRACTITIONER, Role.MANAGER)
MANAGERS = (Role.MANAGER,)

GROUP_NAMES = {role: role.label for role in Role}

# Model permissions per role, as "app_label.codename" or "app_label.*" for every
# permission of an app. Field-level limits (front desk never sees medical details) are
# enforced by the views and selectors; these permissions describe the same split.
ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.FRONT_DESK: (
        "clients.view_client",
        "clients.add_client",
        "clients.change_client",
        # The front desk hands the tablet over for signing and may print a signed consent.
        "clients.view_consenttemplate",
        "clients.view_consentversion",
        "clients.view_signedconsent",
        "clients.add_signedconsent",
        "scheduling.*",
        "locations.view_location",
        "locations.view_room",
    ),
    Role.PRACTITIONER: (
        "clients.*",
        "scheduling.*",
        "consultations.*",
        "sessions_app.*",
        "aftercare.view_outboundmessage",
        "locations.view_location",
        "locations.view_room",
    ),
    Role.MANAGER: (
        "accounts.*",
        "locations.*",
        "clients.*",
        "scheduling.*",
        "consultations.*",
        "sessions_app.*",
        "aftercare.*",
    ),
}


def permissions_for(role: Role, permission_model) -> list:
    """The Permission rows a role's group should hold (those that exist so far)."""
    exact: list[tuple[str, str]] = []
    whole_apps: list[str] = []
    for entry in ROLE_PERMISSIONS[role]:
        app_label, codename = entry.split(".", 1)
        if codename == "*":
            whole_apps.append(app_label)
        else:
            exact.append((app_label, codename))
    query = models.Q(content_type__app_label__in=whole_apps)
    for app_label, codename in exact:
        query |= models.Q(content_type__app_label=app_label, codename=codename)
    return list(permission_model.objects.filter(query))


def ensure_role_groups(group_model, permission_model) -> None:
    for role, name in GROUP_NAMES.items():
        group, _ = group_model.objects.get_or_create(name=name)
        group.permissions.set(permissions_for(role, permission_model))


def sync_role_permissions(sender=None, using="default", apps=None, **kwargs) -> None:
    """post_migrate (also sent after a flush): the groups exist and hold their permissions,
    including those of models added since the data migration ran."""
    if apps is None:  # flush sends post_migrate without a migration state
        from django.apps import apps
    try:
        group_model = apps.get_model("auth", "Group")
        permission_model = apps.get_model("auth", "Permission")
    except LookupError:
        return
    ensure_role_groups(group_model, permission_model)
