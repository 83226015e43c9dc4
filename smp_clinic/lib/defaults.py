"""Rows a clinic starts with (appointment types, consent forms, the aftercare plan): each app
seeds them in a data migration and re-ensures them after every migrate and flush."""

from collections.abc import Callable


def seed_after_migrate(ensure: Callable, *model_labels: str) -> Callable:
    """A post_migrate receiver (also sent after a test flush) that calls
    ``ensure(*models)`` with the models named "app_label.ModelName", taken from the
    migration state when there is one, else from the app registry. Nothing happens while an
    app's models do not exist yet (an early migration of another app)."""

    def receiver(sender=None, apps=None, **kwargs) -> None:
        if apps is None:
            from django.apps import apps
        try:
            models = [apps.get_model(label) for label in model_labels]
        except LookupError:
            return
        ensure(*models)

    return receiver
