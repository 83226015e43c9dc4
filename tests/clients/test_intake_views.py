"""Medical intake pages: the form, what each role sees, scoping, downloads, query counts."""

from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse

from clients.intake import versions
from clients.intake.questionnaire import Questionnaire
from clients.intake.services import flag_clear, intake_mark_reviewed
from clients.models import FlagClearance, MedicalIntake
from clients.registry import sections_for
from tests.clients.conftest import TODAY, intake_post, png_upload, text_posing_as_pdf
from tests.factories import hand_back, make_client, make_intake, pdf_upload

ALL_YES = {q.code for q in versions.questionnaire_current().questions if q.is_yes_no and q.flag} - {
    "chemotherapy",
    "laser_removal",
}
DATES = {"chemotherapy": TODAY - timedelta(days=30), "laser_removal": TODAY - timedelta(days=30)}
PRIVATE_DETAIL = "Rivaroxaban 20 mg"


def page(response) -> str:
    return unescape(response.content.decode())


def new_url(client_obj) -> str:
    return reverse("clients:intake_new", args=[client_obj.public_id])


def detail_url(intake) -> str:
    return reverse("clients:intake_detail", args=[intake.client.public_id, intake.public_id])


def medical_url(client_obj) -> str:
    return reverse("clients:section", args=[client_obj.public_id, "medical"])


@pytest.fixture
def flagged(frozen, smp_client, front_desk, practitioner):
    """An intake answering yes to everything, one flag cleared with a GP letter."""
    make_intake(client=smp_client, by=front_desk, yes={"keloid"})
    intake = make_intake(
        client=smp_client,
        by=front_desk,
        yes=ALL_YES,
        dates=DATES,
        details={"blood_thinners": PRIVATE_DETAIL},
    )
    flag_clear(
        flag=intake.flags.get(code="heart_blood_pressure"),
        by=practitioner,
        note="GP letter: BP controlled",
        document=pdf_upload(),
    )
    return intake


# --- The form ---------------------------------------------------------------------------


def test_front_desk_submits_and_learns_only_what_the_flag_blocks(
    frozen, client, front_desk, smp_client
):
    client.force_login(front_desk)
    data = intake_post(yes={"blood_thinners"}, details={"blood_thinners": PRIVATE_DETAIL})
    response = client.post(new_url(smp_client), data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("clients:detail", args=[smp_client.public_id])
    text = page(response)
    assert "pigmentation sessions are blocked until a practitioner clears it" in text
    assert "Consultations can still be booked" in text
    assert "Anticoagulant" not in text
    assert PRIVATE_DETAIL not in text
    intake = MedicalIntake.objects.get()
    assert intake.submitted_by == front_desk
    assert not intake.filled_by_client
    assert intake.answers["blood_thinners"]["detail"] == PRIVATE_DETAIL


def test_front_desk_is_told_when_no_flag_was_raised(frozen, client, front_desk, smp_client):
    client.force_login(front_desk)
    response = client.post(new_url(smp_client), intake_post(), follow=True)
    assert "Intake saved. No medical flags were raised." in page(response)


def test_a_practitioner_lands_on_the_new_intake(frozen, client, practitioner, smp_client):
    client.force_login(practitioner)
    response = client.post(new_url(smp_client), intake_post(yes={"diabetes", "keloid"}))
    intake = MedicalIntake.objects.get()
    assert response.status_code == 302
    assert response.url == detail_url(intake)
    assert "2 flags raised" in page(client.get(response.url))


def test_the_tablet_mode_speaks_to_the_client_and_is_recorded(
    frozen, client, front_desk, smp_client
):
    client.force_login(front_desk)
    form_page = page(client.get(new_url(smp_client) + "?tablet=1"))
    assert "Hello Sam, a few questions about your health" in form_page
    assert "Staff notes" not in form_page
    assert 'name="filled_by_client" value="True"' in form_page
    response = client.post(new_url(smp_client), intake_post(filled_by_client="True"), follow=True)
    assert "Thank you, Sam." in page(response)
    assert "flag" not in page(response).lower()  # the outcome waits for the staff member
    assert MedicalIntake.objects.get().filled_by_client is True
    back = hand_back(client, password="not the password")
    assert "That is not the password of Fran Desk" in page(back)
    unlocked = hand_back(client)
    assert unlocked.url == reverse("clients:detail", args=[smp_client.public_id])
    assert "Intake saved." in page(client.get(unlocked.url))


def test_missing_answers_are_named_one_by_one_and_nothing_is_saved(
    frozen, client, front_desk, smp_client
):
    client.force_login(front_desk)
    data = intake_post(details={"keloid": "Only after surgery"}, confirm=False)
    del data["keloid"], data["diabetes"]
    response = client.post(new_url(smp_client), data)
    text = page(response)
    assert response.status_code == 200
    assert 'data-testid="form-errors"' in text
    assert text.count("Answer yes or no.") == 4  # two in the summary, two by the questions
    assert 'href="#id_keloid">Question 1</a>: Answer yes or no.' in text
    assert "Confirm the answers before saving." in text
    assert 'value="Only after surgery"' in text  # what was typed is kept
    assert MedicalIntake.objects.count() == 0


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        ({"chemotherapy": ""}, "Give the date of your last chemotherapy treatment."),
        ({"chemotherapy": TODAY + timedelta(days=2)}, "That date is in the future."),
        ({"laser_removal": "31/02/2025"}, "Enter a real date"),
    ],
)
def test_a_bad_date_gets_a_clear_message_and_nothing_is_saved(
    frozen, client, front_desk, smp_client, dates, message
):
    client.force_login(front_desk)
    response = client.post(new_url(smp_client), intake_post(dates=dates))
    assert response.status_code == 200
    assert message in page(response)
    assert MedicalIntake.objects.count() == 0


