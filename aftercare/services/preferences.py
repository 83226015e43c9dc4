"""The client's email choices, from the signed links in every email (no login)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from aftercare.kinds import Category
from clients.models import Client
from clients.services import client_set_email_preferences


def client_for_token_id(public_id: str) -> Client | None:
    try:
        return Client.objects.select_related("home_location").filter(public_id=public_id).first()
    except (ValueError, ValidationError):  # not a UUID: only a signed payload gets here
        return None


@transaction.atomic
def preferences_unsubscribe(*, client: Client, category: str) -> Client:
    """One click: switch off the category the email belonged to. Idempotent."""
    return client_set_email_preferences(
        client=client,
        email_reminders=client.email_reminders and category != Category.CARE,
        marketing_consent=client.marketing_consent and category != Category.MARKETING,
    )


@transaction.atomic
def preferences_save(*, client: Client, care: bool, marketing: bool) -> Client:
    return client_set_email_preferences(
        client=client, email_reminders=care, marketing_consent=marketing
    )
