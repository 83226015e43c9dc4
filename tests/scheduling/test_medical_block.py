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


# --- Sessions booked before the flag was raised -------------------------------------------

CLEARANCE_NEEDED = "Medical clearance needed before this session"


def session_then_flag(client_obj, practitioner, room, day, *, flag="keloid"):
    """A session booked while the client was clear; then an intake raising a blocking flag."""
    session = make_appointment(
        client=client_obj,
        practitioner=practitioner,
        room=room,
        kind="session",
        day=day,
        at=time(9, 15),
    )
    make_intake(client=client_obj, by=practitioner, yes={flag})
    return session


def test_a_session_booked_before_a_blocking_flag_is_marked_on_the_calendar_without_the_condition(
    client, front_desk, rota, smp_client, treatment_room, second_room, tuesday, location
):
    session = session_then_flag(smp_client, rota, treatment_room, tuesday)
    consultation = make_appointment(
        client=smp_client, practitioner=rota, room=second_room, day=tuesday, at=time(16)
    )
    client.force_login(front_desk)
    for url in (
        reverse("scheduling:day") + f"?date={tuesday}",
        reverse("scheduling:day") + f"?date={tuesday}&by=room",
        reverse("scheduling:week") + f"?date={tuesday}&practitioner={rota.public_id}",
    ):
        content = client.get(url).content.decode()
        assert content.count('data-testid="cal-needs-clearance"') == 1, url
        card = content[content.index(str(session.public_id)) :]
        assert CLEARANCE_NEEDED in card[: card.index("</div>")], url
        assert "eloid" not in content, url
    # The consultation is not held up by the flag.
    assert consultation.pk
    detail = client.get(reverse("scheduling:appointment", args=[session.public_id]))
    text = detail.content.decode()
    assert 'data-testid="needs-clearance"' in text
    assert CLEARANCE_NEEDED in text
    assert "eloid" not in text
    # Medical details stay on the medical record, which the front desk has no link to.
    assert reverse("clients:section", args=[smp_client.public_id, "medical"]) not in text
    other = client.get(reverse("scheduling:appointment", args=[consultation.public_id]))
    assert CLEARANCE_NEEDED not in other.content.decode()


def test_a_practitioner_is_pointed_to_the_medical_record_and_a_clearance_lifts_the_mark(
    client, practitioner, rota, smp_client, treatment_room, tuesday
):
    session = session_then_flag(smp_client, rota, treatment_room, tuesday)
    client.force_login(practitioner)
    detail_url = reverse("scheduling:appointment", args=[session.public_id])
    text = client.get(detail_url).content.decode()
    assert CLEARANCE_NEEDED in text
    assert reverse("clients:section", args=[smp_client.public_id, "medical"]) in text
    flag = smp_client.medical_intakes.get().flags.get()
    flag_clear(flag=flag, by=practitioner, note="Scar assessed, test patch fine.")
    assert CLEARANCE_NEEDED not in client.get(detail_url).content.decode()
    day = client.get(reverse("scheduling:day") + f"?date={tuesday}").content.decode()
    assert CLEARANCE_NEEDED not in day


def test_a_flag_whose_window_ends_before_the_session_does_not_mark_it(
    client, front_desk, rota, smp_client, treatment_room, tuesday
):
    from datetime import timedelta

    from clients.models import IntakeFlag

    session = session_then_flag(smp_client, rota, treatment_room, tuesday)
    IntakeFlag.objects.filter(intake__client=smp_client).update(
        active_until=tuesday - timedelta(days=1)
    )
    client.force_login(front_desk)
    assert (
        CLEARANCE_NEEDED
        not in client.get(
            reverse("scheduling:appointment", args=[session.public_id])
        ).content.decode()
    )


@pytest.mark.parametrize("view", ["day", "week"])
@pytest.mark.parametrize("sessions", [1, 3])
def test_marking_sessions_costs_one_query_for_the_whole_grid(
    client, front_desk, rota, location, tuesday, sessions, view, django_assert_num_queries
):
    from datetime import timedelta

    from tests.factories import RoomFactory, give_rota, make_client, make_staff

    people = [rota, *(make_staff(role="practitioner", locations=[location]) for _ in range(2))]
    for person in people:
        give_rota(person, location)
    for i in range(sessions):
        day = tuesday if view == "day" else tuesday + timedelta(days=i)
        person = people[i] if view == "day" else rota
        session_then_flag(
            make_client(location=location), person, RoomFactory(location=location), day
        )
    client.force_login(front_desk)
    url = reverse(f"scheduling:{view}") + f"?date={tuesday}&practitioner={rota.public_id}"
    # The view's own queries (see test_views; the week also reads the practitioner asked
    # for), plus one for the blocking flags of all the sessions shown.
    with django_assert_num_queries({"day": 10, "week": 11}[view]):
        response = client.get(url)
    assert response.content.decode().count('data-testid="cal-needs-clearance"') == sessions
