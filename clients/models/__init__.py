from clients.models.client import Client, ClientLocation
from clients.models.consent import ConsentKind, ConsentTemplate, ConsentVersion, SignedConsent
from clients.models.intake import FlagClearance, IntakeFlag, MedicalIntake

__all__ = [
    "Client",
    "ClientLocation",
    "ConsentKind",
    "ConsentTemplate",
    "ConsentVersion",
    "FlagClearance",
    "IntakeFlag",
    "MedicalIntake",
    "SignedConsent",
]