def test_an_archived_client_cannot_get_a_new_intake(client, front_desk, smp_client):
    client.force_login(front_desk)
    client.post(reverse("clients:archive", args=[smp_client.public_id]))
    response = client.post(new_url(smp_client), intake_post())
    assert "restore the client before recording a new intake" in page(response)
    assert MedicalIntake.objects.count() == 0


# --- What each role sees ----------------------------------------------------------------


def front_desk_pages(client_obj) -> list[str]:
    pages = [
        reverse("dashboard:today"),
        reverse("clients:list"),
        reverse("clients:detail", args=[client_obj.public_id]),
        reverse("clients:edit", args=[client_obj.public_id]),
        reverse("clients:archive", args=[client_obj.public_id]),
        new_url(client_obj),
    ]
    pages += [
        reverse("clients:section", args=[client_obj.public_id, section.key])
        for section in sections_for("front_desk")
    ]
    # Last: handing the tablet over locks the session to that form.
    return [*pages, new_url(client_obj) + "?tablet=1"]


def test_front_desk_never_sees_a_medical_label_or_detail(client, front_desk, smp_client, flagged):
    labels = list(flagged.flags.values_list("label", flat=True))
    assert len(labels) == len(ALL_YES) + 2
    client.force_login(front_desk)
    for url in front_desk_pages(smp_client):
        response = client.get(url)
        assert response.status_code == 200, url
        text = page(response)
        leaked = [label for label in labels if label in text]
        assert leaked == [], f"{url} shows {leaked}"
        assert PRIVATE_DETAIL not in text, url
        assert "BP controlled" not in text, url
    hand_back(client)
    banner = page(client.get(reverse("clients:detail", args=[smp_client.public_id])))
    assert "Medical flag:" in banner
    assert "blocked until a practitioner clears it" in banner


