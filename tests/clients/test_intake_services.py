"""Writes of the medical intake: submissions, reviews, clearances and carry-forward."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from clients.intake.questionnaire import add_months
from clients.intake.services import (
    flag_clear,
    flag_clear_carry_forward,
    intake_mark_reviewed,
    intake_submit,
)
from clients.models import FlagClearance, IntakeFlag, MedicalIntake
from clients.services import client_archive
from tests.clients.conftest import NOW, TODAY, png_upload, text_posing_as_pdf
from tests.factories import intake_answers, make_intake, pdf_upload


def test_a_submission_keeps_the_answers_and_version_and_stores_its_flags(
    frozen, smp_client, front_desk
):
    intake = make_intake(
        client=smp_client,
        by=front_desk,
        yes={"blood_thinners", "diabetes"},
        details={"blood_thinners": "Rivaroxaban 20 mg"},
        filled_by_client=True,
    )
    assert intake.questionnaire_version == "2025.1"
    assert intake.submitted_at == NOW
    assert intake.submitted_by == front_desk
    assert intake.filled_by_client is True
    assert intake.answers["blood_thinners"] == {"answer": "yes", "detail": "Rivaroxaban 20 mg"}
    assert intake.answers["keloid"] == {"answer": "no"}
    flags = {flag.code: flag for flag in intake.flags.all()}
    assert set(flags) == {"blood_thinners", "diabetes"}
    assert flags["blood_thinners"].blocks_sessions
    assert flags["blood_thinners"].requires_document
    assert flags["blood_thinners"].detail == "Rivaroxaban 20 mg"
    assert flags["diabetes"].severity == "warn"
    assert not flags["diabetes"].blocks_sessions


def test_invalid_answers_are_refused_and_nothing_is_saved(smp_client, front_desk):
    answers = intake_answers(yes={"chemotherapy"})
    with pytest.raises(ValidationError) as refused:
        intake_submit(client=smp_client, by=front_desk, answers=answers, filled_by_client=False)
    assert refused.value.message_dict == {
        "chemotherapy__date": ["Give the date of your last chemotherapy treatment."]
    }
    assert MedicalIntake.objects.count() == 0
    assert IntakeFlag.objects.count() == 0


@pytest.mark.parametrize(
    ("code", "days_ago", "flagged"),
    [
        ("chemotherapy", 5 * 30, True),
        ("chemotherapy", 7 * 30, False),
        ("laser_removal", 80, True),
        ("laser_removal", 100, False),
    ],
)
def test_time_window_flags_depend_on_the_date_given(
    frozen, smp_client, front_desk, code, days_ago, flagged
):
    last = TODAY - timedelta(days=days_ago)
    intake = make_intake(client=smp_client, by=front_desk, dates={code: last})
    flags = list(intake.flags.all())
    assert bool(flags) is flagged
    if flagged:
        window_end = add_months(last, 6) if code == "chemotherapy" else last + timedelta(days=90)
        assert flags[0].active_until == window_end


def test_an_archived_client_gets_no_new_intake(smp_client, front_desk):
    archived = client_archive(client=smp_client, by=front_desk)
    with pytest.raises(ValidationError, match="archived"):
        make_intake(client=archived, by=front_desk)


def test_a_submitted_intake_and_its_flags_cannot_be_edited(smp_client, front_desk):
    intake = make_intake(client=smp_client, by=front_desk, yes={"keloid"})
    intake.answers = {}
    with pytest.raises(ValueError, match="never changed"):
        intake.save()
    flag = intake.flags.get()
    flag.severity = "warn"
    with pytest.raises(ValueError, match="fixed"):
        flag.save()


def test_a_practitioner_marks_an_intake_reviewed_once(
    smp_client, front_desk, practitioner, manager
):
    intake = make_intake(client=smp_client, by=front_desk)
    intake_mark_reviewed(intake=intake, by=practitioner)
    intake.refresh_from_db()
    assert intake.reviewed_by == practitioner
    assert intake.reviewed_at is not None
    with pytest.raises(ValidationError, match="already reviewed by Priya Patel"):
        intake_mark_reviewed(intake=intake, by=manager)


def test_the_front_desk_cannot_review_or_clear(smp_client, front_desk):
    intake = make_intake(client=smp_client, by=front_desk, yes={"keloid"})
    with pytest.raises(PermissionDenied):
        intake_mark_reviewed(intake=intake, by=front_desk)
    with pytest.raises(PermissionDenied):
        flag_clear(flag=intake.flags.get(), by=front_desk, note="Looks fine")
    assert FlagClearance.objects.count() == 0


def test_a_flag_that_needs_a_gp_letter_is_not_cleared_without_one(smp_client, practitioner):
    intake = make_intake(client=smp_client, by=practitioner, yes={"heart_blood_pressure"})
    with pytest.raises(ValidationError) as refused:
        flag_clear(flag=intake.flags.get(), by=practitioner, note="BP controlled")
    assert refused.value.message_dict == {
        "document": ["This flag needs a GP letter: upload it to record the clearance."]
    }
    assert FlagClearance.objects.count() == 0


def test_a_flag_is_cleared_with_a_gp_letter_stored_privately_under_a_random_name(
    smp_client, practitioner
):
    intake = make_intake(client=smp_client, by=practitioner, yes={"heart_blood_pressure"})
    clearance = flag_clear(
        flag=intake.flags.get(),
        by=practitioner,
        note="  GP confirms BP is controlled.  ",
        document=pdf_upload("Dr Smith letter.pdf"),
    )
    assert clearance.note == "GP confirms BP is controlled."
    assert clearance.cleared_by == practitioner
    assert clearance.document_name == "Dr_Smith_letter.pdf"
    stored = Path(clearance.document.name)
    assert stored.parent == Path(f"clients/{smp_client.public_id}/clearances")
    assert stored.suffix == ".pdf"
    assert "Smith" not in stored.name
    stored_at = Path(default_storage.path(clearance.document.name))
    assert stored_at.is_file()
    assert stored_at.is_relative_to(settings.PRIVATE_MEDIA_ROOT)


def test_a_flag_without_a_letter_requirement_is_cleared_with_a_note_alone(smp_client, practitioner):
    intake = make_intake(client=smp_client, by=practitioner, yes={"keloid"})
    clearance = flag_clear(flag=intake.flags.get(), by=practitioner, note="Patch test fine")
    assert not clearance.has_document
    assert clearance.document_name == ""


def test_a_clearance_needs_a_note(smp_client, practitioner):
    intake = make_intake(client=smp_client, by=practitioner, yes={"keloid"})
    with pytest.raises(ValidationError) as refused:
        flag_clear(flag=intake.flags.get(), by=practitioner, note="   ")
    assert list(refused.value.message_dict) == ["note"]


def test_a_flag_is_cleared_only_once(smp_client, practitioner, manager):
    intake = make_intake(client=smp_client, by=practitioner, yes={"keloid"})
    flag = intake.flags.get()
    flag_clear(flag=flag, by=practitioner, note="Patch test fine")
    with pytest.raises(ValidationError, match="already cleared by Priya Patel"):
        flag_clear(flag=flag, by=manager, note="Again")
    assert FlagClearance.objects.count() == 1


def test_a_text_file_named_pdf_is_refused_and_nothing_is_stored(smp_client, practitioner):
    intake = make_intake(client=smp_client, by=practitioner, yes={"blood_thinners"})
    with pytest.raises(ValidationError) as refused:
        flag_clear(
            flag=intake.flags.get(), by=practitioner, note="GP ok", document=text_posing_as_pdf()
        )
    assert "not a PDF, JPEG or PNG" in refused.value.message_dict["document"][0]
    assert FlagClearance.objects.count() == 0
    assert not default_storage.exists(f"clients/{smp_client.public_id}")


def test_a_png_photo_of_the_letter_is_accepted_and_named_by_its_real_type(smp_client, practitioner):
    intake = make_intake(client=smp_client, by=practitioner, yes={"blood_thinners"})
    clearance = flag_clear(
        flag=intake.flags.get(), by=practitioner, note="GP ok", document=png_upload("scan.pdf")
    )
    assert clearance.document.name.endswith(".png")
    assert clearance.document_name == "scan.png"


def test_a_document_over_10_mb_is_refused(smp_client, practitioner):
    intake = make_intake(client=smp_client, by=practitioner, yes={"blood_thinners"})
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ValidationError, match="the limit is 10 MB"):
        flag_clear(flag=intake.flags.get(), by=practitioner, note="GP ok", document=big)


def test_only_the_latest_intakes_flags_can_be_cleared(smp_client, practitioner):
    old = make_intake(client=smp_client, by=practitioner, yes={"keloid"})
    make_intake(client=smp_client, by=practitioner, yes={"keloid"})
    with pytest.raises(ValidationError, match="newer intake"):
        flag_clear(flag=old.flags.get(), by=practitioner, note="Fine")


def test_a_clearance_is_carried_forward_from_the_previous_intake_with_its_letter(
    smp_client, practitioner, manager
):
    first = make_intake(client=smp_client, by=practitioner, yes={"blood_thinners"})
    earlier = flag_clear(
        flag=first.flags.get(), by=practitioner, note="GP: stop 48 h before", document=pdf_upload()
    )
    second = make_intake(client=smp_client, by=practitioner, yes={"blood_thinners", "diabetes"})
    flag = second.flags.get(code="blood_thinners")
    carried = flag_clear_carry_forward(flag=flag, by=manager)
    assert carried.carried_from == earlier
    assert carried.cleared_by == manager
    assert carried.note == earlier.note
    assert carried.document.name == earlier.document.name
    assert carried.document_name == earlier.document_name

    with pytest.raises(ValidationError, match="no clearance of this flag"):
        flag_clear_carry_forward(flag=second.flags.get(code="diabetes"), by=manager)
    with pytest.raises(ValidationError, match="already cleared"):
        flag_clear_carry_forward(flag=flag, by=manager)


def test_a_clearance_is_not_carried_forward_when_the_treatment_date_changed(
    frozen, smp_client, practitioner
):
    first = make_intake(
        client=smp_client, by=practitioner, dates={"chemotherapy": TODAY - timedelta(days=120)}
    )
    flag_clear(flag=first.flags.get(), by=practitioner, note="Oncologist ok", document=pdf_upload())
    second = make_intake(
        client=smp_client, by=practitioner, dates={"chemotherapy": TODAY - timedelta(days=20)}
    )
    with pytest.raises(ValidationError, match="dates given have changed"):
        flag_clear_carry_forward(flag=second.flags.get(), by=practitioner)


def test_a_clearance_is_carried_only_from_the_intake_just_before(smp_client, practitioner):
    first = make_intake(client=smp_client, by=practitioner, yes={"keloid"})
    flag_clear(flag=first.flags.get(), by=practitioner, note="Patch test fine")
    make_intake(client=smp_client, by=practitioner)  # said no in between
    third = make_intake(client=smp_client, by=practitioner, yes={"keloid"})
    with pytest.raises(ValidationError, match="no clearance"):
        flag_clear_carry_forward(flag=third.flags.get(), by=practitioner)
