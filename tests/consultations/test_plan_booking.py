"""The plan's price in the clinic's currency."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from consultations.models import TreatmentPlan
from tests.factories import RoomFactory, give_rota, make_consultation


@pytest.fixture
def plan(smp_client, practitioner, location):
    give_rota(practitioner, location)
    RoomFactory(location=location, name="Treatment room")
    return make_consultation(client=smp_client, practitioner=practitioner).plan


def test_a_plan_is_quoted_in_the_clinics_currency_and_keeps_it(
    client, smp_client, practitioner, settings
):
    settings.CLINIC_CURRENCY = "EUR"
    consultation = make_consultation(client=smp_client, practitioner=practitioner)
    plan = consultation.plan
    assert plan.currency == "EUR"
    TreatmentPlan.objects.filter(pk=plan.pk).update(price="1450.00")
    settings.CLINIC_CURRENCY = "USD"
    client.force_login(practitioner)
    page = client.get(reverse("consultations:detail", args=[consultation.public_id]))
    assert "1450.00 EUR" in page.content.decode()
    plan.refresh_from_db()
    assert plan.currency == "EUR"


def test_a_currency_that_is_not_iso_4217_is_refused_on_the_plan(plan):
    plan.currency = "XYZ"
    with pytest.raises(ValidationError, match="not an ISO 4217 currency code"):
        plan.full_clean()
