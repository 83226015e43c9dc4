import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from smp_clinic.lib.currency import validate_currency_code

# What each session of a typical course aims at: a light foundation first (which also tests
# the shade), then density, then blending; a fourth is an optional refinement.
DEFAULT_SESSION_GOALS = [
    "Foundation: first layer with a lighter shade to test how the skin heals",
    "Density: build coverage over the foundation, shade set from the healed result",
    "Blending: soften edges, refine the hairline, even out density",
    "Refinement: optional touch of density or shade where healing left gaps",
]


def clinic_currency() -> str:
    """The currency a new plan is quoted in (the CLINIC_CURRENCY setting)."""
    return settings.CLINIC_CURRENCY


class TreatmentPlan(models.Model):
    """The course a consultation proceeds to: sessions, spacing, starting shade and price."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    consultation = models.OneToOneField(
        "consultations.Consultation", on_delete=models.PROTECT, related_name="plan"
    )
    sessions = models.PositiveSmallIntegerField(default=3)
    min_interval_days = models.PositiveSmallIntegerField(default=10)
    max_interval_days = models.PositiveSmallIntegerField(default=30)
    starting_shade = models.CharField(max_length=60, blank=True)
    starting_dilution = models.CharField(
        max_length=60, blank=True, help_text="e.g. 1:3 with distilled water"
    )
    price = models.DecimalField(
        max_digits=9,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = models.CharField(
        max_length=3, default=clinic_currency, validators=[validate_currency_code]
    )
    notes = models.TextField(blank=True)
    course = models.OneToOneField(
        "scheduling.Course",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="treatment_plan",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(sessions__gte=1, sessions__lte=6), name="plan_sessions_range"
            ),
            models.CheckConstraint(
                condition=Q(
                    min_interval_days__gte=1, min_interval_days__lte=F("max_interval_days")
                ),
                name="plan_interval_order",
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="plan_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"Plan of {self.sessions} sessions"


class TreatmentPlanSession(models.Model):
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.CASCADE, related_name="session_goals")
    number = models.PositiveSmallIntegerField()
    goal = models.CharField(max_length=300)
    shade = models.CharField(max_length=60, blank=True)
    dilution = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_session_number_unique"),
        ]

    def __str__(self) -> str:
        return f"Session {self.number}"
