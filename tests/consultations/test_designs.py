import html
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
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


def approve(plan, practitioner):
    return designs.design_approve(
        plan=plan,
        witness=practitioner,
        typed_name="Sam Carter",
        signature_data_url=signature_data_url(),
        ip_address=None,
    )


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
        approve(plan, practitioner)


def test_the_database_refuses_to_change_or_delete_an_approved_design(
    consultation, practitioner, photo
):
    plan = make_design(consultation=consultation, by=practitioner, photo=photo)
    approve(plan, practitioner)
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
    # session, user, location ids, consultation, the client's photos (this consultation's
    # first), the versions, the photo consent (read once for uploading and drawing), the
    # audit trail
    with django_assert_num_queries(9):
        response = doctor.get(reverse("consultations:design", args=[consultation.public_id]))
    assert response.content.decode().count("Design version") == count


def test_a_refused_drawing_comes_back_into_the_editor_as_it_was_sent(
    doctor, consultation, photo, practitioner
):
    make_design(consultation=consultation, by=practitioner, photo=photo)
    # Temple points alone are refused: the drawing must not be replaced by version 1.
    sent = {**empty_design().to_dict(), "temples": [[0.2, 0.45], [0.8, 0.45]], "notes": "Low"}
    response = doctor.post(
        reverse("consultations:design", args=[consultation.public_id]),
        {"photo": str(photo.public_id), "design": json.dumps(sent)},
    )
    page = response.content.decode()
    assert "Draw the hairline or at least one zone" in page
    assert response.context["initial_design"] == sent
    assert json.dumps(sent) in page  # the editor's initial data (json_script)
    assert "data-sde-unsaved" in page  # leaving would lose it: the editor asks first
    assert DesignPlan.objects.count() == 1


def test_an_unreadable_drawing_falls_back_to_the_saved_version(
    doctor, consultation, photo, practitioner
):
    saved = make_design(consultation=consultation, by=practitioner, photo=photo)
    response = doctor.post(
        reverse("consultations:design", args=[consultation.public_id]),
        {"photo": str(photo.public_id), "design": "{not json"},
    )
    assert "not valid JSON" in response.content.decode()
    assert response.context["initial_design"] == saved.design
    assert "data-sde-unsaved" not in response.content.decode()


def test_after_the_photo_consent_is_withdrawn_no_new_design_is_made(
    doctor, consultation, photo, practitioner, smp_client
):
    from clients.consent.services import consent_withdraw
    from clients.models import SignedConsent

    first = make_design(consultation=consultation, by=practitioner, photo=photo)
    consent_withdraw(
        consent=SignedConsent.objects.get(client=smp_client, version__template__kind="photos"),
        by=practitioner,
        reason="No more photos",
    )
    with pytest.raises(ValidationError, match="photo consent was withdrawn"):
        make_design(consultation=consultation, by=practitioner, photo=photo)
    url = reverse("consultations:design", args=[consultation.public_id])
    page = doctor.get(url).content.decode()
    assert 'data-testid="design-refusal"' in page
    assert "Save as version 2" not in page
    refused = doctor.post(url, {"photo": str(photo.public_id), "design": json.dumps(SAMPLE_DESIGN)})
    assert "photo consent was withdrawn" in html.unescape(refused.content.decode())
    assert list(DesignPlan.objects.values_list("pk", flat=True)) == [first.pk]


def _withdraw_photo_consent(smp_client, practitioner):
    from clients.consent.services import consent_withdraw
    from clients.models import SignedConsent

    consent_withdraw(
        consent=SignedConsent.objects.get(client=smp_client, version__template__kind="photos"),
        by=practitioner,
        reason="No more photos",
    )


def editor_design(page: str):
    """The design the editor starts from (its json_script)."""
    import re

    [found] = re.findall(r'<script[^>]*type="application/json">(.*?)</script>', page)
    return json.loads(found)


def test_without_photo_consent_the_design_page_shows_the_last_version_read_only(
    doctor, consultation, photo, practitioner, smp_client
):
    """No drawing tools, no photo picker and no Save: the last version on its own photo,
    whichever photo the address asks for, and nothing the leave-page guard could hold."""
    other = make_photo(client=smp_client, by=practitioner, angle="crown")
    make_design(consultation=consultation, by=practitioner, photo=other)
    latest = make_design(consultation=consultation, by=practitioner, photo=photo)
    _withdraw_photo_consent(smp_client, practitioner)
    url = reverse("consultations:design", args=[consultation.public_id])
    page = html.unescape(doctor.get(f"{url}?photo={other.public_id}").content.decode())
    assert 'data-testid="design-refusal"' in page
    assert "Read only: version 2 as it was saved." in page
    assert "data-sde-readonly" in page
    assert 'data-testid="design-form"' not in page
    assert "data-sde-leave" not in page
    assert "Save as version" not in page
    assert editor_design(page) == latest.design
    photo_url = reverse("clients:photo_file", args=[smp_client.public_id, photo.public_id, "large"])
    assert f'class="sde-photo" src="{photo_url}"' in page


