"""Every look at a photo or a design is in the trail, with which one: a page that shows
images is one event listing them; an image fetched any other way is an event of its own."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from audit.models import AuditEvent
from tests.factories import make_consultation, make_design, make_photo, make_signed_consent


@pytest.fixture
def doctor(client, practitioner):
    client.force_login(practitioner)
    return client


@pytest.fixture
def photos(smp_client, practitioner):
    make_signed_consent(client=smp_client, kind="photos", witness=practitioner)
    return [make_photo(client=smp_client, by=practitioner, angle=a) for a in ("front", "crown")]


@pytest.fixture
def design(smp_client, practitioner, photos):
    consultation = make_consultation(client=smp_client, practitioner=practitioner)
    return make_design(consultation=consultation, by=practitioner, photo=photos[0])


def file_url(smp_client, photo, size: str) -> str:
    return reverse("clients:photo_file", args=[smp_client.public_id, photo.public_id, size])


def design_url(design) -> str:
    return reverse(
        "consultations:design_image", args=[design.consultation.public_id, design.version]
    )


def views():
    return list(AuditEvent.objects.filter(action="view").order_by("pk"))


def test_a_thumbnail_grid_is_one_event_that_lists_its_photos(doctor, smp_client, photos):
    doctor.get(reverse("clients:section", args=[smp_client.public_id, "photos"]))
    for photo in photos:
        assert doctor.get(file_url(smp_client, photo, "small")).status_code == 200
    [event] = views()
    assert event.object_type == "photos"
    assert event.client_public_id == smp_client.public_id
    assert sorted(event.changes["photos"]) == sorted(str(p.public_id) for p in photos)


def test_a_thumbnail_fetched_on_its_own_is_logged_with_the_photos_id(doctor, smp_client, photos):
    response = doctor.get(file_url(smp_client, photos[1], "small"))
    assert response.status_code == 200
    [event] = views()
    assert (event.object_type, event.object_id) == ("photo", str(photos[1].public_id))
    assert event.client_public_id == smp_client.public_id
    assert event.changes == {"size": "small"}


def test_a_page_covers_only_the_images_it_showed_to_that_person(
    doctor, smp_client, photos, practitioner, manager
):
    from django.test import Client

    doctor.get(reverse("clients:photo_detail", args=[smp_client.public_id, photos[0].public_id]))
    doctor.get(file_url(smp_client, photos[0], "large"))
    # Not on that page: logged.
    doctor.get(file_url(smp_client, photos[1], "large"))
    colleague = Client()
    colleague.force_login(manager)
    # Shown to the practitioner, not to the manager: logged.
    colleague.get(file_url(smp_client, photos[0], "large"))
    logged = [(e.object_type, e.object_id, e.actor_id, e.changes) for e in views()]
    first, second = str(photos[0].public_id), str(photos[1].public_id)
    assert logged == [
        ("photo", first, practitioner.pk, {"photos": [first]}),
        ("photo", second, practitioner.pk, {"size": "large"}),
        ("photo", first, manager.pk, {"size": "large"}),
    ]


def test_once_the_pages_note_is_gone_a_thumbnail_is_logged_again(doctor, smp_client, photos):
    doctor.get(reverse("clients:section", args=[smp_client.public_id, "photos"]))
    cache.clear()
    doctor.get(file_url(smp_client, photos[0], "small"))
    assert [e.object_type for e in views()] == ["photos", "photo"]


def test_every_full_size_photo_is_logged_even_from_a_page_that_links_it(doctor, smp_client, photos):
    doctor.get(reverse("clients:photo_detail", args=[smp_client.public_id, photos[0].public_id]))
    doctor.get(file_url(smp_client, photos[0], "full"))
    doctor.get(file_url(smp_client, photos[0], "full"))
    logged = [(e.object_id, e.changes.get("size")) for e in views()]
    first = str(photos[0].public_id)
    assert logged == [(first, None), (first, "full"), (first, "full")]


def test_the_photo_review_page_is_logged_with_the_photos_it_showed(doctor, smp_client, photos):
    url = reverse("clients:photo_review", args=[smp_client.public_id])
    response = doctor.get(f"{url}?photo={photos[0].public_id}&photo={photos[1].public_id}")
    assert response.status_code == 200
    [event] = views()
    assert event.object_type == "photo review"
    assert event.client_public_id == smp_client.public_id
    assert sorted(event.changes["photos"]) == sorted(str(p.public_id) for p in photos)


def test_the_photo_delete_page_is_logged_with_the_photos_id(client, manager, smp_client, photos):
    client.force_login(manager)
    url = reverse("clients:photo_delete", args=[smp_client.public_id, photos[0].public_id])
    assert client.get(url).status_code == 200
    [event] = views()
    assert (event.object_type, event.object_id) == ("photo", str(photos[0].public_id))
    assert event.changes == {"photos": [str(photos[0].public_id)]}


def test_a_design_image_opened_on_its_own_is_logged_with_its_version(doctor, design, smp_client):
    assert doctor.get(design_url(design)).status_code == 200
    [event] = views()
    assert event.object_type == "hairline design"
    assert event.object_id == str(design.consultation.public_id)
    assert event.client_public_id == smp_client.public_id
    assert event.changes == {"version": design.version}


def test_the_design_page_covers_the_design_images_and_the_photo_it_shows(doctor, design):
    doctor.get(reverse("consultations:design", args=[design.consultation.public_id]))
    doctor.get(design_url(design))
    [event] = views()
    assert event.object_type == "hairline design"
    consultation = str(design.consultation.public_id)
    assert event.changes["designs"] == [f"{consultation} v{design.version}"]
    assert event.changes["photos"] == [str(design.photo.public_id)]


def test_the_design_approval_page_is_logged(doctor, design, smp_client):
    url = reverse(
        "consultations:design_approve", args=[design.consultation.public_id, design.version]
    )
    assert doctor.get(url).status_code == 200
    [event] = views()
    assert event.object_type == "hairline design approval"
    assert event.object_id == str(design.consultation.public_id)
    assert event.client_public_id == smp_client.public_id
    assert event.changes["version"] == design.version


def test_a_photo_address_typed_into_a_note_is_not_counted_as_shown(
    doctor, smp_client, practitioner, photos
):
    """Only an image the page embeds counts: a note quoting a photo's address shows text."""
    url = file_url(smp_client, photos[1], "small")
    consultation = make_consultation(
        client=smp_client, practitioner=practitioner, complete=False, notes=f"see src={url} here"
    )
    page = doctor.get(reverse("consultations:detail", args=[consultation.public_id]))
    assert f"src={url}" in page.content.decode()
    doctor.get(url)
    [page_event, image_event] = views()
    assert "photos" not in page_event.changes
    assert (image_event.object_id, image_event.changes) == (
        str(photos[1].public_id),
        {"size": "small"},
    )


def test_an_image_address_is_read_from_the_img_tag_whatever_its_quoting_and_entities(
    doctor, smp_client, photos
):
    """Any <img> tag counts, in any case and quoting, its entities decoded; text, links and
    other attributes do not."""
    from audit.middleware import embedded_image_paths

    first = file_url(smp_client, photos[0], "small")
    second = file_url(smp_client, photos[1], "small")
    html = (
        f'<p>src="{second}"</p><IMG alt="a" SRC={first}?v=1&amp;x=2>'
        f"<textarea>&lt;img src=&quot;{second}&quot;&gt;</textarea>"
        f'<a href="{second}">open</a><img data-src="{second}"><img src="/static/x.jpg">'
    )
    assert embedded_image_paths(html) == [first, "/static/x.jpg"]
