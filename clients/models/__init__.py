from clients.models.client import Client, ClientLocation

__all__ = ["Client", "ClientLocation"]
