from django.apps import AppConfig


class AftercareConfig(AppConfig):
    name = "aftercare"
    verbose_name = "Aftercare and messages"