def test_front_desk_is_refused_every_medical_page(client, front_desk, smp_client, flagged):
    clearance = FlagClearance.objects.get()
    flag = flagged.flags.get(code="keloid")
    cid = smp_client.public_id
    client.force_login(front_desk)
    refused_gets = [
        medical_url(smp_client),
        detail_url(flagged),
        reverse("clients:flag_clear", args=[cid, flag.public_id]),
        reverse("clients:clearance_document", args=[cid, clearance.public_id]),
    ]
    for url in refused_gets:
        assert client.get(url).status_code == 403, url
    refused_posts = [
        reverse("clients:intake_review", args=[cid, flagged.public_id]),
        reverse("clients:flag_clear", args=[cid, flag.public_id]),
        reverse("clients:flag_carry_forward", args=[cid, flag.public_id]),
    ]
    for url in refused_posts:
        assert client.post(url, {"note": "x"}).status_code == 403, url
    flagged.refresh_from_db()
    assert not flagged.is_reviewed
    assert FlagClearance.objects.count() == 1


def test_practitioners_see_the_labels_in_the_banner_and_the_section(
    client, practitioner, smp_client, flagged
):
    client.force_login(practitioner)
    banner = page(client.get(reverse("clients:detail", args=[smp_client.public_id])))
    assert "Anticoagulant / bleeding disorder" in banner
    assert "Cardiac condition / hypertension (cleared)" in banner
    section = page(client.get(medical_url(smp_client)))
    assert PRIVATE_DETAIL in section
    assert "GP letter: BP controlled" in section
    assert 'data-testid="intake-history"' in section


def test_the_banner_asks_for_an_intake_when_there_is_none(client, front_desk, smp_client):
    client.force_login(front_desk)
    text = page(client.get(reverse("clients:detail", args=[smp_client.public_id])))
    assert "No medical intake on record" in text
    assert new_url(smp_client) + "?tablet=1" in text


def test_the_banner_shows_the_age_of_an_old_intake(frozen, client, front_desk, smp_client):
    make_intake(client=smp_client, by=front_desk)
    frozen.shift(timedelta(days=400))
    client.force_login(front_desk)
    text = page(client.get(reverse("clients:detail", args=[smp_client.public_id])))
    assert "Intake 400 days old" in text
    assert "Update the intake" in text


def test_a_practitioner_of_another_location_gets_404_on_every_intake_url(
    client, practitioner_elsewhere, smp_client, flagged
):
    cid = smp_client.public_id
    flag = flagged.flags.get(code="keloid")
    clearance = FlagClearance.objects.get()
    client.force_login(practitioner_elsewhere)
    for url in [
        new_url(smp_client),
        medical_url(smp_client),
        detail_url(flagged),
        reverse("clients:flag_clear", args=[cid, flag.public_id]),
        reverse("clients:clearance_document", args=[cid, clearance.public_id]),
    ]:
        assert client.get(url).status_code == 404, url
    for url in [
        reverse("clients:intake_review", args=[cid, flagged.public_id]),
        reverse("clients:flag_carry_forward", args=[cid, flag.public_id]),
    ]:
        assert client.post(url).status_code == 404, url


def test_an_intake_is_reached_only_through_its_own_client(
    client, practitioner, smp_client, location, flagged
):
    other = make_client(location=location, by=practitioner)
    client.force_login(practitioner)
    url = reverse("clients:intake_detail", args=[other.public_id, flagged.public_id])
    assert client.get(url).status_code == 404


# --- Detail, review, clearance, download ------------------------------------------------


def test_the_intake_detail_shows_the_questions_answers_flags_and_clearances(
    client, manager, smp_client, flagged
):
    client.force_login(manager)
    text = page(client.get(detail_url(flagged)))
    assert "Do your scars tend to become raised, thick or lumpy" in text
    assert PRIVATE_DETAIL in text
    assert "Last chemotherapy: " in text
    assert "Cleared by Priya Patel" in text
    assert "gp-letter.pdf" in text


