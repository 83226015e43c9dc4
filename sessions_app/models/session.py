"""The clinical log of a pigmentation session: the safety gate, the passes, sign-off and
amendments. After sign-off nothing is overwritten; corrections are appended."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from consultations.models.choices import Density


class PigmentationSession(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        SIGNED_OFF = "signed_off", "Signed off"
        # Started, then closed before any pigment went in (services.session_abandon).
        ABANDONED = "abandoned", "Did not go ahead"

    class Bleeding(models.TextChoices):
        NONE = "none", "None"
        PINPOINT = "pinpoint", "Pinpoint"
        MODERATE = "moderate", "Moderate"
        HEAVY = "heavy", "Heavy"

    class SkinReaction(models.TextChoices):
        NONE = "none", "None"
        REDNESS = "redness", "Redness"
        SWELLING = "swelling", "Swelling"
        WEEPING = "weeping", "Weeping / plasma"
        OTHER = "other", "Other (see notes)"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    appointment = models.OneToOneField(
        "scheduling.Appointment", on_delete=models.PROTECT, related_name="pigmentation_session"
    )
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="pigmentation_sessions"
    )
    course = models.ForeignKey(
        "scheduling.Course",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    created_at = models.DateTimeField(auto_now_add=True)

    # The safety gate: passed, or overridden by a manager with a written reason.
    gate_passed_at = models.DateTimeField(null=True, blank=True)
    gate_failures = models.JSONField(default=list, blank=True)
    gate_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    gate_override_reason = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)

    numbing = models.CharField("numbing used", max_length=120, blank=True)
    pain = models.PositiveSmallIntegerField(
        "pain (0–10)",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    skin_reaction = models.CharField(max_length=10, choices=SkinReaction.choices, blank=True)
    bleeding = models.CharField(max_length=10, choices=Bleeding.choices, blank=True)
    client_comfort = models.CharField(max_length=200, blank=True)
    next_session_advice = models.TextField(blank=True)
    notes = models.TextField(blank=True)

    signed_off_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    abandoned_at = models.DateTimeField(null=True, blank=True)
    abandoned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    abandon_reason = models.TextField("why it did not go ahead", blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pain__isnull=True) | Q(pain__lte=10), name="session_pain_range"
            ),
            models.CheckConstraint(
                condition=~Q(status="signed_off")
                | Q(signed_off_at__isnull=False, signed_off_by__isnull=False),
                name="session_signed_off_has_who_and_when",
            ),
            models.CheckConstraint(
                condition=~Q(status="abandoned")
                | (
                    Q(abandoned_at__isnull=False, abandoned_by__isnull=False)
                    & ~Q(abandon_reason="")
                ),
                name="session_abandoned_has_who_when_and_why",
            ),
            models.CheckConstraint(
                condition=Q(gate_override_by__isnull=True) | ~Q(gate_override_reason=""),
                name="session_override_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["client", "-created_at"], name="session_client_created")]

    def __str__(self) -> str:
        return f"Session {self.public_id}"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.SIGNED_OFF

    @property
    def did_not_go_ahead(self) -> bool:
        return self.status == self.Status.ABANDONED

    @property
    def gate_open(self) -> bool:
        return self.gate_passed_at is not None or self.gate_override_by_id is not None


class LayeringPass(models.Model):
    """One pass of needle over the scalp: what, where, how, with which lot."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(
        PigmentationSession, on_delete=models.PROTECT, related_name="passes"
    )
    number = models.PositiveSmallIntegerField()
    zones = models.JSONField(
        default=list, help_text="Zone codes, e.g. ['front_hairline', 'temples']."
    )
    needle = models.ForeignKey(
        "sessions_app.Needle", on_delete=models.PROTECT, related_name="passes"
    )
    pigment_lot = models.ForeignKey(
        "sessions_app.PigmentLot", on_delete=models.PROTECT, related_name="passes"
    )
    dilution = models.CharField(max_length=40, help_text="e.g. 1:3 with distilled water")
    machine = models.CharField(max_length=80, blank=True)
    machine_settings = models.CharField(
        max_length=120, blank=True, help_text="voltage, stroke, speed"
    )
    depth = models.CharField(max_length=40, help_text="as used; there is no default depth")
    density = models.CharField(max_length=8, choices=Density.choices)
    shade = models.CharField(max_length=40)
    duration_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(300)]
    )
    pigment_ml = models.DecimalField(
        "pigment used (ml)",
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.20"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("10"))],
    )
    notes = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["session", "number"]
        constraints = [
            models.UniqueConstraint(fields=["session", "number"], name="pass_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="pass_number_positive"),
        ]

    def __str__(self) -> str:
        return f"Pass {self.number}"

    def corrected(self, field: str):
        """The value as corrected by the latest amendment after sign-off (the corrected lot
        for ``pigment_lot``), else as signed. Reads ``amendments`` as prefetched, oldest
        first (selectors.with_corrections)."""
        latest = None
        for amendment in self.amendments.all():
            if amendment.field == field:
                latest = amendment
        if latest is None:
            return getattr(self, field)
        if field == "pigment_lot":
            return latest.corrected_lot or self.pigment_lot
        return latest.new_value


class PassFormToken(models.Model):
    """The one-time token of a pass form that logged a pass: the same form sent again (a
    double tap, a retried request, a page sent twice) finds it instead of logging a second
    pass and taking stock twice. Kept when its pass is removed, so a form replayed after that
    logs nothing either; unique, so two sessions can never both take one form's token."""

    token = models.UUIDField(unique=True, editable=False)
    session = models.ForeignKey(
        PigmentationSession, on_delete=models.PROTECT, related_name="pass_form_tokens"
    )
    # Emptied when the pass is removed before sign-off.
    layering_pass = models.OneToOneField(
        LayeringPass,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="form_token",
    )
    used_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Pass form {self.token}"


class SessionAmendment(models.Model):
    """A correction after sign-off: who, when, why, and what it changes. The signed record
    itself stays as it was."""

    session = models.ForeignKey(
        PigmentationSession, on_delete=models.PROTECT, related_name="amendments"
    )
    layering_pass = models.ForeignKey(
        LayeringPass, null=True, blank=True, on_delete=models.PROTECT, related_name="amendments"
    )
    field = models.CharField(max_length=40)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    # A corrected lot is a fact the recall report must see, not only text.
    corrected_lot = models.ForeignKey(
        "sessions_app.PigmentLot",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="amendments",
    )
    reason = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="amendment_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Amendment of {self.field}"


class HealingCheck(models.Model):
    """How a session healed: the result that sets the next session's shade and density."""

    class Shade(models.TextChoices):
        LIGHTER = "lighter", "Healed lighter than intended"
        AS_INTENDED = "as_intended", "As intended"
        DARKER = "darker", "Healed darker than intended"

    class Coverage(models.TextChoices):
        PATCHY = "patchy", "Patchy"
        EVEN = "even", "Even"
        TOO_DENSE = "too_dense", "Too dense"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(
        PigmentationSession, on_delete=models.PROTECT, related_name="healing_checks"
    )
    checked_on = models.DateField()
    rating = models.PositiveSmallIntegerField(
        "healed result (1–5)", validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    healed_shade = models.CharField(max_length=12, choices=Shade.choices)
    coverage = models.CharField(max_length=10, choices=Coverage.choices)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-checked_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="healing_rating_range"
            ),
        ]

    def __str__(self) -> str:
        return f"Healing check {self.checked_on}"


class SessionPhoto(models.Model):
    """A photo of the client taken before or after this session (the photo itself lives with
    the client's other private photos)."""

    class Stage(models.TextChoices):
        BEFORE = "before", "Before"
        AFTER = "after", "After"
        HEALING = "healing", "Healing (sent by the client)"

    # Staff take before and after photos; healing photos arrive through the client's link.
    STAFF_STAGES = [
        (Stage.BEFORE.value, Stage.BEFORE.label),
        (Stage.AFTER.value, Stage.AFTER.label),
    ]

    session = models.ForeignKey(
        PigmentationSession, on_delete=models.PROTECT, related_name="photo_links"
    )
    photo = models.ForeignKey(
        "clients.Photo", on_delete=models.PROTECT, related_name="session_links"
    )
    stage = models.CharField(max_length=10, choices=Stage.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "photo"], name="session_photo_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} photo"
