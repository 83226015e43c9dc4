"""A started session that did not go ahead (the client felt faint, a reaction before the
first pass) is closed as such, so the course's next session is not held up by it."""

from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from aftercare.kinds import Kind
from aftercare.models import OutboundMessage
from audit.models import AuditEvent
from scheduling.models import Appointment
from sessions_app import services
from tests.factories import make_appointment
from tests.sessions_app.conftest import pass_data
from tests.sessions_app.test_session_log import failing, open_next_in_course

REASON = "Client felt faint before the first pass"


def test_a_started_session_closed_as_not_gone_ahead_frees_the_next_session_of_the_course(
    session, practitioner, on_the_day, session_day
):
    services.session_start(session=session, by=practitioner)
    second = open_next_in_course(session, practitioner, session_day)
    assert "previous" in failing(second, session_day + timedelta(days=30))

    services.session_abandon(session=session, by=practitioner, reason=f"  {REASON} ")

    session.refresh_from_db()
    assert (session.status, session.abandoned_by, session.abandon_reason) == (
        "abandoned",
        practitioner,
        REASON,
    )
    assert session.abandoned_at is not None
    appointment = Appointment.objects.get(pk=session.appointment_id)
    assert appointment.status == "cancelled"
    assert appointment.cancel_reason == f"Session did not go ahead: {REASON}"
    assert appointment.course_position is None  # the course's next session is now its first
    assert services.previous_session(second) is None
    assert failing(second, session_day + timedelta(days=30)) == {}


@pytest.fixture
def dispatch(django_capture_on_commit_callbacks):
    from aftercare.services.sending import outbox_dispatch

    def run() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            outbox_dispatch()

    return run


def test_a_session_that_did_not_go_ahead_gets_no_aftercare_and_no_cancellation_email(
    session, practitioner, on_the_day, dispatch, mailoutbox
):
    dispatch()  # the booking confirmation went out: the client knows of the appointment
    told = len(mailoutbox)
    assert told >= 1
    services.session_start(session=session, by=practitioner)
    services.session_abandon(session=session, by=practitioner, reason=REASON)
    dispatch()
    kinds = set(
        OutboundMessage.objects.filter(appointment=session.appointment).values_list(
            "kind", flat=True
        )
    )
    assert Kind.AFTERCARE not in kinds
    assert Kind.HEALING_CHECK not in kinds
    assert Kind.CANCELLATION_NOTICE not in kinds  # the client was there and knows
    assert len(mailoutbox) == told


@pytest.fixture
def doctor(client, practitioner, on_the_day):
    """Signed in on the session's day (a sign-in from before the clock moved would have
    timed out)."""
    client.force_login(practitioner)
    return client


def test_closing_a_session_as_not_gone_ahead_is_on_the_audit_trail(
    doctor, session, practitioner, on_the_day
):
    services.session_start(session=session, by=practitioner)
    doctor.post(reverse("sessions_app:abandon", args=[session.public_id]), {"reason": REASON})
    event = AuditEvent.objects.filter(
        object_type="sessions_app.PigmentationSession",
        object_id=str(session.public_id),
        action=AuditEvent.Action.UPDATE,
    ).latest("pk")
    assert event.changes["status"] == {"before": "in_progress", "after": "abandoned"}
    assert event.changes["abandon_reason"]["after"] == REASON
    assert event.actor_id == practitioner.pk


def test_a_session_with_passes_is_signed_off_instead_of_closed(
    session, practitioner, pigments, on_the_day
):
    """Pigment went into the skin: the record of what was used must stand (lot trail)."""
    services.session_start(session=session, by=practitioner)
    services.pass_add(session=session, by=practitioner, data=pass_data(pigments))
    with pytest.raises(ValidationError, match="1 pass is logged: sign the session off"):
        services.session_abandon(session=session, by=practitioner, reason=REASON)
    session.refresh_from_db()
    assert session.status == "in_progress"
    assert Appointment.objects.get(pk=session.appointment_id).status == "in_progress"


@pytest.mark.parametrize(
    ("reason", "message"),
    [("", "Say why the session did not go ahead."), ("ill", "Say why the session")],
)
def test_closing_a_session_needs_a_reason(session, practitioner, on_the_day, reason, message):
    services.session_start(session=session, by=practitioner)
    with pytest.raises(ValidationError, match=message):
        services.session_abandon(session=session, by=practitioner, reason=reason)
    session.refresh_from_db()
    assert session.status == "in_progress"


def test_only_a_started_session_is_closed_as_not_gone_ahead(
    session, practitioner, pigments, on_the_day, front_desk
):
    with pytest.raises(ValidationError, match="has not started: cancel its appointment"):
        services.session_abandon(session=session, by=practitioner, reason=REASON)
    services.session_start(session=session, by=practitioner)
    with pytest.raises(ValidationError, match="Only practitioners and managers"):
        services.session_abandon(session=session, by=front_desk, reason=REASON)
    services.session_abandon(session=session, by=practitioner, reason=REASON)
    with pytest.raises(ValidationError, match="already closed: it did not go ahead"):
        services.session_abandon(session=session, by=practitioner, reason=REASON)
    with pytest.raises(ValidationError, match="did not go ahead"):
        services.pass_add(session=session, by=practitioner, data=pass_data(pigments))
    with pytest.raises(ValidationError, match="did not go ahead"):
        services.session_save_notes(session=session, by=practitioner, data={"notes": "later"})


