"""Photo pages and services: consent first, clinical roles only, location scoping, the
served files' headers, uploads with per-file errors, editing, deleting, query counts."""

from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from clients.consent.services import consent_withdraw
from clients.models import Photo
from clients.photos import services
from clients.photos.selectors import NEEDS_PHOTO_CONSENT
from tests.factories import jpeg_upload, make_client, make_photo, make_signed_consent


def page(response) -> str:
    return unescape(response.content.decode())


def section_url(client_obj) -> str:
    return reverse("clients:section", args=[client_obj.public_id, "photos"])


def upload_url(client_obj) -> str:
    return reverse("clients:photo_upload", args=[client_obj.public_id])


def file_url(photo, size="small") -> str:
    return reverse("clients:photo_file", args=[photo.client.public_id, photo.public_id, size])


def detail_url(photo) -> str:
    return reverse("clients:photo_detail", args=[photo.client.public_id, photo.public_id])


def delete_url(photo) -> str:
    return reverse("clients:photo_delete", args=[photo.client.public_id, photo.public_id])


@pytest.fixture
def consenting(smp_client, practitioner):
    """The client with a signed photo consent."""
    make_signed_consent(client=smp_client, kind="photos", witness=practitioner)
    return smp_client


@pytest.fixture
def photo(consenting, practitioner):
    return make_photo(client=consenting, by=practitioner, note="Hairline marked in pencil")


@pytest.fixture
def as_practitioner(client, practitioner):
    client.force_login(practitioner)
    return client


def upload_post(*files, **fields) -> dict:
    return {"files": list(files), "angle": "front", "kind": "before", "note": "", **fields}


# --- Consent first ------------------------------------------------------------------------


def test_no_photo_without_the_photo_consent(as_practitioner, practitioner, smp_client):
    with pytest.raises(ValidationError) as refused:
        make_photo(client=smp_client, by=practitioner)
    assert refused.value.messages == [NEEDS_PHOTO_CONSENT]
    response = as_practitioner.post(upload_url(smp_client), upload_post(jpeg_upload()))
    text = page(response)
    assert "Ask the client to sign the photo consent first." in text
    assert "Sign the photo consent" in text
    assert not Photo.objects.exists()
    section = page(as_practitioner.get(section_url(smp_client)))
    assert 'data-testid="photo-refusal"' in section
    assert 'data-testid="add-photos"' not in section


def test_a_withdrawn_photo_consent_stops_new_photos(consenting, practitioner):
    consent = consenting.signed_consents.get()
    consent_withdraw(consent=consent, by=practitioner, reason="No more photos")
    with pytest.raises(ValidationError, match="photo consent"):
        make_photo(client=consenting, by=practitioner)


# --- Uploading ----------------------------------------------------------------------------


def test_several_photos_upload_and_a_bad_file_is_reported_without_losing_the_good_ones(
    as_practitioner, consenting, practitioner
):
    bad = SimpleUploadedFile("notes.jpg", b"just text", content_type="image/jpeg")
    response = as_practitioner.post(
        upload_url(consenting),
        upload_post(jpeg_upload("one.jpg"), bad, jpeg_upload("two.jpg"), note="Day 1"),
        follow=True,
    )
    photos = list(Photo.objects.order_by("created_at", "pk"))
    assert [p.original_filename for p in photos] == ["one.jpg", "two.jpg"]
    assert all(p.uploaded_by == practitioner and p.note == "Day 1" for p in photos)
    assert all((p.angle, p.kind) == ("front", "before") for p in photos)
    path, query = (
        urlparse(response.redirect_chain[-1][0])[2],
        urlparse(response.redirect_chain[-1][0])[4],
    )
    assert path == reverse("clients:photo_review", args=[consenting.public_id])
    assert parse_qs(query)["photo"] == [str(p.public_id) for p in photos]
    text = page(response)
    assert "2 photos saved." in text
    assert "Not saved: notes.jpg: This file is not a photo we can read (JPEG, PNG, HEIC…)." in text
    assert text.count('data-testid="review-row"') == 2


def test_only_bad_files_are_reported_next_to_the_field_and_in_the_summary(
    as_practitioner, consenting
):
    bad = SimpleUploadedFile("photo.jpg", b"not an image", content_type="image/jpeg")
    text = page(as_practitioner.post(upload_url(consenting), upload_post(bad)))
    assert 'data-testid="form-errors"' in text
    assert text.count("photo.jpg: This file is not a photo we can read") == 2
    assert not Photo.objects.exists()


