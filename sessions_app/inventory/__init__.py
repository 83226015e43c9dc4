"""Inventory writes and reads: receiving stock, using it at the chair, correcting it, low
stock and lot recalls. (Kept apart from the session log's services so each module stays
small; callers use ``from sessions_app import inventory`` and the names below.)"""

from sessions_app.inventory.recall import (
    RecallRow,
    lot_recall,
    recall_csv,
    recall_report,
    recall_rows_for,
)
from sessions_app.inventory.receiving import (
    clinic_today,
    lot_receive,
    needle_receive,
    needle_save,
    product_save,
)
from sessions_app.inventory.stock import (
    SHORT_STOCK,
    STOCK_CHANGED,
    NeedleStock,
    check_lot_correctable,
    check_lot_usable,
    check_needle_usable,
    consume,
    is_short_stock,
    lot_adjust_stock,
    lots_locked,
    low_stock,
    short_stock,
    stock_return,
    stock_take,
    usable_lots,
    usable_needles,
)

__all__ = [
    "SHORT_STOCK",
    "STOCK_CHANGED",
    "NeedleStock",
    "RecallRow",
    "check_lot_correctable",
    "check_lot_usable",
    "check_needle_usable",
    "clinic_today",
    "consume",
    "is_short_stock",
    "lot_adjust_stock",
    "lot_receive",
    "lot_recall",
    "lots_locked",
    "low_stock",
    "needle_receive",
    "needle_save",
    "product_save",
    "recall_csv",
    "recall_report",
    "recall_rows_for",
    "short_stock",
    "stock_return",
    "stock_take",
    "usable_lots",
    "usable_needles",
]
