"""Consents: signing on the tablet, immutability, withdrawal, the printable record and PDF,
the managers' texts, who sees what, location scoping and query counts."""

import base64
import re
import zlib
from html import unescape

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from clients.consent import selectors, services
from clients.consent.pdf import signed_consent_pdf
from clients.models import ConsentTemplate, ConsentVersion, SignedConsent
from clients.services import client_archive
from clients.signatures import SIGNATURE_BLANK
from tests.factories import hand_back, make_client, make_signed_consent, signature_data_url


def page(response) -> str:
    return unescape(response.content.decode())


def sign_url(client_obj, kind: str) -> str:
    return reverse("clients:consent_sign", args=[client_obj.public_id, kind])


def detail_url(consent) -> str:
    return reverse("clients:consent_detail", args=[consent.client.public_id, consent.public_id])


def sign_post(kind: str, **overrides) -> dict:
    return {
        "version": str(selectors.latest_version(kind=kind).public_id),
        "typed_name": "Sam Carter",
        "agree": "on",
        "signature": signature_data_url(),
        **overrides,
    }


def publish(manager, kind: str, body: str) -> ConsentVersion:
    return services.consent_version_publish(
        template=ConsentTemplate.objects.get(kind=kind), by=manager, body=body
    )


@pytest.fixture
def as_practitioner(client, practitioner):
    client.force_login(practitioner)
    return client


@pytest.fixture
def as_desk(client, front_desk):
    client.force_login(front_desk)
    return client


# --- The texts a clinic starts with -----------------------------------------------------


def test_a_fresh_clinic_has_a_text_to_sign_for_each_kind(db):
    for kind in ("treatment", "photos", "marketing"):
        version = selectors.latest_version(kind=kind)
        assert version.number == 1
        assert "withdraw" in version.body
    assert "fades" in selectors.latest_version(kind="treatment").body
    assert "aftercare" in selectors.latest_version(kind="treatment").body.lower()
    assert "clinical record" in selectors.latest_version(kind="photos").body


def test_the_default_texts_come_back_after_a_flush(db):
    from clients.consent.defaults import ensure_default_texts_after_migrate

    ConsentVersion.objects.all().delete()
    ConsentTemplate.objects.all().delete()
    ensure_default_texts_after_migrate()
    ensure_default_texts_after_migrate()  # and only once
    assert sorted(ConsentTemplate.objects.values_list("kind", flat=True)) == [
        "marketing",
        "photos",
        "treatment",
    ]
    assert ConsentVersion.objects.count() == 3


# --- Signing ------------------------------------------------------------------------------


def test_signing_keeps_the_exact_version_name_signature_ip_and_witness(
    as_desk, front_desk, smp_client
):
    response = as_desk.post(
        sign_url(smp_client, "treatment"),
        sign_post("treatment", typed_name="  sam   CARTER "),
        REMOTE_ADDR="203.0.113.7",
        HTTP_USER_AGENT="Tablet Safari",
    )
    consent = SignedConsent.objects.get()
    assert response.url == reverse("accounts:handover")
    assert hand_back(as_desk).url == detail_url(consent)
    assert consent.version == selectors.latest_version(kind="treatment")
    assert consent.typed_name == "sam CARTER"
    assert consent.ip_address == "203.0.113.7"
    assert consent.user_agent == "Tablet Safari"
    assert consent.witness == front_desk
    with consent.signature.open("rb") as handle:
        stored = handle.read()
    assert stored.startswith(b"\x89PNG")
    assert len(consent.signature_sha256) == 64
    assert consent.signature.name.startswith(f"clients/{smp_client.public_id}/consents/")
    assert selectors.client_has_valid_consent(client=smp_client, kind="treatment")


def test_signing_can_return_to_the_page_that_asked_for_it(as_practitioner, smp_client):
    back = reverse("clients:section", args=[smp_client.public_id, "consents"])
    as_practitioner.post(sign_url(smp_client, "photos"), sign_post("photos", next=back))
    assert hand_back(as_practitioner).url == back


def test_signing_never_redirects_off_site(as_practitioner, smp_client):
    as_practitioner.post(
        sign_url(smp_client, "photos"), sign_post("photos", next="https://evil.example/")
    )
    assert hand_back(as_practitioner).url == detail_url(SignedConsent.objects.get())


