"""Every URL of the project × anonymous and every role: allowed, or refused.

The URL list is discovered from the URLconf at collection time, so a new view is covered
without editing this test; its expected access must be added to tests/access_table.py.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.shortcuts import resolve_url

from aftercare.models import AftercareStep, OutboundMessage
from aftercare.tokens import preferences_token, unsubscribe_token
from clients.intake.services import flag_clear
from scheduling.models import TimeOff
from tests import access_table
from tests.factories import (
    RoomFactory,
    make_appointment,
    make_consultation,
    make_intake,
    make_staff,
    pdf_upload,
)
from tests.urls_enumeration import build_url, named_patterns

PATTERNS = named_patterns()
LOGIN_PATHS = ("/ops/admin/login/",)


@pytest.fixture
def url_samples(location, smp_client):
    """One object per URL keyword argument, visible to every role of ``location``."""
    colleague = make_staff(
        role="practitioner", locations=[location], email="colleague@example.test"
    )
    room = RoomFactory(location=location, name="Consultation room")
    appointment = make_appointment(client=smp_client, practitioner=colleague, room=room)
    absence = TimeOff.objects.create(
        practitioner=colleague,
        start=appointment.start + timedelta(days=30),
        end=appointment.start + timedelta(days=31),
    )
    intake = make_intake(
        client=smp_client, by=colleague, yes={"blood_thinners", "heart_blood_pressure"}
    )
    cleared, open_flag = intake.flags.order_by("code")
    clearance = flag_clear(flag=cleared, by=colleague, note="GP confirms.", document=pdf_upload())
    consultation = make_consultation(client=smp_client, practitioner=colleague)
    message = OutboundMessage.objects.filter(client=smp_client).first()
    return {
        "message_id": message.public_id,
        "kind": "booking_confirmation",
        "step_id": AftercareStep.objects.first().public_id,
        "unsubscribe_token": unsubscribe_token(
            client_public_id=smp_client.public_id, category="care"
        ),
        "preferences_token": preferences_token(client_public_id=smp_client.public_id),
        "user_id": colleague.public_id,
        "consultation_id": consultation.public_id,
        "appointment_id": appointment.public_id,
        "location_id": location.public_id,
        "room_id": room.public_id,
        "type_id": appointment.appointment_type.public_id,
        "time_off_id": absence.public_id,
        "feed_token": colleague.feed_token,
        "client_id": smp_client.public_id,
        "section": "medical",
        "intake_id": intake.public_id,
        "flag_id": open_flag.public_id,
        "clearance_id": clearance.public_id,
        "uidb64": "MQ",
        "token": "invalid-token",
        # The technical admin's own arguments: refused before any lookup happens.
        "app_label": "accounts",
        "object_id": "1",
        "id": "1",
        "content_type_id": 1,
    }


def outcome(response) -> str:
    status = response.status_code
    if status == 403:
        return "refused"
    if status == 302:
        login = resolve_url(settings.LOGIN_URL)
        if response.url.startswith(login) or response.url.startswith(LOGIN_PATHS):
            return "refused"
        return "allowed"
    if status in (200, 204, 405):
        return "allowed"
    raise AssertionError(f"unexpected status {status} (neither the page nor a refusal)")


def test_every_url_pattern_has_an_expected_access_entry():
    missing = [p.name for p in PATTERNS if access_table.expected_roles(p.name) is None]
    assert missing == [], f"add these URL names to tests/access_table.py: {missing}"


def test_access_table_names_only_existing_urls():
    names = {p.name for p in PATTERNS}
    stale = [key for key in access_table.ACCESS if not key.endswith("*") and key not in names]
    assert stale == [], f"tests/access_table.py names URLs that no longer exist: {stale}"


@pytest.mark.parametrize("pattern", PATTERNS, ids=[p.name for p in PATTERNS])
def test_url_allows_exactly_the_expected_roles(pattern, client, people, url_samples):
    expected = access_table.expected_roles(pattern.name)
    assert expected is not None, f"{pattern.name} is missing from tests/access_table.py"
    url = build_url(pattern, url_samples)
    results = {}
    for role in access_table.ROLES:
        client.logout()
        if role != access_table.ANON:
            client.force_login(people[role])
        results[role] = outcome(client.get(url))
    allowed = {role for role, result in results.items() if result == "allowed"}
    assert allowed == set(expected), (
        f"{pattern.name} ({url}): allowed {sorted(allowed)}, expected {sorted(expected)}"
    )
