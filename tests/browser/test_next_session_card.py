"""After sign-off the session page shows at once; the next session's proposal arrives by
itself (htmx, after load) and one tap books it."""

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from scheduling.models import Appointment
from sessions_app import services
from tests.sessions_app import conftest as chair
from tests.sessions_app.conftest import pass_data

# The session log's fixtures, re-used: a client ready for a course of two sessions.
ready_client = chair.ready_client
course = chair.course
session_day = chair.session_day
session_appointment = chair.session_appointment
on_the_day = chair.on_the_day
session = chair.session
pigments = chair.pigments


def test_the_next_session_is_proposed_after_the_page_loads_and_booked_with_one_tap(
    page, sign_in, practitioner, session, course, pigments, location, on_the_day
):
    services.session_start(session=session, by=practitioner)
    services.pass_add(session=session, by=practitioner, data=pass_data(pigments))
    services.session_save_notes(
        session=session,
        by=practitioner,
        data={"pain": 3, "bleeding": "none", "skin_reaction": "redness"},
    )
    services.session_sign_off(session=session, by=practitioner)

    sign_in(practitioner)
    page.goto(reverse("sessions_app:session", args=[session.public_id]))
    card = page.get_by_test_id("next-session")
    # The placeholder is swapped for the proposal without a click.
    expect(card).to_contain_text("Proposed within the plan's interval")
    expect(page.get_by_test_id("next-session-pending")).to_have_count(0)

    card.get_by_role("button", name="Book it").click()
    expect(page.get_by_text("Next session booked for")).to_be_visible()
    expect(page.get_by_test_id("next-session")).to_have_count(0)
    booked = Appointment.objects.get(course=course, course_position=2)
    assert booked.status == "booked"
    assert booked.practitioner == practitioner
    assert booked.start > timezone.now()
