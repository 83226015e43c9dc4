import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


def composite_path(instance: "DesignPlan", filename: str) -> str:
    return f"clients/{instance.consultation.client.public_id}/designs/{uuid.uuid4().hex}.jpg"


def approval_path(instance: "DesignPlan", filename: str) -> str:
    return (
        f"clients/{instance.consultation.client.public_id}/designs/approval-{uuid.uuid4().hex}.png"
    )


class DesignPlan(models.Model):
    """One version of the hairline design drawn over a client's photo.

    Each save is a new version (v1, v2…); earlier ones stay as they were. The client
    approves a version by signing it; an approved version never changes.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    consultation = models.ForeignKey(
        "consultations.Consultation", on_delete=models.PROTECT, related_name="designs"
    )
    version = models.PositiveSmallIntegerField()
    # Empty only after the client was erased on request (their photos are gone).
    photo = models.ForeignKey(
        "clients.Photo", null=True, blank=True, on_delete=models.PROTECT, related_name="designs"
    )
    design = models.JSONField(help_text="Format 1 of consultations.design.schema.")
    composite = models.FileField(upload_to=composite_path, max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_typed_name = models.CharField(max_length=150, blank=True)
    approval_signature = models.FileField(upload_to=approval_path, blank=True, max_length=255)
    approval_signature_sha256 = models.CharField(max_length=64, blank=True)
    approval_ip = models.GenericIPAddressField(null=True, blank=True)
    approval_witness = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["consultation", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "version"], name="design_version_unique"
            ),
            models.CheckConstraint(
                # The signature's hash, not its image, proves the approval: erasure on
                # request removes the image and the name's text but keeps the fact.
                condition=Q(approved_at__isnull=True)
                | (
                    ~Q(approved_typed_name="")
                    & ~Q(approval_signature_sha256="")
                    & Q(approval_witness__isnull=False)
                ),
                name="design_approval_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"Design v{self.version}"

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None
