from django.apps import AppConfig


class SessionsAppConfig(AppConfig):
    name = "sessions_app"
    label = "sessions_app"
    verbose_name = "Pigmentation sessions"

    def ready(self) -> None:
        from sessions_app import client_pages

        client_pages.register()
