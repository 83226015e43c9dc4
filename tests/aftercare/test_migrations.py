"""The outbox's data migrations, run forward and back by Django's migration executor on rows
as the app writes them."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from aftercare.kinds import Kind
from aftercare.models import OutboundMessage
from tests.factories import complete_appointment, make_appointment

BEFORE = ("aftercare", "0005_outbox_resend_copies_of_sent_messages")
REKEYED = ("aftercare", "0006_touch_up_recalls_keyed_by_latest_treatment")

pytestmark = pytest.mark.usefixtures("clock")


def migrate_to(target) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


def recall(client, *, key_source, source_id, course, appointment, status, step="recall-1"):
    return OutboundMessage.objects.create(
        kind=Kind.TOUCH_UP_RECALL,
        client=client,
        course=course,
        appointment=appointment,
        step=step,
        due_at=datetime(2028, 1, 26, 10, 0, tzinfo=UTC),
        status=status,
        sent_at=datetime(2028, 1, 26, 10, 0, tzinfo=UTC) if status == "sent" else None,
        reason="not_needed" if status == "cancelled" else "",
        idempotency_key=f"touch_up_recall:{key_source}:{source_id}:{step}",
    )


@pytest.fixture
def treated(smp_client, practitioner, room, clock):
    """A completed course of two sessions and, later in the same course, a completed healing
    check (no pigment: not a treatment); then a touch-up on its own."""

    def done(kind, day, **extra):
        appointment = make_appointment(
            client=smp_client, practitioner=practitioner, room=room, kind=kind, day=day, **extra
        )
        clock.move_to(appointment.start)
        return complete_appointment(appointment, by=practitioner)

    first = done("session", date(2027, 1, 12), new_course_sessions=3)
    course = first.course
    second = done("session", date(2027, 1, 26), course=course)
    check = done("healing_check", date(2027, 2, 16), course=course)
    touch_up = done("touch_up", date(2027, 3, 2))
    assert check.course_id == course.pk
    return {"course": course, "first": first, "second": second, "touch_up": touch_up}


def test_rolling_back_the_rekeying_restores_the_course_keys_so_no_recall_is_sent_again(
    smp_client, treated
):
    course = treated["course"]
    # An older treatment's recall, cancelled, made before (lower id) the one that was sent:
    # both would take the same course key, and the one that went out must keep it.
    older = recall(
        smp_client,
        key_source="appointment",
        source_id=treated["first"].pk,
        course=course,
        appointment=treated["first"],
        status="cancelled",
    )
    sent = recall(
        smp_client,
        key_source="appointment",
        source_id=treated["second"].pk,
        course=course,
        appointment=treated["second"],
        status="sent",
    )
    standalone = recall(
        smp_client,
        key_source="appointment",
        source_id=treated["touch_up"].pk,
        course=None,
        appointment=treated["touch_up"],
        status="pending",
    )

    migrate_to(BEFORE)

    for row in (older, sent, standalone):
        row.refresh_from_db()
    assert (sent.idempotency_key, sent.appointment_id, sent.status) == (
        f"touch_up_recall:course:{course.pk}:recall-1",
        None,
        "sent",
    )
    assert older.idempotency_key == f"touch_up_recall:appointment:{treated['first'].pk}:recall-1"
    # Recalls on their own did not exist before: the old sender cannot send one, so the
    # pending one is closed (and keeps its key).
    assert (standalone.status, standalone.reason, standalone.idempotency_key) == (
        "cancelled",
        "source_changed",
        f"touch_up_recall:appointment:{treated['touch_up'].pk}:recall-1",
    )

    migrate_to(REKEYED)

    sent.refresh_from_db()
    assert (sent.idempotency_key, sent.appointment_id) == (
        f"touch_up_recall:appointment:{treated['second'].pk}:recall-1",
        treated["second"].pk,
    )


def test_the_rekeying_picks_the_course_s_latest_treatment_as_the_scan_does(smp_client, treated):
    """The healing check completed after the sessions puts no pigment in: the recall
    follows the last session, the treatment the scan counts from."""
    course = treated["course"]
    legacy = recall(
        smp_client,
        key_source="course",
        source_id=course.pk,
        course=course,
        appointment=None,
        status="sent",
    )
    migrate_to(BEFORE)
    migrate_to(REKEYED)
    legacy.refresh_from_db()
    assert (legacy.appointment_id, legacy.idempotency_key) == (
        treated["second"].pk,
        f"touch_up_recall:appointment:{treated['second'].pk}:recall-1",
    )


def test_the_migration_counts_the_same_treatments_as_the_scan():
    from importlib import import_module

    from scheduling.models import AppointmentType

    migration = import_module(f"aftercare.migrations.{REKEYED[1]}")
    assert set(migration.TREATMENT_KINDS) == set(AppointmentType.CLINICAL_KINDS)
