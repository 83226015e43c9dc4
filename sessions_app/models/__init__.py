from sessions_app.models.inventory import Needle, PigmentLot, PigmentProduct, StockAdjustment
from sessions_app.models.session import (
    HealingCheck,
    LayeringPass,
    PigmentationSession,
    SessionAmendment,
    SessionPhoto,
)

__all__ = [
    "HealingCheck",
    "LayeringPass",
    "Needle",
    "PigmentLot",
    "PigmentProduct",
    "PigmentationSession",
    "SessionAmendment",
    "SessionPhoto",
    "StockAdjustment",
]
