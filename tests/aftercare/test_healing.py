"""The healing check: a message some days after a session with a signed link, where the
client sends a photo that lands on their record for the practitioner to review and rate."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from aftercare.kinds import Kind
from aftercare.models import OutboundMessage
from aftercare.tokens import healing_token
from clients.models import Photo
from sessions_app.models import SessionPhoto
from tests.factories import jpeg_upload, make_signed_consent, make_started_session


@pytest.fixture
def signed_off(practitioner, location):
    return make_started_session(practitioner=practitioner, location=location, sign_off=True)


def link_for(session) -> str:
    token = healing_token(
        appointment_public_id=session.appointment.public_id,
        client_public_id=session.client.public_id,
    )
    return reverse("aftercare:healing_upload", args=[token])


def test_signing_off_schedules_the_healing_check_three_weeks_later_at_ten(
    signed_off, dispatch, mailoutbox
):
    message = OutboundMessage.objects.get(
        kind=Kind.HEALING_CHECK, appointment=signed_off.appointment
    )
    local = timezone.localtime(message.due_at, signed_off.client.home_location.tz)
    session_day = timezone.localtime(
        signed_off.appointment.start, signed_off.client.home_location.tz
    ).date()
    assert local.date() == session_day + timedelta(days=21)
    assert (local.hour, local.minute) == (10, 0)
    with time_machine.travel(message.due_at + timedelta(minutes=1)):
        dispatch()
    email = next(m for m in mailoutbox if m.subject.startswith("How has your scalp healed"))
    assert "It is 21 days since your pigmentation session" in email.body
    link = re.search(r"https?://\S+/messages/healing/\S+/", email.body).group(0)
    assert link.startswith("http://127.0.0.1:8000/messages/healing/")


def test_the_client_sends_a_photo_without_signing_in_and_it_lands_on_the_session(
    client, signed_off, practitioner
):
    make_signed_consent(client=signed_off.client, kind="photos", witness=practitioner)
    url = link_for(signed_off)
    page = client.get(url).content.decode()
    assert f"Hi {signed_off.client.first_name}, how has it healed?" in page
    assert signed_off.client.last_name not in page  # nothing beyond the first name
    response = client.post(
        url, {"photo": jpeg_upload(), "angle": "front", "note": "Looks even to me"}
    )
    assert 'data-testid="healing-sent"' in response.content.decode()
    photo = Photo.objects.get(kind="healing")
    assert photo.uploaded_by is None
    assert photo.note == "Looks even to me"
    link = SessionPhoto.objects.get(photo=photo)
    assert (link.session, link.stage) == (signed_off, "healing")


def test_without_photo_consent_the_client_is_told_and_nothing_is_kept(client, signed_off):
    response = client.post(link_for(signed_off), {"photo": jpeg_upload(), "angle": "front"})
    assert "photo consent" in response.content.decode()
    assert not Photo.objects.exists()


def test_a_file_that_is_not_a_photo_is_refused_with_a_message(client, signed_off, practitioner):
    make_signed_consent(client=signed_off.client, kind="photos", witness=practitioner)
    fake = SimpleUploadedFile("scalp.jpg", b"plain text, not a picture", content_type="image/jpeg")
    response = client.post(link_for(signed_off), {"photo": fake, "angle": "front"})
    assert "not a photo we can read" in response.content.decode()
    assert not Photo.objects.exists()


def test_a_tampered_or_expired_link_is_refused_clearly(client, signed_off):
    url = link_for(signed_off)
    tampered = client.get(url[:-6] + "AAAAA/")
    assert tampered.status_code == 400
    assert "This photo link is not valid." in tampered.content.decode()
    with time_machine.travel(timezone.now() + timedelta(days=61)):
        expired = client.get(url)
    assert expired.status_code == 400
    assert "This photo link has expired." in expired.content.decode()


def test_a_link_for_another_clients_appointment_is_refused(client, signed_off, location):
    from tests.factories import make_client

    stranger = make_client(location=location)
    token = healing_token(
        appointment_public_id=signed_off.appointment.public_id, client_public_id=stranger.public_id
    )
    assert client.get(reverse("aftercare:healing_upload", args=[token])).status_code == 400


def test_the_healing_template_passes_the_template_check():
    from aftercare.defaults import TEMPLATES
    from aftercare.services.content import sources_check

    subject, body = TEMPLATES["healing_check"]
    sources_check([("subject", subject), ("body_text", body)], kind=Kind.HEALING_CHECK)


def test_the_practitioner_sees_the_waiting_photo_and_rates_it(client, signed_off, practitioner):
    make_signed_consent(client=signed_off.client, kind="photos", witness=practitioner)
    with time_machine.travel(signed_off.appointment.start + timedelta(days=21), tick=True):
        client.post(link_for(signed_off), {"photo": jpeg_upload(), "angle": "crown"})
        client.force_login(practitioner)
        today = client.get(reverse("dashboard:today")).content.decode()
        assert 'data-testid="healing-to-review"' in today
        assert signed_off.client.full_name in today
        page = client.get(
            reverse("sessions_app:session", args=[signed_off.public_id])
        ).content.decode()
        assert "The client sent 1 healing photo" in page
        client.post(
            reverse("sessions_app:healing_check", args=[signed_off.public_id]),
            {
                "checked_on": timezone.localdate().isoformat(),
                "rating": 4,
                "healed_shade": "as_intended",
                "coverage": "even",
            },
        )
        today = client.get(reverse("dashboard:today")).content.decode()
        assert 'data-testid="healing-to-review"' not in today


def test_one_link_takes_a_handful_of_photos_then_says_so(client, signed_off, practitioner):
    from aftercare.services.healing import MAX_PHOTOS_PER_LINK

    make_signed_consent(client=signed_off.client, kind="photos", witness=practitioner)
    url = link_for(signed_off)
    with time_machine.travel(signed_off.appointment.end + timedelta(days=21)):
        for _ in range(MAX_PHOTOS_PER_LINK):
            sent = client.post(url, {"photo": jpeg_upload(), "angle": "front"})
            assert 'data-testid="healing-sent"' in sent.content.decode()
        refused = client.post(url, {"photo": jpeg_upload(), "angle": "front"})
    assert "which is all this link takes" in refused.content.decode()
    assert Photo.objects.filter(kind="healing").count() == MAX_PHOTOS_PER_LINK


def healing_message(session) -> OutboundMessage:
    return OutboundMessage.objects.get(kind=Kind.HEALING_CHECK, appointment=session.appointment)


def test_no_photo_request_once_the_practitioner_has_recorded_the_healing_check(
    signed_off, practitioner, dispatch, mailoutbox
):
    from sessions_app.services import healing_check_record

    message = healing_message(signed_off)
    with time_machine.travel(signed_off.appointment.start + timedelta(days=14)):
        healing_check_record(
            session=signed_off,
            by=practitioner,
            data={"rating": 5, "healed_shade": "as_intended", "coverage": "even"},
        )
    with time_machine.travel(message.due_at + timedelta(minutes=1)):
        dispatch()
    message.refresh_from_db()
    assert (message.status, message.reason) == ("cancelled", "not_needed")
    assert not [m for m in mailoutbox if m.subject.startswith("How has your scalp healed")]


@pytest.mark.parametrize("change", ["appointment no longer completed", "session gone"])
def test_no_photo_request_when_the_session_it_follows_is_not_there_any_more(
    signed_off, dispatch, mailoutbox, change
):
    from scheduling.models import Appointment
    from sessions_app.models import LayeringPass, PigmentationSession

    message = healing_message(signed_off)
    # Changed behind the services' back (a correction in the database): the sender's own
    # check is the last line.
    if change == "session gone":
        LayeringPass.objects.filter(session=signed_off).delete()
        PigmentationSession.objects.filter(pk=signed_off.pk).delete()
    else:
        Appointment.objects.filter(pk=signed_off.appointment_id).update(status="checked_in")
    with time_machine.travel(message.due_at + timedelta(minutes=1)):
        dispatch()
    message.refresh_from_db()
    assert (message.status, message.reason) == ("cancelled", "source_changed")
    assert not [m for m in mailoutbox if m.subject.startswith("How has your scalp healed")]
