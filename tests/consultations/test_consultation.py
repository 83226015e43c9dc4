import html
import re
from datetime import UTC, date, time, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from consultations import services
from consultations.models import Consultation, TreatmentPlan
from scheduling.models import Appointment, Course
from smp_clinic.lib.tz import local_datetime
from tests.factories import (
    COMPLETE_ASSESSMENT,
    RoomFactory,
    make_appointment,
    make_consultation,
    make_intake,
    next_weekday,
)

DETAIL_QUERIES = 12


@pytest.fixture
def room(location):
    return RoomFactory(location=location, name="Consultation room")


@pytest.fixture
def consultation_appointment(smp_client, practitioner, room):
    return make_appointment(
        client=smp_client, practitioner=practitioner, room=room, day=next_weekday(1)
    )


@pytest.fixture
def doctor(client, practitioner):
    client.force_login(practitioner)
    return client


def test_starting_from_an_appointment_is_idempotent_and_moves_a_checked_in_client_in(
    consultation_appointment, smp_client, practitioner, front_desk, location
):
    from scheduling.services import appointment_set_status

    day = timezone.localtime(consultation_appointment.start, location.tz).date()
    with time_machine.travel(local_datetime(day, time(9, 55), location.tz)):
        appointment_set_status(
            appointment=consultation_appointment, by=front_desk, status="checked_in"
        )
        first = services.consultation_start(
            client=smp_client, by=practitioner, appointment=consultation_appointment
        )
        again = services.consultation_start(
            client=smp_client, by=practitioner, appointment=consultation_appointment
        )
    assert first.pk == again.pk
    consultation_appointment.refresh_from_db()
    assert consultation_appointment.status == Appointment.Status.IN_PROGRESS


def test_the_appointment_page_offers_to_start_the_consultation(doctor, consultation_appointment):
    page = doctor.get(
        reverse("scheduling:appointment", args=[consultation_appointment.public_id])
    ).content.decode()
    assert "Start consultation" in page
    start_url = reverse("consultations:start", args=[consultation_appointment.client.public_id])
    response = doctor.post(start_url + f"?appointment={consultation_appointment.public_id}")
    consultation = Consultation.objects.get()
    assert response.url == reverse("consultations:detail", args=[consultation.public_id])
    page = doctor.get(
        reverse("scheduling:appointment", args=[consultation_appointment.public_id])
    ).content.decode()
    assert "Open consultation" in page


def test_front_desk_cannot_start_a_consultation(client, front_desk, smp_client):
    client.force_login(front_desk)
    assert (
        client.post(reverse("consultations:start", args=[smp_client.public_id])).status_code == 403
    )
    with pytest.raises(ValidationError, match="Only practitioners and managers"):
        services.consultation_start(client=smp_client, by=front_desk)


def test_autosave_keeps_a_draft_without_completing_it(doctor, smp_client, practitioner):
    consultation = services.consultation_start(client=smp_client, by=practitioner)
    response = doctor.post(
        reverse("consultations:detail", args=[consultation.public_id]),
        {
            "concern": "male_pattern",
            "norwood_stage": "V",
            "notes": "Wants a sharp line",
            "autosave": "1",
        },
        HTTP_HX_REQUEST="true",
    )
    assert "Saved" in response.content.decode()
    assert "<html" not in response.content.decode()
    consultation.refresh_from_db()
    assert consultation.norwood_stage == "V"
    assert consultation.notes == "Wants a sharp line"
    assert consultation.is_draft


def test_an_autosave_with_one_invalid_field_keeps_the_valid_ones_and_names_the_bad_one(
    doctor, smp_client, practitioner
):
    consultation = services.consultation_start(client=smp_client, by=practitioner)
    services.consultation_save_draft(
        consultation=consultation, by=practitioner, data={"scar_length_mm": 40}
    )
    response = doctor.post(
        reverse("consultations:detail", args=[consultation.public_id]),
        {
            "concern": "scar",
            "scar_type": "fut_strip",
            "scar_length_mm": "9999",
            "notes": "Strip scar from a 2015 transplant",
            "autosave": "1",
        },
        HTTP_HX_REQUEST="true",
    )
    status = html.unescape(response.content.decode())
    assert "<html" not in status
    assert "Saved" in status
    assert "Not saved, to correct: Scar length (mm): Between 1 and 500 mm." in status
    consultation.refresh_from_db()
    assert consultation.notes == "Strip scar from a 2015 transplant"
    assert (consultation.concern, consultation.scar_type) == ("scar", "fut_strip")
    assert consultation.scar_length_mm == 40  # the refused value never replaced the saved one


