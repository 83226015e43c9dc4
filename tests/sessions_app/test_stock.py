"""Stock follows the passes to the hundredth of a ml: what a pass takes is exactly what its
removal gives back, and a lot never holds more than was received."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sessions_app import services
from sessions_app.models import PigmentLot
from tests.sessions_app.conftest import pass_data


def remaining(lot) -> Decimal:
    return PigmentLot.objects.get(pk=lot.pk).volume_remaining_ml


@pytest.fixture
def started(session, practitioner, on_the_day):
    return services.session_start(session=session, by=practitioner)


@pytest.mark.parametrize(("ml", "left"), [("0.25", "29.75"), ("0.05", "29.95")])
def test_a_pass_takes_exactly_its_pigment_from_the_lot(started, practitioner, pigments, ml, left):
    services.pass_add(
        session=started, by=practitioner, data=pass_data(pigments, pigment_ml=Decimal(ml))
    )
    assert remaining(pigments["light"]) == Decimal(left)


@pytest.mark.parametrize("ml", ["0.25", "0.05"])
def test_removing_a_pass_through_the_page_gives_back_exactly_what_it_took(
    client, started, practitioner, pigments, ml
):
    layering_pass = services.pass_add(
        session=started, by=practitioner, data=pass_data(pigments, pigment_ml=Decimal(ml))
    )
    client.force_login(practitioner)
    response = client.post(
        reverse("sessions_app:pass_delete", args=[started.public_id, layering_pass.public_id]),
        follow=True,
    )
    assert response.status_code == 200
    assert "Pass 1 removed; its pigment is back in stock." in response.content.decode()
    assert remaining(pigments["light"]) == Decimal("30.00")
    assert not started.passes.exists()


def test_a_refund_never_lifts_a_lot_above_what_was_received(started, practitioner, pigments):
    """A manager counted the bottle full again after the pass (the pass's pigment was
    never taken from it, say): removing the pass must not break the lot's bounds."""
    layering_pass = services.pass_add(
        session=started, by=practitioner, data=pass_data(pigments, pigment_ml=Decimal("0.05"))
    )
    PigmentLot.objects.filter(pk=pigments["light"].pk).update(volume_remaining_ml=Decimal("30"))
    services.pass_delete(layering_pass=layering_pass, by=practitioner)
    assert remaining(pigments["light"]) == Decimal("30.00")


def test_a_volume_finer_than_a_hundredth_is_refused(started, practitioner, pigments):
    with pytest.raises(ValidationError, match="hundredths of a ml"):
        services.pass_add(
            session=started, by=practitioner, data=pass_data(pigments, pigment_ml=Decimal("0.125"))
        )
    assert remaining(pigments["light"]) == Decimal("30.00")


def test_removing_a_pass_twice_says_it_is_gone_and_refunds_once(
    client, started, practitioner, pigments
):
    layering_pass = services.pass_add(
        session=started, by=practitioner, data=pass_data(pigments, pigment_ml=Decimal("0.25"))
    )
    client.force_login(practitioner)
    url = reverse("sessions_app:pass_delete", args=[started.public_id, layering_pass.public_id])
    client.post(url)
    again = client.post(url, follow=True)
    assert again.status_code == 200
    assert "That pass was already removed." in again.content.decode()
    assert remaining(pigments["light"]) == Decimal("30.00")
    with pytest.raises(ValidationError, match="already removed"):
        services.pass_delete(layering_pass=layering_pass, by=practitioner)
