"""Reads of consents. Other features call ``client_consent_status`` (the client page, the
pre-session gate), ``client_has_valid_consent`` (one kind, e.g. before taking photos) and
``client_ids_with_valid_consent`` (pages listing many clients).

The consent that counts for a kind is the client's latest signature of it: valid unless
withdrawn. A signature under an older text stays valid ("older version"); nothing expires.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, Max, OuterRef, QuerySet, Subquery
from django.http import Http404

from accounts.models import User
from clients.models import Client, ConsentKind, ConsentTemplate, ConsentVersion, SignedConsent

HISTORY_LIMIT = 50


@dataclass(frozen=True)
class ConsentState:
    kind: str
    label: str
    signed: SignedConsent | None
    valid: bool
    # Signed under an older text than the one offered now (still valid).
    outdated: bool
    withdrawn: bool
    # The number of the text offered now; None when the kind has no text (nothing to sign).
    latest_number: int | None = None

    @property
    def status(self) -> str:
        if self.signed is None:
            return "missing"
        if self.withdrawn:
            return "withdrawn"
        return "outdated" if self.outdated else "valid"

    @property
    def can_sign(self) -> bool:
        """A signature is wanted: none yet, withdrawn, or under an older text."""
        return self.status != "valid"


def _latest_signatures() -> QuerySet[SignedConsent]:
    """Each client's latest signature per consent kind, with the offered version number."""
    newest = (
        SignedConsent.objects.filter(
            client_id=OuterRef("client_id"), version__template_id=OuterRef("version__template_id")
        )
        .order_by("-signed_at", "-pk")
        .values("pk")[:1]
    )
    offered = (
        ConsentVersion.objects.filter(template_id=OuterRef("version__template_id"))
        .order_by("-number")
        .values("number")[:1]
    )
    return SignedConsent.objects.filter(pk=Subquery(newest)).annotate(
        latest_number=Subquery(offered)
    )


def _state(kind: str, signed: SignedConsent | None, latest_number: int | None) -> ConsentState:
    label = ConsentKind(kind).label
    if signed is None:
        return ConsentState(kind, label, None, False, False, False, latest_number)
    withdrawn = signed.withdrawn_at is not None
    outdated = latest_number is not None and signed.version.number < latest_number
    return ConsentState(kind, label, signed, not withdrawn, outdated, withdrawn, latest_number)


def client_consent_status(*, client: Client) -> dict[str, ConsentState]:
    """Every consent kind (treatment, photos, marketing) → its state for this client.
    One query."""
    signatures = (
        _latest_signatures()
        .filter(client=client)
        .select_related("version__template", "witness", "withdrawn_by")
    )
    by_kind = {signed.version.template.kind: signed for signed in signatures}
    return {
        kind: _state(kind, by_kind.get(kind), getattr(by_kind.get(kind), "latest_number", None))
        for kind in ConsentKind.values
    }


def client_has_valid_consent(*, client: Client, kind: str) -> bool:
    """Whether the client's latest signature of ``kind`` stands (not withdrawn). One query."""
    latest = (
        SignedConsent.objects.filter(client=client, version__template__kind=kind)
        .order_by("-signed_at", "-pk")
        .values_list("withdrawn_at", flat=True)[:1]
    )
    rows = list(latest)
    return bool(rows) and rows[0] is None


def client_ids_with_valid_consent(*, client_ids: Iterable[int], kind: str) -> set[int]:
    """Of these clients, those holding a valid consent of ``kind``, in one query."""
    valid = _latest_signatures().filter(
        client_id__in=list(client_ids), version__template__kind=kind, withdrawn_at__isnull=True
    )
    return set(valid.values_list("client_id", flat=True))


def latest_versions() -> dict[str, ConsentVersion]:
    """The text offered for signing now, by kind. One query."""
    newest = (
        ConsentVersion.objects.filter(template_id=OuterRef("template_id"))
        .order_by("-number")
        .values("pk")[:1]
    )
    versions = ConsentVersion.objects.filter(pk=Subquery(newest)).select_related("template")
    return {version.template.kind: version for version in versions}


def latest_version(*, kind: str) -> ConsentVersion | None:
    return (
        ConsentVersion.objects.filter(template__kind=kind)
        .select_related("template")
        .order_by("-number")
        .first()
    )


def version_get(*, kind: str, public_id) -> ConsentVersion | None:
    try:
        return ConsentVersion.objects.select_related("template").get(
            template__kind=kind, public_id=public_id
        )
    except (ConsentVersion.DoesNotExist, ValueError, ValidationError):
        return None


def client_consent_history(*, client: Client) -> list[SignedConsent]:
    return list(
        SignedConsent.objects.filter(client=client)
        .select_related("version__template", "witness", "withdrawn_by")
        .order_by("-signed_at", "-pk")[:HISTORY_LIMIT]
    )


def consents_section_context(*, client: Client, user: User) -> dict:
    """The Consents tab: each kind's state and offered text, and the signing history.
    Three queries whatever the number of signatures."""
    states = client_consent_status(client=client)
    offered = latest_versions()
    history = client_consent_history(client=client)
    return {
        "consent_rows": [
            {"state": states[kind], "offered": offered.get(kind)} for kind in ConsentKind.values
        ],
        "consent_history": history,
        "history_truncated": len(history) >= HISTORY_LIMIT,
    }


def consent_get_for_client(*, client: Client, public_id) -> SignedConsent:
    try:
        return SignedConsent.objects.select_related(
            "version__template", "version__created_by", "witness", "withdrawn_by", "client"
        ).get(client=client, public_id=public_id)
    except (SignedConsent.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such consent") from None


def consent_is_current(consent: SignedConsent) -> bool:
    """Whether this is the client's latest signature of its kind (the one that counts)."""
    latest = (
        SignedConsent.objects.filter(
            client_id=consent.client_id, version__template_id=consent.version.template_id
        )
        .order_by("-signed_at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    return latest == consent.pk


def consent_templates() -> list[ConsentTemplate]:
    """Every consent form with its current version number and signature count."""
    return list(
        ConsentTemplate.objects.annotate(
            latest_number=Max("versions__number"), signature_count=Count("versions__signatures")
        ).order_by("pk")
    )


def template_get(*, public_id) -> ConsentTemplate:
    try:
        return ConsentTemplate.objects.get(public_id=public_id)
    except (ConsentTemplate.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such consent form") from None


def template_versions(*, template: ConsentTemplate) -> list[ConsentVersion]:
    """Every version of the form, newest first, with who published it and its signatures."""
    return list(
        ConsentVersion.objects.filter(template=template)
        .select_related("created_by")
        .annotate(signature_count=Count("signatures"))
        .order_by("-number")
    )