def test_saving_a_draft_with_the_button_and_an_invalid_field_saves_nothing_and_shows_it(
    doctor, smp_client, practitioner
):
    consultation = services.consultation_start(client=smp_client, by=practitioner)
    response = doctor.post(
        reverse("consultations:detail", args=[consultation.public_id]),
        {"scar_length_mm": "9999", "notes": "Kept on the page", "save": "1"},
    )
    page = response.content.decode()
    assert 'data-testid="form-errors"' in page
    assert "Kept on the page" in page  # the answers come back to be corrected
    consultation.refresh_from_db()
    assert consultation.notes == ""


def test_an_autosave_after_completion_in_another_tab_answers_in_the_status_line(
    doctor, smp_client, practitioner
):
    consultation = make_consultation(client=smp_client, practitioner=practitioner)
    response = doctor.post(
        reverse("consultations:detail", args=[consultation.public_id]),
        {**COMPLETE_ASSESSMENT, "notes": "typed in the old tab", "autosave": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    status = response.content.decode()
    assert "<html" not in status
    assert 'data-testid="save-refused"' in status
    assert "completed (perhaps in another tab)" in status
    consultation.refresh_from_db()
    assert consultation.notes == ""


def test_an_autosave_racing_the_completion_is_refused_in_the_status_line(
    doctor, smp_client, practitioner, monkeypatch
):
    """The tab read the consultation as a draft a moment before another tab completed it."""
    from consultations import views

    consultation = make_consultation(client=smp_client, practitioner=practitioner)
    stale = Consultation.objects.get(pk=consultation.pk)
    stale.status = Consultation.Status.DRAFT
    monkeypatch.setattr(
        views.selectors, "consultation_get_for_user", lambda *, user, public_id: stale
    )
    url = reverse("consultations:detail", args=[consultation.public_id])
    racing = doctor.post(
        url, {**COMPLETE_ASSESSMENT, "notes": "late", "autosave": "1"}, HTTP_HX_REQUEST="true"
    )
    assert "completed (perhaps in another tab)" in racing.content.decode()
    button = doctor.post(url, {**COMPLETE_ASSESSMENT, "notes": "late", "save": "1"})
    assert button.status_code == 302
    consultation.refresh_from_db()
    assert consultation.notes == ""


def test_a_double_tap_on_a_walk_in_start_opens_one_draft(doctor, smp_client, practitioner):
    url = reverse("consultations:start", args=[smp_client.public_id])
    first = doctor.post(url)
    second = doctor.post(url)
    consultation = Consultation.objects.get()
    assert first.url == second.url == reverse("consultations:detail", args=[consultation.public_id])


def test_a_walk_in_draft_is_reused_only_by_its_practitioner_on_its_day(
    smp_client, practitioner, manager, location
):
    monday = next_weekday(0)
    with time_machine.travel(local_datetime(monday, time(9), location.tz)):
        yesterdays = services.consultation_start(client=smp_client, by=practitioner)
    with time_machine.travel(local_datetime(monday + timedelta(days=1), time(8), location.tz)):
        today = services.consultation_start(client=smp_client, by=practitioner)
        assert today.pk != yesterdays.pk
        assert services.consultation_start(client=smp_client, by=practitioner).pk == today.pk
        colleague = services.consultation_start(client=smp_client, by=manager)
        assert colleague.pk != today.pk
        Consultation.objects.filter(pk=today.pk).update(
            status="completed", completed_at=timezone.now(), decision="proceed"
        )
        after_completion = services.consultation_start(client=smp_client, by=practitioner)
    assert after_completion.pk not in {today.pk, yesterdays.pk, colleague.pk}
    assert Consultation.objects.count() == 4


def test_starting_again_after_the_client_is_archived_is_refused_even_with_todays_walk_in_draft(
    doctor, smp_client, practitioner, front_desk
):
    from clients.services import client_archive

    url = reverse("consultations:start", args=[smp_client.public_id])
    doctor.post(url)
    client_archive(client=smp_client, by=front_desk)
    response = doctor.post(url, follow=True)
    assert response.redirect_chain == [
        (reverse("clients:detail", args=[smp_client.public_id]), 302)
    ]
    assert "Sam Carter is archived; restore the client first." in html.unescape(
        response.content.decode()
    )
    smp_client.refresh_from_db()
    with pytest.raises(ValidationError, match="is archived"):
        services.consultation_start(client=smp_client, by=practitioner)
    assert Consultation.objects.count() == 1


def test_starting_from_an_appointment_of_an_archived_client_is_refused_even_once_opened(
    consultation_appointment, smp_client, practitioner, front_desk
):
    from clients.services import client_archive

    services.consultation_start(
        client=smp_client, by=practitioner, appointment=consultation_appointment
    )
    client_archive(client=smp_client, by=front_desk)
    smp_client.refresh_from_db()
    with pytest.raises(ValidationError, match="is archived"):
        services.consultation_start(
            client=smp_client, by=practitioner, appointment=consultation_appointment
        )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"concern": ""}, "Record the client's main concern."),
        ({"norwood_stage": ""}, "Grade the hair loss on the Norwood–Hamilton scale."),
        (
            {"concern": "female_thinning", "norwood_stage": ""},
            "Grade the thinning on the Ludwig or Savin scale.",
        ),
        ({"concern": "scar", "scar_type": ""}, "Say what kind of scar it is."),
        ({"fitzpatrick": ""}, "The Fitzpatrick skin type sets the shade"),
        ({"decision": ""}, "Record the outcome"),
        ({"decision": "thinking"}, "Choose when to follow up."),
        ({"decision": "not_suitable"}, "Say why SMP is not suitable"),
        ({"recommended_shade": ""}, "Recommend a starting shade."),
    ],
)
def test_completion_names_what_is_missing_and_keeps_the_draft(
    doctor, smp_client, practitioner, fields, message
):
    consultation = make_consultation(
        client=smp_client, practitioner=practitioner, complete=False, **fields
    )
    response = doctor.post(
        reverse("consultations:detail", args=[consultation.public_id]),
        {**COMPLETE_ASSESSMENT, **fields, "complete": "1"},
    )
    assert message in html.unescape(response.content.decode())
    consultation.refresh_from_db()
    assert consultation.is_draft


