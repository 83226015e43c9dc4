import json

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from consultations import designs
from consultations.design import empty_design, validate_design
from consultations.models import DesignPlan
from tests.factories import (
    SAMPLE_DESIGN,
    make_client,
    make_consultation,
    make_design,
    make_photo,
    make_signed_consent,
    signature_data_url,
)


@pytest.fixture
def consultation(smp_client, practitioner):
    return make_consultation(client=smp_client, practitioner=practitioner)


@pytest.fixture
def photo(smp_client, practitioner):
    make_signed_consent(client=smp_client, kind="photos", witness=practitioner)
    return make_photo(client=smp_client, by=practitioner)


@pytest.fixture
def doctor(client, practitioner):
    client.force_login(practitioner)
    return client


def test_each_save_is_a_new_version_with_a_rendered_composite(consultation, practitioner, photo):
    first = make_design(consultation=consultation, by=practitioner, photo=photo)
    second = make_design(consultation=consultation, by=practitioner, photo=photo)
    assert (first.version, second.version) == (1, 2)
    with second.composite.open("rb") as stored:
        assert stored.read(3) == b"\xff\xd8\xff"  # a JPEG
    first.refresh_from_db()
    assert first.design == SAMPLE_DESIGN  # earlier versions stay as they were


def test_an_empty_drawing_or_another_clients_photo_is_refused(
    consultation, practitioner, photo, location
):
    with pytest.raises(ValidationError, match="Draw the hairline or at least one zone"):
        designs.design_save_version(
            consultation=consultation, by=practitioner, photo=photo, design=empty_design()
        )
    stranger = make_client(location=location)
    make_signed_consent(client=stranger, kind="photos", witness=practitioner)
    foreign = make_photo(client=stranger, by=practitioner)
    with pytest.raises(ValidationError, match="belongs to another client"):
        designs.design_save_version(
            consultation=consultation,
            by=practitioner,
            photo=foreign,
            design=validate_design(SAMPLE_DESIGN),
        )
    assert not DesignPlan.objects.exists()


@pytest.mark.parametrize(
    "drawing",
    [
        {"notes": "Client wants it low"},
        {"temples": [[0.2, 0.4], [0.8, 0.4]], "notes": ""},
    ],
    ids=["notes only", "temple points only"],
)
def test_notes_or_temple_points_alone_are_refused_as_nothing_drawn(
    consultation, practitioner, photo, drawing
):
    design = validate_design({**empty_design().to_dict(), **drawing})
    with pytest.raises(ValidationError, match="Draw the hairline or at least one zone"):
        designs.design_save_version(
            consultation=consultation, by=practitioner, photo=photo, design=design
        )
    assert not DesignPlan.objects.exists()


def test_the_design_page_saves_a_posted_drawing(doctor, consultation, photo):
    url = reverse("consultations:design", args=[consultation.public_id])
    response = doctor.post(
        url, {"photo": str(photo.public_id), "design": json.dumps(SAMPLE_DESIGN)}
    )
    assert response.status_code == 302
    plan = DesignPlan.objects.get()
    assert plan.design["zones"][0]["zone"] == "crown"
    page = doctor.get(url).content.decode()
    assert "Version 1" in page
    assert "Save as version 2" in page


def test_malformed_drawings_are_refused_with_the_schema_message(doctor, consultation, photo):
    hostile = {**SAMPLE_DESIGN, "temples": [[1.3, 0.5]]}
    response = doctor.post(
        reverse("consultations:design", args=[consultation.public_id]),
        {"photo": str(photo.public_id), "design": json.dumps(hostile)},
    )
    assert "outside the photo" in response.content.decode()
    assert not DesignPlan.objects.exists()


def test_without_javascript_nothing_is_saved_and_the_page_says_why(doctor, consultation, photo):
    response = doctor.post(
        reverse("consultations:design", args=[consultation.public_id]),
        {"photo": str(photo.public_id), "design": ""},
    )
    assert "drawing needs JavaScript" in response.content.decode()
    assert not DesignPlan.objects.exists()


def test_the_client_approves_a_version_by_name_and_signature(
    doctor, consultation, practitioner, photo
):
    plan = make_design(consultation=consultation, by=practitioner, photo=photo)
    url = reverse("consultations:design_approve", args=[consultation.public_id, plan.version])
    wrong = doctor.post(url, {"typed_name": "Someone Else", "signature": signature_data_url()})
    assert "Type the client&#x27;s full name as on record" in wrong.content.decode()
    blank = doctor.post(
        url, {"typed_name": "Sam Carter", "signature": signature_data_url(blank=True)}
    )
    assert 'data-testid="form-errors"' in blank.content.decode()
    plan.refresh_from_db()
    assert not plan.is_approved
    done = doctor.post(url, {"typed_name": "sam  carter", "signature": signature_data_url()})
    assert done.status_code == 302
    plan.refresh_from_db()
    assert plan.is_approved
    assert plan.approval_witness == practitioner
    assert len(plan.approval_signature_sha256) == 64
    with pytest.raises(ValidationError, match="already approved"):
        designs.design_approve(
            plan=plan,
            witness=practitioner,
            typed_name="Sam Carter",
            signature_data_url=signature_data_url(),
            ip_address=None,
        )


def test_the_database_refuses_to_change_or_delete_an_approved_design(
    consultation, practitioner, photo
):
    plan = make_design(consultation=consultation, by=practitioner, photo=photo)
    designs.design_approve(
        plan=plan,
        witness=practitioner,
        typed_name="Sam Carter",
        signature_data_url=signature_data_url(),
        ip_address=None,
    )
    draft = make_design(consultation=consultation, by=practitioner, photo=photo)
    for change in ({"design": empty_design().to_dict()}, {"approved_typed_name": "Somebody Else"}):
        with pytest.raises(IntegrityError, match="never changed"), transaction.atomic():
            DesignPlan.objects.filter(pk=plan.pk).update(**change)
    with pytest.raises(IntegrityError, match="is kept"), transaction.atomic():
        DesignPlan.objects.filter(pk=plan.pk).delete()
    # A version not yet approved is still a draft.
    DesignPlan.objects.filter(pk=draft.pk).update(design=empty_design().to_dict())
    DesignPlan.objects.filter(pk=draft.pk).delete()
    plan.refresh_from_db()
    assert plan.approved_typed_name == "Sam Carter"


def test_the_composite_is_served_privately(doctor, consultation, practitioner, photo):
    plan = make_design(consultation=consultation, by=practitioner, photo=photo)
    response = doctor.get(
        reverse("consultations:design_image", args=[consultation.public_id, plan.version])
    )
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, max-age=300"
    assert (
        doctor.get(
            reverse("consultations:design_image", args=[consultation.public_id, 9])
        ).status_code
        == 404
    )


@pytest.mark.parametrize("count", [1, 5])
def test_design_page_query_count_is_constant(
    doctor, consultation, practitioner, photo, count, django_assert_num_queries
):
    for _ in range(count):
        make_design(consultation=consultation, by=practitioner, photo=photo)
    with django_assert_num_queries(9):
        response = doctor.get(reverse("consultations:design", args=[consultation.public_id]))
    assert response.content.decode().count("Design version") == count
