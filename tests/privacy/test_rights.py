import io
import json
import zipfile

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from audit.models import AuditEvent
from clients.models import Client, Photo, SignedConsent
from consultations.designs import design_approve
from consultations.models import DesignPlan
from sessions_app import inventory
from tests.factories import (
    make_consultation,
    make_design,
    make_photo,
    make_signed_consent,
    make_started_session,
    signature_data_url,
)


@pytest.fixture
def rich_client(smp_client, practitioner, location):
    """Sam with consents, a photo, an approved design and a signed-off session with a pass."""
    make_signed_consent(client=smp_client, kind="photos", witness=practitioner)
    photo = make_photo(client=smp_client, by=practitioner)
    consultation = make_consultation(client=smp_client, practitioner=practitioner)
    design_approve(
        plan=make_design(consultation=consultation, by=practitioner, photo=photo),
        witness=practitioner,
        typed_name="Sam Carter",
        signature_data_url=signature_data_url(),
        ip_address="192.0.2.10",
    )
    make_started_session(
        practitioner=practitioner, location=location, client=smp_client, sign_off=True
    )
    return smp_client


@pytest.fixture
def boss(client, manager):
    client.force_login(manager)
    return client


def test_a_manager_exports_everything_as_a_zip_and_it_is_logged(boss, rich_client, manager):
    assert (
        "Download the ZIP"
        in boss.get(reverse("privacy:export", args=[rich_client.public_id])).content.decode()
    )
    response = boss.post(reverse("privacy:export", args=[rich_client.public_id]))
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="client-')
    assert response["Cache-Control"] == "private, no-store, max-age=0"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    record = json.loads(archive.read("client.json"))
    assert record["client"]["last_name"] == "Carter"
    assert len(record["medical_intakes"]) >= 1
    assert {c["version"] for c in record["consents"]}
    assert all(c["pdf_file"] in archive.namelist() for c in record["consents"])
    assert record["photos"][0]["file"] in archive.namelist()
    assert record["sessions"][0]["passes"][0]["pigment"].startswith("Scalp Ink")
    # Machinery is not the person's data: no row ids, claim tokens or one-time form tokens.
    text = archive.read("client.json").decode()
    assert '"form_token"' not in text
    assert '"claim_token"' not in text
    assert any(name.startswith("designs/") for name in archive.namelist())
    assert archive.read(record["consents"][0]["pdf_file"]).startswith(b"%PDF-")
    assert AuditEvent.objects.filter(
        action="export", client_public_id=rich_client.public_id, actor=manager
    ).exists()


def test_erasure_needs_the_typed_name(boss, rich_client):
    url = reverse("privacy:erase", args=[rich_client.public_id])
    refused = boss.post(url, {"confirmation": "Sam"})
    assert "to confirm" in refused.content.decode()
    rich_client.refresh_from_db()
    assert not rich_client.is_erased


def test_upcoming_appointments_must_be_cancelled_first(boss, smp_client, practitioner):
    from tests.factories import RoomFactory, make_appointment

    make_appointment(
        client=smp_client,
        practitioner=practitioner,
        room=RoomFactory(location=smp_client.home_location),
    )
    page = boss.get(reverse("privacy:erase", args=[smp_client.public_id])).content.decode()
    assert "1 upcoming appointment: cancel them first." in page
    boss.post(reverse("privacy:erase", args=[smp_client.public_id]), {"confirmation": "Sam Carter"})
    smp_client.refresh_from_db()
    assert not smp_client.is_erased


def test_erasure_removes_identity_photos_and_signatures_and_keeps_the_lot_trail(
    boss, rich_client, manager, django_capture_on_commit_callbacks
):
    photo = Photo.objects.filter(client=rich_client).first()
    photo_path = photo.image.name
    storage = photo.image.storage
    consent = SignedConsent.objects.filter(client=rich_client).first()
    lot = rich_client.pigmentation_sessions.get().passes.get().pigment_lot
    with django_capture_on_commit_callbacks(execute=True):
        response = boss.post(
            reverse("privacy:erase", args=[rich_client.public_id]), {"confirmation": "sam carter"}
        )
    assert response.status_code == 302
    erased = Client.objects.get(pk=rich_client.pk)
    assert erased.is_erased
    assert (erased.first_name, erased.email, str(erased.phone), erased.date_of_birth) == (
        "Erased",
        "",
        "",
        None,
    )
    assert erased.search_text == ""
    assert not storage.exists(photo_path)
    consent.refresh_from_db()
    assert consent.typed_name == "(erased)"
    assert not consent.signature
    assert consent.version_id
    assert consent.signed_at
    assert consent.witness_id
    design = DesignPlan.objects.get(consultation__client=rich_client)
    assert (design.approved_typed_name, design.photo_id, design.approval_ip) == (
        "(erased)",
        None,
        None,
    )
    assert not design.approval_signature
    assert design.approved_at
    assert design.approval_witness_id
    rows = inventory.recall_report(lot=lot)
    assert [row.client_id for row in rows] == [str(rich_client.public_id)]
    assert rows[0].client_name.startswith("Erased client")
    for event in AuditEvent.objects.all():
        text = f"{event.object_label} {event.changes}"
        assert "Carter" not in text
        assert "sam.carter@example.test" not in text
    assert AuditEvent.objects.filter(action="erase", actor=manager).exists()
    assert boss.get(reverse("clients:edit", args=[rich_client.public_id])).status_code == 302