def test_a_drawing_refused_for_want_of_consent_comes_back_read_only_with_the_last_version(
    doctor, consultation, photo, practitioner, smp_client
):
    latest = make_design(consultation=consultation, by=practitioner, photo=photo)
    _withdraw_photo_consent(smp_client, practitioner)
    url = reverse("consultations:design", args=[consultation.public_id])
    drawing = {**SAMPLE_DESIGN, "notes": "drawn in another tab"}
    refused = doctor.post(url, {"photo": str(photo.public_id), "design": json.dumps(drawing)})
    page = html.unescape(refused.content.decode())
    assert "photo consent was withdrawn" in page
    assert "data-sde-readonly" in page
    assert "data-sde-unsaved" not in page
    assert editor_design(page) == latest.design


def test_without_photo_consent_or_any_version_the_design_page_has_no_editor(
    doctor, consultation, photo, practitioner, smp_client
):
    _withdraw_photo_consent(smp_client, practitioner)
    page = doctor.get(reverse("consultations:design", args=[consultation.public_id]))
    page = html.unescape(page.content.decode())
    assert 'data-testid="design-refusal"' in page
    assert 'data-testid="design-editor"' not in page
    assert "No design was saved for this consultation." in page


def test_an_older_version_the_client_prefers_can_be_approved_and_shows_as_in_force(
    doctor, consultation, photo, practitioner, smp_client
):
    from consultations.selectors import design_to_show

    first = make_design(consultation=consultation, by=practitioner, photo=photo)
    second = make_design(consultation=consultation, by=practitioner, photo=photo)
    tablet = Client()  # the approval page locks its session to the form (handover)
    tablet.force_login(practitioner)
    approve_url = reverse("consultations:design_approve", args=[consultation.public_id, 1])
    note = tablet.get(approve_url).content.decode()
    assert "Version 2 is newer than this one." in note
    assert (
        "Version 2 is newer"
        not in tablet.get(
            reverse("consultations:design_approve", args=[consultation.public_id, 2])
        ).content.decode()
    )
    approve(first, practitioner)

    card = doctor.get(reverse("consultations:detail", args=[consultation.public_id]))
    card = card.content.decode()
    assert "Hairline design, version 1" in card
    assert "the sessions follow this version" in card
    assert "Version 2 is newer and not approved by the client." in card
    assert "Not approved by the client yet" not in card
    # The progress page shows the same version.
    assert design_to_show(client=smp_client).pk == first.pk

    design_page = doctor.get(reverse("consultations:design", args=[consultation.public_id]))
    cards = design_page.content.decode().split('<div class="col-md-4">')[1:]
    in_force = [card for card in cards if 'data-testid="design-in-force"' in card]
    assert len(in_force) == 1
    assert "Version 1 <span" in in_force[0]
    second.refresh_from_db()
    assert not second.is_approved


def test_the_card_shows_the_newest_draft_while_nothing_is_approved(
    doctor, consultation, photo, practitioner
):
    make_design(consultation=consultation, by=practitioner, photo=photo)
    make_design(consultation=consultation, by=practitioner, photo=photo)
    card = doctor.get(reverse("consultations:detail", args=[consultation.public_id]))
    card = card.content.decode()
    assert "Hairline design, version 2" in card
    assert "Not approved by the client yet" in card
    assert 'data-testid="newer-design"' not in card


def test_a_new_design_starts_from_the_consultations_style_and_shows_its_recommendation(
    doctor, smp_client, practitioner, photo
):
    consultation = make_consultation(
        client=smp_client,
        practitioner=practitioner,
        hairline_style="peaked",
        recommended_shade="Shade 2, 1:3 dilution",
        recommended_density="light",
    )
    page = doctor.get(reverse("consultations:design", args=[consultation.public_id]))
    page = html.unescape(page.content.decode())
    assert '<option value="peaked" selected>Peaked</option>' in page
    assert page.count("selected>Peaked") == 1
    recommendation = page.split('data-testid="consultation-recommendation"')[1].split("</p>")[0]
    assert "hairline style peaked" in recommendation
    assert "recommended shade Shade 2, 1:3 dilution" in recommendation
    assert "density light" in recommendation
