from django.db import migrations


def create_defaults(apps, schema_editor):
    from aftercare.defaults import ensure_defaults

    ensure_defaults(
        apps.get_model("aftercare", "MessageTemplate"),
        apps.get_model("aftercare", "AftercarePlan"),
        apps.get_model("aftercare", "AftercareStep"),
        apps.get_model("aftercare", "MessageSettings"),
    )


class Migration(migrations.Migration):
    dependencies = [("aftercare", "0001_outbox_templates_plan_settings")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
