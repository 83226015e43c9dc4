"""The reads the client page and the calendar use: latest intake, summary, block reason."""

from datetime import timedelta

from clients.intake.selectors import (
    FlagSummary,
    client_flag_summary,
    client_ids_blocked_for_sessions,
    client_latest_intake,
    client_session_block_reason,
    client_session_blocks,
    session_blocked_on,
)
from clients.intake.services import flag_clear, intake_mark_reviewed
from tests.clients.conftest import TODAY
from tests.factories import make_client, make_intake

BLOCKED = (
    "Sam Carter has a medical flag that blocks pigmentation sessions until a practitioner "
    "records a clearance."
)


def test_a_client_without_an_intake_has_an_empty_summary_and_is_not_blocked_here(
    frozen, smp_client
):
    assert client_latest_intake(client=smp_client) is None
    summary = client_flag_summary(client=smp_client)
    assert summary == FlagSummary()
    assert summary.needs_intake
    assert client_session_block_reason(client=smp_client, on=TODAY) is None


def test_the_latest_submission_counts(frozen, smp_client, front_desk):
    make_intake(client=smp_client, by=front_desk, yes={"keloid"})
    frozen.shift(timedelta(days=1))
    latest = make_intake(client=smp_client, by=front_desk)
    assert client_latest_intake(client=smp_client) == latest
    assert client_session_block_reason(client=smp_client, on=TODAY) is None

    frozen.shift(timedelta(days=1))
    make_intake(client=smp_client, by=front_desk, yes={"pregnancy"})
    assert client_session_block_reason(client=smp_client, on=TODAY) == BLOCKED


def test_the_summary_counts_blocking_warning_and_cleared_flags(
    frozen, smp_client, front_desk, practitioner
):
    intake = make_intake(
        client=smp_client,
        by=front_desk,
        yes={"keloid", "pregnancy", "diabetes", "epilepsy", "scalp_skin_condition"},
    )
    flag_clear(flag=intake.flags.get(code="keloid"), by=practitioner, note="Patch test fine")
    flag_clear(flag=intake.flags.get(code="epilepsy"), by=practitioner, note="Seizure-free")
    frozen.shift(timedelta(days=3))
    summary = client_flag_summary(client=smp_client)
    assert summary == FlagSummary(
        has_intake=True,
        intake_age_days=3,
        intake_reviewed=False,
        blocking_uncleared=1,
        warnings=2,
        cleared=2,
        blocks_sessions=True,
        intake_stale=False,
    )


def test_clearing_every_blocking_flag_lifts_the_block(frozen, smp_client, practitioner):
    intake = make_intake(client=smp_client, by=practitioner, yes={"keloid", "diabetes"})
    assert client_session_block_reason(client=smp_client, on=TODAY) == BLOCKED
    flag_clear(flag=intake.flags.get(code="keloid"), by=practitioner, note="Patch test fine")
    assert client_session_block_reason(client=smp_client, on=TODAY) is None
    summary = client_flag_summary(client=smp_client)
    assert (summary.blocks_sessions, summary.warnings, summary.cleared) == (False, 1, 1)


def test_a_time_window_flag_lapses_between_today_and_a_later_date(frozen, smp_client, front_desk):
    # The last laser session was 80 days ago: the flag applies for 10 more days.
    make_intake(client=smp_client, by=front_desk, dates={"laser_removal": TODAY - timedelta(80)})
    lapse = TODAY + timedelta(days=10)
    assert client_session_block_reason(client=smp_client, on=TODAY) == BLOCKED
    assert client_session_block_reason(client=smp_client, on=lapse) == BLOCKED
    assert client_session_block_reason(client=smp_client, on=lapse + timedelta(days=1)) is None
    later = client_flag_summary(client=smp_client, on=lapse + timedelta(days=1))
    assert (later.blocks_sessions, later.blocking_uncleared) == (False, 0)
    assert client_flag_summary(client=smp_client).blocks_sessions


def test_chemotherapy_five_months_ago_blocks_until_six_months_have_passed(
    frozen, smp_client, front_desk
):
    last = TODAY - timedelta(days=150)
    make_intake(client=smp_client, by=front_desk, dates={"chemotherapy": last})
    assert client_session_block_reason(client=smp_client, on=TODAY) == BLOCKED
    assert client_session_block_reason(client=smp_client, on=TODAY + timedelta(days=60)) is None


