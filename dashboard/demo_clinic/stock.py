"""The demo clinic's shelf, received through the inventory services: pigments with lots in
stock (one lot close to its expiry date, one product running low) and needle cartridges
(one size low)."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from sessions_app import inventory
from sessions_app.models import Needle, PigmentLot, PigmentProduct


@dataclass
class Shelf:
    """What the demo's sessions take their passes from."""

    light: PigmentLot  # shade 1, the lighter test shade of a first session
    medium: PigmentLot  # shade 2
    hairline: Needle  # 1RL 0.25 mm
    density: Needle  # 3RL 0.30 mm
    fine: Needle  # 1RL 0.18 mm, running low


def _product(brand: str, name: str, shade: str, low_stock_ml: str) -> PigmentProduct:
    return inventory.product_save(
        product=None,
        data={"brand": brand, "name": name, "shade": shade, "low_stock_ml": Decimal(low_stock_ml)},
    )


def _needle(configuration: str, diameter: str, lot_number: str, quantity: int) -> Needle:
    return inventory.needle_receive(
        brand="Kwadron",
        configuration=configuration,
        diameter_mm=Decimal(diameter),
        lot_number=lot_number,
        expiry_date=timezone.localdate() + timedelta(days=3 * 365),
        quantity=quantity,
    )


def _lot(product: PigmentProduct, lot_number: str, *, expires_in: int, ml: str, age: int):
    today = timezone.localdate()
    return inventory.lot_receive(
        product=product,
        lot_number=lot_number,
        expiry_date=today + timedelta(days=expires_in),
        volume_ml=Decimal(ml),
        received_on=today - timedelta(days=age),
    )


def shelf_stock() -> Shelf:
    """Receive the demo stock; the story runs once, on a clinic with no appointments yet."""
    light = _product("Scalp Ink", "Shadow", "1", "10")
    medium = _product("Scalp Ink", "Shadow", "2", "10")
    dark = _product("Dermis Pro", "Jet", "3", "15")
    two_years = 2 * 365
    light_lot = _lot(light, "SI1-2503", expires_in=two_years, ml="30", age=40)
    medium_lot = _lot(medium, "SI2-2504", expires_in=two_years, ml="30", age=20)
    # An older bottle of the same shade, to be used up first: it expires in three weeks.
    _lot(medium, "SI2-2409", expires_in=21, ml="15", age=200)
    # Below its product's warning level, so the inventory page shows low stock.
    _lot(dark, "DPJ3-2501", expires_in=two_years, ml="8", age=90)
    fine = _needle("1RL", "0.18", "KW-1RL18-2502", 6)
    inventory.needle_save(needle=fine, low_stock_quantity=10, is_active=True)
    return Shelf(
        light=light_lot,
        medium=medium_lot,
        hairline=_needle("1RL", "0.25", "KW-1RL25-2503", 40),
        density=_needle("3RL", "0.30", "KW-3RL30-2503", 30),
        fine=fine,
    )
