from sessions_app.models.inventory import Needle, PigmentLot, PigmentProduct
from sessions_app.models.session import (
    HealingCheck,
    LayeringPass,
    PigmentationSession,
    SessionAmendment,
)

__all__ = [
    "HealingCheck",
    "LayeringPass",
    "Needle",
    "PigmentLot",
    "PigmentProduct",
    "PigmentationSession",
    "SessionAmendment",
]
