import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from consultations.models.choices import (
    Concern,
    Decision,
    Density,
    Fitzpatrick,
    HairColour,
    HairlineStyle,
    Ludwig,
    Norwood,
    Outcome,
    Savin,
    ScalpCondition,
    ScarType,
)


class Consultation(models.Model):
    """The practitioner's assessment, started from a consultation appointment.

    A draft saves as the practitioner types (a closed tab loses nothing); completing it
    checks that the assessment is whole and that the medical flags were acknowledged.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        COMPLETED = "completed", "Completed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="consultations"
    )
    appointment = models.OneToOneField(
        "scheduling.Appointment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultation",
    )
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consultations"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    concern = models.CharField(max_length=20, choices=Concern.choices, blank=True)
    concern_detail = models.CharField("concern, in the client's words", max_length=300, blank=True)
    norwood_stage = models.CharField(
        "Norwood–Hamilton stage", max_length=12, choices=Norwood.choices, blank=True
    )
    ludwig_grade = models.CharField(
        "Ludwig grade", max_length=4, choices=Ludwig.choices, blank=True
    )
    savin_grade = models.CharField("Savin grade", max_length=10, choices=Savin.choices, blank=True)
    scar_type = models.CharField(max_length=12, choices=ScarType.choices, blank=True)
    scar_length_mm = models.PositiveSmallIntegerField("scar length (mm)", null=True, blank=True)
    scar_width_mm = models.PositiveSmallIntegerField("scar width (mm)", null=True, blank=True)
    fitzpatrick = models.CharField(
        "Fitzpatrick skin type", max_length=3, choices=Fitzpatrick.choices, blank=True
    )
    scalp_condition = models.CharField(max_length=12, choices=ScalpCondition.choices, blank=True)
    scalp_notes = models.CharField(max_length=300, blank=True)
    hair_colour = models.CharField(
        "natural hair colour", max_length=12, choices=HairColour.choices, blank=True
    )
    desired_outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    hairline_style = models.CharField(max_length=10, choices=HairlineStyle.choices, blank=True)
    recommended_shade = models.CharField(
        max_length=60,
        blank=True,
        help_text="Pigment shade and dilution to start from, e.g. 'Shade 2, 50% dilution'.",
    )
    recommended_density = models.CharField(max_length=8, choices=Density.choices, blank=True)
    notes = models.TextField(blank=True)

    # Which intake's flags the practitioner reviewed with the client, and when.
    flags_acknowledged_intake = models.ForeignKey(
        "clients.MedicalIntake", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    flags_acknowledged_at = models.DateTimeField(null=True, blank=True)

    decision = models.CharField(max_length=14, choices=Decision.choices, blank=True)
    follow_up_on = models.DateField("follow up on", null=True, blank=True)
    not_suitable_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | (Q(completed_at__isnull=False) & ~Q(decision="")),
                name="consultation_completed_has_decision",
            ),
            models.CheckConstraint(
                condition=~Q(decision="thinking")
                | Q(follow_up_on__isnull=False)
                | Q(status="draft"),
                name="consultation_thinking_has_follow_up",
            ),
            models.CheckConstraint(
                condition=~Q(decision="not_suitable")
                | ~Q(not_suitable_reason="")
                | Q(status="draft"),
                name="consultation_not_suitable_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["client", "-started_at"], name="consultation_client_started")
        ]

    def __str__(self) -> str:
        return f"Consultation {self.started_at:%Y-%m-%d}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def grade_display(self) -> str:
        parts = [
            f"Norwood {self.norwood_stage}" if self.norwood_stage else "",
            self.get_ludwig_grade_display() if self.ludwig_grade else "",
            self.get_savin_grade_display() if self.savin_grade else "",
        ]
        return ", ".join(p for p in parts if p)
