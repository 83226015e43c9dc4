from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Staff accounts"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from accounts.roles import sync_role_permissions

        # Apps added later bring new models; their permissions reach the role groups here.
        post_migrate.connect(sync_role_permissions, dispatch_uid="accounts.sync_role_permissions")
