"""The medical intake: a client's answers to a versioned health questionnaire, the flags
those answers raise, and the clearances practitioners record against the flags.

Rows are written only by ``clients.intake.services``. A submitted intake is a record of
what the client said on that day: it is never edited (a correction is a new submission),
only marked as reviewed.
"""

import uuid
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone

# What a practitioner may do to a submitted intake; every other change is a new submission.
INTAKE_REVIEW_FIELDS = frozenset({"reviewed_at", "reviewed_by"})


class MedicalIntake(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="medical_intakes"
    )
    questionnaire_version = models.CharField(max_length=20)
    # Keyed by question code: {"answer": "yes"|"no", "detail": str, "date": "YYYY-MM-DD"}
    # for yes/no questions, {"text": str} for free-text ones.
    answers = models.JSONField(default=dict)
    submitted_at = models.DateTimeField(default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filled_by_client = models.BooleanField(
        default=False, help_text="The client answered on the clinic's tablet."
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.TextField("staff notes", blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["client", "-submitted_at", "-id"], name="intake_client_latest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(questionnaire_version=""), name="intake_version_not_empty"
            ),
            # A reviewer may later be deleted (SET_NULL), but never a reviewer without a date.
            models.CheckConstraint(
                condition=models.Q(reviewed_at__isnull=False) | models.Q(reviewed_by__isnull=True),
                name="intake_reviewer_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Medical intake {self.public_id} of client {self.client_id}"

    def save(self, *args, **kwargs) -> None:
        update_fields = kwargs.get("update_fields")
        is_update = self.pk is not None and not kwargs.get("force_insert")
        if is_update and (update_fields is None or not set(update_fields) <= INTAKE_REVIEW_FIELDS):
            raise ValueError("A submitted intake is never changed: submit a new one.")
        super().save(*args, **kwargs)

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed_at is not None

    def submitted_on(self) -> date:
        return timezone.localtime(self.submitted_at).date()

    def age_days(self, on: date | None = None) -> int:
        return ((on or timezone.localdate()) - self.submitted_on()).days


class IntakeFlag(models.Model):
    """A contraindication raised by one intake's answers."""

    class Severity(models.TextChoices):
        WARN = "warn", "Warning"
        BLOCK = "block", "Blocks sessions"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    intake = models.ForeignKey(MedicalIntake, on_delete=models.CASCADE, related_name="flags")
    code = models.CharField(max_length=50)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    blocks_sessions = models.BooleanField(default=False)
    requires_document = models.BooleanField(
        default=False, help_text="A GP letter is needed before the flag can be cleared."
    )
    label = models.CharField(max_length=120)
    detail = models.TextField(blank=True)
    # Time-window flags (chemotherapy, laser removal) stop applying after this day.
    active_until = models.DateField(null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["intake", "code"], name="intake_flag_code_unique"),
            models.CheckConstraint(
                condition=models.Q(severity__in=["warn", "block"]), name="intake_flag_severity"
            ),
            # Only a blocking flag may stop a session from being booked.
            models.CheckConstraint(
                condition=models.Q(blocks_sessions=False) | models.Q(severity="block"),
                name="intake_flag_only_block_blocks",
            ),
            models.CheckConstraint(condition=~models.Q(code=""), name="intake_flag_code_not_empty"),
            models.CheckConstraint(
                condition=~models.Q(label=""), name="intake_flag_label_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.severity}) on intake {self.intake_id}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("An intake's flags are fixed when it is submitted.")
        super().save(*args, **kwargs)

    def applies_on(self, day: date) -> bool:
        return self.active_until is None or self.active_until >= day


def clearance_document_path(instance: "FlagClearance", filename: str) -> str:
    # A random name under the client's folder: the stored name reveals nothing, and the
    # extension comes from the content check (the service names the file before saving).
    client_id = instance.flag.intake.client.public_id
    return f"clients/{client_id}/clearances/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class FlagClearance(models.Model):
    """A practitioner's decision that a flag no longer stands in the way of treatment."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    flag = models.OneToOneField(IntakeFlag, on_delete=models.CASCADE, related_name="clearance")
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    cleared_at = models.DateTimeField(default=timezone.now)
    note = models.TextField()
    # On the default storage, which is private (no URL): served only by a view.
    document = models.FileField(upload_to=clearance_document_path, blank=True, max_length=255)
    document_name = models.CharField(max_length=255, blank=True)
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="carried_to"
    )

    class Meta:
        ordering = ["cleared_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(note=""), name="clearance_note_not_empty"),
            models.CheckConstraint(
                condition=(
                    (models.Q(document="") & models.Q(document_name=""))
                    | (~models.Q(document="") & ~models.Q(document_name=""))
                ),
                name="clearance_document_has_name",
            ),
        ]

    def __str__(self) -> str:
        return f"Clearance of flag {self.flag_id}"

    @property
    def has_document(self) -> bool:
        return bool(self.document)