def test_the_sign_page_shows_the_latest_text_and_the_signature_pad(as_desk, smp_client, manager):
    publish(manager, "photos", "Version two of the photo text.")
    text = page(as_desk.get(sign_url(smp_client, "photos")))
    assert "Version two of the photo text." in text
    assert "data-signature-canvas" in text
    assert "signature_pad.umd.min.js" in text
    assert "<noscript>" in text
    assert "onclick" not in text


@pytest.mark.parametrize(
    ("signature", "message"),
    [
        (signature_data_url(blank=True), SIGNATURE_BLANK),
        (signature_data_url(blank=True, background="white"), SIGNATURE_BLANK),
        ("", "the signature is missing"),
        ("data:image/png;base64,bm90IGEgcG5n", "could not be read"),
    ],
    ids=["transparent", "white", "missing", "not-a-png"],
)
def test_a_blank_or_unreadable_signature_is_refused_and_nothing_is_saved(
    as_desk, smp_client, signature, message
):
    response = as_desk.post(
        sign_url(smp_client, "treatment"), sign_post("treatment", signature=signature)
    )
    assert response.status_code == 200
    assert message in page(response)
    assert 'data-testid="form-errors"' in page(response)
    assert not SignedConsent.objects.exists()


def test_a_typed_name_that_is_not_the_clients_is_refused_and_the_signature_is_kept(
    as_desk, smp_client
):
    drawn = signature_data_url()
    response = as_desk.post(
        sign_url(smp_client, "treatment"),
        sign_post("treatment", typed_name="Sam Cartwright", signature=drawn),
    )
    text = page(response)
    assert (
        "The name typed does not match the client's record. Type the full name: Sam Carter." in text
    )
    assert f'value="{drawn}"' in text  # the client does not sign twice
    assert not SignedConsent.objects.exists()


@pytest.mark.parametrize(
    "typed", ["Sam Carter", "sam carter", " SAM  CARTER ", "Sám Carter", "SamCarter"]
)
def test_the_typed_name_matches_loosely(smp_client, typed):
    assert services.typed_name_matches(typed, smp_client)


@pytest.mark.parametrize("typed", ["", "Sam", "Carter Sam", "Samuel Carter"])
def test_the_typed_name_must_still_be_the_full_name(smp_client, typed):
    assert not services.typed_name_matches(typed, smp_client)


def test_a_text_published_while_the_client_reads_is_shown_before_they_sign(
    as_desk, smp_client, manager
):
    data = sign_post("treatment")
    publish(manager, "treatment", "The updated treatment text.")
    response = as_desk.post(sign_url(smp_client, "treatment"), data)
    text = page(response)
    assert "The clinic updated this consent text while it was open" in text
    assert "The updated treatment text." in text
    assert 'name="signature" value=""' in text  # they read the new text and sign anew
    assert not SignedConsent.objects.exists()


def test_the_same_text_cannot_be_signed_twice(smp_client, practitioner):
    make_signed_consent(client=smp_client, kind="photos", witness=practitioner)
    with pytest.raises(ValidationError, match="already signed this text"):
        make_signed_consent(client=smp_client, kind="photos", witness=practitioner)
    assert SignedConsent.objects.count() == 1


def test_the_sign_page_of_a_consent_already_signed_offers_nothing_to_sign(
    as_desk, smp_client, practitioner
):
    make_signed_consent(client=smp_client, kind="photos", witness=practitioner)
    text = page(as_desk.get(sign_url(smp_client, "photos")))
    assert 'data-testid="already-signed"' in text
    assert 'data-testid="consent-form"' not in text


def test_an_archived_client_cannot_sign(smp_client, practitioner, front_desk):
    client_archive(client=smp_client, by=front_desk)
    with pytest.raises(ValidationError, match="archived"):
        make_signed_consent(client=smp_client, kind="photos", witness=practitioner)


def test_the_marketing_consent_needs_an_email_address(location, practitioner):
    no_email = make_client(
        location=location, email="", phone="+447700900999", email_reminders=False
    )
    with pytest.raises(ValidationError, match="add the client's email address"):
        make_signed_consent(client=no_email, kind="marketing", witness=practitioner)


