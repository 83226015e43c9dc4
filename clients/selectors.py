"""Reads of client records, always scoped to what the asking staff member may see."""

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from accounts.models import User
from clients.models import Client, ClientLocation
from clients.registry import registry
from clients.search import search_terms

CLIENT_PAGE_SIZE = 25


def user_location_ids(user: User) -> list[int]:
    """The ids of the locations a staff member works at, read once per request."""
    cached = getattr(user, "_location_ids", None)
    if cached is None:
        cached = list(user.locations.values_list("pk", flat=True))
        user._location_ids = cached
    return cached


def clients_visible_to(user: User) -> QuerySet[Client]:
    clients = Client.objects.all()
    if user.all_locations:
        return clients
    known_here = ClientLocation.objects.filter(
        client=OuterRef("pk"), location_id__in=user_location_ids(user)
    )
    return clients.filter(Exists(known_here))


def visible_client_condition(user: User, *, client_field: str = "client_id") -> Q:
    """For rows of other models that point at a client: true when ``user`` may see that
    client. It asks the client-location links alone (their unique index on client and
    location), never the clients table, so scoping thousands of rows stays cheap."""
    if user.all_locations:
        return Q()
    known_here = ClientLocation.objects.filter(
        client_id=OuterRef(client_field), location_id__in=user_location_ids(user)
    )
    return Q(Exists(known_here))


def client_get_for_user(*, user: User, public_id) -> Client:
    """The client with this public id if the user may see them; 404 otherwise."""
    try:
        return clients_visible_to(user).select_related("home_location").get(public_id=public_id)
    except (Client.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such client") from None


def client_search(
    *, user: User, q: str = "", status: str = "active", extra_filter: str = ""
) -> QuerySet[Client]:
    clients = clients_visible_to(user).select_related("home_location")
    if status in (Client.Status.ACTIVE, Client.Status.ARCHIVED):
        clients = clients.filter(status=status)
    for term in search_terms(q):
        clients = clients.filter(search_text__contains=term)
    if extra_filter and extra_filter in registry.list_filters:
        clients = registry.list_filters[extra_filter].apply(clients)
    return clients.order_by("last_name", "first_name", "pk")


def client_page(*, user: User, page: str | int | None, **filters) -> Page:
    return Paginator(client_search(user=user, **filters), CLIENT_PAGE_SIZE).get_page(page)


def client_possible_duplicates(
    *, email: str = "", phone: str = "", exclude: Client | None = None
) -> QuerySet[Client]:
    """Clients, anywhere, with the same email (any case) or the same phone number."""
    match = Q()
    if email:
        match |= Q(email__iexact=email.strip())
    if phone:
        match |= Q(phone=phone)
    if not match:
        return Client.objects.none()
    duplicates = Client.objects.filter(match)
    if exclude is not None:
        duplicates = duplicates.exclude(pk=exclude.pk)
    return duplicates.select_related("home_location").order_by("last_name", "first_name")
