"""Query budgets of the message pages not pinned in test_views: each costs the same with a
few rows and with many."""

from datetime import time

from django.urls import reverse

from accounts.roles import Role
from aftercare.kinds import Kind
from aftercare.models import AftercareStep, MessageTemplate, OutboundMessage
from aftercare.services.content import default_plan
from tests.aftercare.test_views import add_messages
from tests.factories import make_staff
from tests.query_budget import queries_before_and_after


def test_a_message_page_costs_the_same_however_many_messages_the_client_has(
    client, front_desk, smp_client
):
    add_messages(smp_client, 1)
    message = OutboundMessage.objects.get(client=smp_client)
    client.force_login(front_desk)
    few, many, response = queries_before_and_after(
        client,
        reverse("aftercare:message", args=[message.public_id]),
        lambda: add_messages(smp_client, 25, status=OutboundMessage.Status.SENT),
    )
    # session, user, location ids, the message, the copies staff sent of it
    assert (few, many) == (5, 5)
    assert response.context["message"] == message


def test_the_template_list_costs_the_same_when_every_template_has_its_own_editor(
    client, manager, location
):
    # Every kind has a template from the start (a data migration); what grows is the
    # number of distinct people shown as their last editors.
    MessageTemplate.objects.update(updated_by=None)

    def everyone_edits_one():
        for template in MessageTemplate.objects.all():
            template.updated_by = make_staff(role=Role.MANAGER, locations=[location])
            template.save(update_fields=["updated_by"])

    client.force_login(manager)
    few, many, response = queries_before_and_after(
        client, reverse("aftercare:templates"), everyone_edits_one
    )
    assert (few, many) == (4, 4)
    rows = response.context["rows"]
    assert len(rows) == len(Kind)
    assert len({row["template"].updated_by for row in rows}) == len(Kind)


def test_the_aftercare_plan_costs_the_same_with_more_steps(client, manager):
    plan = default_plan()

    def more_steps():
        for day in range(20, 30):
            AftercareStep.objects.create(
                plan=plan, day_offset=day, send_time=time(18), subject=f"Day {day}", body="Rest."
            )

    client.force_login(manager)
    before = plan.steps.count()
    few, many, response = queries_before_and_after(client, reverse("aftercare:plan"), more_steps)
    assert (few, many) == (4, 4)
    assert len(response.context["steps"]) == before + 10
