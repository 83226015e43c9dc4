import csv
import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from sessions_app import inventory
from sessions_app.inventory.recall import _csv_safe
from sessions_app.models import LayeringPass, Needle, PigmentLot, PigmentProduct


@pytest.fixture
def product(db):
    return PigmentProduct.objects.create(brand="Scalp Ink", name="Shadow", shade="2")


@pytest.fixture
def boss(client, manager):
    client.force_login(manager)
    return client


def future(days=365):
    return timezone.localdate() + timedelta(days=days)


def test_receiving_a_lot_puts_it_in_stock(boss, product):
    response = boss.post(
        reverse("sessions_app:lot_receive", args=[product.public_id]),
        {
            "lot_number": "SI-2291",
            "expiry_date": future().isoformat(),
            "volume_ml": "30",
        },
    )
    assert response.status_code == 302
    lot = PigmentLot.objects.get()
    assert (lot.volume_received_ml, lot.volume_remaining_ml) == (Decimal("30.0"), Decimal("30.0"))
    assert lot.received_on == timezone.localdate()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"lot_number": "X1", "expiry_date": "2000-01-01", "volume_ml": "30"}, "already expired"),
        ({"lot_number": "X1", "expiry_date": "", "volume_ml": "30"}, "This field is required."),
        (
            {"lot_number": "X1", "expiry_date": "2099-01-01", "volume_ml": "0"},
            "greater than or equal to 0.1",
        ),
        (
            {"lot_number": "", "expiry_date": "2099-01-01", "volume_ml": "30"},
            "This field is required.",
        ),
        (  # received long ago and expired since: still not something to put into stock
            {
                "lot_number": "X1",
                "received_on": "2020-01-01",
                "expiry_date": "2021-01-01",
                "volume_ml": "30",
            },
            "already expired",
        ),
        (
            {
                "lot_number": "X1",
                "received_on": (timezone.localdate() + timedelta(days=2)).isoformat(),
                "expiry_date": "2099-01-01",
                "volume_ml": "30",
            },
            "The received date cannot be in the future.",
        ),
    ],
)
def test_bad_lot_details_are_refused_with_a_message(boss, product, data, message):
    response = boss.post(reverse("sessions_app:lot_receive", args=[product.public_id]), data)
    assert message in response.content.decode()
    assert not PigmentLot.objects.exists()


def test_the_same_lot_twice_is_refused(product):
    inventory.lot_receive(
        product=product, lot_number="A1", expiry_date=future(), volume_ml=Decimal("10")
    )
    with pytest.raises(ValidationError, match="already in stock"):
        inventory.lot_receive(
            product=product, lot_number="A1", expiry_date=future(), volume_ml=Decimal("10")
        )


def test_expired_recalled_and_empty_lots_are_not_usable(product, manager):
    lot = inventory.lot_receive(
        product=product, lot_number="A1", expiry_date=future(10), volume_ml=Decimal("1")
    )
    inventory.check_lot_usable(lot, on=timezone.localdate(), ml=Decimal("0.5"))
    with pytest.raises(ValidationError, match="expired on"):
        inventory.check_lot_usable(lot, on=future(11), ml=Decimal("0.5"))
    with pytest.raises(ValidationError, match=r"only 1(\.0)? ml on record"):
        inventory.check_lot_usable(lot, on=timezone.localdate(), ml=Decimal("2"))
    inventory.lot_recall(lot=lot, by=manager, reason="Maker's notice 2026/14")
    lot.refresh_from_db()
    with pytest.raises(ValidationError, match="is recalled"):
        inventory.check_lot_usable(lot, on=timezone.localdate(), ml=Decimal("0.1"))
    assert lot not in inventory.usable_lots(timezone.localdate())


def test_recall_needs_a_reason_and_happens_once(boss, product, manager):
    lot = inventory.lot_receive(
        product=product, lot_number="A1", expiry_date=future(), volume_ml=Decimal("10")
    )
    url = reverse("sessions_app:lot_recall", args=[lot.public_id])
    assert "Recall the lot" in boss.get(url).content.decode()
    refused = boss.post(url, {"reason": "   "})
    assert "This field is required." in refused.content.decode()
    boss.post(url, {"reason": "Contamination notice"})
    lot.refresh_from_db()
    assert lot.is_recalled
    assert lot.recalled_by == manager
    with pytest.raises(ValidationError, match="already recalled"):
        inventory.lot_recall(lot=lot, by=manager, reason="again")