def test_only_staff_can_witness_a_signature(smp_client, no_role_user):
    with pytest.raises(PermissionDenied):
        make_signed_consent(client=smp_client, kind="photos", witness=no_role_user)


# --- What was signed never changes --------------------------------------------------------


def test_a_new_version_does_not_change_what_was_signed_before(
    as_practitioner, smp_client, practitioner, manager
):
    first = make_signed_consent(client=smp_client, kind="photos", witness=practitioner)
    old_body = first.version.body
    publish(manager, "photos", "A brand new photo consent text.")
    other = make_client(location=smp_client.home_location, first_name="Ann", last_name="Lee")
    second = make_signed_consent(client=other, kind="photos", witness=practitioner)

    old_page = page(as_practitioner.get(detail_url(first)))
    assert "They are part of my clinical record." in old_page
    assert "A brand new photo consent text." not in old_page
    new_page = page(as_practitioner.get(detail_url(second)))
    assert "A brand new photo consent text." in new_page
    first.refresh_from_db()
    assert first.version.number == 1
    assert first.version.body == old_body

    state = selectors.client_consent_status(client=smp_client)["photos"]
    assert state.valid
    assert state.outdated
    assert state.status == "outdated"


def test_a_signed_consent_cannot_be_edited(smp_client, practitioner):
    consent = make_signed_consent(client=smp_client, kind="photos", witness=practitioner)
    consent.typed_name = "Someone Else"
    with pytest.raises(ValueError, match="never changed"):
        consent.save()
    with pytest.raises(ValueError, match="never changed"):
        consent.save(update_fields=["typed_name"])


def test_the_database_refuses_to_rewrite_a_signed_consent_or_a_published_text(
    smp_client, practitioner
):
    consent = make_signed_consent(client=smp_client, kind="photos", witness=practitioner)
    with pytest.raises(IntegrityError, match="never changed"), transaction.atomic():
        SignedConsent.objects.filter(pk=consent.pk).update(typed_name="Someone Else")
    with pytest.raises(IntegrityError, match="never changed"), transaction.atomic():
        ConsentVersion.objects.filter(pk=consent.version_id).update(body="Rewritten.")
    consent.refresh_from_db()
    assert consent.typed_name == "Sam Carter"


def test_a_withdrawal_is_recorded_once_and_never_rewritten(smp_client, practitioner):
    consent = make_signed_consent(client=smp_client, kind="photos", witness=practitioner)
    services.consent_withdraw(consent=consent, by=practitioner, reason="Asked by phone")
    with pytest.raises(IntegrityError, match="recorded once"), transaction.atomic():
        SignedConsent.objects.filter(pk=consent.pk).update(withdrawal_reason="Changed")
    with pytest.raises(ValidationError, match="already withdrawn"):
        services.consent_withdraw(consent=consent, by=practitioner, reason="Again")


# --- Withdrawal ---------------------------------------------------------------------------


def test_withdrawal_is_recorded_with_who_when_and_why(as_practitioner, practitioner, smp_client):
    consent = make_signed_consent(client=smp_client, kind="photos", witness=practitioner)
    url = reverse("clients:consent_withdraw", args=[smp_client.public_id, consent.public_id])
    refused = as_practitioner.post(url, {"reason": "", "confirm": "on"})
    assert "Say why the consent is withdrawn" in page(refused)
    response = as_practitioner.post(url, {"reason": "Client asked by email", "confirm": "on"})
    assert response.url == detail_url(consent)
    consent.refresh_from_db()
    assert consent.withdrawn_by == practitioner
    assert consent.withdrawal_reason == "Client asked by email"
    assert consent.typed_name == "Sam Carter"
    state = selectors.client_consent_status(client=smp_client)["photos"]
    assert state.withdrawn
    assert not state.valid
    assert state.status == "withdrawn"
    assert not selectors.client_has_valid_consent(client=smp_client, kind="photos")
    assert "Client asked by email" in page(as_practitioner.get(detail_url(consent)))


def test_signing_the_marketing_consent_turns_emails_on_and_withdrawing_turns_them_off(
    smp_client, practitioner
):
    assert not smp_client.marketing_consent
    consent = make_signed_consent(client=smp_client, kind="marketing", witness=practitioner)
    smp_client.refresh_from_db()
    assert smp_client.marketing_consent
    assert smp_client.marketing_consent_at is not None
    services.consent_withdraw(consent=consent, by=practitioner, reason="Unsubscribed")
    smp_client.refresh_from_db()
    assert not smp_client.marketing_consent
    assert smp_client.marketing_consent_at is None