def test_a_practitioner_marks_the_intake_reviewed_from_the_section(
    client, practitioner, smp_client, flagged
):
    client.force_login(practitioner)
    url = reverse("clients:intake_review", args=[smp_client.public_id, flagged.public_id])
    response = client.post(url, {"next": medical_url(smp_client)})
    assert response.status_code == 302
    assert response.url == medical_url(smp_client)
    flagged.refresh_from_db()
    assert flagged.reviewed_by == practitioner
    again = client.post(url, {"next": "https://evil.example/"}, follow=True)
    assert again.redirect_chain[-1][0] == detail_url(flagged)
    assert "already reviewed by Priya Patel" in page(again)


def test_clearing_a_flag_that_needs_a_letter_without_one_shows_the_error(
    client, practitioner, smp_client, flagged
):
    flag = flagged.flags.get(code="blood_thinners")
    url = reverse("clients:flag_clear", args=[smp_client.public_id, flag.public_id])
    client.force_login(practitioner)
    assert "GP letter (required)" in page(client.get(url))
    response = client.post(url, {"note": "Spoke to the GP"})
    text = page(response)
    assert response.status_code == 200
    assert "This flag needs a GP letter: upload it to record the clearance." in text
    assert "Spoke to the GP" in text
    assert not FlagClearance.objects.filter(flag=flag).exists()


def test_a_text_file_posing_as_a_pdf_is_refused_on_the_form(
    client, practitioner, smp_client, flagged
):
    flag = flagged.flags.get(code="blood_thinners")
    url = reverse("clients:flag_clear", args=[smp_client.public_id, flag.public_id])
    client.force_login(practitioner)
    response = client.post(url, {"note": "GP ok", "document": text_posing_as_pdf()})
    assert response.status_code == 200
    assert "not a PDF, JPEG or PNG" in page(response)
    assert not FlagClearance.objects.filter(flag=flag).exists()


def test_a_flag_is_cleared_with_a_letter_and_the_letter_downloads_privately(
    client, practitioner, smp_client, flagged
):
    flag = flagged.flags.get(code="blood_thinners")
    url = reverse("clients:flag_clear", args=[smp_client.public_id, flag.public_id])
    client.force_login(practitioner)
    response = client.post(url, {"note": "GP: safe to treat", "document": png_upload()})
    assert response.status_code == 302
    assert response.url == detail_url(flagged)
    clearance = FlagClearance.objects.get(flag=flag)
    download = client.get(
        reverse("clients:clearance_document", args=[smp_client.public_id, clearance.public_id])
    )
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert download["Content-Disposition"] == 'attachment; filename="letter.png"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "private" in download["Cache-Control"]
    assert "no-store" in download["Cache-Control"]
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")
    assert "Already cleared by Priya Patel" in page(client.get(url))


def test_a_clearance_is_carried_forward_in_one_click(client, practitioner, smp_client, flagged):
    second = make_intake(client=smp_client, by=practitioner, yes={"heart_blood_pressure"})
    flag = second.flags.get()
    client.force_login(practitioner)
    section = page(client.get(medical_url(smp_client)))
    assert "Carry the clearance forward" in section
    url = reverse("clients:flag_carry_forward", args=[smp_client.public_id, flag.public_id])
    response = client.post(url, {"next": medical_url(smp_client)})
    assert response.url == medical_url(smp_client)
    carried = FlagClearance.objects.get(flag=flag)
    assert carried.carried_from.flag.intake == flagged
    text = page(client.get(medical_url(smp_client)))
    assert "carried forward from the intake of" in text


def test_a_carry_forward_that_is_not_possible_says_why(client, practitioner, smp_client, flagged):
    second = make_intake(client=smp_client, by=practitioner, yes={"pregnancy"})
    url = reverse(
        "clients:flag_carry_forward", args=[smp_client.public_id, second.flags.get().public_id]
    )
    client.force_login(practitioner)
    response = client.post(url, follow=True)
    assert "no clearance of this flag to carry forward" in page(response)


def test_a_flag_of_an_older_intake_offers_no_clearance(client, practitioner, smp_client, flagged):
    make_intake(client=smp_client, by=practitioner)
    flag = flagged.flags.get(code="keloid")
    client.force_login(practitioner)
    text = page(
        client.get(reverse("clients:flag_clear", args=[smp_client.public_id, flag.public_id]))
    )
    assert "This flag belongs to an older intake" in text
    assert "A newer intake replaces this one" in page(client.get(detail_url(flagged)))


