"""Writes on client records. Views and forms call these; nothing else saves a Client."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from clients.models import Client, ClientLocation
from clients.search import build_search_text
from smp_clinic.lib import events

# The fields whose change the apps above (aftercare) react to: "client.preferences_changed".
PREFERENCE_FIELDS = ("email", "email_reminders", "marketing_consent")

EDITABLE_FIELDS = (
    "first_name",
    "last_name",
    "preferred_name",
    "email",
    "phone",
    "date_of_birth",
    "sex",
    "pronouns",
    "address",
    "home_location",
    "preferred_channel",
    "email_reminders",
    "marketing_consent",
    "notes",
)


def _refresh_search_text(client: Client) -> None:
    client.search_text = build_search_text(
        first_name=client.first_name,
        last_name=client.last_name,
        preferred_name=client.preferred_name,
        email=client.email,
        phone=client.phone,
    )


def _apply(client: Client, data: dict, *, now) -> None:
    was_consenting = client.marketing_consent if client.pk else False
    for name in EDITABLE_FIELDS:
        if name in data:
            setattr(client, name, data[name])
    client.email = (client.email or "").strip().lower()
    if client.marketing_consent and not was_consenting:
        client.marketing_consent_at = now
    elif not client.marketing_consent:
        client.marketing_consent_at = None
    _refresh_search_text(client)


@transaction.atomic
def client_create(*, by: User, data: dict) -> Client:
    now = timezone.now()
    client = Client(created_by=by)
    _apply(client, data, now=now)
    client.save()
    client_link_location(client=client, location=client.home_location)
    return client


@transaction.atomic
def client_update(*, client: Client, by: User, data: dict) -> Client:
    client = Client.objects.select_for_update().get(pk=client.pk)
    if client.is_erased:
        raise ValidationError("An erased client's details cannot be filled in again.")
    before = [getattr(client, name) for name in PREFERENCE_FIELDS]
    _apply(client, data, now=timezone.now())
    client.save()
    client_link_location(client=client, location=client.home_location)
    if before != [getattr(client, name) for name in PREFERENCE_FIELDS]:
        events.emit("client.preferences_changed", client=client, by=by)
    return client


@transaction.atomic
def client_set_email_preferences(
    *, client: Client, email_reminders: bool, marketing_consent: bool
) -> Client:
    """The client's own choice, from the preferences or unsubscribe page (no staff user)."""
    client = Client.objects.select_for_update().get(pk=client.pk)
    now = timezone.now()
    if marketing_consent and not client.marketing_consent:
        client.marketing_consent_at = now
    elif not marketing_consent:
        client.marketing_consent_at = None
    changed = (client.email_reminders, client.marketing_consent) != (
        email_reminders,
        marketing_consent,
    )
    client.email_reminders = email_reminders
    client.marketing_consent = marketing_consent
    client.save(
        update_fields=["email_reminders", "marketing_consent", "marketing_consent_at", "updated_at"]
    )
    if changed:
        events.emit("client.preferences_changed", client=client, by=None)
    return client


def client_link_location(*, client: Client, location) -> None:
    """Make the client visible to the staff of ``location`` (idempotent)."""
    ClientLocation.objects.get_or_create(client=client, location=location)


@transaction.atomic
def client_archive(*, client: Client, by: User) -> Client:
    client = Client.objects.select_for_update().get(pk=client.pk)
    if client.is_archived:
        return client
    client.status = Client.Status.ARCHIVED
    client.archived_at = timezone.now()
    client.archived_by = by
    client.save(update_fields=["status", "archived_at", "archived_by", "updated_at"])
    events.emit("client.archived", client=client, by=by)
    return client


@transaction.atomic
def client_restore(*, client: Client, by: User) -> Client:
    client = Client.objects.select_for_update().get(pk=client.pk)
    if client.is_erased:
        raise ValidationError("An erased client cannot be restored.")
    client.status = Client.Status.ACTIVE
    client.archived_at = None
    client.archived_by = None
    client.save(update_fields=["status", "archived_at", "archived_by", "updated_at"])
    return client


@transaction.atomic
def client_set_marketing_consent(*, client: Client, consenting: bool) -> Client:
    """Turn recalls and offers by email on or off, keeping the date it was given. Called by
    the consent services when the marketing consent is signed or withdrawn."""
    locked = Client.objects.select_for_update().get(pk=client.pk)
    if locked.marketing_consent == consenting:
        return locked
    locked.marketing_consent = consenting
    locked.marketing_consent_at = timezone.now() if consenting else None
    locked.save(update_fields=["marketing_consent", "marketing_consent_at", "updated_at"])
    client.marketing_consent = locked.marketing_consent
    client.marketing_consent_at = locked.marketing_consent_at
    events.emit("client.preferences_changed", client=locked, by=None)
    return locked
