"""Photos taken at a consultation: through the photo pipeline and its consent check, linked to
the consultation, shown on its page, offered first to the design, and never to the desk."""

import json
import zipfile
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clients.consent.services import consent_withdraw
from clients.models import Photo
from clients.photos.selectors import NEEDS_PHOTO_CONSENT
from clients.photos.services import photo_delete
from consultations import services
from consultations.models import ConsultationPhoto
from privacy.erasure import client_erase
from privacy.export import client_export_zip
from tests.consultations.test_consultation import DETAIL_QUERIES
from tests.factories import jpeg_upload, make_consultation, make_photo, make_signed_consent


@pytest.fixture
def consultation(smp_client, practitioner):
    return make_consultation(client=smp_client, practitioner=practitioner, complete=False)


@pytest.fixture
def consent(smp_client, practitioner):
    return make_signed_consent(client=smp_client, kind="photos", witness=practitioner)


@pytest.fixture
def doctor(client, practitioner):
    client.force_login(practitioner)
    return client


def detail_url(consultation) -> str:
    return reverse("consultations:detail", args=[consultation.public_id])


def photos_url(consultation) -> str:
    return reverse("consultations:photos", args=[consultation.public_id])


def add_photos(consultation, by, count=1, angle="front"):
    saved, refused = services.consultation_photos_add(
        consultation=consultation,
        by=by,
        files=[jpeg_upload(f"scalp-{n}.jpg") for n in range(count)],
        angle=angle,
        kind="baseline",
    )
    assert refused == []
    return saved


def test_the_photos_card_uploads_a_baseline_linked_to_the_consultation_and_goes_back(
    doctor, consultation, consent
):
    detail = unescape(doctor.get(detail_url(consultation)).content.decode())
    assert 'data-testid="consultation-photo-form"' in detail
    assert '<option value="baseline" selected>Baseline</option>' in detail
    response = doctor.post(
        photos_url(consultation),
        {
            "files": [jpeg_upload("crown.jpg")],
            "angle": "crown",
            "kind": "baseline",
            "next": detail_url(consultation),
        },
    )
    assert response.status_code == 302
    assert response.url == detail_url(consultation)
    photo = Photo.objects.get()
    assert (photo.angle, photo.kind) == ("crown", "baseline")
    assert ConsultationPhoto.objects.get().consultation == consultation
    detail = doctor.get(detail_url(consultation)).content.decode()
    small = reverse(
        "clients:photo_file", args=[consultation.client.public_id, photo.public_id, "small"]
    )
    assert f'src="{small}"' in detail
    assert doctor.get(small)["Content-Type"] == "image/jpeg"


def test_an_angle_must_be_chosen_and_a_bad_file_is_named(doctor, consultation, consent):
    no_angle = doctor.post(
        photos_url(consultation), {"files": [jpeg_upload()], "angle": "", "kind": "baseline"}
    )
    assert "Choose the angle the photos show." in unescape(no_angle.content.decode())
    broken = SimpleUploadedFile("notes.jpg", b"not a photo", content_type="image/jpeg")
    refused = doctor.post(
        photos_url(consultation),
        {"files": [broken], "angle": "front", "kind": "baseline", "next": detail_url(consultation)},
    )
    page = unescape(refused.content.decode())
    assert "notes.jpg: This file is not a photo we can read" in page
    # The form comes back on its own page, and still knows where to return.
    assert f'name="next" value="{detail_url(consultation)}"' in page
    assert not Photo.objects.exists()
    assert not ConsultationPhoto.objects.exists()


def test_a_refused_file_does_not_cost_the_good_ones(doctor, consultation, consent):
    broken = SimpleUploadedFile("broken.jpg", b"\xff\xd8junk", content_type="image/jpeg")
    response = doctor.post(
        photos_url(consultation),
        {"files": [jpeg_upload("good.jpg"), broken], "angle": "front", "kind": "baseline"},
        follow=True,
    )
    page = unescape(response.content.decode())
    assert "1 photo saved." in page
    assert "Not saved: broken.jpg" in page
    assert ConsultationPhoto.objects.filter(consultation=consultation).count() == 1


def test_without_the_photo_consent_the_card_asks_for_it_and_nothing_is_taken(
    doctor, consultation, smp_client, practitioner
):
    detail = unescape(doctor.get(detail_url(consultation)).content.decode())
    assert NEEDS_PHOTO_CONSENT in detail
    sign = reverse("clients:consent_sign", args=[smp_client.public_id, "photos"])
    assert f'href="{sign}?next={detail_url(consultation)}' in detail.replace("%2F", "/")
    assert 'data-testid="consultation-photo-form"' not in detail
    response = doctor.post(
        photos_url(consultation), {"files": [jpeg_upload()], "angle": "front", "kind": "baseline"}
    )
    assert NEEDS_PHOTO_CONSENT in unescape(response.content.decode())
    saved, refused = services.consultation_photos_add(
        consultation=consultation,
        by=practitioner,
        files=[jpeg_upload()],
        angle="front",
        kind="baseline",
    )
    assert saved == []
    assert NEEDS_PHOTO_CONSENT in refused[0]
    assert not Photo.objects.exists()