def test_flags_must_be_acknowledged_before_completing(doctor, smp_client, practitioner):
    make_intake(client=smp_client, by=practitioner, yes={"diabetes"})
    consultation = make_consultation(
        client=smp_client, practitioner=practitioner, complete=False, intake=False
    )
    page = doctor.get(
        reverse("consultations:detail", args=[consultation.public_id])
    ).content.decode()
    assert "Diabetes" in page
    response = doctor.post(
        reverse("consultations:detail", args=[consultation.public_id]),
        {**COMPLETE_ASSESSMENT, "complete": "1"},
    )
    assert (
        "Review the medical flags with the client and acknowledge them" in response.content.decode()
    )
    doctor.post(reverse("consultations:acknowledge", args=[consultation.public_id]))
    response = doctor.post(
        reverse("consultations:detail", args=[consultation.public_id]),
        {**COMPLETE_ASSESSMENT, "complete": "1"},
    )
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert not consultation.is_draft


def test_a_newer_intake_needs_a_new_acknowledgement(smp_client, practitioner):
    consultation = make_consultation(client=smp_client, practitioner=practitioner, complete=False)
    make_intake(client=smp_client, by=practitioner, yes={"epilepsy"})
    with pytest.raises(ValidationError, match="acknowledge them"):
        services.consultation_complete(consultation=consultation, by=practitioner)


