"""Touch-up recalls made when they were per course move to the key of per-client recalls,
which counts from the treatment (appointment) the recall follows: the course's last
completed session or touch-up, the same treatments the scan counts from
(aftercare.services.periodic.treatments). Without this, a recall already sent under the old
key would be made and sent again under the new one. Rows whose course has no completed
treatment keep their old key; the sender no longer sends those (they follow no treatment).

Rolled back, the recalls of a course go back to the course's key, so that the per-course
scan finds the ones already sent instead of making them again."""

from django.db import migrations

BATCH = 500
# The appointment kinds that put pigment in the skin (AppointmentType.CLINICAL_KINDS).
TREATMENT_KINDS = ("session", "touch_up")


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
                Appointment.objects.filter(
                    course_id=row["course_id"],
                    status="completed",
                    appointment_type__kind__in=TREATMENT_KINDS,
                )
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


def restore_course_keys(apps, schema_editor):
    """Each recall of a course takes the course's key again, and no appointment (as the
    per-course code wrote them). Where two rows would take one key (recalls of two
    treatments of one course), the one sent or being sent takes it, then the oldest; the
    other keeps its key. A pending recall of a treatment outside any course, which the
    per-course code can neither make nor send, is closed."""
    OutboundMessage = apps.get_model("aftercare", "OutboundMessage")
    recalls = OutboundMessage.objects.filter(kind="touch_up_recall", appointment__isnull=False)
    recalls.filter(course__isnull=True, status="pending").update(
        status="cancelled", reason="source_changed"
    )
    with_course = recalls.filter(course__isnull=False)
    for rows in (
        with_course.filter(status__in=("sent", "sending")),
        with_course.exclude(status__in=("sent", "sending")),
    ):
        rows = rows.order_by("pk")
        last_pk = 0
        while True:
            batch = list(rows.filter(pk__gt=last_pk).values("pk", "course_id", "step")[:BATCH])
            if not batch:
                break
            last_pk = batch[-1]["pk"]
            for row in batch:
                key = f"touch_up_recall:course:{row['course_id']}:{row['step'] or '-'}"
                if OutboundMessage.objects.filter(idempotency_key=key).exists():
                    continue
                OutboundMessage.objects.filter(pk=row["pk"]).update(
                    appointment_id=None, idempotency_key=key
                )


class Migration(migrations.Migration):
    dependencies = [
        ("aftercare", "0005_outbox_resend_copies_of_sent_messages"),
        ("scheduling", "0003_appointment_at_most_a_day"),
    ]

    operations = [migrations.RunPython(rekey_recalls, restore_course_keys)]
