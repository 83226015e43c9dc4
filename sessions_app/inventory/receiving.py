"""Putting stock on the shelf: products, lots and needle boxes received, and their settings."""

from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from locations.models import Location
from sessions_app.models import (
    Needle,
    PigmentLot,
    PigmentProduct,
)
from smp_clinic.lib.tz import local_date


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
    received_on = received_on or earliest
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