def test_proceeding_without_any_intake_is_refused(smp_client, practitioner):
    consultation = make_consultation(
        client=smp_client, practitioner=practitioner, complete=False, intake=False
    )
    with pytest.raises(ValidationError, match="no medical intake on record"):
        services.consultation_complete(consultation=consultation, by=practitioner)


def test_thinking_it_over_needs_a_future_follow_up_date(smp_client, practitioner):
    yesterday = timezone.localdate() - timedelta(days=1)
    consultation = make_consultation(
        client=smp_client,
        practitioner=practitioner,
        complete=False,
        decision="thinking",
        follow_up_on=yesterday,
    )
    with pytest.raises(ValidationError, match="must be in the future"):
        services.consultation_complete(consultation=consultation, by=practitioner)
    services.consultation_save_draft(
        consultation=consultation,
        by=practitioner,
        data={"follow_up_on": timezone.localdate() + timedelta(days=14)},
    )
    completed = services.consultation_complete(consultation=consultation, by=practitioner)
    assert completed.status == "completed"
    assert not TreatmentPlan.objects.exists()


def test_proceeding_creates_a_default_three_session_plan(smp_client, practitioner):
    consultation = make_consultation(client=smp_client, practitioner=practitioner)
    plan = consultation.plan
    assert plan.sessions == 3
    assert (plan.min_interval_days, plan.max_interval_days) == (10, 30)
    assert plan.starting_shade == "Shade 2, 1:3 dilution"
    assert [g.goal.split(":")[0] for g in plan.session_goals.all()] == [
        "Foundation",
        "Density",
        "Blending",
    ]


def test_completing_completes_the_appointment_on_its_day(
    consultation_appointment, smp_client, practitioner, location
):
    day = timezone.localtime(consultation_appointment.start, location.tz).date()
    with time_machine.travel(local_datetime(day, time(10, 30), location.tz)):
        make_consultation(
            client=smp_client, practitioner=practitioner, appointment=consultation_appointment
        )
    consultation_appointment.refresh_from_db()
    assert consultation_appointment.status == Appointment.Status.COMPLETED


def test_a_completed_consultation_is_read_only(doctor, smp_client, practitioner):
    consultation = make_consultation(client=smp_client, practitioner=practitioner)
    response = doctor.post(
        reverse("consultations:detail", args=[consultation.public_id]),
        {**COMPLETE_ASSESSMENT, "notes": "changed"},
    )
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.notes == ""
    with pytest.raises(ValidationError, match="can no longer be changed"):
        services.consultation_save_draft(
            consultation=consultation, by=practitioner, data={"notes": "x"}
        )


def test_the_next_consultation_starts_from_the_last_ones_skin_and_hair(smp_client, practitioner):
    make_consultation(
        client=smp_client, practitioner=practitioner, fitzpatrick="V", hair_colour="black"
    )
    follow_up = services.consultation_start(client=smp_client, by=practitioner)
    assert (follow_up.fitzpatrick, follow_up.hair_colour) == ("V", "black")


def test_a_practitioner_elsewhere_gets_404(
    client, practitioner_elsewhere, smp_client, practitioner
):
    consultation = make_consultation(client=smp_client, practitioner=practitioner)
    client.force_login(practitioner_elsewhere)
    assert (
        client.get(reverse("consultations:detail", args=[consultation.public_id])).status_code
        == 404
    )