def test_an_upload_without_files_says_so(as_practitioner, consenting):
    text = page(as_practitioner.post(upload_url(consenting), upload_post()))
    assert "Take a photo or choose at least one file." in text


def test_the_upload_page_offers_the_camera_and_the_library(as_practitioner, consenting):
    text = page(as_practitioner.get(upload_url(consenting)))
    assert 'accept="image/*" capture="environment"' in text
    assert 'accept="image/*" multiple' in text
    assert 'enctype="multipart/form-data"' in text


def test_files_are_private_with_random_names_in_the_clients_folder(photo, consenting):
    folder = f"clients/{consenting.public_id}/photos/"
    for name in photo.stored_files():
        assert name.startswith(folder)
        assert "scalp" not in name
        assert default_storage.exists(name)
    assert photo.original_filename == "scalp.jpg"
    assert len(photo.sha256) == 64
    assert (photo.width, photo.height) == (640, 480)


def test_the_review_step_sets_each_photos_own_angle(as_practitioner, consenting, practitioner):
    first = make_photo(client=consenting, by=practitioner)
    second = make_photo(client=consenting, by=practitioner)
    url = reverse("clients:photo_review", args=[consenting.public_id])
    url += f"?photo={first.public_id}&photo={second.public_id}"
    data = {"form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "2"}
    for index, (item, angle) in enumerate([(first, "crown"), (second, "scar")]):
        data |= {
            f"form-{index}-photo": str(item.public_id),
            f"form-{index}-angle": angle,
            f"form-{index}-kind": "healing",
            f"form-{index}-taken_at": "",
            f"form-{index}-note": "",
        }
    response = as_practitioner.post(url, data)
    assert response.url == section_url(consenting)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.angle, second.angle) == ("crown", "scar")
    assert first.kind == second.kind == "healing"


def test_a_photo_of_another_client_cannot_be_reviewed_under_this_one(
    as_practitioner, consenting, practitioner, location
):
    other = make_client(location=location)
    make_signed_consent(client=other, kind="photos", witness=practitioner)
    theirs = make_photo(client=other, by=practitioner)
    url = (
        reverse("clients:photo_review", args=[consenting.public_id]) + f"?photo={theirs.public_id}"
    )
    assert as_practitioner.get(url).url == section_url(consenting)


def test_the_details_of_a_photo_can_be_corrected(as_practitioner, photo):
    future = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    refused = as_practitioner.post(
        detail_url(photo), {"angle": "top", "kind": "after", "taken_at": future, "note": ""}
    )
    assert "That time is in the future" in page(refused)
    response = as_practitioner.post(
        detail_url(photo),
        {"angle": "top", "kind": "after", "taken_at": "2025-06-14T09:30", "note": "Re-filed"},
    )
    assert response.url == detail_url(photo)
    photo.refresh_from_db()
    assert (photo.angle, photo.kind, photo.note) == ("top", "after", "Re-filed")
    assert timezone.localtime(photo.taken_at).strftime("%Y-%m-%d %H:%M") == "2025-06-14 09:30"


# --- Serving the files --------------------------------------------------------------------


@pytest.mark.parametrize("size", ["small", "large", "full"])
def test_a_served_photo_carries_the_security_and_cache_headers(as_practitioner, photo, size):
    response = as_practitioner.get(file_url(photo, size))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, max-age=300"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["ETag"] == f'"{photo.sha256[:40]}-{size}"'
    assert "Last-Modified" in response
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8")


def test_a_cached_photo_is_not_sent_again(as_practitioner, photo):
    response = as_practitioner.get(
        file_url(photo), HTTP_IF_NONE_MATCH=f'"{photo.sha256[:40]}-small"'
    )
    assert response.status_code == 304
    assert response["Cache-Control"] == "private, max-age=300"


def test_an_unknown_size_is_not_found(as_practitioner, photo):
    url = file_url(photo).replace("small.jpg", "huge.jpg")
    assert as_practitioner.get(url).status_code == 404


# --- Who sees photos ----------------------------------------------------------------------


def test_the_front_desk_is_refused_every_photo_page(client, front_desk, photo, consenting):
    client.force_login(front_desk)
    for url in (
        file_url(photo),
        file_url(photo, "full"),
        detail_url(photo),
        delete_url(photo),
        section_url(consenting),
        upload_url(consenting),
        reverse("clients:photo_review", args=[consenting.public_id]),
    ):
        assert client.get(url).status_code == 403, url


