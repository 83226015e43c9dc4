from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = "Calendar"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from scheduling import client_pages
        from scheduling.defaults import ensure_default_types_after_migrate

        client_pages.register()
        post_migrate.connect(
            ensure_default_types_after_migrate, sender=self, dispatch_uid="scheduling.default_types"
        )
