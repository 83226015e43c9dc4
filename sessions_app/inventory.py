"""Inventory writes and reads: receiving, opening and recalling lots, stock, the recall
report. (Kept apart from the session log's services so each module stays small.)"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField, Exists, F, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from locations.models import Location
from sessions_app.models import (
    LayeringPass,
    Needle,
    PigmentLot,
    PigmentProduct,
    SessionAmendment,
    StockAdjustment,
)
from smp_clinic.lib.tz import local_date

SHORT_STOCK = "short_stock"


def clinic_today() -> tuple[date, date]:
    """Today at the clinic's locations, earliest and latest: stock serves every location, so
    a date is "already past" only once it is past everywhere, and "in the future" only
    while it is ahead everywhere (a manager in Auckland receives on their Thursday while
    London still has Wednesday)."""
    now = timezone.now()
    zones = set(Location.objects.filter(is_active=True).values_list("time_zone", flat=True))
    days = [local_date(now, ZoneInfo(zone)) for zone in zones or {settings.TIME_ZONE}]
    return min(days), max(days)


@transaction.atomic
def product_save(*, product: PigmentProduct | None, data: dict) -> PigmentProduct:
    product = product or PigmentProduct()
    for name in ("brand", "name", "shade", "low_stock_ml", "is_active"):
        if name in data:
            setattr(
                product, name, data[name].strip() if isinstance(data[name], str) else data[name]
            )
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError:
        raise ValidationError(
            "This product (brand, name and shade) is already in the inventory."
        ) from None
    return product


@transaction.atomic
def lot_receive(
    *,
    product: PigmentProduct,
    lot_number: str,
    expiry_date: date,
    volume_ml: Decimal,
    received_on: date | None = None,
) -> PigmentLot:
    lot_number = lot_number.strip()
    earliest, latest = clinic_today()
    received_on = received_on or timezone.localdate()
    if not lot_number:
        raise ValidationError({"lot_number": "Enter the lot number printed on the bottle."})
    if volume_ml <= 0:
        raise ValidationError({"volume_ml": "The volume must be more than 0 ml."})
    if received_on > latest:
        raise ValidationError({"received_on": "The received date cannot be in the future."})
    if expiry_date <= received_on or expiry_date < earliest:
        raise ValidationError(
            {"expiry_date": "This lot is already expired; do not put it into stock."}
        )
    try:
        with transaction.atomic():
            return PigmentLot.objects.create(
                product=product,
                lot_number=lot_number,
                expiry_date=expiry_date,
                received_on=received_on,
                volume_received_ml=volume_ml,
                volume_remaining_ml=volume_ml,
            )
    except IntegrityError:
        raise ValidationError(
            {"lot_number": f"Lot {lot_number} of this product is already in stock."}
        ) from None


def lot_open(*, lot: PigmentLot, on: date | None = None) -> PigmentLot:
    if lot.opened_on is None:
        lot.opened_on = on or timezone.localdate()
        lot.save(update_fields=["opened_on"])
    return lot


@transaction.atomic
def lot_recall(*, lot: PigmentLot, by: User, reason: str) -> PigmentLot:
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError(
            {"reason": "Say why the lot is recalled (the maker's notice, a reaction…)."}
        )
    lot = PigmentLot.objects.select_for_update().get(pk=lot.pk)
    if lot.is_recalled:
        raise ValidationError("This lot is already recalled.")
    lot.recalled_at = timezone.now()
    lot.recall_reason = reason[:300]
    lot.recalled_by = by
    lot.save(update_fields=["recalled_at", "recall_reason", "recalled_by"])
    return lot


@transaction.atomic
def needle_receive(
    *,
    brand: str,
    configuration: str,
    diameter_mm: Decimal,
    lot_number: str,
    expiry_date: date,
    quantity: int,
) -> Needle:
    if quantity < 1:
        raise ValidationError({"quantity": "Receive at least one cartridge."})
    if expiry_date < clinic_today()[0]:
        raise ValidationError({"expiry_date": "These needles are already expired."})
    if not Decimal("0.15") <= diameter_mm <= Decimal("0.40"):
        raise ValidationError({"diameter_mm": "SMP needles are 0.15–0.40 mm."})
    brand = brand.strip()
    # A new box of a needle already stocked keeps the level set for that needle.
    level = (
        Needle.objects.filter(brand=brand, configuration=configuration, diameter_mm=diameter_mm)
        .values_list("low_stock_quantity", flat=True)
        .first()
    )
    try:
        with transaction.atomic():
            return Needle.objects.create(
                brand=brand,
                configuration=configuration,
                diameter_mm=diameter_mm,
                lot_number=lot_number.strip(),
                expiry_date=expiry_date,
                quantity_received=quantity,
                quantity_remaining=quantity,
                **({"low_stock_quantity": level} if level is not None else {}),
            )
    except IntegrityError:
        raise ValidationError({"lot_number": "This needle lot is already in stock."}) from None


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


def consume(*, lot: PigmentLot, ml: Decimal, needle: Needle | None) -> None:
    """Take the pass's pigment (and a new cartridge) out of stock, race-free."""
    stock_take(lot=lot, ml=ml, opened_on=timezone.localdate())
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