def test_only_the_latest_signature_of_a_kind_can_be_withdrawn(smp_client, practitioner, manager):
    first = make_signed_consent(client=smp_client, kind="photos", witness=practitioner)
    publish(manager, "photos", "Second photo text.")
    make_signed_consent(client=smp_client, kind="photos", witness=practitioner)
    with pytest.raises(ValidationError, match="A later signature has replaced this one"):
        services.consent_withdraw(consent=first, by=practitioner, reason="Old one")


def test_the_front_desk_cannot_record_a_withdrawal(as_desk, front_desk, smp_client, practitioner):
    consent = make_signed_consent(client=smp_client, kind="photos", witness=practitioner)
    url = reverse("clients:consent_withdraw", args=[smp_client.public_id, consent.public_id])
    assert as_desk.post(url, {"reason": "x", "confirm": "on"}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.consent_withdraw(consent=consent, by=front_desk, reason="x")
    assert "Record a withdrawal" not in page(as_desk.get(detail_url(consent)))


# --- The printable record and the PDF -----------------------------------------------------


def test_the_printable_view_shows_text_name_signature_time_ip_and_witness(
    as_practitioner, smp_client, front_desk
):
    consent = make_signed_consent(client=smp_client, kind="photos", witness=front_desk)
    text = page(as_practitioner.get(detail_url(consent)))
    assert "Consent to clinical photographs" in text
    assert "They are part of my clinical record." in text
    assert "192.0.2.10" in text
    assert "Fran Desk (Front desk)" in text
    assert "(Europe/London)" in text
    assert (
        reverse("clients:consent_signature", args=[smp_client.public_id, consent.public_id]) in text
    )
    assert "data-print" in text


def test_the_pdf_is_a_real_pdf_of_the_signed_consent(as_practitioner, smp_client, practitioner):
    consent = make_signed_consent(client=smp_client, kind="treatment", witness=practitioner)
    response = as_practitioner.get(
        reverse("clients:consent_pdf", args=[smp_client.public_id, consent.public_id])
    )
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="consent-treatment-sam-carter-'
    )
    assert response["Cache-Control"] == "private, no-store, max-age=0"
    assert response.content.startswith(b"%PDF-")
    assert b"Sam Carter" in response.content  # the document title, in the PDF's info
    assert len(response.content) > 5000
    uncompressed = signed_consent_pdf(consent, compress=False)
    assert b"/Subtype /Image" in uncompressed  # the signature is in it


@pytest.fixture
def helvetica_pdf(monkeypatch):
    """PDFs in the built-in Helvetica: its text is stored as plain strings in the content
    streams (an embedded TrueType subset stores glyph numbers), so a test can read it."""
    from clients.consent import pdf

    monkeypatch.setattr(pdf, "FONT_FOLDERS", ())
    pdf._fonts.cache_clear()
    yield
    pdf._fonts.cache_clear()


# A stream and its own dictionary (never reaching back into an earlier object).
PDF_STREAM = re.compile(rb"<<((?:(?!endobj).)*?)>>\s*stream\r?\n(.*?)endstream", re.S)
PDF_TEXT = re.compile(rb"\(((?:\\.|[^\\)])*)\)\s*Tj|T\*|ET")
PDF_ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.S)
PDF_ESCAPED = {b"n": b"\n", b"r": b"\r", b"t": b"\t"}


def _decoded(dictionary: bytes, data: bytes) -> bytes:
    """A stream's bytes through its filters, in the order the dictionary lists them."""
    for name in re.findall(rb"/(ASCII85Decode|FlateDecode)", dictionary):
        if name == b"ASCII85Decode":
            data = base64.a85decode(data.strip().removesuffix(b"~>"))
        else:
            data = zlib.decompress(data)
    return data


