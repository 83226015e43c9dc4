"""The outbox reacting to the other apps' services: the session log's sign-off and the
marketing consent being signed or withdrawn."""

from datetime import date

import time_machine

from aftercare.kinds import Kind
from aftercare.models import AftercareStep, OutboundMessage
from clients.services import client_set_marketing_consent
from sessions_app import services as session_services
from tests.factories import make_consultation, make_started_session


def test_signing_off_a_session_schedules_its_aftercare(practitioner, location):
    session = make_started_session(practitioner=practitioner, location=location)
    session_services.session_save_notes(
        session=session,
        by=practitioner,
        data={"pain": 3, "bleeding": "none", "skin_reaction": "redness"},
    )
    with time_machine.travel(session.appointment.start):
        session_services.session_sign_off(session=session, by=practitioner)
    aftercare = OutboundMessage.objects.filter(kind=Kind.AFTERCARE, appointment=session.appointment)
    assert aftercare.count() == AftercareStep.objects.count() == 7
    assert set(aftercare.values_list("status", flat=True)) == {"pending"}


def test_withdrawing_the_marketing_consent_skips_pending_follow_ups(smp_client, practitioner):
    client_set_marketing_consent(client=smp_client, consenting=True)
    make_consultation(
        client=smp_client,
        practitioner=practitioner,
        decision="thinking",
        follow_up_on=date(2099, 1, 5),
    )
    follow_up = OutboundMessage.objects.get(kind=Kind.CONSULTATION_FOLLOW_UP)
    assert follow_up.status == "pending"
    client_set_marketing_consent(client=smp_client, consenting=False)
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.reason) == ("skipped", "opted_out")
    client_set_marketing_consent(client=smp_client, consenting=True)
    follow_up.refresh_from_db()
    assert follow_up.status == "pending"