@transaction.atomic
def lot_adjust_stock(
    *, lot: PigmentLot, by: User, kind: str, ml: Decimal, reason: str
) -> StockAdjustment:
    """A manager's count correction (``ml`` is what the lot holds now) or discard (``ml`` is
    how much was thrown away), kept with the reason. The lot's change and the adjustment are
    both written to the audit trail (audit.capture)."""
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


def low_stock() -> tuple[list[PigmentProduct], list[NeedleStock]]:
    """What to reorder: each product in use whose usable lots (not expired, not recalled)
    hold less than its level together, and each needle whose usable cartridges do. A
    nearly empty bottle beside a full one is no shortage; a product or needle whose only
    stock has expired is one."""
    today = timezone.localdate()
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


@transaction.atomic
def needle_save(*, needle: Needle, low_stock_quantity: int, is_active: bool) -> Needle:
    """The warning level belongs to the needle, not to one box: it is set on every lot of
    the same brand, configuration and diameter, so low stock reads one level for them."""
    Needle.objects.filter(
        brand=needle.brand, configuration=needle.configuration, diameter_mm=needle.diameter_mm
    ).update(low_stock_quantity=low_stock_quantity)
    needle.low_stock_quantity = low_stock_quantity
    needle.is_active = is_active
    needle.save(update_fields=["low_stock_quantity", "is_active"])
    return needle


# --- Recall -----------------------------------------------------------------------------


@dataclass
class RecallRow:
    session_id: str
    client_id: str
    client_name: str
    client_email: str
    client_phone: str
    session_date: date
    practitioner: str
    location_id: int
    passes: list[int] = field(default_factory=list)
    via_amendment: bool = False
    # Passes logged with (or once corrected to) this lot and corrected to another since.
    corrected_away: list[int] = field(default_factory=list)


def recall_report(*, lot: PigmentLot) -> list[RecallRow]:
    """Every client and session that received the lot, in one query: the passes logged
    with it, those corrected to it after sign-off, and those corrected away from it since
    (listed and marked: the record said once that this lot went in)."""
    lot_amendments = SessionAmendment.objects.filter(
        layering_pass=OuterRef("pk"), field="pigment_lot"
    )
    passes = (
        LayeringPass.objects.filter(
            Q(pigment_lot=lot) | Exists(lot_amendments.filter(corrected_lot=lot))
        )
        .annotate(
            current_lot_id=Coalesce(
                Subquery(lot_amendments.order_by("-at", "-pk").values("corrected_lot_id")[:1]),
                F("pigment_lot_id"),
                output_field=BigIntegerField(),
            )
        )
        .select_related(
            "session__client", "session__appointment__location", "session__practitioner"
        )
        .order_by("session__appointment__start", "number")
    )
    rows: dict[int, RecallRow] = {}
    for layering_pass in passes:
        session = layering_pass.session
        client = session.client
        row = rows.get(session.pk)
        if row is None:
            local = timezone.localtime(session.appointment.start, session.appointment.location.tz)
            row = rows[session.pk] = RecallRow(
                session_id=str(session.public_id),
                client_id=str(client.public_id),
                client_name=client.full_name,
                client_email=client.email,
                client_phone=str(client.phone or ""),
                session_date=local.date(),
                practitioner=session.practitioner.full_name,
                location_id=session.appointment.location_id,
            )
        row.passes.append(layering_pass.number)
        if layering_pass.current_lot_id != lot.pk:
            row.corrected_away.append(layering_pass.number)
        elif layering_pass.pigment_lot_id != lot.pk:
            row.via_amendment = True
    return list(rows.values())


def recall_rows_for(*, user, rows: list[RecallRow]) -> tuple[list[RecallRow], int]:
    """The rows of sessions at the user's locations, and how many others there are: a
    manager of some locations contacts their clients; the count tells them to escalate."""
    if user.all_locations:
        return rows, 0
    mine = set(user.locations.values_list("pk", flat=True))
    visible = [row for row in rows if row.location_id in mine]
    return visible, len(rows) - len(visible)


def recall_csv(*, lot: PigmentLot, rows: list[RecallRow]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "lot",
            "product",
            "session date",
            "client",
            "email",
            "phone",
            "practitioner",
            "passes",
            "recorded by amendment",
            "passes corrected to another lot",
            "session id",
            "client id",
        ]
    )
    for row in rows:
        writer.writerow(
            [
                lot.lot_number,
                str(lot.product),
                row.session_date.isoformat(),
                _csv_safe(row.client_name),
                _csv_safe(row.client_email),
                _csv_safe(row.client_phone),
                _csv_safe(row.practitioner),
                " ".join(str(n) for n in row.passes),
                "yes" if row.via_amendment else "no",
                " ".join(str(n) for n in row.corrected_away),
                row.session_id,
                row.client_id,
            ]
        )
    return buffer.getvalue()


def _csv_safe(value: str) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: neutralise them."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