def test_the_front_desk_sees_no_photo_tab_and_no_thumbnail(client, front_desk, photo, consenting):
    client.force_login(front_desk)
    for url in (
        reverse("clients:detail", args=[consenting.public_id]),
        reverse("clients:section", args=[consenting.public_id, "consents"]),
        reverse("clients:section", args=[consenting.public_id, "appointments"]),
    ):
        text = page(client.get(url))
        assert "/photos/" not in text, url
        assert 'data-testid="tab-photos"' not in text


def test_a_practitioner_elsewhere_gets_not_found(client, practitioner_elsewhere, photo, consenting):
    client.force_login(practitioner_elsewhere)
    for url in (
        file_url(photo),
        detail_url(photo),
        upload_url(consenting),
        section_url(consenting),
    ):
        assert client.get(url).status_code == 404, url


def test_a_photo_under_another_client_is_not_found(as_practitioner, photo, location):
    other = make_client(location=location)
    url = reverse("clients:photo_file", args=[other.public_id, photo.public_id, "small"])
    assert as_practitioner.get(url).status_code == 404


def test_only_clinical_staff_upload_through_the_service(consenting, front_desk):
    with pytest.raises(PermissionDenied):
        make_photo(client=consenting, by=front_desk)


# --- Deleting -----------------------------------------------------------------------------


def test_deleting_a_photo_is_for_managers_only(as_practitioner, practitioner, photo):
    assert as_practitioner.get(delete_url(photo)).status_code == 403
    assert as_practitioner.post(delete_url(photo)).status_code == 403
    assert "Delete this photo" not in page(as_practitioner.get(detail_url(photo)))
    with pytest.raises(PermissionDenied):
        services.photo_delete(photo=photo, by=practitioner)
    assert Photo.objects.filter(pk=photo.pk).exists()


def test_a_manager_confirms_before_a_photo_and_its_files_are_deleted(
    client, manager, photo, consenting, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    confirmation = client.get(delete_url(photo))
    assert "Delete this photo?" in page(confirmation)
    assert 'method="post"' in page(confirmation)
    assert Photo.objects.filter(pk=photo.pk).exists()  # asking deletes nothing
    names = photo.stored_files()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(delete_url(photo))
    assert response.url == section_url(consenting)
    assert not Photo.objects.filter(pk=photo.pk).exists()
    assert not any(default_storage.exists(name) for name in names)


# --- The Photos tab -----------------------------------------------------------------------


def test_the_photos_tab_groups_thumbnails_by_angle_and_filters_by_kind(
    as_practitioner, consenting, practitioner
):
    make_photo(client=consenting, by=practitioner, angle="crown", kind="healing")
    make_photo(client=consenting, by=practitioner, angle="front", kind="before")
    make_photo(client=consenting, by=practitioner, angle="front", kind="after")
    text = page(as_practitioner.get(section_url(consenting)))
    assert text.index('data-testid="angle-front"') < text.index('data-testid="angle-crown"')
    assert text.count('data-testid="photo-thumbnail"') == 3
    assert "Healing (1)" in text
    filtered = page(as_practitioner.get(section_url(consenting) + "?kind=healing"))
    assert filtered.count('data-testid="photo-thumbnail"') == 1
    assert 'data-testid="angle-front"' not in filtered


@pytest.mark.parametrize("extra", [1, 6])
def test_the_photos_tab_query_count_is_constant(
    as_practitioner, consenting, practitioner, extra, django_assert_num_queries
):
    angles = ["front", "top", "crown"]
    for number in range(extra):
        make_photo(client=consenting, by=practitioner, angle=angles[number % 3])
    # session, user, location ids, client; counts by kind, photos, photo consent
    with django_assert_num_queries(7):
        response = as_practitioner.get(
            section_url(consenting), headers={"HX-Request": "true", "HX-Target": "client-section"}
        )
    assert page(response).count('data-testid="photo-thumbnail"') == extra


def test_the_front_desk_group_holds_consent_but_no_photo_permissions(front_desk, practitioner):
    assert front_desk.has_perm("clients.add_signedconsent")
    assert not front_desk.has_perm("clients.view_photo")
    assert practitioner.has_perm("clients.view_photo")
