"""Every pass logged with a form token keeps it in the new table, so a form sent again after
this upgrade still finds its pass. Re-runnable: a token already copied is skipped."""

from django.db import migrations

BATCH = 500


def copy_tokens(apps, schema_editor):
    LayeringPass = apps.get_model("sessions_app", "LayeringPass")
    PassFormToken = apps.get_model("sessions_app", "PassFormToken")
    passes = LayeringPass.objects.filter(form_token__isnull=False).order_by("pk")
    last_pk = 0
    while True:
        batch = list(
            passes.filter(pk__gt=last_pk).values("pk", "session_id", "form_token")[:BATCH]
        )
        if not batch:
            return
        last_pk = batch[-1]["pk"]
        PassFormToken.objects.bulk_create(
            [
                PassFormToken(
                    token=row["form_token"], session_id=row["session_id"], layering_pass_id=row["pk"]
                )
                for row in batch
            ],
            ignore_conflicts=True,
        )


def copy_tokens_back(apps, schema_editor):
    """Rolled back, a pass takes its token again (a removed pass's token is lost with the
    table, as before it existed)."""
    LayeringPass = apps.get_model("sessions_app", "LayeringPass")
    PassFormToken = apps.get_model("sessions_app", "PassFormToken")
    kept = PassFormToken.objects.filter(layering_pass__isnull=False).order_by("pk")
    last_pk = 0
    while True:
        batch = list(kept.filter(pk__gt=last_pk).values("pk", "layering_pass_id", "token")[:BATCH])
        if not batch:
            return
        last_pk = batch[-1]["pk"]
        for row in batch:
            LayeringPass.objects.filter(pk=row["layering_pass_id"]).update(form_token=row["token"])


class Migration(migrations.Migration):
    dependencies = [("sessions_app", "0008_pass_form_tokens_table")]

    operations = [migrations.RunPython(copy_tokens, copy_tokens_back)]