def pdf_text(document: bytes) -> str:
    """The text a reader sees on the pages, line after line, spaces normalised."""
    shown = []
    for dictionary, data in PDF_STREAM.findall(document):
        if b"/Subtype /Image" in dictionary:
            continue
        for match in PDF_TEXT.finditer(_decoded(dictionary, data)):
            if match.group(1) is None:
                shown.append(b" ")  # the next line, or the end of a block of text
                continue
            shown.append(
                PDF_ESCAPE.sub(
                    lambda e: (
                        bytes([int(e[1], 8)]) if e[1][:1].isdigit() else PDF_ESCAPED.get(e[1], e[1])
                    ),
                    match.group(1),
                )
            )
    return " ".join(b"".join(shown).decode("cp1252").split())


def test_the_pdf_holds_the_text_signed_the_typed_name_the_ip_and_the_witness(
    smp_client, practitioner, helvetica_pdf
):
    from clients.consent.text import text_blocks

    consent = make_signed_consent(client=smp_client, kind="treatment", witness=practitioner)
    for compress in (False, True):
        text = pdf_text(signed_consent_pdf(consent, compress=compress))
        assert "Signed by Sam Carter" in text
        assert "IP address 192.0.2.10" in text
        assert "Witnessed by Priya Patel (Practitioner)" in text
        lines = [line for block in text_blocks(consent.version.body) for line in block.lines]
        assert len(lines) > 3
        for line in lines:
            assert " ".join(line.split()) in text, line
    assert pdf_text(signed_consent_pdf(consent)).count("Sam Carter") >= 2


def test_the_signature_image_is_served_privately(as_practitioner, smp_client, practitioner):
    consent = make_signed_consent(client=smp_client, kind="photos", witness=practitioner)
    response = as_practitioner.get(
        reverse("clients:consent_signature", args=[smp_client.public_id, consent.public_id])
    )
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, max-age=300"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_the_front_desk_sees_the_status_and_may_print_a_copy(as_desk, smp_client, practitioner):
    consent = make_signed_consent(client=smp_client, kind="photos", witness=practitioner)
    client_page = page(as_desk.get(reverse("clients:detail", args=[smp_client.public_id])))
    status_line = client_page[client_page.index('data-testid="consent-status"') :]
    assert " ".join(status_line.split()).count("Photos: signed") == 1
    assert "Treatment: not signed" in " ".join(status_line.split())
    section = page(as_desk.get(reverse("clients:section", args=[smp_client.public_id, "consents"])))
    assert 'data-testid="sign-treatment"' in section
    assert as_desk.get(detail_url(consent)).status_code == 200
    pdf_url = reverse("clients:consent_pdf", args=[smp_client.public_id, consent.public_id])
    assert as_desk.get(pdf_url).status_code == 200


@pytest.mark.parametrize(
    "name", ["consent_detail", "consent_pdf", "consent_signature", "consent_withdraw"]
)
def test_a_practitioner_of_another_location_gets_not_found(
    client, practitioner_elsewhere, smp_client, practitioner, name
):
    consent = make_signed_consent(client=smp_client, kind="photos", witness=practitioner)
    client.force_login(practitioner_elsewhere)
    url = reverse(f"clients:{name}", args=[smp_client.public_id, consent.public_id])
    assert client.get(url).status_code == 404


def test_a_practitioner_of_another_location_cannot_open_the_sign_page(
    client, practitioner_elsewhere, smp_client
):
    client.force_login(practitioner_elsewhere)
    assert client.get(sign_url(smp_client, "photos")).status_code == 404


def test_a_consent_of_another_client_is_not_found_under_this_one(
    as_practitioner, smp_client, practitioner, location
):
    other = make_client(location=location, first_name="Ann", last_name="Lee")
    consent = make_signed_consent(client=other, kind="photos", witness=practitioner)
    url = reverse("clients:consent_detail", args=[smp_client.public_id, consent.public_id])
    assert as_practitioner.get(url).status_code == 404


def test_an_unknown_consent_kind_is_not_found(as_practitioner, smp_client):
    assert (
        as_practitioner.get(f"/clients/{smp_client.public_id}/consents/tattoo/sign/").status_code
        == 404
    )


# --- Selectors ----------------------------------------------------------------------------


