from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User

STAFF_PAGE_SIZE = 25


def staff_visible_to(manager: User) -> QuerySet[User]:
    """The staff a manager looks after: everyone for a manager of all locations, else the
    people who work at one of the manager's locations (and the manager)."""
    if manager.all_locations:
        return User.objects.all()
    shared = User.locations.through.objects.filter(
        user=OuterRef("pk"), location__in=manager.locations.all()
    )
    return User.objects.filter(Q(Exists(shared), all_locations=False) | Q(pk=manager.pk))


def staff_list(*, manager: User, q: str = "", role: str = "", status: str = "") -> QuerySet[User]:
    users = staff_visible_to(manager).prefetch_related("locations")
    users = users.annotate(
        has_two_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
    )
    if q:
        users = users.filter(Q(full_name__icontains=q) | Q(email__icontains=q))
    if role:
        users = users.filter(role=role)
    if status == "active":
        users = users.filter(is_active=True).exclude(password__startswith=UNUSABLE_PASSWORD_PREFIX)
    elif status == "invited":
        users = users.filter(is_active=True, password__startswith=UNUSABLE_PASSWORD_PREFIX)
    elif status == "deactivated":
        users = users.filter(is_active=False)
    return users.order_by("-is_active", "full_name", "email")


def staff_page(*, page: str | int | None, **filters) -> Page:
    return Paginator(staff_list(**filters), STAFF_PAGE_SIZE).get_page(page)


def staff_member_for(*, manager: User, public_id) -> User:
    """One staff member this manager looks after, or 404 (also for someone at locations
    the manager does not manage)."""
    return get_object_or_404(
        staff_visible_to(manager).prefetch_related("locations"), public_id=public_id
    )
