from django.db import migrations


def create_types(apps, schema_editor):
    from scheduling.defaults import ensure_default_types

    ensure_default_types(apps.get_model("scheduling", "AppointmentType"))


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_initial")]

    operations = [migrations.RunPython(create_types, migrations.RunPython.noop)]
