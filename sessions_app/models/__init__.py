from sessions_app.models.inventory import Needle, PigmentLot, PigmentProduct, StockAdjustment
from sessions_app.models.session import (
    HealingCheck,
    LayeringPass,
    PassFormToken,
    PigmentationSession,
    SessionAmendment,
    SessionPhoto,
)

__all__ = [
    "HealingCheck",
    "LayeringPass",
    "Needle",
    "PassFormToken",
    "PigmentLot",
    "PigmentProduct",
    "PigmentationSession",
    "SessionAmendment",
    "SessionPhoto",
    "StockAdjustment",
]
