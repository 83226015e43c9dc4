"""The first version of each consent text, so that a fresh clinic can take signatures."""

from django.db import migrations


def create_default_texts(apps, schema_editor):
    from clients.consent.defaults import ensure_default_texts

    ensure_default_texts(
        apps.get_model("clients", "ConsentTemplate"), apps.get_model("clients", "ConsentVersion")
    )


class Migration(migrations.Migration):
    dependencies = [("clients", "0004_consent_immutability_triggers")]

    operations = [migrations.RunPython(create_default_texts, migrations.RunPython.noop)]
