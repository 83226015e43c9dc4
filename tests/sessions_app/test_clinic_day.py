"""A session's "today" is the clinic's calendar day where it happens, not the server's: a
clinic in Auckland starts its Thursday while the server in London still has Wednesday."""

from datetime import time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from sessions_app import inventory, services
from sessions_app.models import PigmentProduct
from smp_clinic.lib.tz import local_datetime
from tests.factories import (
    LocationFactory,
    RoomFactory,
    make_appointment,
    make_client,
    make_inventory,
    make_ready_for_smp,
    make_staff,
    next_weekday,
    pass_data,
)


@pytest.fixture
def auckland_session(db):
    auckland = LocationFactory(name="Auckland", time_zone="Pacific/Auckland")
    practitioner = make_staff(role="practitioner", locations=[auckland])
    client = make_client(location=auckland)
    make_ready_for_smp(client=client, practitioner=practitioner)
    # A week on: "next Thursday" by the server's date may already be under way in Auckland.
    day = next_weekday(3, weeks=1)
    appointment = make_appointment(
        client=client,
        practitioner=practitioner,
        room=RoomFactory(location=auckland),
        kind="session",
        day=day,
        at=time(9, 30),
    )
    session = services.session_open(appointment=appointment, by=practitioner)
    return session, practitioner, day


def test_a_lot_that_expired_yesterday_in_auckland_is_refused_there(auckland_session):
    session, practitioner, day = auckland_session
    product = PigmentProduct.objects.create(brand="Scalp Ink", name="Shadow", shade="2")
    # Good until Wednesday; in Auckland it is already Thursday morning.
    with time_machine.travel(day - timedelta(days=7)):
        lot = inventory.lot_receive(
            product=product,
            lot_number="WED-1",
            expiry_date=day - timedelta(days=1),
            volume_ml=Decimal("30"),
        )
    _, needle = make_inventory()
    morning = local_datetime(day, time(9, 25), session.appointment.location.tz)
    with time_machine.travel(morning):
        session = services.session_start(session=session, by=practitioner)
        with pytest.raises(ValidationError, match="expired"):
            services.pass_add(
                session=session, by=practitioner, data=pass_data(lot=lot, needle=needle)
            )
    assert not session.passes.exists()


def test_the_gate_counts_the_intakes_age_in_the_clinics_days(auckland_session, settings):
    session, _, day = auckland_session
    intake = session.client.medical_intakes.get()
    max_age = settings.SESSION_INTAKE_MAX_AGE_DAYS
    tz = session.appointment.location.tz
    # Submitted on a morning exactly the allowed number of the clinic's days before; asked
    # late that evening, when the server's London calendar counts one day more.
    submitted = local_datetime(day - timedelta(days=max_age), time(9, 0), tz)
    type(intake).objects.filter(pk=intake.pk).update(submitted_at=submitted)
    with time_machine.travel(local_datetime(day, time(23, 0), tz)):
        checks = {check.key: check for check in services.session_gate(session=session)}
    assert checks["intake"].ok, checks["intake"].reason


def test_low_stock_and_the_inventory_page_count_a_lot_expired_in_every_clinic_as_expired(
    client, db
):
    """Stock serves every location: inventory reads the clinic's days (as receiving does),
    not the server's. In Auckland, the only clinic, Wednesday's lot has expired while the
    server in London still has Wednesday."""
    auckland = LocationFactory(name="Auckland", time_zone="Pacific/Auckland")
    manager = make_staff(role="manager", locations=[auckland])
    product = PigmentProduct.objects.create(brand="Scalp Ink", name="Shadow", shade="2")
    day = next_weekday(3)
    with time_machine.travel(day - timedelta(days=7)):
        inventory.lot_receive(
            product=product,
            lot_number="WED-1",
            expiry_date=day - timedelta(days=1),
            volume_ml=Decimal("30"),
        )
        inventory.needle_receive(
            brand="Kwadron",
            configuration="1RL",
            diameter_mm=Decimal("0.25"),
            lot_number="K-WED",
            expiry_date=day - timedelta(days=1),
            quantity=20,
        )
    thursday_morning_in_auckland = local_datetime(day, time(9, 0), auckland.tz)
    with time_machine.travel(thursday_morning_in_auckland):
        products, needles = inventory.low_stock()
        assert [p.name for p in products] == ["Shadow"]
        assert [n.label for n in needles] == ["1RL 0.25 mm"]
        client.force_login(manager)
        page = client.get(reverse("sessions_app:inventory")).content.decode()
    assert page.count('<span class="badge text-bg-secondary">Expired</span>') == 2
