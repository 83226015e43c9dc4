"""Query budgets of the inventory pages and the sessions tab: each costs the same with a
few rows and with many (the session page and the progress grid are in test_session_log)."""

from datetime import time, timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from scheduling.services import course_create
from sessions_app import inventory, services
from sessions_app.models import PigmentProduct
from tests.factories import RoomFactory, make_appointment
from tests.query_budget import queries_before_and_after
from tests.sessions_app.conftest import pass_data

FAR = timedelta(days=900)


def stock_up(number: int) -> None:
    far = timezone.localdate() + FAR
    for n in range(number):
        product = PigmentProduct.objects.create(brand="Budget Ink", name=f"Tone {n}", shade="2")
        for lot in range(2):
            inventory.lot_receive(
                product=product,
                lot_number=f"B{n}-{lot}",
                expiry_date=far,
                volume_ml=Decimal("4") if lot else Decimal("30"),  # some run low
            )
        inventory.needle_receive(
            brand="Budget",
            configuration="3RL",
            diameter_mm=Decimal("0.30"),
            lot_number=f"N{n}",
            expiry_date=far,
            quantity=2,
        )


def test_the_inventory_costs_the_same_with_more_products_lots_and_needles(
    client, manager, pigments
):
    client.force_login(manager)
    few, many, response = queries_before_and_after(
        client, reverse("sessions_app:inventory"), lambda: stock_up(8)
    )
    assert (few, many) == (7, 7)
    assert len(response.context["products"]) == 10


def test_a_lot_page_costs_the_same_with_more_passes_made_from_it(
    client, manager, session, practitioner, pigments, on_the_day
):
    services.session_start(session=session, by=practitioner)
    services.pass_add(session=session, by=practitioner, data=pass_data(pigments))
    client.force_login(manager)
    url = reverse("sessions_app:lot", args=[pigments["light"].public_id])

    def more_passes_and_stock_corrections():
        for n in range(6):
            services.pass_add(
                session=session,
                by=practitioner,
                data=pass_data(pigments, needle="needle_3rl", pigment_ml=Decimal("0.1")),
            )
            inventory.lot_adjust_stock(
                lot=pigments["light"],
                by=manager,
                kind="discard",
                ml=Decimal("0.5"),
                reason=f"Spilled, number {n}",
            )

    few, many, response = queries_before_and_after(client, url, more_passes_and_stock_corrections)
    # session, user, location ids, the lot, its stock corrections, the recall report
    assert (few, many) == (6, 6)
    assert response.context["rows"][0].passes == [1, 2, 3, 4, 5, 6, 7]
    assert len(response.context["adjustments"]) == 6


def test_the_sessions_tab_costs_the_same_with_more_sessions(
    client, front_desk, session, ready_client, practitioner, location, session_day
):
    course = course_create(client=ready_client, by=practitioner, planned_sessions=6)
    room = RoomFactory(location=location)
    client.force_login(front_desk)
    url = reverse("clients:section", args=[ready_client.public_id, "sessions"])

    def more_sessions():
        for weeks in range(1, 5):
            appointment = make_appointment(
                client=ready_client,
                practitioner=practitioner,
                room=room,
                kind="session",
                day=session_day + timedelta(weeks=weeks),
                at=time(11),
                course=course,
            )
            services.session_open(appointment=appointment, by=practitioner)

    few, many, response = queries_before_and_after(client, url, more_sessions)
    assert (few, many) == (10, 10)
    assert len(response.context["sessions"]) == 5
