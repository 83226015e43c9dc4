"""The appointment types every clinic starts with (managers edit durations and buffers)."""

DEFAULT_TYPES = [
    # kind, name, duration, buffer before, buffer after, colour
    ("consultation", "Consultation", 45, 0, 15, "info"),
    ("session", "Pigmentation session", 240, 15, 30, "primary"),
    ("touch_up", "Touch-up", 150, 15, 30, "purple"),
    ("healing_check", "Healing check", 20, 0, 10, "success"),
    ("follow_up", "Follow-up", 30, 0, 10, "secondary"),
]


def ensure_default_types(appointment_type_model) -> None:
    """Create any missing default type; never touches one a manager has edited."""
    for kind, name, duration, before, after, colour in DEFAULT_TYPES:
        appointment_type_model.objects.get_or_create(
            kind=kind,
            defaults={
                "name": name,
                "duration_minutes": duration,
                "buffer_before_minutes": before,
                "buffer_after_minutes": after,
                "colour": colour,
            },
        )


def ensure_default_types_after_migrate(sender=None, apps=None, **kwargs) -> None:
    """post_migrate (also sent after a test flush): the defaults exist."""
    if apps is None:
        from django.apps import apps
    try:
        model = apps.get_model("scheduling", "AppointmentType")
    except LookupError:
        return
    ensure_default_types(model)
