"""Every URL of the project × anonymous and every role: allowed, or refused.

The URL list is discovered from the URLconf at collection time, so a new view is covered
without editing this test; its expected access must be added to tests/access_table.py.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.shortcuts import resolve_url

from aftercare.models import AftercareStep, OutboundMessage
from aftercare.tokens import healing_token, preferences_token, unsubscribe_token
from clients.intake.services import flag_clear
from clients.models import ConsentTemplate
from scheduling.models import TimeOff
from tests import access_table
from tests.factories import (
    RoomFactory,
    make_appointment,
    make_consultation,
    make_design,
    make_intake,
    make_photo,
    make_signed_consent,
    make_staff,
    make_started_session,
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
    consent = make_signed_consent(client=smp_client, kind="photos", witness=colleague)
    photo = make_photo(client=smp_client, by=colleague)
    design = make_design(consultation=consultation, by=colleague, photo=photo)
    session = make_started_session(practitioner=colleague, location=location, sign_off=True)
    layering_pass = session.passes.select_related("pigment_lot__product").get()
    message = OutboundMessage.objects.filter(client=smp_client).first()
    return {
        "session_id": session.public_id,
        "healing_token": healing_token(
            appointment_public_id=session.appointment.public_id,
            client_public_id=session.client.public_id,
        ),
        "pass_id": layering_pass.public_id,
        "lot_id": layering_pass.pigment_lot.public_id,
        "product_id": layering_pass.pigment_lot.product.public_id,
        "message_id": message.public_id,
        "message_kind": "booking_confirmation",
        "step_id": AftercareStep.objects.first().public_id,
        "unsubscribe_token": unsubscribe_token(
            client_public_id=smp_client.public_id, category="care"
        ),
        "preferences_token": preferences_token(client_public_id=smp_client.public_id),
        "user_id": colleague.public_id,
        "consultation_id": consultation.public_id,
        "version": design.version,
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
        "kind": "photos",
        "consent_id": consent.public_id,
        "template_id": ConsentTemplate.objects.get(kind="photos").public_id,
        "photo_id": photo.public_id,
        "size": "small",
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


def _namespace(name: str) -> str:
    return name.split(":", 1)[0] if ":" in name else "(root)"


NAMESPACES = sorted({_namespace(p.name) for p in PATTERNS})


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_every_url_allows_exactly_the_expected_roles(namespace, client, people, url_samples):
    """One sample world per namespace (building it is the slow part); every URL of the
    namespace is requested as anonymous and as each role, and every mismatch is reported."""
    mismatches = []
    for pattern in (p for p in PATTERNS if _namespace(p.name) == namespace):
        expected = access_table.expected_roles(pattern.name)
        assert expected is not None, f"{pattern.name} is missing from tests/access_table.py"
        url = build_url(pattern, url_samples)
        allowed = set()
        for role in access_table.ROLES:
            client.logout()
            if role != access_table.ANON:
                client.force_login(people[role])
            try:
                if outcome(client.get(url)) == "allowed":
                    allowed.add(role)
            except AssertionError as error:
                mismatches.append(f"{pattern.name} ({url}) as {role}: {error}")
        if allowed != set(expected):
            mismatches.append(
                f"{pattern.name} ({url}): allowed {sorted(allowed)}, expected {sorted(expected)}"
            )
    assert mismatches == []