def test_plan_edit_validates_and_saves_goals(doctor, smp_client, practitioner):
    consultation = make_consultation(client=smp_client, practitioner=practitioner)
    url = reverse("consultations:plan", args=[consultation.public_id])
    base = {
        "sessions": 4,
        "min_interval_days": 10,
        "max_interval_days": 30,
        "starting_shade": "Shade 1",
        "starting_dilution": "1:4",
        "price": "1450.00",
        "notes": "",
        "goal-TOTAL_FORMS": 4,
        "goal-INITIAL_FORMS": 4,
        "goal-MIN_NUM_FORMS": 0,
        "goal-MAX_NUM_FORMS": 4,
    }
    goals = {f"goal-{i}-goal": f"Goal {i + 1}" for i in range(4)}
    bad = doctor.post(url, {**base, **goals, "min_interval_days": 3, "price": "-5"})
    content = bad.content.decode()
    assert "at least 7 days apart" in content
    assert "greater than or equal to 0" in content
    missing = doctor.post(url, {**base, **goals, "goal-3-goal": ""})
    assert "Give every session a goal." in missing.content.decode()
    ok = doctor.post(url, {**base, **goals, "goal-0-shade": "1", "goal-0-dilution": "1:4"})
    assert ok.status_code == 302
    plan = TreatmentPlan.objects.get()
    assert plan.sessions == 4
    assert [g.goal for g in plan.session_goals.all()] == ["Goal 1", "Goal 2", "Goal 3", "Goal 4"]


def test_book_the_course_proposes_and_books_linked_sessions(
    doctor, smp_client, practitioner, location, monkeypatch
):
    from tests.factories import give_rota

    give_rota(practitioner, location)
    RoomFactory(location=location, name="Treatment room")
    consultation = make_consultation(client=smp_client, practitioner=practitioner)
    url = reverse("consultations:plan_book", args=[consultation.public_id])
    page = doctor.get(url)
    proposals = page.context["proposals"]
    assert len(proposals) == 3
    assert all(p.slot for p in proposals)
    chosen = [
        f"{p.slot.start.isoformat()}|{p.slot.practitioner.public_id}|{p.slot.room.public_id}"
        for p in proposals
    ]
    response = doctor.post(url, {"session": chosen})
    assert response.status_code == 302
    plan = TreatmentPlan.objects.get()
    assert plan.course is not None
    assert plan.course.appointments.filter(status="booked").count() == 3
    again = doctor.post(url, {"session": chosen})
    assert "already booked" in again.content.decode()
    assert Course.objects.count() == 1


def test_booking_a_course_when_sessions_are_not_offered_says_how_to_fix_it(
    doctor, client, smp_client, practitioner, front_desk
):
    from scheduling.models import AppointmentType

    consultation = make_consultation(client=smp_client, practitioner=practitioner)
    AppointmentType.objects.filter(kind="session").update(is_active=False)
    url = reverse("consultations:plan_book", args=[consultation.public_id])
    response = doctor.get(url, follow=True)
    assert "Pigmentation sessions are not offered as an appointment type" in (
        response.content.decode()
    )
    assert not Course.objects.exists()
    # The front desk books courses too: the message lands on a page it may open.
    client.force_login(front_desk)
    desk = client.get(url, follow=True)
    assert desk.status_code == 200
    assert desk.redirect_chain[-1][0] == reverse("clients:detail", args=[smp_client.public_id])
    assert "Pigmentation sessions are not offered" in desk.content.decode()


@pytest.mark.parametrize("flags", [0, 6])
def test_detail_query_count_is_constant(
    doctor, smp_client, practitioner, flags, django_assert_num_queries
):
    codes = ["diabetes", "epilepsy", "keloid", "psoriasis_eczema", "pregnancy", "pigment_allergy"][
        :flags
    ]
    make_intake(client=smp_client, by=practitioner, yes=set(codes))
    consultation = make_consultation(client=smp_client, practitioner=practitioner, complete=False)
    # session, user, location ids, consultation, latest intake, its flags, plan (none yet),
    # the design versions, the photos taken at it, the photo consent, and the audit trail:
    # whose consultation it is, the "viewed" row
    with django_assert_num_queries(DETAIL_QUERIES):
        response = doctor.get(reverse("consultations:detail", args=[consultation.public_id]))
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 5])
def test_consultations_tab_query_count_is_constant(
    doctor, smp_client, practitioner, count, django_assert_num_queries
):
    for _ in range(count):
        make_consultation(client=smp_client, practitioner=practitioner)
    # session, user, location ids, client, consultations (with plan and course joined),
    # flag banner: latest intake and its flags, the consent line, the notices (a plan to
    # book, a consultation appointment today), the audit row of this look
    with django_assert_num_queries(11):
        response = doctor.get(
            reverse("clients:section", args=[smp_client.public_id, "consultations"])
        )
    assert response.content.decode().count("list-group-item-action") == count


