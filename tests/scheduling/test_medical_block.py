"""A blocking medical flag stops pigmentation sessions (not consultations) until cleared."""

from datetime import time

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clients.intake.services import flag_clear
from scheduling.models import Appointment
from tests.factories import make_appointment, make_intake, pdf_upload


@pytest.fixture
def blocked_client(smp_client, practitioner):
    make_intake(client=smp_client, by=practitioner, yes={"keloid"})
    return smp_client


def test_a_session_for_a_client_with_an_uncleared_block_is_refused(
    blocked_client, rota, treatment_room
):
    with pytest.raises(ValidationError) as refused:
        make_appointment(
            client=blocked_client,
            practitioner=rota,
            room=treatment_room,
            kind="session",
            at=time(9, 15),
        )
    message = " ".join(refused.value.messages)
    assert "Sam Carter has a medical flag that blocks pigmentation sessions" in message
    assert "keloid" not in message.lower()
    assert not Appointment.objects.exists()


def test_a_consultation_is_still_allowed(blocked_client, rota, treatment_room):
    assert make_appointment(
        client=blocked_client, practitioner=rota, room=treatment_room, kind="consultation"
    ).pk


def test_after_a_clearance_the_session_can_be_booked(
    blocked_client, rota, treatment_room, practitioner
):
    from datetime import time

    flag = blocked_client.medical_intakes.get().flags.get()
    flag_clear(
        flag=flag, by=practitioner, note="Scar assessed, test patch fine.", document=pdf_upload()
    )
    assert make_appointment(
        client=blocked_client,
        practitioner=rota,
        room=treatment_room,
        kind="session",
        at=time(9, 15),
    ).pk


def test_the_front_desk_booking_form_shows_the_block_without_medical_details(
    client, front_desk, blocked_client, rota, treatment_room, tuesday, location
):
    from tests.factories import appointment_type

    client.force_login(front_desk)
    response = client.post(
        reverse("scheduling:book") + f"?location={location.public_id}",
        {
            "client": str(blocked_client.public_id),
            "appointment_type": appointment_type("session").pk,
            "date": tuesday.isoformat(),
            "time": "09:15",
            "practitioner": str(rota.public_id),
            "room": str(treatment_room.public_id),
            "course": "",
        },
    )
    content = response.content.decode()
    assert "blocks pigmentation sessions until a practitioner records a clearance" in content
    assert "eloid" not in content