def test_consuming_stock_never_goes_below_zero(product):
    lot = inventory.lot_receive(
        product=product, lot_number="A1", expiry_date=future(), volume_ml=Decimal("1")
    )
    session_day = timezone.localdate() + timedelta(days=2)
    inventory.consume(lot=lot, ml=Decimal("0.6"), needle=None, on=session_day)
    with pytest.raises(ValidationError, match="no longer has 0.6 ml"):
        inventory.consume(lot=lot, ml=Decimal("0.6"), needle=None, on=session_day)
    lot.refresh_from_db()
    assert lot.volume_remaining_ml == Decimal("0.4")
    assert lot.opened_on == session_day


def low_stock_items(boss) -> list[str]:
    page = boss.get(reverse("sessions_app:inventory")).content.decode()
    if 'data-testid="low-stock"' not in page:
        return []
    low = page.split('data-testid="low-stock"')[1].split("</div>")[0]
    return [" ".join(item.split()) for item in re.findall(r"<li>(.*?)</li>", low, re.S)]


def needles(number: str, quantity: int, *, days: int = 365, diameter="0.25") -> Needle:
    return inventory.needle_receive(
        brand="Kwadron",
        configuration="1RL",
        diameter_mm=Decimal(diameter),
        lot_number=number,
        expiry_date=future(days),
        quantity=quantity,
    )


def test_low_stock_sums_each_products_usable_lots_and_each_needles_usable_boxes(
    boss, product, manager
):
    """A nearly empty bottle next to a full one is no shortage; what counts is what can
    still be used: expired and recalled lots do not."""
    inventory.lot_receive(
        product=product, lot_number="LOW1", expiry_date=future(), volume_ml=Decimal("5")
    )
    inventory.lot_receive(
        product=product, lot_number="FULL1", expiry_date=future(), volume_ml=Decimal("100")
    )
    needles("N1", 3)
    needles("N2", 40)
    assert low_stock_items(boss) == []

    full = PigmentLot.objects.get(lot_number="FULL1")
    inventory.lot_recall(lot=full, by=manager, reason="Maker's notice 2026/9")
    Needle.objects.filter(lot_number="N2").update(expiry_date=timezone.localdate() - timedelta(1))
    assert low_stock_items(boss) == [
        "Scalp Ink Shadow (2): 5.00 ml left (warn below 20.0 ml)",
        "1RL 0.25 mm (Kwadron): 3 cartridges left (warn below 10)",
    ]


def test_products_and_needles_out_of_use_are_not_reported_low(boss, product):
    inventory.lot_receive(
        product=product, lot_number="LOW1", expiry_date=future(), volume_ml=Decimal("5")
    )
    needles("N1", 3)
    assert len(low_stock_items(boss)) == 2
    PigmentProduct.objects.filter(pk=product.pk).update(is_active=False)
    Needle.objects.filter(lot_number="N1").update(is_active=False)
    assert low_stock_items(boss) == []


def test_a_manager_sets_a_needles_warning_level_for_all_its_boxes(boss):
    first = needles("N1", 3)
    second = needles("N2", 4)
    other = needles("N3", 5, diameter="0.30")
    url = reverse("sessions_app:needle_edit", args=[first.public_id])
    assert "Warn when fewer usable cartridges remain" in boss.get(url).content.decode()

    refused = boss.post(url, {"low_stock_quantity": "-1", "is_active": "on"})
    assert "greater than or equal to 0" in refused.content.decode()
    response = boss.post(url, {"low_stock_quantity": "5", "is_active": "on"}, follow=True)

    assert "1RL 0.25 mm (Kwadron, lot N1) saved." in response.content.decode()
    levels = dict(Needle.objects.values_list("lot_number", "low_stock_quantity"))
    assert levels == {"N1": 5, "N2": 5, "N3": 10}
    assert low_stock_items(boss) == ["1RL 0.30 mm (Kwadron): 5 cartridges left (warn below 10)"]
    assert needles("N4", 1).low_stock_quantity == 5  # a new box keeps the needle's level
    boss.post(
        reverse("sessions_app:needle_edit", args=[other.public_id]), {"low_stock_quantity": "5"}
    )
    other.refresh_from_db()
    assert not other.is_active
    second.refresh_from_db()
    assert second.is_active


