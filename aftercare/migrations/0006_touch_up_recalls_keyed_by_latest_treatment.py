"""Touch-up recalls made when they were per course move to the key of per-client recalls,
which counts from the treatment (appointment) the recall follows: the course's last
completed session. Without this, a recall already sent under the old key would be made and
sent again under the new one. Rows whose course has no completed session keep their old key;
the sender no longer sends those (they follow no treatment)."""

from django.db import migrations

BATCH = 500


def rekey_recalls(apps, schema_editor):
    OutboundMessage = apps.get_model("aftercare", "OutboundMessage")
    Appointment = apps.get_model("scheduling", "Appointment")
    # Only the rows still on the old key: running this again finds nothing to do.
    old = OutboundMessage.objects.filter(
        kind="touch_up_recall", appointment__isnull=True, course__isnull=False
    ).order_by("pk")
    last_pk = 0
    while True:
        batch = list(old.filter(pk__gt=last_pk).values("pk", "course_id", "step")[:BATCH])
        if not batch:
            return
        last_pk = batch[-1]["pk"]
        for row in batch:
            treatment = (
                Appointment.objects.filter(course_id=row["course_id"], status="completed")
                .order_by("-start", "-pk")
                .values_list("pk", flat=True)
                .first()
            )
            if treatment is None:
                continue
            key = f"touch_up_recall:appointment:{treatment}:{row['step'] or '-'}"
            if OutboundMessage.objects.filter(idempotency_key=key).exists():
                continue
            OutboundMessage.objects.filter(pk=row["pk"]).update(
                appointment_id=treatment, idempotency_key=key
            )


class Migration(migrations.Migration):
    dependencies = [
        ("aftercare", "0005_outbox_resend_copies_of_sent_messages"),
        ("scheduling", "0003_appointment_at_most_a_day"),
    ]

    operations = [migrations.RunPython(rekey_recalls, migrations.RunPython.noop)]
