from aftercare.models.content import AftercarePlan, AftercareStep, MessageSettings, MessageTemplate
from aftercare.models.message import OutboundMessage

__all__ = [
    "AftercarePlan",
    "AftercareStep",
    "MessageSettings",
    "MessageTemplate",
    "OutboundMessage",
]
