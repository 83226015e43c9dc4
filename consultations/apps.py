from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = "Consultations and designs"

    def ready(self) -> None:
        from consultations import client_pages

        client_pages.register()
