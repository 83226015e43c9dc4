"""The questionnaire's rules on their own: validation messages, flags, time windows."""

from datetime import date, timedelta

import pytest

from clients.intake.questionnaire import (
    ANSWER_REQUIRED,
    BLOCK,
    DATE_IN_FUTURE,
    WARN,
    FlagRule,
    Kind,
    Question,
    Questionnaire,
    add_months,
)
from clients.intake.versions import VERSIONS, questionnaire_current
from tests.factories import intake_answers

TODAY = date(2025, 6, 16)

# The clinical decision for every contraindication of the design: severity, whether it
# blocks sessions, whether clearing it needs a GP letter.
EXPECTED_RULES = {
    "keloid": (BLOCK, True, False),
    "blood_thinners": (BLOCK, True, True),
    "scalp_skin_condition": (WARN, False, False),
    "scalp_active_lesion": (BLOCK, True, False),
    "pregnancy": (BLOCK, True, False),
    "diabetes": (WARN, False, False),
    "epilepsy": (WARN, False, False),
    "heart_blood_pressure": (BLOCK, True, True),
    "scalp_herpes": (BLOCK, True, False),
    "isotretinoin_steroids": (BLOCK, True, False),
    "pigment_allergy": (BLOCK, True, False),
    "temporary_alopecia": (WARN, False, False),
    "chemotherapy": (BLOCK, True, True),
    "laser_removal": (BLOCK, True, False),
}


def flags_for(**kwargs):
    questionnaire = questionnaire_current()
    cleaned, errors = questionnaire.validate(intake_answers(**kwargs), today=TODAY)
    assert errors == {}
    return questionnaire.flags(cleaned, today=TODAY)


def test_the_current_questionnaire_covers_every_contraindication_of_the_design():
    flagged = {q.code for q in questionnaire_current().questions if q.flag is not None}
    assert flagged == set(EXPECTED_RULES)


def test_the_current_questionnaire_has_a_free_text_question_that_raises_no_flag():
    text_questions = [q for q in questionnaire_current().questions if q.kind == Kind.TEXT]
    assert [q.code for q in text_questions] == ["other"]
    assert text_questions[0].flag is None
    assert flags_for(other="Vitamin D, hay fever") == []


@pytest.mark.parametrize("code", sorted(EXPECTED_RULES))
def test_a_yes_raises_the_flag_of_its_rule(code):
    dates = {code: TODAY - timedelta(days=10)} if code in ("chemotherapy", "laser_removal") else {}
    yes = set() if dates else {code}
    (flag,) = flags_for(yes=yes, dates=dates)
    severity, blocks, needs_letter = EXPECTED_RULES[code]
    assert (flag.code, flag.severity, flag.blocks_sessions, flag.requires_document) == (
        code,
        severity,
        blocks,
        needs_letter,
    )
    assert flag.label


def test_all_no_raises_no_flag():
    assert flags_for() == []


def test_the_flag_detail_carries_the_clients_own_words_and_date():
    (flag,) = flags_for(
        dates={"chemotherapy": date(2025, 3, 3)}, details={"chemotherapy": "Bowel, 6 cycles"}
    )
    assert flag.detail == "Last chemotherapy: 3 March 2025. Bowel, 6 cycles"


@pytest.mark.parametrize(
    ("days_ago", "flagged"), [(80, True), (90, True), (91, False), (100, False)]
)
def test_laser_removal_blocks_for_90_days_after_the_last_session(days_ago, flagged):
    last = TODAY - timedelta(days=days_ago)
    flags = flags_for(dates={"laser_removal": last})
    assert bool(flags) is flagged
    if flagged:
        assert flags[0].active_until == last + timedelta(days=90)


@pytest.mark.parametrize(
    ("last", "flagged"),
    [
        (date(2025, 1, 16), True),  # 5 months ago
        (date(2024, 12, 16), True),  # exactly 6 months ago: still inside the window
        (date(2024, 12, 15), False),
        (date(2024, 11, 16), False),  # 7 months ago
    ],
)
def test_chemotherapy_blocks_for_6_months_after_the_last_treatment(last, flagged):
    flags = flags_for(dates={"chemotherapy": last})
    assert bool(flags) is flagged
    if flagged:
        assert flags[0].active_until == add_months(last, 6)


def test_adding_months_keeps_to_the_end_of_a_shorter_month():
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert add_months(date(2023, 8, 31), 6) == date(2024, 2, 29)
    assert add_months(date(2025, 1, 16), 6) == date(2025, 7, 16)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)


def test_every_question_needs_an_answer():
    answers = intake_answers()
    del answers["keloid"]
    answers["diabetes"] = {"answer": "maybe"}
    _, errors = questionnaire_current().validate(answers, today=TODAY)
    assert errors == {"keloid": [ANSWER_REQUIRED], "diabetes": [ANSWER_REQUIRED]}


def test_a_dated_yes_needs_a_date_that_is_not_in_the_future():
    questionnaire = questionnaire_current()
    answers = intake_answers(yes={"chemotherapy"})
    _, errors = questionnaire.validate(answers, today=TODAY)
    assert errors == {"chemotherapy__date": ["Give the date of your last chemotherapy treatment."]}

    answers = intake_answers(dates={"laser_removal": TODAY + timedelta(days=1)})
    _, errors = questionnaire.validate(answers, today=TODAY)
    assert errors == {"laser_removal__date": [DATE_IN_FUTURE]}

    answers = intake_answers(dates={"laser_removal": "not a date"})
    _, errors = questionnaire.validate(answers, today=TODAY)
    assert list(errors) == ["laser_removal__date"]


def test_a_date_given_with_a_no_is_not_kept():
    answers = intake_answers()
    answers["chemotherapy"]["date"] = TODAY
    cleaned, errors = questionnaire_current().validate(answers, today=TODAY)
    assert errors == {}
    assert cleaned["chemotherapy"] == {"answer": "no"}


def test_answers_to_questions_of_another_version_are_refused():
    answers = {**intake_answers(), "hair_colour": {"answer": "yes"}}
    _, errors = questionnaire_current().validate(answers, today=TODAY)
    assert "hair_colour" in errors["__all__"][0]


def test_a_questionnaire_refuses_repeated_codes_and_undated_windows():
    rule = FlagRule(label="X", severity=BLOCK)
    with pytest.raises(ValueError, match="repeats"):
        Questionnaire("t", "t", (Question("a", "A?", flag=rule), Question("a", "B?")))
    with pytest.raises(ValueError, match="missing date"):
        Questionnaire("t", "t", (Question("a", "A?", kind=Kind.YES_NO_DATE),))


def test_every_registered_version_is_keyed_by_its_own_version_string():
    assert all(key == questionnaire.version for key, questionnaire in VERSIONS.items())
