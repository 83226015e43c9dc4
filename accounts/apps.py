from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Staff accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_migrate

        from accounts.middleware import mark_seen_at_login
        from accounts.roles import sync_role_permissions
        from accounts.two_factor import mark_pending_at_login

        user_logged_in.connect(mark_seen_at_login, dispatch_uid="accounts.mark_seen_at_login")
        user_logged_in.connect(
            mark_pending_at_login, dispatch_uid="accounts.two_factor.mark_pending_at_login"
        )
        # Apps added later bring new models; their permissions reach the role groups here.
        post_migrate.connect(sync_role_permissions, dispatch_uid="accounts.sync_role_permissions")
