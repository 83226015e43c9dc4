"""Clinical changes that the services used to write in bulk, past the audit trail: each one
now leaves its event, with who, whose record and what changed."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from clients.intake.services import intake_mark_reviewed
from consultations import services as consultation_services
from tests.factories import make_consultation, make_intake, make_signed_consent


def events(label: str, action: str, **filters):
    return AuditEvent.objects.filter(object_type=label, action=action, **filters).order_by("pk")


def test_marking_an_intake_reviewed_is_recorded_with_the_reviewer(client, practitioner, smp_client):
    intake = make_intake(client=smp_client, by=practitioner, yes={"diabetes"})
    client.force_login(practitioner)
    client.post(reverse("clients:intake_review", args=[smp_client.public_id, intake.public_id]))
    event = events("clients.MedicalIntake", "update").get()
    assert event.actor == practitioner
    assert event.client_public_id == smp_client.public_id
    assert event.object_id == str(intake.public_id)
    assert event.changes["reviewed_by_id"] == {"before": None, "after": practitioner.pk}
    assert event.changes["reviewed_at"]["before"] is None
    assert event.changes["reviewed_at"]["after"]


def test_a_second_review_is_refused_and_records_nothing(practitioner, manager, smp_client):
    intake = make_intake(client=smp_client, by=practitioner)
    intake_mark_reviewed(intake=intake, by=practitioner)
    with pytest.raises(ValidationError, match="already reviewed by Priya Patel"):
        intake_mark_reviewed(intake=intake, by=manager)
    assert events("clients.MedicalIntake", "update").count() == 1


def test_each_flag_an_intake_raises_is_recorded(practitioner, smp_client):
    intake = make_intake(
        client=smp_client, by=practitioner, yes={"blood_thinners", "heart_blood_pressure"}
    )
    flags = events("clients.IntakeFlag", "create", client_public_id=smp_client.public_id)
    assert sorted(event.changes["after"]["code"] for event in flags) == sorted(
        intake.flags.values_list("code", flat=True)
    )
    assert flags.count() == 2
    assert {event.object_id for event in flags} == {
        str(public_id) for public_id in intake.flags.values_list("public_id", flat=True)
    }


def test_withdrawing_a_consent_is_recorded_without_copying_the_reason(
    client, practitioner, smp_client
):
    consent = make_signed_consent(client=smp_client, kind="photos", witness=practitioner)
    client.force_login(practitioner)
    url = reverse("clients:consent_withdraw", args=[smp_client.public_id, consent.public_id])
    client.post(url, {"reason": "Carter asked by phone", "confirm": "on"})
    event = events("clients.SignedConsent", "update").get()
    assert event.actor == practitioner
    assert event.client_public_id == smp_client.public_id
    assert event.object_id == str(consent.public_id)
    assert event.changes["withdrawn_by_id"] == {"before": None, "after": practitioner.pk}
    assert event.changes["withdrawn_at"]["after"]
    # Free text about the client is marked, not copied: erasure could not take it out.
    assert event.changes["withdrawal_reason"] == "(changed)"
    assert "Carter" not in str(event.changes)


def test_a_second_withdrawal_is_refused_and_records_nothing(practitioner, smp_client):
    from clients.consent.services import consent_withdraw

    consent = make_signed_consent(client=smp_client, kind="photos", witness=practitioner)
    consent_withdraw(consent=consent, by=practitioner, reason="Asked by phone")
    with pytest.raises(ValidationError, match="already withdrawn"):
        consent_withdraw(consent=consent, by=practitioner, reason="Again")
    assert events("clients.SignedConsent", "update").count() == 1


@pytest.fixture
def plan(practitioner, smp_client):
    return make_consultation(client=smp_client, practitioner=practitioner).plan


def _plan_data(plan, **changes) -> dict:
    data = {
        "sessions": plan.sessions,
        "min_interval_days": plan.min_interval_days,
        "max_interval_days": plan.max_interval_days,
        "starting_shade": plan.starting_shade,
        "starting_dilution": plan.starting_dilution,
        "price": plan.price,
        "notes": plan.notes,
    }
    return {**data, **changes}


def _goals(plan) -> list[dict]:
    return [
        {"goal": goal.goal, "shade": goal.shade, "dilution": goal.dilution}
        for goal in plan.session_goals.order_by("number")
    ]


def test_a_plans_session_goals_are_recorded_when_the_plan_is_made(plan, smp_client):
    created = events("consultations.TreatmentPlanSession", "create")
    assert [event.changes["after"]["number"] for event in created] == [1, 2, 3]
    assert {event.client_public_id for event in created} == {smp_client.public_id}


def test_changing_a_sessions_shade_and_dilution_records_before_and_after(plan, practitioner):
    goals = _goals(plan)
    goals[1].update(shade="Shade 2 (medium)", dilution="1:2")
    consultation_services.plan_update(
        plan=plan, by=practitioner, data=_plan_data(plan), goals=goals
    )
    changed = events("consultations.TreatmentPlanSession", "update").get()
    assert changed.object_id == str(plan.session_goals.get(number=2).pk)
    assert changed.changes == {
        "shade": {"before": "", "after": "Shade 2 (medium)"},
        "dilution": {"before": "", "after": "1:2"},
    }
    # Saving the plan again unchanged adds nothing, and no goal is deleted and remade.
    consultation_services.plan_update(
        plan=plan, by=practitioner, data=_plan_data(plan), goals=goals
    )
    assert events("consultations.TreatmentPlanSession", "update").count() == 1
    assert not events("consultations.TreatmentPlanSession", "delete").exists()


def test_a_fourth_session_added_to_a_plan_is_recorded(plan, practitioner):
    goals = [*_goals(plan), {"goal": "Optional blend", "shade": "", "dilution": "1:4"}]
    consultation_services.plan_update(
        plan=plan, by=practitioner, data=_plan_data(plan, sessions=4), goals=goals
    )
    added = events("consultations.TreatmentPlanSession", "create").last()
    assert added.changes["after"]["number"] == 4
    assert added.changes["after"]["dilution"] == "1:4"


def test_a_booked_courses_new_plan_figures_are_recorded_on_the_course(
    plan, practitioner, smp_client
):
    from scheduling.services import course_create

    course = course_create(client=smp_client, by=practitioner)
    plan.course = course
    plan.save(update_fields=["course"])
    consultation_services.plan_update(
        plan=plan,
        by=practitioner,
        data=_plan_data(plan, sessions=2, min_interval_days=14),
        goals=_goals(plan),
    )
    event = events("scheduling.Course", "update").get()
    assert event.client_public_id == smp_client.public_id
    assert event.changes == {
        "planned_sessions": {"before": 3, "after": 2},
        "min_interval_days": {"before": 10, "after": 14},
    }
