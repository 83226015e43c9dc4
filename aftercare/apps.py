from django.apps import AppConfig


class AftercareConfig(AppConfig):
    name = "aftercare"
    verbose_name = "Aftercare and messages"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from aftercare import client_pages
        from aftercare.defaults import ensure_defaults_after_migrate
        from aftercare.services import rules

        rules.connect()
        client_pages.register()
        post_migrate.connect(
            ensure_defaults_after_migrate, sender=self, dispatch_uid="aftercare.defaults"
        )
