from datetime import time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from clients.intake.services import intake_mark_reviewed
from scheduling.services import course_create
from sessions_app import inventory, services
from sessions_app.models import PigmentProduct
from sessions_app.services import session_open
from smp_clinic.lib.tz import local_datetime
from tests.factories import (
    RoomFactory,
    give_rota,
    make_appointment,
    make_intake,
    make_signed_consent,
    next_weekday,
)


@pytest.fixture
def ready_client(smp_client, practitioner):
    """A client who may have a session: reviewed intake without flags, treatment consent."""
    intake = make_intake(client=smp_client, by=practitioner)
    intake_mark_reviewed(intake=intake, by=practitioner)
    make_signed_consent(client=smp_client, kind="treatment", witness=practitioner)
    return smp_client


@pytest.fixture
def course(ready_client, practitioner):
    return course_create(client=ready_client, by=practitioner, planned_sessions=2)


@pytest.fixture
def session_day():
    return next_weekday(1)


@pytest.fixture
def session_appointment(ready_client, practitioner, location, course, session_day):
    give_rota(practitioner, location)
    return make_appointment(
        client=ready_client,
        practitioner=practitioner,
        room=RoomFactory(location=location),
        kind="session",
        day=session_day,
        at=time(9, 30),
        course=course,
    )


@pytest.fixture
def on_the_day(session_day, location):
    """Run inside the session's day (check-in and start happen on the day)."""
    with time_machine.travel(
        local_datetime(session_day, time(9, 25), location.tz), tick=True
    ) as traveller:
        yield traveller


@pytest.fixture
def session(session_appointment, practitioner):
    return session_open(appointment=session_appointment, by=practitioner)


@pytest.fixture
def pigments(db):
    far = timezone.localdate() + timedelta(days=900)
    dark = PigmentProduct.objects.create(brand="Scalp Ink", name="Shadow", shade="3")
    light = PigmentProduct.objects.create(brand="Scalp Ink", name="Mist", shade="1")
    return {
        "dark": inventory.lot_receive(
            product=dark, lot_number="SD-100", expiry_date=far, volume_ml=Decimal("30")
        ),
        "light": inventory.lot_receive(
            product=light, lot_number="MI-200", expiry_date=far, volume_ml=Decimal("30")
        ),
        "needle_1rl": inventory.needle_receive(
            brand="Kwadron",
            configuration="1RL",
            diameter_mm=Decimal("0.25"),
            lot_number="K1",
            expiry_date=far,
            quantity=20,
        ),
        "needle_3rl": inventory.needle_receive(
            brand="Kwadron",
            configuration="3RL",
            diameter_mm=Decimal("0.30"),
            lot_number="K3",
            expiry_date=far,
            quantity=20,
        ),
    }


def pass_data(pigments, *, lot="light", needle="needle_1rl", **extra):
    return {
        "zones": ["front_hairline"],
        "needle": pigments[needle],
        "pigment_lot": pigments[lot],
        "dilution": "1:3",
        "machine": "Bellar",
        "machine_settings": "7.5 V",
        "depth": "0.5 mm",
        "density": "light",
        "shade": "1",
        "duration_minutes": 40,
        "pigment_ml": Decimal("0.5"),
        "notes": "",
        **extra,
    }


def signed_off(session, practitioner, pigments, lot="light", **extra):
    """Start the session, log one pass (0.5 ml of the light lot unless told), sign off."""
    services.session_start(session=session, by=practitioner)
    services.pass_add(session=session, by=practitioner, data=pass_data(pigments, lot=lot, **extra))
    services.session_save_notes(
        session=session,
        by=practitioner,
        data={"pain": 3, "bleeding": "none", "skin_reaction": "redness"},
    )
    return services.session_sign_off(session=session, by=practitioner)


def posted_pass(pigments, *, lot="light", needle="needle_1rl", **extra) -> dict:
    """What the pass form sends for one ordinary pass over the crown."""
    return {
        "zones": ["crown"],
        "needle": str(pigments[needle].public_id),
        "pigment_lot": str(pigments[lot].public_id),
        "dilution": "1:3",
        "depth": "0.5 mm",
        "density": "medium",
        "shade": "1",
        "duration_minutes": "30",
        "pigment_ml": "0.5",
        **extra,
    }


def correct_lot(session, by, lot, reason="Bottle label misread"):
    """After sign-off: the session's one pass really used ``lot``."""
    return services.session_amend(
        session=session,
        by=by,
        layering_pass=session.passes.get(),
        field="pigment_lot",
        new_value="",
        reason=reason,
        corrected_lot=lot,
    )
