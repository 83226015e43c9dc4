"""Writes of consents: a client signing, a practitioner recording a withdrawal, a manager
publishing a new version of a text.

Every check that can fail on the client's input (the typed name, the signature, the text
they read) is collected into one ValidationError keyed by the sign form's field names, so
the person signing sees every problem at once.
"""

import ipaddress
import unicodedata

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import CLINICAL, MANAGERS, STAFF
from clients.consent.text import normalise_body
from clients.models import Client, ConsentKind, ConsentTemplate, ConsentVersion, SignedConsent
from clients.services import client_set_marketing_consent
from clients.signatures import content_sha256, signature_from_data_url

TYPED_NAME_MAX_LENGTH = 200
USER_AGENT_MAX_LENGTH = 300
REASON_MAX_LENGTH = 1000
BODY_MAX_LENGTH = 20000
CHANGE_NOTE_MAX_LENGTH = 300

NAME_REQUIRED = "Type your full name."
REASON_REQUIRED = "Say why the consent is withdrawn (for example “asked by phone on 3 May”)."
TEXT_CHANGED = (
    "The clinic updated this consent text while it was open. Read the new text below, then "
    "sign again."
)
BODY_REQUIRED = "Write the consent text."


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%-d %b %Y at %H:%M}"


def name_key(name: str) -> str:
    """A name reduced to what a person means by it: no case, accents, spaces or hyphens,
    so "sam  CARTER" and "Sám Carter" both match "Sam Carter"."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(ch for ch in letters.casefold() if not ch.isspace() and ch not in "-‐‑–")


def typed_name_matches(typed: str, client: Client) -> bool:
    return bool(name_key(typed)) and name_key(typed) == name_key(client.full_name)


def _clean_ip(raw: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((raw or "").strip()))
    except ValueError:
        return None


def _latest_signature(client: Client, template: ConsentTemplate) -> SignedConsent | None:
    return (
        SignedConsent.objects.filter(client=client, version__template=template)
        .select_related("version")
        .order_by("-signed_at", "-pk")
        .first()
    )


def _latest_version(template: ConsentTemplate) -> ConsentVersion | None:
    return ConsentVersion.objects.filter(template=template).order_by("-number").first()


def consent_sign(
    *,
    client: Client,
    version: ConsentVersion,
    typed_name: str,
    signature_data_url: str,
    witness: User,
    ip_address: str | None,
    user_agent: str = "",
) -> SignedConsent:
    """Record the client's signature under ``version``, the text they were shown.

    Refused when a newer text has been published since (the client must read it), when the
    typed name is not the client's full name, when the signature is blank or unreadable, or
    when the client already holds a valid signature of this same text.
    """
    if witness is None or witness.role not in STAFF:
        raise PermissionDenied("Only a member of staff can witness a signature.")
    typed_name = " ".join((typed_name or "").split())[:TYPED_NAME_MAX_LENGTH]
    errors: dict[str, list[str]] = {}
    if not typed_name:
        errors["typed_name"] = [NAME_REQUIRED]
    elif not typed_name_matches(typed_name, client):
        errors["typed_name"] = [
            f"The name typed does not match the client's record. Type the full name: "
            f"{client.full_name}."
        ]
    signature = None
    try:
        signature = signature_from_data_url(signature_data_url)
    except ValidationError as error:
        errors["signature"] = error.messages

    template = version.template
    with transaction.atomic():
        # One signing at a time per client: a double tap on "Sign" records one signature.
        locked = Client.objects.select_for_update().get(pk=client.pk)
        if locked.is_archived:
            raise ValidationError("This client is archived: restore them before signing.")
        offered = _latest_version(template)
        if offered is None or offered.pk != version.pk:
            raise ValidationError(TEXT_CHANGED, code="text_changed")
        if template.kind == ConsentKind.MARKETING and not locked.email:
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                "The marketing consent is about emails: add the client's email address to "
                "their record first."
            )
        current = _latest_signature(locked, template)
        if current is not None and not current.is_withdrawn and current.version_id == version.pk:
            raise ValidationError(
                f"{locked.full_name} already signed this text on {_when(current.signed_at)}; "
                "there is nothing new to sign."
            )
        if errors:
            raise ValidationError(errors)
        consent = SignedConsent(
            client=locked,
            version=version,
            typed_name=typed_name,
            signature_sha256=content_sha256(signature),
            ip_address=_clean_ip(ip_address),
            user_agent=(user_agent or "")[:USER_AGENT_MAX_LENGTH],
            witness=witness,
        )
        consent.signature.save(signature.name, signature, save=False)
        try:
            with transaction.atomic():
                consent.save()
                if template.kind == ConsentKind.MARKETING:
                    client_set_marketing_consent(client=locked, consenting=True)
        except Exception:
            # Nothing was recorded, so the stored signature image must not stay behind.
            consent.signature.storage.delete(consent.signature.name)
            raise
    return consent


def consent_withdraw(*, consent: SignedConsent, by: User, reason: str) -> SignedConsent:
    """Record that the client withdrew this consent: when, who recorded it, and why.

    Only the client's latest signature of a kind can be withdrawn (it is the one that
    counts). Withdrawing the marketing consent turns the marketing emails off.
    """
    if by is None or by.role not in CLINICAL:
        raise PermissionDenied("Only a practitioner or a manager can record a withdrawal.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [REASON_REQUIRED]})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": [f"Keep the reason under {REASON_MAX_LENGTH} characters."]}
        )
    with transaction.atomic():
        client = Client.objects.select_for_update().get(pk=consent.client_id)
        current = _latest_signature(client, consent.version.template)
        if current is None or current.pk != consent.pk:
            raise ValidationError(
                "A later signature has replaced this one: withdraw the latest signature instead."
            )
        # Read under the client's lock: two people recording the same withdrawal leave one
        # record, the second is told it is already done.
        if current.withdrawn_at is not None:
            raise ValidationError(
                f"This consent was already withdrawn on {_when(current.withdrawn_at)}."
            )
        now = timezone.now()
        current.withdrawn_at, current.withdrawn_by, current.withdrawal_reason = now, by, reason
        # Saved (not a queryset update) so that the audit trail records the withdrawal.
        current.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
        if consent.version.template.kind == ConsentKind.MARKETING:
            client_set_marketing_consent(client=client, consenting=False)
    consent.withdrawn_at, consent.withdrawn_by, consent.withdrawal_reason = now, by, reason
    return consent


def consent_version_publish(
    *,
    template: ConsentTemplate,
    by: User,
    body: str,
    change_note: str = "",
    based_on: int | None = None,
) -> ConsentVersion:
    """Publish the next version of a consent text; from now on it is the one offered.

    ``based_on`` is the version number the manager was editing from: if someone published
    another version meanwhile, the manager is asked to read it first rather than silently
    replacing it. Signatures under earlier versions keep their own text.
    """
    if by is None or by.role not in MANAGERS:
        raise PermissionDenied("Only a manager can publish a consent text.")
    body = normalise_body(body)
    change_note = " ".join((change_note or "").split())
    errors: dict[str, list[str]] = {}
    if not body:
        errors["body"] = [BODY_REQUIRED]
    elif len(body) > BODY_MAX_LENGTH:
        errors["body"] = [f"Keep the text under {BODY_MAX_LENGTH} characters."]
    if len(change_note) > CHANGE_NOTE_MAX_LENGTH:
        errors["change_note"] = [f"Keep this under {CHANGE_NOTE_MAX_LENGTH} characters."]
    with transaction.atomic():
        template = ConsentTemplate.objects.select_for_update().get(pk=template.pk)
        current = (
            ConsentVersion.objects.filter(template=template)
            .select_related("created_by")
            .order_by("-number")
            .first()
        )
        current_number = current.number if current else 0
        if based_on is not None and based_on != current_number:
            by_whom = current.created_by.full_name if current.created_by else "someone"
            raise ValidationError(
                f"Version {current_number} was published by {by_whom} on "
                f"{_when(current.created_at)} while you were editing. Read it, then make your "
                "changes again."
            )
        if current is not None and not errors and current.body == body:
            errors["body"] = [
                f"This is the same text as version {current.number}: change it before publishing."
            ]
        if errors:
            raise ValidationError(errors)
        return ConsentVersion.objects.create(
            template=template,
            number=current_number + 1,
            body=body,
            change_note=change_note,
            created_by=by,
        )
