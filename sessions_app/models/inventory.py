"""Pigment products, their lots, and needle cartridges: what goes into a client's skin.

Lot records are kept at least five years (EU REACH, EN 17169) and survive a client's
erasure: passes point at lots with PROTECT, and erasure anonymises the client instead of
deleting anything on this trail.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class PigmentProduct(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    brand = models.CharField(max_length=80)
    name = models.CharField(max_length=120)
    shade = models.CharField(max_length=40, help_text="The maker's shade name or number.")
    low_stock_ml = models.DecimalField(
        "warn when less than (ml) remains", max_digits=7, decimal_places=1, default=Decimal("20.0")
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["brand", "name", "shade"]
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "name", "shade"], name="pigment_product_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.brand} {self.name} ({self.shade})"


class PigmentLot(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    product = models.ForeignKey(PigmentProduct, on_delete=models.PROTECT, related_name="lots")
    lot_number = models.CharField(max_length=60)
    expiry_date = models.DateField()
    received_on = models.DateField(default=timezone.localdate)
    opened_on = models.DateField(null=True, blank=True)
    # Hundredths, like a pass's pigment: a 0.05 ml pass must take 0.05 ml, not a rounding.
    volume_received_ml = models.DecimalField(max_digits=8, decimal_places=2)
    volume_remaining_ml = models.DecimalField(max_digits=8, decimal_places=2)
    recalled_at = models.DateTimeField(null=True, blank=True)
    recall_reason = models.CharField(max_length=300, blank=True)
    recalled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["product", "expiry_date"]
        constraints = [
            models.UniqueConstraint(fields=["product", "lot_number"], name="pigment_lot_unique"),
            models.CheckConstraint(
                condition=Q(volume_received_ml__gt=0), name="pigment_lot_received_positive"
            ),
            models.CheckConstraint(
                condition=Q(volume_remaining_ml__gte=0), name="pigment_lot_remaining_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(volume_remaining_ml__lte=F("volume_received_ml")),
                name="pigment_lot_remaining_le_received",
            ),
            models.CheckConstraint(
                condition=Q(recalled_at__isnull=True) | ~Q(recall_reason=""),
                name="pigment_lot_recall_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["lot_number"], name="pigment_lot_number")]

    def __str__(self) -> str:
        return f"{self.product} lot {self.lot_number}"

    @property
    def is_recalled(self) -> bool:
        return self.recalled_at is not None

    def is_expired(self, on=None) -> bool:
        return self.expiry_date < (on or timezone.localdate())


class Needle(models.Model):
    """A box (lot) of needle cartridges of one configuration; one cartridge per session."""

    class Configuration(models.TextChoices):
        RL1 = "1RL", "1RL (single point)"
        RL3 = "3RL", "3RL (three-point round liner)"
        RL3_TIGHT = "3RLT", "3RL tight"
        RL5 = "5RL", "5RL"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    brand = models.CharField(max_length=80)
    configuration = models.CharField(max_length=6, choices=Configuration.choices)
    diameter_mm = models.DecimalField(max_digits=3, decimal_places=2)
    lot_number = models.CharField(max_length=60)
    expiry_date = models.DateField()
    quantity_received = models.PositiveIntegerField()
    quantity_remaining = models.PositiveIntegerField()
    low_stock_quantity = models.PositiveIntegerField("warn when fewer remain", default=10)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["configuration", "diameter_mm", "expiry_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "lot_number", "configuration"], name="needle_lot_unique"
            ),
            models.CheckConstraint(
                condition=Q(diameter_mm__gte=Decimal("0.15"), diameter_mm__lte=Decimal("0.40")),
                name="needle_diameter_range",
            ),
            models.CheckConstraint(
                condition=Q(quantity_remaining__lte=F("quantity_received")),
                name="needle_remaining_le_received",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.configuration} {self.diameter_mm} mm ({self.brand}, lot {self.lot_number})"

    @property
    def label(self) -> str:
        return f"{self.configuration} {self.diameter_mm} mm"

    def is_expired(self, on=None) -> bool:
        return self.expiry_date < (on or timezone.localdate())


class StockAdjustment(models.Model):
    """A manager's change to a lot's stock outside the passes: a count that differs from the
    record, or pigment thrown away. Kept as it was written, with who and why."""

    class Kind(models.TextChoices):
        COUNT = "count", "Count correction (what the bottle holds now)"
        DISCARD = "discard", "Discarded (how much was thrown away)"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    lot = models.ForeignKey(PigmentLot, on_delete=models.PROTECT, related_name="adjustments")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    before_ml = models.DecimalField(max_digits=8, decimal_places=2)
    after_ml = models.DecimalField(max_digits=8, decimal_places=2)
    reason = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="stock_adjustment_has_reason"),
            models.CheckConstraint(
                condition=Q(after_ml__gte=0), name="stock_adjustment_after_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(after_ml=F("before_ml")), name="stock_adjustment_changes_stock"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of lot {self.lot_id}"

    @property
    def change_ml(self) -> Decimal:
        return self.after_ml - self.before_ml