def test_the_front_desk_is_told_of_an_agreed_plan_and_books_its_course(
    client, front_desk, smp_client, practitioner, location
):
    from tests.factories import give_rota

    give_rota(practitioner, location)
    RoomFactory(location=location, name="Treatment room")
    consultation = make_consultation(client=smp_client, practitioner=practitioner)
    client.force_login(front_desk)
    page = client.get(reverse("clients:detail", args=[smp_client.public_id])).content.decode()
    assert "Treatment plan agreed on" in page
    assert "3 sessions, 10–30 days apart, not booked yet." in page
    book_url = reverse("consultations:plan_book", args=[consultation.public_id])
    proposals = client.get(book_url).context["proposals"]
    chosen = [
        f"{p.slot.start.isoformat()}|{p.slot.practitioner.public_id}|{p.slot.room.public_id}"
        for p in proposals
    ]
    assert client.post(book_url, {"session": chosen}).status_code == 302
    assert Course.objects.get(client=smp_client).appointments.count() == 3
    page = client.get(reverse("clients:detail", args=[smp_client.public_id])).content.decode()
    assert "not booked yet" not in page


def test_on_a_consultation_appointment_start_consultation_is_the_one_primary_action(
    doctor, consultation_appointment
):
    page = doctor.get(
        reverse("scheduling:appointment", args=[consultation_appointment.public_id])
    ).content.decode()
    solid = re.findall(
        r'class="btn (btn-primary|btn-success)[^"]*"[^>]*>(?:<i[^>]*></i>)?\s*([^<]+)', page
    )
    assert [label.strip() for _, label in solid] == ["Start consultation"]
    assert "btn-outline-success" in page  # checking in is still one tap away


@pytest.fixture
def todays_consultation(client, smp_client, practitioner, room, location):
    day = next_weekday(1)
    with time_machine.travel(local_datetime(day, time(8), location.tz), tick=False):
        appointment = make_appointment(
            client=smp_client, practitioner=practitioner, room=room, day=day
        )
        client.force_login(practitioner)  # signed in on the day, not idle since before it
        yield appointment


def test_the_client_page_starts_todays_consultation_in_one_tap(
    doctor, todays_consultation, smp_client, front_desk
):
    from django.test import Client

    client_url = reverse("clients:detail", args=[smp_client.public_id])
    page = doctor.get(client_url).content.decode()
    assert "Consultation today at 10:00 with Priya Patel." in page
    start_url = (
        reverse("consultations:start", args=[smp_client.public_id])
        + f"?appointment={todays_consultation.public_id}"
    )
    assert f'<form method="post" action="{start_url}">' in page
    response = doctor.post(start_url)
    consultation = Consultation.objects.get()
    assert consultation.appointment == todays_consultation
    assert response.url == reverse("consultations:detail", args=[consultation.public_id])
    again = doctor.get(client_url).content.decode()
    assert "Open consultation" in again
    assert f'href="{response.url}"' in again

    desk = Client()
    desk.force_login(front_desk)
    assert "Consultation today" not in desk.get(client_url).content.decode()


def test_the_client_page_offers_no_start_for_a_consultation_on_another_day(
    doctor, consultation_appointment, smp_client
):
    page = doctor.get(reverse("clients:detail", args=[smp_client.public_id])).content.decode()
    assert "Consultation today" not in page


AUTUMN_DAY = date(2025, 10, 26)  # London: BST ends, the day lasts 25 hours


