"""Every event of the trail says who, when, what and from where, whoever writes it."""

import re
from pathlib import Path

import pytest
from django.db import transaction
from django.urls import reverse

from audit.context import Actor, reset_actor, set_actor
from audit.models import AuditEvent
from audit.services import event_record
from tests.clients.test_clients import client_form
from tests.factories import make_intake

BROWSER = "Mozilla/5.0 (SMP test tablet)"
ADDRESS = "192.0.2.44"
FROM_THE_DESK = {"HTTP_USER_AGENT": BROWSER, "REMOTE_ADDR": ADDRESS}


def assert_from_the_desk(event: AuditEvent, *, actor, path: str) -> None:
    assert event.actor == actor
    assert event.actor_label == f"{actor.full_name} <{actor.email}>"
    assert event.at is not None
    assert (event.ip_address, event.user_agent, event.path) == (ADDRESS, BROWSER, path)


@pytest.fixture
def boss(client, manager):
    client.force_login(manager)
    return client


def test_an_export_is_recorded_with_the_user_agent_and_path(boss, manager, smp_client):
    url = reverse("privacy:export", args=[smp_client.public_id])
    response = boss.post(url, **FROM_THE_DESK)
    b"".join(response.streaming_content)
    event = AuditEvent.objects.get(action="export")
    assert_from_the_desk(event, actor=manager, path=url)
    assert event.client_public_id == smp_client.public_id
    assert event.object_id == str(smp_client.public_id)


def test_an_erasure_is_recorded_with_the_user_agent_and_path(
    boss, manager, smp_client, django_capture_on_commit_callbacks
):
    url = reverse("privacy:erase", args=[smp_client.public_id])
    with django_capture_on_commit_callbacks(execute=True):
        response = boss.post(url, {"confirmation": "Sam Carter"}, **FROM_THE_DESK)
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="erase")
    assert_from_the_desk(event, actor=manager, path=url)
    assert event.client_public_id == smp_client.public_id
    assert "files_removed" in event.changes


def test_a_change_made_on_a_page_is_still_recorded_from_where_it_came(client, front_desk, location):
    client.force_login(front_desk)
    url = reverse("clients:create")
    client.post(url, client_form(location), **FROM_THE_DESK)
    event = AuditEvent.objects.get(object_type="clients.Client", action="create")
    assert_from_the_desk(event, actor=front_desk, path=url)


def test_a_look_at_a_medical_intake_is_still_recorded_from_where_it_came(
    client, practitioner, smp_client
):
    intake = make_intake(client=smp_client, by=practitioner, yes={"diabetes"})
    client.force_login(practitioner)
    url = reverse("clients:intake_detail", args=[smp_client.public_id, intake.public_id])
    client.get(url, **FROM_THE_DESK)
    event = AuditEvent.objects.get(action="view")
    assert_from_the_desk(event, actor=practitioner, path=url)
    assert event.client_public_id == smp_client.public_id


def test_outside_a_request_the_event_says_system_and_nowhere(smp_client):
    event = event_record(
        action=AuditEvent.Action.UPDATE, object_type="clients.Client", object_id="x"
    )
    assert (event.actor_id, event.actor_label) == (None, "system")
    assert (event.ip_address, event.user_agent, event.path) == (None, "", "")


def test_a_named_account_outside_a_request_is_labelled_like_in_one(manager):
    event = event_record(action=AuditEvent.Action.EXPORT, object_type="clients.Client", by=manager)
    assert event.actor == manager
    assert event.actor_label == f"{manager.full_name} <{manager.email}>"


def test_long_request_details_are_cut_to_fit_rather_than_refused(manager):
    token = set_actor(
        Actor(
            user_id=manager.pk,
            label="x" * 500,
            ip_address=ADDRESS,
            user_agent="u" * 1000,
            path="/p" * 400,
        )
    )
    try:
        event = event_record(action=AuditEvent.Action.VIEW, object_type="photo")
    finally:
        reset_actor(token)
    assert (len(event.actor_label), len(event.user_agent), len(event.path)) == (200, 300, 300)


def _change_then_fail(smp_client, before: int) -> None:
    with transaction.atomic():
        smp_client.notes = "changed"
        smp_client.save()
        assert AuditEvent.objects.count() == before + 1
        raise RuntimeError


def test_the_event_rolls_back_with_the_change_it_records(smp_client):
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError):
        _change_then_fail(smp_client, before)
    assert AuditEvent.objects.count() == before


def test_only_the_audit_service_writes_audit_rows():
    """One writer: a new event source that built its own rows would drift again."""
    root = Path(__file__).resolve().parents[2]
    writes = re.compile(r"AuditEvent\(|AuditEvent\.objects\.(create|bulk_create|get_or_create)")
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if not {".venv", "node_modules", "tests", "migrations"} & set(path.parts)
        and path.relative_to(root).as_posix() not in {"audit/services.py", "audit/models.py"}
        and writes.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
