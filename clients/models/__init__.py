from clients.models.client import Client, ClientLocation
from clients.models.intake import FlagClearance, IntakeFlag, MedicalIntake

__all__ = ["Client", "ClientLocation", "FlagClearance", "IntakeFlag", "MedicalIntake"]