def test_needle_diameter_outside_smp_range_is_refused(boss):
    response = boss.post(
        reverse("sessions_app:needle_receive"),
        {
            "brand": "Kwadron",
            "configuration": "3RL",
            "diameter_mm": "0.50",
            "lot_number": "N1",
            "expiry_date": future().isoformat(),
            "quantity": 50,
        },
    )
    assert "less than or equal to 0.40" in response.content.decode()


def test_recall_csv_neutralises_spreadsheet_formulas():
    assert _csv_safe("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert _csv_safe("Sam") == "Sam"


def test_front_desk_and_practitioners_cannot_open_inventory(client, front_desk, practitioner):
    for person in (front_desk, practitioner):
        client.force_login(person)
        assert client.get(reverse("sessions_app:inventory")).status_code == 403


def test_recall_csv_is_a_download(boss, product):
    lot = inventory.lot_receive(
        product=product, lot_number="A1", expiry_date=future(), volume_ml=Decimal("10")
    )
    response = boss.get(reverse("sessions_app:lot_recall_csv", args=[lot.public_id]))
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "lot"
    assert len(rows) == 1


def test_a_manager_of_one_location_contacts_only_its_clients_about_a_recall(
    client, manager, practitioner, practitioner_elsewhere, location, other_location
):
    from tests.factories import make_client, make_started_session

    here = make_started_session(
        practitioner=practitioner,
        location=location,
        client=make_client(location=location, first_name="Hana", last_name="Here"),
    )
    there = make_started_session(
        practitioner=practitioner_elsewhere,
        location=other_location,
        client=make_client(location=other_location, first_name="Theo", last_name="There"),
    )
    lot = here.passes.get().pigment_lot
    LayeringPass.objects.filter(session=there).update(pigment_lot=lot)
    client.force_login(manager)
    page = client.get(reverse("sessions_app:lot", args=[lot.public_id])).content.decode()
    assert "Hana Here" in page
    assert "Theo There" not in page
    assert "1 more session at locations you do not manage used this lot" in page
    csv_text = client.get(reverse("sessions_app:lot_recall_csv", args=[lot.public_id]))
    assert "Here" in csv_text.content.decode()
    assert "There" not in csv_text.content.decode()

    manager.all_locations = True
    manager.save()
    page = client.get(reverse("sessions_app:lot", args=[lot.public_id])).content.decode()
    assert "Theo There" in page
    assert "locations you do not manage" not in page


def test_needles_already_expired_are_refused_with_a_message(boss):
    response = boss.post(
        reverse("sessions_app:needle_receive"),
        {
            "brand": "Kwadron",
            "configuration": "3RL",
            "diameter_mm": "0.30",
            "lot_number": "N1",
            "expiry_date": (timezone.localdate() - timedelta(days=1)).isoformat(),
            "quantity": 50,
        },
    )
    assert "These needles are already expired." in response.content.decode()
    assert not Needle.objects.exists()


def test_a_manager_in_a_zone_a_day_ahead_receives_on_their_own_today(product):
    """At 07:00 in Auckland it is still yesterday in London: the Auckland date is no
    future date, and a lot that expired yesterday in Auckland is expired there."""
    from tests.factories import LocationFactory

    LocationFactory(name="Auckland", time_zone="Pacific/Auckland")
    auckland_morning = datetime(2026, 3, 11, 7, 0, tzinfo=ZoneInfo("Pacific/Auckland"))
    with time_machine.travel(auckland_morning):
        lot = inventory.lot_receive(
            product=product,
            lot_number="AK-1",
            expiry_date=date(2027, 1, 1),
            volume_ml=Decimal("30"),
            received_on=date(2026, 3, 11),
        )
        assert lot.received_on == date(2026, 3, 11)
        with pytest.raises(ValidationError, match="cannot be in the future"):
            inventory.lot_receive(
                product=product,
                lot_number="AK-2",
                expiry_date=date(2027, 1, 1),
                volume_ml=Decimal("30"),
                received_on=date(2026, 3, 12),
            )


def test_a_lot_of_a_product_no_longer_in_use_and_an_inactive_needle_are_refused(
    product,
):
    lot = inventory.lot_receive(
        product=product, lot_number="A1", expiry_date=future(), volume_ml=Decimal("10")
    )
    needle = inventory.needle_receive(
        brand="Kwadron",
        configuration="1RL",
        diameter_mm=Decimal("0.25"),
        lot_number="N1",
        expiry_date=future(),
        quantity=5,
    )
    today = timezone.localdate()
    PigmentProduct.objects.filter(pk=product.pk).update(is_active=False)
    Needle.objects.filter(pk=needle.pk).update(is_active=False)
    lot.refresh_from_db()
    needle.refresh_from_db()
    with pytest.raises(ValidationError, match=r"Scalp Ink Shadow \(2\) is no longer in use"):
        inventory.check_lot_usable(lot, on=today, ml=Decimal("0.5"))
    with pytest.raises(ValidationError, match="Needle lot N1 is no longer in use"):
        inventory.check_needle_usable(needle, on=today, needs_new_cartridge=False)


def test_recalling_a_used_lot_names_its_clients_with_their_contacts_and_exports_them(
    client, manager, practitioner, practitioner_elsewhere, location, other_location
):
    """A manager of one location recalls a lot that went into three clients: the message
    counts the clients they can see and the sessions they cannot, like the page; the page
    and the CSV list each client with contact details, a pass corrected away from the lot
    marked as such."""
    from tests.factories import make_client, make_inventory, make_started_session
    from tests.sessions_app.conftest import correct_lot

    def session_of(first, last, phone, *, at, by, weekday=3):
        person = make_client(
            location=at,
            first_name=first,
            last_name=last,
            email=f"{first.lower()}@example.test",
            phone=phone,
        )
        return make_started_session(
            practitioner=by, location=at, client=person, sign_off=True, weekday=weekday
        )

    hana = session_of("Hana", "Here", "+447700900111", at=location, by=practitioner)
    lot = hana.passes.get().pigment_lot
    corrected = session_of(
        "Cleo", "Corrected", "+447700900222", at=location, by=practitioner, weekday=2
    )
    theo = session_of(
        "Theo", "There", "+353851234567", at=other_location, by=practitioner_elsewhere
    )
    LayeringPass.objects.filter(session__in=[corrected, theo]).update(pigment_lot=lot)
    other_lot, _ = make_inventory()
    correct_lot(corrected, practitioner, other_lot)
    client.force_login(manager)

    response = client.post(
        reverse("sessions_app:lot_recall", args=[lot.public_id]),
        {"reason": "Maker's notice 2026/14"},
        follow=True,
    )

    content = response.content.decode()
    assert (
        f"Lot {lot.lot_number} is recalled and can no longer be used. 2 clients at your "
        "locations received it: contact them from the list below. 1 more session at "
        "locations you do not manage used it: a manager with access to all locations "
        "contacts that client."
    ) in content
    report = content.split('data-testid="recall-report"')[1].split("</table>")[0]
    assert "hana@example.test" in report
    assert "+447700900111" in report
    assert "cleo@example.test" in report
    assert "pass 1 corrected to another lot" in report
    assert "Theo" not in report
    assert "1 more session at locations you do not manage used this lot" in content

    export = client.get(reverse("sessions_app:lot_recall_csv", args=[lot.public_id]))
    assert export["Content-Disposition"] == (
        f'attachment; filename="recall-lot-{lot.lot_number.lower()}-{lot.public_id}.csv"'
    )
    header, *rows = list(csv.reader(io.StringIO(export.content.decode())))
    by_client = {row[3]: dict(zip(header, row, strict=True)) for row in rows}
    assert set(by_client) == {"Hana Here", "Cleo Corrected"}
    day = timezone.localtime(hana.appointment.start, location.tz).date()
    assert by_client["Hana Here"] == {
        "lot": lot.lot_number,
        "product": str(lot.product),
        "session date": day.isoformat(),
        "client": "Hana Here",
        "email": "hana@example.test",
        "phone": "'+447700900111",  # a leading + is a formula to a spreadsheet
        "practitioner": practitioner.full_name,
        "passes": "1",
        "recorded by amendment": "no",
        "passes corrected to another lot": "",
        "session id": str(hana.public_id),
        "client id": str(hana.client.public_id),
    }
    assert by_client["Cleo Corrected"]["passes corrected to another lot"] == "1"


def test_a_manager_of_every_location_is_told_every_client_once(
    client, manager, practitioner, location
):
    from tests.factories import make_started_session

    session = make_started_session(practitioner=practitioner, location=location, sign_off=True)
    lot = session.passes.get().pigment_lot
    manager.all_locations = True
    manager.save()
    client.force_login(manager)
    response = client.post(
        reverse("sessions_app:lot_recall", args=[lot.public_id]),
        {"reason": "Maker's notice"},
        follow=True,
    )
    content = response.content.decode()
    assert "1 client received it: contact them from the list below." in content
    assert "locations you do not manage" not in content