def test_the_medical_tab_swaps_in_alone_for_htmx(client, practitioner, smp_client, flagged):
    client.force_login(practitioner)
    response = client.get(
        medical_url(smp_client), headers={"HX-Request": "true", "HX-Target": "client-section"}
    )
    text = page(response)
    assert 'data-testid="medical-section"' in text
    assert "<html" not in text


# --- Versions ---------------------------------------------------------------------------


def test_an_old_submission_keeps_the_wording_of_its_own_version(
    client, practitioner, smp_client, monkeypatch
):
    first = make_intake(client=smp_client, by=practitioner)
    current = versions.questionnaire_current()
    reworded = tuple(
        q if q.code != "keloid" else type(q)(**{**q.__dict__, "text": "Do you form keloids?"})
        for q in current.questions
    )
    newer = Questionnaire(version="test-2", title=current.title, questions=reworded)
    monkeypatch.setitem(versions.VERSIONS, newer.version, newer)
    monkeypatch.setattr(versions, "CURRENT", newer.version)
    client.force_login(practitioner)
    assert "Do you form keloids?" in page(client.get(new_url(smp_client)))
    second = make_intake(client=smp_client, by=practitioner, yes={"keloid"})
    assert second.questionnaire_version == "test-2"

    old_page = page(client.get(detail_url(first)))
    assert "Do your scars tend to become raised" in old_page
    assert "Do you form keloids?" not in old_page
    assert "Do you form keloids?" in page(client.get(detail_url(second)))


def test_answers_of_an_unknown_version_are_still_shown(client, practitioner, smp_client):
    intake = make_intake(client=smp_client, by=practitioner, yes={"keloid"})
    MedicalIntake.objects.filter(pk=intake.pk).update(questionnaire_version="retired")
    client.force_login(practitioner)
    text = page(client.get(detail_url(intake)))
    assert "no longer known" in text
    assert "Question “keloid”" in text


# --- Query counts -----------------------------------------------------------------------


# Session, user, the user's locations and the client, then: the Medical tab's history,
# latest flags and previous clearances plus the banner's two and the consent line's one;
# the detail's intake, "is it the latest", flags and previous clearances; the client page's
# banner and consent line. Each clinical page also writes the audit row of the look.
# The full pages also read the client-page notices (a treatment plan waiting to be booked,
# a consultation appointment today to start), and the client page's Overview its next
# appointments and the course in progress.
QUERIES = {"section": 13, "detail": 9, "client_page": 11}


def add_history(client_obj, by, count):
    for _ in range(count):
        intake = make_intake(client=client_obj, by=by, yes={"keloid", "heart_blood_pressure"})
        flag_clear(flag=intake.flags.get(code="keloid"), by=by, note="Patch test fine")
        intake_mark_reviewed(intake=intake, by=by)


def client_with_history(location, by, previous: int):
    client_obj = make_client(location=location, by=by)
    add_history(client_obj, by, previous)
    latest = make_intake(client=client_obj, by=by, yes={"keloid", "diabetes"})
    return {
        "section": medical_url(client_obj),
        "detail": detail_url(latest),
        "client_page": reverse("clients:detail", args=[client_obj.public_id]),
    }


@pytest.mark.parametrize("view", sorted(QUERIES))
def test_medical_pages_cost_the_same_queries_with_1_or_8_previous_intakes(
    client, practitioner, location, django_assert_num_queries, view
):
    few = client_with_history(location, practitioner, 1)
    many = client_with_history(location, practitioner, 8)
    client.force_login(practitioner)
    client.get(few[view])  # the first request of a session warms nothing per page
    for urls in (few, many):
        with django_assert_num_queries(QUERIES[view]):
            assert client.get(urls[view]).status_code == 200
