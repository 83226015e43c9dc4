"""Stock follows the passes to the hundredth of a ml: what a pass takes is exactly what its
removal gives back, and a lot never holds more than was received."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from sessions_app import inventory, services
from sessions_app.models import PigmentLot, PigmentProduct, SessionAmendment, StockAdjustment
from tests.sessions_app.conftest import correct_lot, pass_data, posted_pass, signed_off


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


# --- Corrections after sign-off move the stock ------------------------------------------


def correct_ml(session, practitioner, ml: str):
    return services.session_amend(
        session=session,
        by=practitioner,
        layering_pass=session.passes.get(),
        field="pigment_ml",
        new_value=ml,
        reason="Weighed the cup afterwards",
    )


@pytest.fixture
def signed(session, practitioner, pigments, on_the_day):
    """Signed off with one pass of 0.25 ml from the light lot."""
    return signed_off(session, practitioner, pigments, pigment_ml=Decimal("0.25"))


@pytest.fixture
def third_lot(pigments):
    product = PigmentProduct.objects.get(lots=pigments["dark"])
    return inventory.lot_receive(
        product=product,
        lot_number="SD-300",
        expiry_date=pigments["dark"].expiry_date,
        volume_ml=Decimal("10"),
        received_on=timezone.localdate() - timedelta(days=30),
    )


def test_correcting_a_pass_lot_takes_its_pigment_from_the_lot_used_and_gives_it_back(
    signed, practitioner, pigments, third_lot
):
    assert remaining(pigments["light"]) == Decimal("29.75")
    correct_lot(signed, practitioner, pigments["dark"])
    assert (remaining(pigments["light"]), remaining(pigments["dark"])) == (
        Decimal("30.00"),
        Decimal("29.75"),
    )
    # Corrected again: from the lot it is on record with now, not the one first logged.
    correct_lot(signed, practitioner, third_lot, reason="It was the new bottle")
    assert [remaining(lot) for lot in (pigments["light"], pigments["dark"], third_lot)] == [
        Decimal("30.00"),
        Decimal("30.00"),
        Decimal("9.75"),
    ]
    assert PigmentLot.objects.get(pk=third_lot.pk).opened_on == signed.appointment.start.date()


def test_correcting_the_pigment_used_moves_the_difference(signed, practitioner, pigments):
    correct_ml(signed, practitioner, "0.4")
    assert remaining(pigments["light"]) == Decimal("29.60")
    correct_ml(signed, practitioner, "0.1")
    assert remaining(pigments["light"]) == Decimal("29.90")
    with pytest.raises(ValidationError, match="already the recorded value"):
        correct_ml(signed, practitioner, "0.10")
    # After a lot correction, the volume is corrected on the lot really used.
    correct_lot(signed, practitioner, pigments["dark"])
    correct_ml(signed, practitioner, "0.3")
    assert (remaining(pigments["light"]), remaining(pigments["dark"])) == (
        Decimal("30.00"),
        Decimal("29.70"),
    )
    assert [a.new_value for a in SessionAmendment.objects.filter(field="pigment_ml")] == [
        "0.40",
        "0.10",
        "0.30",
    ]


def test_correcting_a_pass_again_to_the_lot_it_is_on_record_with_is_no_change(
    signed, practitioner, pigments
):
    """Compared as lots, not as their names: a product renamed since the first correction
    still names the same lot, and the stock does not move."""
    correct_lot(signed, practitioner, pigments["dark"])
    PigmentProduct.objects.filter(lots=pigments["dark"]).update(name="Shadow Pro")
    with pytest.raises(ValidationError, match="already the recorded value"):
        correct_lot(signed, practitioner, PigmentLot.objects.get(pk=pigments["dark"].pk))
    assert SessionAmendment.objects.filter(field="pigment_lot").count() == 1
    assert (remaining(pigments["light"]), remaining(pigments["dark"])) == (
        Decimal("30.00"),
        Decimal("29.75"),
    )


def test_another_lot_that_now_reads_like_the_recorded_one_is_still_a_correction(
    signed, practitioner, pigments
):
    """The other way round: the corrected lot's product was renamed, and a new product took
    its old name with a lot of the same number; correcting to that other lot goes through."""
    correct_lot(signed, practitioner, pigments["dark"])  # "Scalp Ink Shadow (3) lot SD-100"
    PigmentProduct.objects.filter(lots=pigments["dark"]).update(name="Shadow (old label)")
    namesake = PigmentProduct.objects.create(brand="Scalp Ink", name="Shadow", shade="3")
    same_text = inventory.lot_receive(
        product=namesake,
        lot_number="SD-100",
        expiry_date=pigments["dark"].expiry_date,
        volume_ml=Decimal("5"),
        received_on=timezone.localdate() - timedelta(days=30),
    )
    correct_lot(signed, practitioner, same_text)
    assert SessionAmendment.objects.filter(field="pigment_lot").count() == 2
    assert (remaining(pigments["dark"]), remaining(same_text)) == (
        Decimal("30.00"),
        Decimal("4.75"),
    )


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (
            lambda lot, day: PigmentLot.objects.filter(pk=lot.pk).update(
                recalled_at=timezone.now() - timedelta(days=400), recall_reason="Maker's notice"
            ),
            "was already recalled when this pass was logged",
        ),
        (
            lambda lot, day: PigmentLot.objects.filter(pk=lot.pk).update(
                expiry_date=day - timedelta(days=1)
            ),
            "had expired on",
        ),
        (
            lambda lot, day: PigmentLot.objects.filter(pk=lot.pk).update(
                received_on=day + timedelta(days=1)
            ),
            "after this session",
        ),
        (
            lambda lot, day: PigmentLot.objects.filter(pk=lot.pk).update(
                volume_remaining_ml=Decimal("0.1")
            ),
            "has only 0.10 ml on record: choose another lot, or have a manager correct the stock",
        ),
    ],
)
def test_a_lot_correction_that_cannot_be_true_is_refused_and_moves_nothing(
    signed, practitioner, pigments, spoil, message
):
    day = timezone.localtime(signed.appointment.start, signed.appointment.location.tz).date()
    spoil(pigments["dark"], day)
    before = remaining(pigments["dark"])
    with pytest.raises(ValidationError, match=message):
        correct_lot(signed, practitioner, PigmentLot.objects.get(pk=pigments["dark"].pk))
    assert (remaining(pigments["light"]), remaining(pigments["dark"])) == (Decimal("29.75"), before)
    assert not SessionAmendment.objects.exists()


def test_a_lot_recalled_after_the_session_can_still_be_named_so_the_recall_finds_the_client(
    signed, practitioner, manager, pigments
):
    inventory.lot_recall(lot=pigments["dark"], by=manager, reason="Maker's notice 2026/3")
    correct_lot(signed, practitioner, PigmentLot.objects.get(pk=pigments["dark"].pk))
    [row] = inventory.recall_report(lot=pigments["dark"])
    assert (row.client_name, row.via_amendment) == ("Sam Carter", True)
    assert remaining(pigments["dark"]) == Decimal("29.75")


def test_more_pigment_than_the_lot_holds_is_refused_with_the_way_to_fix_it(
    signed, practitioner, pigments
):
    PigmentLot.objects.filter(pk=pigments["light"].pk).update(volume_remaining_ml=Decimal("0.5"))
    with pytest.raises(ValidationError, match="has only 0.50 ml on record"):
        correct_ml(signed, practitioner, "1.25")
    assert remaining(pigments["light"]) == Decimal("0.50")


def test_a_manager_refused_a_lot_correction_for_want_of_stock_is_shown_the_stock_correction(
    client, signed, manager, pigments
):
    PigmentLot.objects.filter(pk=pigments["dark"].pk).update(volume_remaining_ml=Decimal("0"))
    client.force_login(manager)
    response = client.post(
        reverse("sessions_app:amend", args=[signed.public_id]),
        {
            "target": "pass:1:pigment_lot",
            "corrected_lot": str(pigments["dark"].public_id),
            "reason": "Bottle label misread",
        },
    )
    content = response.content.decode()
    assert "Lot SD-100 has only 0.00 ml on record" in content
    fix = reverse("sessions_app:lot_adjust", args=[pigments["dark"].public_id])
    assert f'<a href="{fix}">Correct the stock of lot SD-100</a>' in content
    assert client.get(fix).status_code == 200
    assert not SessionAmendment.objects.exists()


def test_a_manager_refused_more_pigment_used_for_want_of_stock_is_shown_the_stock_correction(
    client, signed, manager, pigments
):
    PigmentLot.objects.filter(pk=pigments["light"].pk).update(volume_remaining_ml=Decimal("0.1"))
    client.force_login(manager)
    response = client.post(
        reverse("sessions_app:amend", args=[signed.public_id]),
        {"target": "pass:1:pigment_ml", "new_value": "0.5", "reason": "Weighed the cup"},
    )
    content = response.content.decode()
    assert "Lot MI-200 has only 0.10 ml on record" in content
    fix = reverse("sessions_app:lot_adjust", args=[pigments["light"].public_id])
    assert f'<a href="{fix}">Correct the stock of lot MI-200</a>' in content
    assert not SessionAmendment.objects.exists()


# --- A manager's stock corrections -------------------------------------------------------


@pytest.fixture
def boss(client, manager):
    client.force_login(manager)
    return client


def adjust(boss, lot, **data):
    """Post the correction form as the page gives it: with the stock it showed."""
    data.setdefault("seen_ml", str(PigmentLot.objects.get(pk=lot.pk).volume_remaining_ml))
    return boss.post(reverse("sessions_app:lot_adjust", args=[lot.public_id]), data, follow=True)


def test_a_manager_counts_a_lot_and_records_a_discard_from_the_lot_page(boss, manager, pigments):
    lot = pigments["dark"]
    lot_page = boss.get(reverse("sessions_app:lot", args=[lot.public_id])).content.decode()
    assert re.search(r"<title>Lot SD-100 · [^<]*</title>", lot_page)
    adjust_url = reverse("sessions_app:lot_adjust", args=[lot.public_id])
    assert f'href="{adjust_url}">Correct the stock</a>' in lot_page
    form = boss.get(adjust_url).content.decode()
    assert "Scalp Ink Shadow (3) · lot SD-100: 30.00 of 30.00 ml on record." in form

    counted = adjust(boss, lot, kind="count", ml="27.5", reason="Monthly count")
    assert "Stock of lot SD-100 corrected: 30.00 → 27.50 ml." in counted.content.decode()
    discarded = adjust(boss, lot, kind="discard", ml="2.25", reason="Dropped the bottle")
    assert "Stock of lot SD-100 corrected: 27.50 → 25.25 ml." in discarded.content.decode()

    assert remaining(lot) == Decimal("25.25")
    rows = [
        (a.kind, a.before_ml, a.after_ml, a.reason, a.by)
        for a in StockAdjustment.objects.order_by("at", "pk")
    ]
    assert rows == [
        ("count", Decimal("30.00"), Decimal("27.50"), "Monthly count", manager),
        ("discard", Decimal("27.50"), Decimal("25.25"), "Dropped the bottle", manager),
    ]
    history = discarded.content.decode().split('data-testid="stock-adjustments"')[1]
    assert "Dropped the bottle" in history
    assert "27.50 → 25.25" in history
    trail = AuditEvent.objects.filter(object_type="sessions_app.StockAdjustment")
    assert sorted(e.changes["after"]["reason"] for e in trail) == [
        "Dropped the bottle",
        "Monthly count",
    ]
    lot_trail = AuditEvent.objects.filter(
        object_type="sessions_app.PigmentLot", action=AuditEvent.Action.UPDATE
    ).order_by("at", "pk")
    assert [e.changes["volume_remaining_ml"] for e in lot_trail] == [
        {"before": "30.00", "after": "27.50"},
        {"before": "27.50", "after": "25.25"},
    ]
    assert {e.actor_id for e in lot_trail} == {manager.pk}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "count", "ml": "31", "reason": "Monthly count"}, "more than the 30.00 ml"),
        ({"kind": "count", "ml": "30", "reason": "Monthly count"}, "already the stock on record"),
        ({"kind": "discard", "ml": "31", "reason": "Spilled it"}, "Only 30.00 ml is on record"),
        ({"kind": "discard", "ml": "0", "reason": "Spilled it"}, "Give the volume thrown away."),
        ({"kind": "discard", "ml": "1", "reason": "oops"}, "Say why the stock changes"),
        ({"kind": "discard", "ml": "1", "reason": ""}, "This field is required."),
        ({"kind": "discard", "ml": "-1", "reason": "Spilled it"}, "greater than or equal to 0"),
        ({"kind": "discard", "ml": "0.125", "reason": "Spilled it"}, "2 decimal places"),
        ({"kind": "refill", "ml": "1", "reason": "Spilled it"}, "Select a valid choice"),
    ],
)
def test_a_wrong_stock_correction_is_refused_with_a_message_and_changes_nothing(
    boss, pigments, data, message
):
    response = adjust(boss, pigments["dark"], **data)
    content = response.content.decode()
    assert 'data-testid="form-errors"' in content
    assert message in content
    assert remaining(pigments["dark"]) == Decimal("30.00")
    assert not StockAdjustment.objects.exists()


def test_a_count_is_refused_when_the_stock_changed_since_the_form_was_opened(
    started, boss, practitioner, pigments
):
    """A count sets what the bottle holds: a pass logged while the manager was counting
    would otherwise be wiped out of the record."""
    lot = pigments["light"]
    url = reverse("sessions_app:lot_adjust", args=[lot.public_id])
    form = boss.get(url).content.decode()
    [seen] = re.findall(r'name="seen_ml" value="([0-9.]+)"', form)
    assert seen == "30.00"
    services.pass_add(session=started, by=practitioner, data=pass_data(pigments))  # 0.5 ml
    response = boss.post(
        url, {"kind": "count", "ml": "28", "reason": "Monthly count", "seen_ml": seen}
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert (
        "The stock of lot MI-200 changed while this form was open: 29.50 ml are on record now, "
        "not 30.00. Check the bottle again and enter what it holds."
    ) in content
    assert "29.50 of 30.00 ml on record" in content
    assert 'name="seen_ml" value="29.50"' in content  # sent again, it counts against now
    assert remaining(lot) == Decimal("29.50")
    assert not StockAdjustment.objects.exists()
    again = boss.post(
        url, {"kind": "count", "ml": "28", "reason": "Monthly count", "seen_ml": "29.50"}
    )
    assert again.status_code == 302
    assert remaining(lot) == Decimal("28.00")


def test_a_discard_is_taken_off_whatever_changed_meanwhile(started, boss, practitioner, pigments):
    lot = pigments["light"]
    services.pass_add(session=started, by=practitioner, data=pass_data(pigments))
    adjust(boss, lot, kind="discard", ml="1", reason="Spilled it", seen_ml="30.00")
    assert remaining(lot) == Decimal("28.50")


def test_a_count_without_the_stock_it_was_made_against_is_refused(manager, pigments):
    with pytest.raises(ValidationError, match="changed while this form was open"):
        inventory.lot_adjust_stock(
            lot=pigments["dark"], by=manager, kind="count", ml=Decimal("1"), reason="count"
        )
    assert remaining(pigments["dark"]) == Decimal("30.00")


def test_only_a_manager_corrects_the_stock(practitioner, pigments):
    with pytest.raises(ValidationError, match="Only a manager"):
        inventory.lot_adjust_stock(
            lot=pigments["dark"], by=practitioner, kind="count", ml=Decimal("1"), reason="count"
        )
    assert remaining(pigments["dark"]) == Decimal("30.00")


def test_a_short_lot_at_the_chair_is_explained_and_a_manager_is_shown_the_fix(
    client, started, practitioner, manager, pigments
):
    PigmentLot.objects.filter(pk=pigments["light"].pk).update(volume_remaining_ml=Decimal("0.2"))
    url = reverse("sessions_app:pass_add", args=[started.public_id])
    data = posted_pass(pigments)
    fix = reverse("sessions_app:lot_adjust", args=[pigments["light"].public_id])
    client.force_login(practitioner)
    refused = client.post(url, data).content.decode()
    assert "Lot MI-200 has only 0.20 ml on record: choose another lot, or have a manager" in (
        refused
    )
    assert fix not in refused  # a practitioner cannot open it
    client.force_login(manager)
    refused = client.post(url, data, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="passes")
    assert f'<a href="{fix}">Correct the stock of lot MI-200</a>' in refused.content.decode()
    assert not started.passes.exists()