def test_status_of_every_kind_in_one_query(
    smp_client, practitioner, manager, django_assert_num_queries
):
    make_signed_consent(client=smp_client, kind="treatment", witness=practitioner)
    photos = make_signed_consent(client=smp_client, kind="photos", witness=practitioner)
    services.consent_withdraw(consent=photos, by=practitioner, reason="No more photos")
    with django_assert_num_queries(1):
        states = selectors.client_consent_status(client=smp_client)
        statuses = {kind: state.status for kind, state in states.items()}
        witnesses = [state.signed.witness.full_name for state in states.values() if state.signed]
    assert statuses == {"treatment": "valid", "photos": "withdrawn", "marketing": "missing"}
    assert witnesses == ["Priya Patel", "Priya Patel"]
    assert states["marketing"].signed is None
    assert not states["marketing"].valid


def test_signing_again_after_a_withdrawal_makes_the_consent_valid(smp_client, practitioner):
    first = make_signed_consent(client=smp_client, kind="photos", witness=practitioner)
    services.consent_withdraw(consent=first, by=practitioner, reason="Changed mind")
    make_signed_consent(client=smp_client, kind="photos", witness=practitioner)
    assert selectors.client_has_valid_consent(client=smp_client, kind="photos")
    assert selectors.client_consent_status(client=smp_client)["photos"].status == "valid"


def test_valid_consents_of_many_clients_in_one_query(
    smp_client, practitioner, location, django_assert_num_queries
):
    other = make_client(location=location)
    withdrawn = make_client(location=location)
    make_signed_consent(client=smp_client, kind="treatment", witness=practitioner)
    consent = make_signed_consent(client=withdrawn, kind="treatment", witness=practitioner)
    services.consent_withdraw(consent=consent, by=practitioner, reason="Stopped")
    with django_assert_num_queries(1):
        valid = selectors.client_ids_with_valid_consent(
            client_ids=[smp_client.pk, other.pk, withdrawn.pk], kind="treatment"
        )
    assert valid == {smp_client.pk}


@pytest.mark.parametrize("extra", [0, 4])
def test_the_consents_section_query_count_is_constant(
    as_desk, smp_client, practitioner, manager, extra, django_assert_num_queries
):
    for number in range(extra):
        kind = ("treatment", "photos")[number % 2]
        make_signed_consent(client=smp_client, kind=kind, witness=practitioner)
        publish(manager, kind, f"Text number {number}.")
    url = reverse("clients:section", args=[smp_client.public_id, "consents"])
    # session, user, location ids, client; status, offered texts, history
    with django_assert_num_queries(7):
        response = as_desk.get(url, headers={"HX-Request": "true", "HX-Target": "client-section"})
    assert response.status_code == 200


# --- The managers' texts ------------------------------------------------------------------


def test_a_manager_previews_then_publishes_a_new_version(client, manager):
    client.force_login(manager)
    template = ConsentTemplate.objects.get(kind="marketing")
    url = reverse("clients:consent_version_new", args=[template.public_id])
    body = "We email you about touch-ups.\n\n- Touch-up reminders\n- Offers"
    preview = client.post(url, {"based_on": 1, "body": body, "preview": "1"})
    assert "<li>Touch-up reminders</li>" in page(preview)
    assert ConsentVersion.objects.filter(template=template).count() == 1
    response = client.post(
        url, {"based_on": 1, "body": body, "change_note": "Shorter", "publish": "1"}
    )
    assert response.url == reverse("clients:consent_template", args=[template.public_id])
    latest = selectors.latest_version(kind="marketing")
    assert (latest.number, latest.body, latest.created_by) == (2, body, manager)
    assert "Version 2" in page(client.get(response.url))


def test_publishing_the_same_text_again_is_refused(manager):
    current = selectors.latest_version(kind="photos")
    with pytest.raises(ValidationError, match="same text as version 1"):
        publish(manager, "photos", current.body + "\n\n")


def test_a_version_published_meanwhile_is_not_silently_replaced(client, manager):
    publish(manager, "photos", "Someone else's version two.")
    client.force_login(manager)
    template = ConsentTemplate.objects.get(kind="photos")
    url = reverse("clients:consent_version_new", args=[template.public_id])
    response = client.post(url, {"based_on": 1, "body": "Mine.", "publish": "1"})
    assert "Version 2 was published by Morgan Manager" in page(response)
    assert selectors.latest_version(kind="photos").body == "Someone else's version two."


def test_only_managers_publish_consent_texts(practitioner):
    with pytest.raises(PermissionDenied):
        publish(practitioner, "photos", "A practitioner's text.")
