from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_role_groups(apps, schema_editor):
    from accounts.roles import ensure_role_groups

    # Permissions are normally created after all migrations; make those that exist now
    # available so the groups start with them (post_migrate adds later apps' ones).
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    ensure_role_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def remove_role_groups(apps, schema_editor):
    from accounts.roles import GROUP_NAMES

    apps.get_model("auth", "Group").objects.filter(name__in=GROUP_NAMES.values()).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_role_groups, remove_role_groups)]
