"""The appointment types every clinic starts with (managers edit durations and buffers)."""

from smp_clinic.lib.defaults import seed_after_migrate

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


ensure_default_types_after_migrate = seed_after_migrate(
    ensure_default_types, "scheduling.AppointmentType"
)
