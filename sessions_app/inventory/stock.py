"""Stock at the chair: whether a lot or needle may be used, pigment taken and given back
(race-free, never beyond what a lot received), a manager's corrections, and low stock."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Q, QuerySet, Sum
from django.db.models.functions import Least

from accounts.models import User
from accounts.roles import Role
from sessions_app.inventory.receiving import clinic_today
from sessions_app.models import (
    Needle,
    PigmentLot,
    PigmentProduct,
    StockAdjustment,
)

SHORT_STOCK = "short_stock"


def check_lot_usable(lot: PigmentLot, *, on: date, ml: Decimal) -> None:
    if not lot.product.is_active:
        raise ValidationError(
            {
                "pigment_lot": (
                    f"{lot.product} is no longer in use (see the inventory); "
                    "choose a lot of another product."
                )
            }
        )
    if lot.is_recalled:
        raise ValidationError(
            {
                "pigment_lot": (
                    f"Lot {lot.lot_number} is recalled ({lot.recall_reason}); do not use it."
                )
            }
        )
    if lot.is_expired(on):
        raise ValidationError(
            {
                "pigment_lot": (
                    f"Lot {lot.lot_number} expired on {lot.expiry_date:%d %b %Y}; do not use it."
                )
            }
        )
    if lot.volume_remaining_ml < ml:
        raise short_stock(lot, field="pigment_lot")


def short_stock(lot: PigmentLot, *, field: str) -> ValidationError:
    """The refusal when the record holds less than a pass needs: the stock on record may be
    wrong (a new bottle counted short), which a manager corrects on the lot's page."""
    return ValidationError(
        {
            field: ValidationError(
                f"Lot {lot.lot_number} has only {lot.volume_remaining_ml} ml on record: choose "
                "another lot, or have a manager correct the stock (Inventory, lot "
                f"{lot.lot_number}, Correct the stock).",
                code=SHORT_STOCK,
            )
        }
    )


def is_short_stock(error: ValidationError, field: str) -> bool:
    return hasattr(error, "error_dict") and any(
        item.code == SHORT_STOCK for item in error.error_dict.get(field, [])
    )


def check_needle_usable(needle: Needle, *, on: date, needs_new_cartridge: bool) -> None:
    if not needle.is_active:
        raise ValidationError(
            {"needle": f"Needle lot {needle.lot_number} is no longer in use; choose another."}
        )
    if needle.is_expired(on):
        raise ValidationError(
            {"needle": f"Needle lot {needle.lot_number} expired on {needle.expiry_date:%d %b %Y}."}
        )
    if needs_new_cartridge and needle.quantity_remaining < 1:
        raise ValidationError(
            {"needle": f"No {needle.label} cartridges of lot {needle.lot_number} left in stock."}
        )


def consume(*, lot: PigmentLot, ml: Decimal, needle: Needle | None, on: date) -> None:
    """Take the pass's pigment (and a new cartridge) out of stock, race-free; a lot first
    used then is opened ``on`` the session's day."""
    stock_take(lot=lot, ml=ml, opened_on=on)
    if needle is not None:
        updated = Needle.objects.filter(pk=needle.pk, quantity_remaining__gte=1).update(
            quantity_remaining=F("quantity_remaining") - 1
        )
        if not updated:
            raise ValidationError({"needle": f"No {needle.label} cartridges left in stock."})


def stock_take(*, lot: PigmentLot, ml: Decimal, opened_on: date, field="pigment_lot") -> None:
    """Take pigment off a lot, never below nothing: the condition holds under concurrency."""
    updated = PigmentLot.objects.filter(pk=lot.pk, volume_remaining_ml__gte=ml).update(
        volume_remaining_ml=F("volume_remaining_ml") - ml,
        opened_on=lot.opened_on or opened_on,
    )
    if not updated:
        raise ValidationError({field: f"Lot {lot.lot_number} no longer has {ml} ml on record."})


def stock_return(*, lot_id: int, ml: Decimal) -> None:
    """Put a pass's pigment back on its lot. Never above what was received: a count
    correction since the pass was logged may already have put it back."""
    PigmentLot.objects.filter(pk=lot_id).update(
        volume_remaining_ml=Least(F("volume_remaining_ml") + ml, F("volume_received_ml"))
    )


def check_lot_correctable(
    lot: PigmentLot, *, used_on: date, logged_at: datetime, ml: Decimal
) -> None:
    """Whether a pass logged at ``logged_at`` in a session on ``used_on`` can be corrected
    to this lot. A lot recalled after the pass is accepted: the correction is what puts the
    client on its recall list. One that could not have been chosen then (recalled already,
    expired, not yet received) or that holds less than the pass used is refused."""
    if lot.recalled_at is not None and lot.recalled_at <= logged_at:
        raise ValidationError(
            {
                "corrected_lot": (
                    f"Lot {lot.lot_number} was already recalled when this pass was logged; "
                    "if it really went into the skin, report it to a manager as an incident."
                )
            }
        )
    if lot.expiry_date < used_on:
        raise ValidationError(
            {
                "corrected_lot": (
                    f"Lot {lot.lot_number} had expired on {lot.expiry_date:%d %b %Y}, "
                    "before this session."
                )
            }
        )
    if lot.received_on > used_on:
        raise ValidationError(
            {
                "corrected_lot": (
                    f"Lot {lot.lot_number} was received on {lot.received_on:%d %b %Y}, "
                    "after this session."
                )
            }
        )
    if lot.volume_remaining_ml < ml:
        raise short_stock(lot, field="corrected_lot")