def consultation_at(*, client, practitioner, room, day, at):
    """A consultation appointment at an hour no rota offers (around midnight): booked on an
    open weekday, then set on the row, since the booking rules are not under test here."""
    tz = room.location.tz
    with time_machine.travel(local_datetime(date(2025, 10, 1), time(9), tz)):
        appointment = make_appointment(
            client=client, practitioner=practitioner, room=room, day=date(2025, 10, 6)
        )
    # In UTC: two datetimes of one zone subtract as wall clocks, blind to the DST change.
    shift = local_datetime(day, at, tz).astimezone(UTC) - appointment.start.astimezone(UTC)
    Appointment.objects.filter(pk=appointment.pk).update(
        start=F("start") + shift,
        end=F("end") + shift,
        blocked_start=F("blocked_start") + shift,
        blocked_end=F("blocked_end") + shift,
    )
    return appointment


def notice_on_client_page(client, practitioner, smp_client, at) -> str:
    with time_machine.travel(at, tick=False):
        client.force_login(practitioner)
        page = client.get(reverse("clients:detail", args=[smp_client.public_id])).content
    found = re.findall(r"Consultation today at [^.]*\.", html.unescape(page.decode()))
    return " ".join(found)


def test_the_client_page_finds_todays_consultation_across_the_25_hour_autumn_day(
    client, smp_client, practitioner, room, location
):
    """Just after midnight, a consultation late that evening is more than 24 hours away and
    still today; late in the evening, one in the day's first minutes is too."""
    assert location.time_zone == "Europe/London"
    people = {"client": smp_client, "practitioner": practitioner, "room": room}
    late = consultation_at(**people, day=AUTUMN_DAY, at=time(23, 10))
    assert notice_on_client_page(
        client, practitioner, smp_client, local_datetime(AUTUMN_DAY, time(0, 5), location.tz)
    ) == ("Consultation today at 23:10 with Priya Patel.")
    Appointment.objects.filter(pk=late.pk).update(status="no_show")
    consultation_at(**people, day=AUTUMN_DAY, at=time(0, 1))
    assert notice_on_client_page(
        client, practitioner, smp_client, local_datetime(AUTUMN_DAY, time(23, 30), location.tz)
    ) == ("Consultation today at 00:01 with Priya Patel.")


def test_the_client_page_leaves_out_a_consultation_just_past_midnight_on_either_side(
    client, smp_client, practitioner, room, location
):
    people = {"client": smp_client, "practitioner": practitioner, "room": room}
    consultation_at(**people, day=AUTUMN_DAY - timedelta(days=1), at=time(23, 50))
    consultation_at(**people, day=AUTUMN_DAY + timedelta(days=1), at=time(0, 10))
    for at in (time(0, 5), time(12), time(23, 55)):
        moment = local_datetime(AUTUMN_DAY, at, location.tz)
        assert notice_on_client_page(client, practitioner, smp_client, moment) == ""


@pytest.mark.parametrize("count", [1, 3])
def test_a_practitioners_client_page_query_count_is_constant(
    doctor, smp_client, practitioner, room, location, count, django_assert_num_queries
):
    day = next_weekday(1)
    with time_machine.travel(local_datetime(day, time(8), location.tz), tick=False):
        doctor.force_login(practitioner)
        for hour in range(count):
            make_appointment(
                client=smp_client, practitioner=practitioner, room=room, day=day, at=time(10 + hour)
            )
        # session, user, location ids, client, latest intake, consent status, the notices:
        # a plan to book, today's consultation appointments (with their consultation); the
        # Overview's next appointments and course in progress
        with django_assert_num_queries(10):
            response = doctor.get(reverse("clients:detail", args=[smp_client.public_id]))
    assert response.content.decode().count("Consultation today at") == 1


def test_the_consultation_header_names_its_appointment_by_day_and_time(
    client, practitioner, smp_client, room
):
    day = next_weekday(3)
    appointment = make_appointment(
        client=smp_client, practitioner=practitioner, room=room, day=day, at=time(10)
    )
    consultation = make_consultation(
        client=smp_client, practitioner=practitioner, appointment=appointment
    )
    client.force_login(practitioner)
    page = client.get(reverse("consultations:detail", args=[consultation.public_id]))
    link = re.search(r'data-testid="consultation-appointment">([^<]+)</a>', page.content.decode())
    assert link.group(1) == f"Appointment on {day.day} {day:%b}, 10:00"
