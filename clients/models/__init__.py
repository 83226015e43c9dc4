from clients.models.client import Client, ClientLocation
from clients.models.consent import ConsentKind, ConsentTemplate, ConsentVersion, SignedConsent
from clients.models.intake import FlagClearance, IntakeFlag, MedicalIntake
from clients.models.photo import Photo, PhotoAngle, PhotoKind

__all__ = [
    "Client",
    "ClientLocation",
    "ConsentKind",
    "ConsentTemplate",
    "ConsentVersion",
    "FlagClearance",
    "IntakeFlag",
    "MedicalIntake",
    "Photo",
    "PhotoAngle",
    "PhotoKind",
    "SignedConsent",
]
