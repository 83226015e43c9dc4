from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = "Clients"

    def ready(self) -> None:
        from accounts.roles import Role
        from clients.intake.selectors import medical_section_context
        from clients.registry import ClientSection, register_section

        # Medical details are for practitioners and managers; the front desk sees only the
        # flag banner above the tabs.
        register_section(
            ClientSection(
                key="medical",
                label="Medical",
                template="clients/sections/medical.html",
                roles=frozenset({Role.PRACTITIONER, Role.MANAGER}),
                context=medical_section_context,
                icon="heart-pulse",
                order=20,
            )
        )
