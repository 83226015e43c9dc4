"""A session's "today" is the clinic's calendar day where it happens, not the server's: a
clinic in Auckland starts its Thursday while the server in London still has Wednesday."""

from datetime import time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

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
    day = next_weekday(3)
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