def test_outside_erasure_the_database_still_refuses_to_change_a_signature(rich_client):
    consent = SignedConsent.objects.filter(client=rich_client).first()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE clients_signedconsent SET typed_name = 'x' WHERE id = %s", [consent.pk]
        )


def test_an_erased_client_can_still_be_exported_without_errors(
    boss, rich_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        boss.post(
            reverse("privacy:erase", args=[rich_client.public_id]), {"confirmation": "Sam Carter"}
        )
    response = boss.post(reverse("privacy:export", args=[rich_client.public_id]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    record = json.loads(archive.read("client.json"))
    assert record["client"]["first_name"] == "Erased"
    assert record["photos"] == []
    assert all(c["typed_name"] == "(erased)" for c in record["consents"])


def test_free_text_about_the_client_goes_on_erasure_and_never_reaches_the_trail(
    boss, smp_client, practitioner, manager, django_capture_on_commit_callbacks
):
    """Front-desk notes, a cancellation or move reason, a consent withdrawal reason and a GP
    letter's file name are where names and numbers end up in practice."""
    from aftercare.models import OutboundMessage
    from clients.consent.services import consent_withdraw
    from clients.intake.services import flag_clear
    from scheduling.models import AppointmentChange
    from scheduling.services import appointment_cancel, appointment_reschedule
    from tests.factories import RoomFactory, make_appointment, make_intake, pdf_upload

    room = RoomFactory(location=smp_client.home_location)
    kept = make_appointment(
        client=smp_client, practitioner=practitioner, room=room, notes="Sam Carter, 07700 900123"
    )
    appointment_reschedule(
        appointment=kept,
        by=practitioner,
        start=kept.start + (kept.end - kept.start) * 2,
        reason="Carter asked for later",
    )
    appointment_cancel(appointment=kept, by=practitioner, reason="Mr Carter is unwell")
    consent = make_signed_consent(client=smp_client, kind="photos", witness=practitioner)
    consent_withdraw(consent=consent, by=practitioner, reason="Carter changed his mind")
    intake = make_intake(client=smp_client, by=practitioner, yes=["blood_thinners"])
    flag = intake.flags.get()
    flag_clear(flag=flag, by=practitioner, note="GP agrees", document=pdf_upload("carter.pdf"))
    OutboundMessage.objects.filter(client=smp_client).update(last_error="550 carter@ rejected")

    with django_capture_on_commit_callbacks(execute=True):
        boss.post(
            reverse("privacy:erase", args=[smp_client.public_id]), {"confirmation": "Sam Carter"}
        )

    kept.refresh_from_db()
    assert (kept.notes, kept.cancel_reason, kept.status) == ("", "(erased)", "cancelled")
    assert not AppointmentChange.objects.filter(appointment=kept).exclude(detail="").exists()
    consent.refresh_from_db()
    assert consent.withdrawal_reason == "(erased)"
    assert consent.withdrawn_at is not None
    flag.clearance.refresh_from_db()
    assert flag.clearance.document_name == ""
    assert not OutboundMessage.objects.filter(client=smp_client).exclude(last_error="").exists()
    for event in AuditEvent.objects.all():
        text = f"{event.object_label} {event.changes} {event.path}"
        assert "arter" not in text, (event.object_type, text)
        assert "07700" not in text


def test_the_trail_records_a_page_without_its_query_string(boss, manager, smp_client):
    url = reverse("clients:section", args=[smp_client.public_id, "medical"])
    assert boss.get(url, {"q": "Carter"}).status_code == 200
    viewed = AuditEvent.objects.filter(action="view").latest("pk")
    assert viewed.path == url


def test_files_of_an_erased_client_are_a_404_not_an_error(
    boss, rich_client, django_capture_on_commit_callbacks
):
    from consultations.models import DesignPlan

    design = DesignPlan.objects.get(consultation__client=rich_client)
    consent = SignedConsent.objects.filter(client=rich_client).first()
    urls = [
        reverse("consultations:design_image", args=[design.consultation.public_id, 1]),
        reverse("clients:consent_signature", args=[rich_client.public_id, consent.public_id]),
    ]
    for url in urls:
        served = boss.get(url)
        assert served.status_code == 200
        assert served["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in served["Content-Security-Policy"]
    with django_capture_on_commit_callbacks(execute=True):
        boss.post(
            reverse("privacy:erase", args=[rich_client.public_id]), {"confirmation": "Sam Carter"}
        )
    for url in urls:
        assert boss.get(url).status_code == 404
    design_page = reverse("consultations:design", args=[design.consultation.public_id])
    assert boss.get(design_page).status_code == 200
    consent_page = boss.get(
        reverse("clients:consent_detail", args=[rich_client.public_id, consent.public_id])
    ).content.decode()
    assert 'data-testid="signature-erased"' in consent_page
    assert 'data-testid="signature-image"' not in consent_page