def test_the_gate_of_the_next_session_suggests_what_can_be_done_with_the_previous_one(
    session, session_appointment, practitioner, on_the_day, session_day
):
    second = open_next_in_course(session, practitioner, session_day)
    later = session_day + timedelta(days=30)
    on_the_day.move_to(session_appointment.start + timedelta(hours=1))  # it could have begun
    day = timezone.localtime(session_appointment.start, session_appointment.location.tz)
    name = f"Session 1 of the course ({day:%a} {day.day} {day:%b})"
    assert failing(second, later)["previous"] == (
        f"{name} has not started: start it and sign it off, or mark its appointment "
        "cancelled or a no-show if it did not take place."
    )
    services.session_start(session=session, by=practitioner)
    assert failing(second, later)["previous"] == (
        f"{name} is not signed off: sign it off, or close it on its page as a session that "
        "did not go ahead."
    )


def test_the_gate_does_not_offer_a_no_show_for_a_checked_in_session(
    session, session_appointment, practitioner, on_the_day, session_day
):
    from scheduling.services import appointment_set_status

    appointment_set_status(appointment=session_appointment, by=practitioner, status="checked_in")
    on_the_day.move_to(session_appointment.start + timedelta(hours=1))
    second = open_next_in_course(session, practitioner, session_day)
    assert failing(second, session_day + timedelta(days=30))["previous"].endswith(
        "has not started: start it and sign it off, or cancel its appointment if it did not "
        "take place."
    )


def test_the_gate_of_a_later_session_waits_for_one_not_yet_due(
    session, session_appointment, practitioner, session_day
):
    """Looked at days ahead, the previous session has not happened yet: nothing to mark."""
    second = open_next_in_course(session, practitioner, session_day)
    assert failing(second, session_day - timedelta(days=3))["previous"].endswith(
        "has not taken place yet: it is signed off before this one can start."
    )


def test_the_session_page_closes_a_session_that_did_not_go_ahead_after_a_confirmation(
    doctor, session, practitioner, on_the_day
):
    services.session_start(session=session, by=practitioner)
    page_url = reverse("sessions_app:session", args=[session.public_id])
    page = doctor.get(page_url).content.decode()
    url = reverse("sessions_app:abandon", args=[session.public_id])
    assert f'action="{url}"' in page
    assert 'data-confirm="Close this session as one that did not go ahead?' in page

    refused = doctor.post(url, {"reason": ""})
    assert "Say why the session did not go ahead." in refused.content.decode()
    session.refresh_from_db()
    assert session.status == "in_progress"

    response = doctor.post(url, {"reason": REASON}, follow=True)
    content = response.content.decode()
    assert response.redirect_chain[-1][0] == page_url
    assert 'data-testid="did-not-go-ahead"' in content
    assert REASON in content
    assert "Did not go ahead" in content
    assert f'action="{url}"' not in content
    assert 'data-testid="notes-form"' not in content


def test_the_session_page_offers_no_close_once_a_pass_is_logged(
    doctor, session, practitioner, pigments, on_the_day
):
    services.session_start(session=session, by=practitioner)
    services.pass_add(session=session, by=practitioner, data=pass_data(pigments))
    page = doctor.get(reverse("sessions_app:session", args=[session.public_id])).content.decode()
    assert reverse("sessions_app:abandon", args=[session.public_id]) not in page
    response = doctor.post(
        reverse("sessions_app:abandon", args=[session.public_id]), {"reason": REASON}, follow=True
    )
    assert "sign the session off with what was done" in response.content.decode()
    session.refresh_from_db()
    assert session.status == "in_progress"


def test_staff_of_another_location_cannot_close_the_session(
    client, session, practitioner, practitioner_elsewhere, on_the_day
):
    from clients.services import client_link_location

    services.session_start(session=session, by=practitioner)
    client_link_location(client=session.client, location=practitioner_elsewhere.locations.get())
    client.force_login(practitioner_elsewhere)
    response = client.post(
        reverse("sessions_app:abandon", args=[session.public_id]), {"reason": REASON}
    )
    assert response.status_code == 403
    session.refresh_from_db()
    assert session.status == "in_progress"


def test_a_standalone_session_after_one_that_did_not_go_ahead_is_not_held_up(
    session, practitioner, on_the_day, session_day
):
    services.session_start(session=session, by=practitioner)
    services.session_abandon(session=session, by=practitioner, reason=REASON)
    touch_up = make_appointment(
        client=session.client,
        practitioner=practitioner,
        room=session.appointment.room,
        kind="touch_up",
        day=session_day + timedelta(days=2),
        at=time(14),
    )
    later = services.session_open(appointment=touch_up, by=practitioner)
    assert services.previous_session(later) is None
