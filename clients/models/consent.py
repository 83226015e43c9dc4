"""Consents: the clinic's consent texts, their versions, and what each client signed.

A version's text never changes once published (a new text is a new version), and a signed
consent never changes once signed: the only later event is its withdrawal, recorded in its
own columns. Both rules hold in ``save()`` here and, on PostgreSQL, in row triggers (see
migration 0004), so not even a bulk ``update()`` can rewrite what a client signed. Rows are
written only by ``clients.consent.services``.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class ConsentKind(models.TextChoices):
    TREATMENT = "treatment", "Treatment"
    PHOTOS = "photos", "Photos"
    MARKETING = "marketing", "Marketing"


# What may change on a signed consent after signing: its withdrawal, once.
WITHDRAWAL_FIELDS = frozenset({"withdrawn_at", "withdrawn_by", "withdrawal_reason"})


class ConsentTemplate(models.Model):
    """One consent form of the clinic (one per kind); its text lives in its versions."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=ConsentKind.choices, unique=True)
    title = models.CharField(max_length=120)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ConsentKind.values), name="consent_template_kind"
            ),
            models.CheckConstraint(
                condition=~models.Q(title=""), name="consent_template_title_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ConsentVersion(models.Model):
    """The exact text of a consent form as published; the highest number is offered."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    template = models.ForeignKey(ConsentTemplate, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    body = models.TextField()
    change_note = models.CharField(
        "what changed", max_length=300, blank=True, help_text="Shown to staff, never to clients."
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["template_id", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "number"], name="consent_version_number_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="consent_version_number_positive"
            ),
            models.CheckConstraint(
                condition=~models.Q(body=""), name="consent_version_body_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template_id} version {self.number}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("A published consent text is never changed: publish a new version.")
        super().save(*args, **kwargs)


def signature_path(instance: "SignedConsent", filename: str) -> str:
    # A random name under the client's folder: the stored name reveals nothing.
    return f"clients/{instance.client.public_id}/consents/{uuid.uuid4().hex}.png"


class SignedConsent(models.Model):
    """A client's signature under one exact consent version, witnessed by a staff member."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="signed_consents"
    )
    version = models.ForeignKey(ConsentVersion, on_delete=models.PROTECT, related_name="signatures")
    typed_name = models.CharField(max_length=200)
    # A PNG on the private default storage, served only by a view that checks access.
    signature = models.FileField(upload_to=signature_path, max_length=255)
    signature_sha256 = models.CharField(max_length=64)
    signed_at = models.DateTimeField(default=timezone.now)
    # The client device's address (smp_clinic.lib.http.client_ip); null when unknown.
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    witness = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawal_reason = models.TextField(blank=True)
    # Set when the client was erased on request: the personal details above are gone, the
    # fact of the signature (which text, when, witnessed by whom) stays.
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-signed_at", "-pk"]
        indexes = [
            models.Index(fields=["client", "-signed_at", "-id"], name="consent_client_latest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(typed_name=""), name="signed_consent_name_not_empty"
            ),
            models.CheckConstraint(
                condition=~models.Q(signature="") | models.Q(erased_at__isnull=False),
                name="signed_consent_signature_not_empty",
            ),
            # A withdrawal is recorded whole (when, by whom, why) or not at all.
            models.CheckConstraint(
                condition=(
                    models.Q(
                        withdrawn_at__isnull=True,
                        withdrawn_by__isnull=True,
                        withdrawal_reason="",
                    )
                    | (
                        models.Q(withdrawn_at__isnull=False, withdrawn_by__isnull=False)
                        & ~models.Q(withdrawal_reason="")
                    )
                ),
                name="signed_consent_withdrawal_complete",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True)
                | models.Q(withdrawn_at__gte=models.F("signed_at")),
                name="signed_consent_withdrawn_after_signing",
            ),
        ]

    def __str__(self) -> str:
        return f"Signed consent {self.public_id} of client {self.client_id}"

    def save(self, *args, **kwargs) -> None:
        update_fields = kwargs.get("update_fields")
        is_update = self.pk is not None and not kwargs.get("force_insert")
        if is_update and (update_fields is None or not set(update_fields) <= WITHDRAWAL_FIELDS):
            raise ValueError(
                "A signed consent is never changed: only its withdrawal can be recorded."
            )
        super().save(*args, **kwargs)

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def kind(self) -> str:
        return self.version.template.kind
