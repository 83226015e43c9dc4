from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = "Clients"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from accounts.roles import CLINICAL, STAFF, Role
        from clients.consent.defaults import ensure_default_texts_after_migrate
        from clients.consent.selectors import consents_section_context
        from clients.intake.selectors import medical_section_context
        from clients.photos.selectors import photos_section_context
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
        # Every role sees the state of the consents and can hand the tablet over to sign.
        register_section(
            ClientSection(
                key="consents",
                label="Consents",
                template="clients/sections/consents.html",
                roles=frozenset(STAFF),
                context=consents_section_context,
                icon="pen",
                order=25,
            )
        )
        # Photos are clinical records: the front desk never sees the tab or a thumbnail.
        register_section(
            ClientSection(
                key="photos",
                label="Photos",
                template="clients/sections/photos.html",
                roles=frozenset(CLINICAL),
                context=photos_section_context,
                icon="camera",
                order=30,
                uses_query=True,
            )
        )
        post_migrate.connect(
            ensure_default_texts_after_migrate, sender=self, dispatch_uid="clients.consent_texts"
        )