def lots_locked(*lot_ids: int) -> dict[int, PigmentLot]:
    """The lots, locked in the order of their ids, so two corrections between the same two
    lots in opposite directions wait for each other instead of deadlocking."""
    lots = (
        PigmentLot.objects.select_for_update(of=("self",))
        .select_related("product")
        .filter(pk__in=lot_ids)
        .order_by("pk")
    )
    return {lot.pk: lot for lot in lots}


STOCK_CHANGED = "stock_changed"


@transaction.atomic
def lot_adjust_stock(
    *,
    lot: PigmentLot,
    by: User,
    kind: str,
    ml: Decimal,
    reason: str,
    seen_ml: Decimal | None = None,
) -> StockAdjustment:
    """A manager's count correction (``ml`` is what the lot holds now) or discard (``ml`` is
    how much was thrown away), kept with the reason. The lot's change and the adjustment are
    both written to the audit trail (audit.capture).

    A count replaces the stock on record, so it is made against ``seen_ml``, the stock the
    manager's form showed: if a pass or another correction changed it meanwhile, the count
    is refused (it would silently undo that change). A discard takes its volume off whatever
    is on record now."""
    if by.role != Role.MANAGER:
        raise ValidationError("Only a manager corrects the stock.")
    reason = " ".join(reason.split())
    if len(reason) < 5:
        raise ValidationError({"reason": "Say why the stock changes (a count, a spill…)."})
    if ml < 0 or ml != ml.quantize(Decimal("0.01")):
        raise ValidationError({"ml": "Give the volume in ml, to the hundredth (e.g. 12.35)."})
    ml = ml.quantize(Decimal("0.01"))
    lot = PigmentLot.objects.select_for_update().get(pk=lot.pk)
    before = lot.volume_remaining_ml
    if kind == StockAdjustment.Kind.COUNT:
        if seen_ml is None or seen_ml.quantize(Decimal("0.01")) != before:
            raise ValidationError(
                f"The stock of lot {lot.lot_number} changed while this form was open: "
                f"{before} ml are on record now"
                + (f", not {seen_ml.quantize(Decimal('0.01'))}" if seen_ml is not None else "")
                + ". Check the bottle again and enter what it holds.",
                code=STOCK_CHANGED,
            )
        if ml > lot.volume_received_ml:
            raise ValidationError(
                {"ml": f"That is more than the {lot.volume_received_ml} ml received."}
            )
        after = ml
    elif kind == StockAdjustment.Kind.DISCARD:
        if ml == 0:
            raise ValidationError({"ml": "Give the volume thrown away."})
        if ml > before:
            raise ValidationError(
                {"ml": f"Only {before} ml is on record; count the bottle instead."}
            )
        after = before - ml
    else:
        raise ValidationError({"kind": "Choose a count correction or a discard."})
    if after == before:
        raise ValidationError({"ml": f"{before} ml is already the stock on record."})
    lot.volume_remaining_ml = after
    lot.save(update_fields=["volume_remaining_ml"])
    return StockAdjustment.objects.create(
        lot=lot, kind=kind, before_ml=before, after_ml=after, reason=reason, by=by
    )


def usable_lots(on: date) -> QuerySet[PigmentLot]:
    return (
        PigmentLot.objects.filter(
            recalled_at__isnull=True,
            expiry_date__gte=on,
            volume_remaining_ml__gt=0,
            product__is_active=True,
        )
        .select_related("product")
        .order_by("product__brand", "product__name", "product__shade", "expiry_date")
    )


def usable_needles(on: date) -> QuerySet[Needle]:
    return Needle.objects.filter(is_active=True, expiry_date__gte=on).order_by(
        "configuration", "diameter_mm", "expiry_date"
    )


@dataclass
class NeedleStock:
    """The usable cartridges of one needle (brand, configuration and diameter), all its
    lots together."""

    brand: str
    configuration: str
    diameter_mm: Decimal
    remaining: int
    level: int

    @property
    def label(self) -> str:
        return f"{self.configuration} {self.diameter_mm} mm"


def low_stock(*, today: date | None = None) -> tuple[list[PigmentProduct], list[NeedleStock]]:
    """What to reorder: each product in use whose usable lots (not expired, not recalled)
    hold less than its level together, and each needle whose usable cartridges do. A
    nearly empty bottle beside a full one is no shortage; a product or needle whose only
    stock has expired is one."""
    # Expired once its date has passed at every location, as receiving reads it.
    today = today or clinic_today()[0]
    usable_lot = Q(lots__recalled_at__isnull=True, lots__expiry_date__gte=today)
    products = list(
        PigmentProduct.objects.filter(is_active=True)
        .annotate(usable_ml=Sum("lots__volume_remaining_ml", filter=usable_lot, default=Decimal(0)))
        .filter(usable_ml__lt=F("low_stock_ml"))
        .order_by("brand", "name", "shade")
    )
    needles = [
        NeedleStock(**row)
        for row in Needle.objects.filter(is_active=True)
        .values("brand", "configuration", "diameter_mm")
        .annotate(
            remaining=Sum("quantity_remaining", filter=Q(expiry_date__gte=today), default=0),
            level=Max("low_stock_quantity"),
        )
        .filter(remaining__lt=F("level"))
        .order_by("configuration", "diameter_mm", "brand")
    ]
    return products, needles