def test_next_goes_back_only_to_this_site(doctor, consultation, consent):
    response = doctor.post(
        photos_url(consultation),
        {
            "files": [jpeg_upload()],
            "angle": "front",
            "kind": "baseline",
            "next": "https://elsewhere.example/",
        },
    )
    assert response.url == detail_url(consultation)


def test_the_front_desk_never_sees_consultation_photos(client, front_desk, consultation, consent):
    client.force_login(front_desk)
    assert client.get(photos_url(consultation)).status_code == 403
    response = client.post(
        photos_url(consultation), {"files": [jpeg_upload()], "angle": "front", "kind": "baseline"}
    )
    assert response.status_code == 403
    assert not Photo.objects.exists()
    with pytest.raises(ValidationError, match="Only practitioners and managers"):
        services.consultation_photos_add(
            consultation=consultation,
            by=front_desk,
            files=[jpeg_upload()],
            angle="front",
            kind="baseline",
        )


def test_the_design_photo_picker_offers_the_consultations_photos_first(
    doctor, consultation, consent, practitioner, smp_client
):
    here = add_photos(consultation, practitioner, angle="top")[0]
    # Taken later, for another record: newer, yet listed after this consultation's own.
    elsewhere = make_photo(client=smp_client, by=practitioner, angle="back", kind="before")
    page = doctor.get(
        reverse("consultations:design", args=[consultation.public_id])
    ).content.decode()
    here_group = page.index('<optgroup label="Taken at this consultation">')
    earlier_group = page.index('<optgroup label="Earlier photos">')
    assert here_group < page.index(f'value="{here.public_id}" selected') < earlier_group
    assert earlier_group < page.index(f'value="{elsewhere.public_id}"')
    upload = reverse("consultations:photos", args=[consultation.public_id])
    assert f'href="{upload}?next=' in page


def test_a_consultation_photo_is_kept_when_a_manager_tries_to_delete_it(
    consultation, consent, practitioner, manager
):
    photo = add_photos(consultation, practitioner)[0]
    with pytest.raises(ValidationError, match="used by another record"):
        photo_delete(photo=photo, by=manager)
    assert Photo.objects.filter(pk=photo.pk).exists()


def test_export_lists_and_erasure_removes_the_consultations_photos(
    consultation, consent, practitioner, manager, smp_client
):
    photo = add_photos(consultation, practitioner)[0]
    with (
        client_export_zip(client=smp_client) as archive_file,
        zipfile.ZipFile(archive_file) as archive,
    ):
        record = json.loads(archive.read("client.json"))
    [exported] = record["consultations"][0]["photos"]
    assert exported["photo"] == str(photo.public_id)
    client_erase(client=smp_client, by=manager, confirmation=smp_client.full_name)
    assert not ConsultationPhoto.objects.exists()
    assert not Photo.objects.exists()


def test_withdrawn_consent_stops_new_photos_but_keeps_the_ones_taken(
    doctor, consultation, consent, practitioner
):
    photo = add_photos(consultation, practitioner)[0]
    consent_withdraw(consent=consent, by=practitioner, reason="Changed their mind")
    detail = unescape(doctor.get(detail_url(consultation)).content.decode())
    assert NEEDS_PHOTO_CONSENT in detail
    assert str(photo.public_id) in detail


@pytest.mark.parametrize("count", [1, 4])
def test_detail_page_query_count_is_constant_in_the_photos(
    doctor, consultation, consent, practitioner, count, django_assert_num_queries
):
    add_photos(consultation, practitioner, count=count)
    with django_assert_num_queries(DETAIL_QUERIES):
        response = doctor.get(detail_url(consultation))
    assert response.content.decode().count('data-testid="consultation-photo"') == count


def test_photos_taken_at_the_consultation_can_be_added_after_it_is_completed_and_say_so(
    doctor, consultation, consent, practitioner
):
    """The assessment is locked at completion; the photos of that visit often come off the
    camera later, so they may still be added, each marked as added after completion."""
    before = add_photos(consultation, practitioner, angle="front")[0]
    consultation = services.consultation_complete(consultation=consultation, by=practitioner)
    detail = unescape(doctor.get(detail_url(consultation)).content.decode())
    assert 'data-testid="consultation-photo-form"' in detail
    assert "Completed: photos taken at this consultation can still be added" in detail
    response = doctor.post(
        photos_url(consultation),
        {"files": [jpeg_upload("crown.jpg")], "angle": "crown", "kind": "baseline"},
    )
    assert response.status_code == 302
    after = ConsultationPhoto.objects.exclude(photo=before).get()
    assert after.consultation == consultation
    assert after.photo.angle == "crown"
    detail = unescape(doctor.get(detail_url(consultation)).content.decode())
    assert detail.count('data-testid="added-after-completion"') == 1
    assert f"Added {after.created_at:%-d %b %Y}, after completion" in detail


def test_a_completed_consultations_photos_page_shows_the_form_and_the_rule(
    doctor, consultation, consent, practitioner
):
    services.consultation_complete(consultation=consultation, by=practitioner)
    page = unescape(doctor.get(photos_url(consultation)).content.decode())
    assert 'data-testid="consultation-photo-form"' in page
    assert "Completed: photos taken at this consultation can still be added" in page
