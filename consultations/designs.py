"""Writes on hairline designs: saving a version with its composite, and the client's
signed approval of a version."""

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from accounts.roles import CLINICAL
from clients.consent.services import typed_name_matches
from clients.models import Photo
from clients.photos.selectors import photo_consent_valid
from clients.signatures import content_sha256, signature_from_data_url
from consultations.design import Design, PhotoError, render_composite
from consultations.models import Consultation, DesignPlan
from smp_clinic.lib.http import valid_ip

PHOTO_CONSENT_NEEDED_FOR_DESIGN = (
    "The client's photo consent was withdrawn (or is not on record), so no new design can be "
    "drawn over their photos. The saved versions stay; ask the client to sign the photo "
    "consent again to draw a new one."
)


@transaction.atomic
def design_save_version(
    *, consultation: Consultation, by: User, photo: Photo, design: Design
) -> DesignPlan:
    """A new version (v1, v2…) of the design, with its composite rendered on the server."""
    if by.role not in CLINICAL:
        raise ValidationError("Only practitioners and managers draw designs.")
    if photo.client_id != consultation.client_id:
        raise ValidationError({"photo": "That photo belongs to another client."})
    if design.is_empty:
        raise ValidationError({"design": "Draw the hairline or at least one zone before saving."})
    if not photo_consent_valid(client=consultation.client):
        raise ValidationError({"photo": PHOTO_CONSENT_NEEDED_FOR_DESIGN})
    # Lock the consultation so two tablets saving at once get v2 and v3, not two v2s.
    Consultation.objects.select_for_update().filter(pk=consultation.pk).first()
    try:
        with photo.image.open("rb") as source:
            composite = render_composite(source, design)
    except (PhotoError, OSError) as error:
        raise ValidationError({"photo": f"That photo cannot be drawn on: {error}"}) from None
    version = (
        DesignPlan.objects.filter(consultation=consultation).aggregate(top=Max("version"))["top"]
        or 0
    ) + 1
    plan = DesignPlan(
        consultation=consultation,
        version=version,
        photo=photo,
        design=design.to_dict(),
        created_by=by,
    )
    plan.composite.save(f"v{version}.jpg", ContentFile(composite), save=False)
    plan.save()
    return plan


@transaction.atomic
def design_approve(
    *,
    plan: DesignPlan,
    witness: User,
    typed_name: str,
    signature_data_url: str,
    ip_address: str | None,
) -> DesignPlan:
    """The client approves one version by typing their name and signing; then it is final."""
    plan = (
        DesignPlan.objects.select_for_update()
        .select_related("consultation__client")
        .get(pk=plan.pk)
    )
    client = plan.consultation.client
    if plan.is_approved:
        raise ValidationError("This version is already approved.")
    if not typed_name_matches(typed_name, client):
        raise ValidationError(
            {"typed_name": f"Type the client's full name as on record: {client.full_name}."}
        )
    signature = signature_from_data_url(signature_data_url)
    plan.approved_at = timezone.now()
    plan.approved_typed_name = " ".join(typed_name.split())
    plan.approval_signature_sha256 = content_sha256(signature)
    plan.approval_signature.save(f"approval-v{plan.version}.png", signature, save=False)
    plan.approval_ip = valid_ip(ip_address)
    plan.approval_witness = witness
    plan.save()
    return plan