def test_an_old_intake_is_marked_stale_when_the_session_gate_would_refuse_it(
    frozen, smp_client, front_desk, practitioner, settings
):
    intake = make_intake(client=smp_client, by=front_desk)
    intake_mark_reviewed(intake=intake, by=practitioner)
    settings.SESSION_INTAKE_MAX_AGE_DAYS = 60
    frozen.shift(timedelta(days=60))
    summary = client_flag_summary(client=smp_client)
    assert summary.intake_reviewed
    assert not summary.intake_stale
    frozen.shift(timedelta(days=1))
    summary = client_flag_summary(client=smp_client)
    assert summary.intake_stale
    assert summary.needs_intake
    assert summary.intake_age_days == 61


def test_the_summary_and_reason_cost_two_queries(
    frozen, smp_client, front_desk, django_assert_num_queries
):
    make_intake(client=smp_client, by=front_desk, yes={"keloid", "diabetes", "pregnancy"})
    with django_assert_num_queries(2):
        client_flag_summary(client=smp_client)
    with django_assert_num_queries(2):
        client_session_block_reason(client=smp_client, on=TODAY)


def test_another_clients_flags_never_count(frozen, smp_client, front_desk, location):
    other = make_client(location=location, by=front_desk)
    make_intake(client=other, by=front_desk, yes={"keloid"})
    make_intake(client=smp_client, by=front_desk)
    assert client_session_block_reason(client=smp_client, on=TODAY) is None


def test_many_clients_are_checked_for_a_block_in_one_query(
    frozen, smp_client, front_desk, practitioner, location, django_assert_num_queries
):
    def new_client(**intake):
        other = make_client(location=location, by=front_desk)
        if intake:
            make_intake(client=other, by=front_desk, **intake)
        return other

    make_intake(client=smp_client, by=front_desk, yes={"keloid"})
    no_intake = new_client()
    warned = new_client(yes={"diabetes"})
    cleared = new_client(yes={"pregnancy"})
    flag_clear(flag=cleared.medical_intakes.get().flags.get(), by=practitioner, note="Not pregnant")
    lapsing = new_client(dates={"laser_removal": TODAY - timedelta(days=85)})
    superseded = new_client(yes={"keloid"})
    make_intake(client=superseded, by=front_desk)
    everyone = [smp_client, no_intake, warned, cleared, lapsing, superseded]
    ids = [c.pk for c in everyone]

    with django_assert_num_queries(1):
        blocked = client_ids_blocked_for_sessions(client_ids=ids, on=TODAY)
    assert blocked == {smp_client.pk, lapsing.pk}
    later = TODAY + timedelta(days=30)
    assert client_ids_blocked_for_sessions(client_ids=ids, on=later) == {smp_client.pk}
    for each in everyone:
        for day in (TODAY, later):
            reason = client_session_block_reason(client=each, on=day)
            assert (reason is not None) is (
                each.pk in client_ids_blocked_for_sessions(client_ids=ids, on=day)
            )


def test_blocks_read_once_judge_each_later_day_like_the_block_reason(
    frozen, smp_client, front_desk, location, django_assert_num_queries
):
    """One read for a week of sessions: each client's block lasts to its latest window, or
    until cleared when any of its blocking flags has no window."""
    windowed = make_client(location=location, by=front_desk)
    make_intake(
        client=windowed,
        by=front_desk,
        dates={
            "laser_removal": TODAY - timedelta(days=85),
            "chemotherapy": TODAY - timedelta(days=170),
        },
    )
    open_ended = make_client(location=location, by=front_desk)
    make_intake(
        client=open_ended,
        by=front_desk,
        yes={"keloid"},
        dates={"laser_removal": TODAY - timedelta(days=85)},
    )
    everyone = [smp_client, windowed, open_ended]
    with django_assert_num_queries(1):
        blocks = client_session_blocks(client_ids=[c.pk for c in everyone], on=TODAY)
    assert set(blocks) == {windowed.pk, open_ended.pk}
    assert blocks[open_ended.pk] is None
    for day in (TODAY + timedelta(days=n) for n in range(0, 40, 3)):
        for each in everyone:
            expected = client_session_block_reason(client=each, on=day) is not None
            assert session_blocked_on(blocks, each.pk, day) is expected, (each, day)
