"""The session log through its pages, as a practitioner or manager uses it: what the
service tests prove, reached through real requests."""

import re
from datetime import time, timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.intake.services import intake_mark_reviewed
from scheduling.models import Appointment
from scheduling.services import appointment_book
from sessions_app import services
from sessions_app.models import SessionAmendment
from tests.factories import (
    RoomFactory,
    appointment_type,
    make_appointment,
    make_client,
    make_intake,
)
from tests.sessions_app.conftest import pass_data


@pytest.fixture
def doctor(client, practitioner, on_the_day):
    """The practitioner signed in on the session's day (a sign-in from before the clock
    moved there would have timed out)."""
    client.force_login(practitioner)
    return client


def session_url(session, name="session"):
    return reverse(f"sessions_app:{name}", args=[session.public_id])


def sign_off_through_the_page(http, session, practitioner, pigments):
    """Start the session and log a pass, then sign off from the notes form as on the tablet."""
    services.session_start(session=session, by=practitioner)
    services.pass_add(session=session, by=practitioner, data=pass_data(pigments))
    return http.post(
        session_url(session, "notes"),
        {"pain": "3", "bleeding": "none", "skin_reaction": "redness", "sign_off": "1"},
        follow=True,
    )


class _TableCells(HTMLParser):
    """The text of each body cell of the table with a given data-testid, row by row."""

    def __init__(self, testid: str):
        super().__init__()
        self.testid, self.depth, self.in_body, self.rows, self.cell = testid, 0, False, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and (self.depth or dict(attrs).get("data-testid") == self.testid):
            self.depth += 1
        elif self.depth and tag == "tbody":
            self.in_body = True
        elif self.in_body and tag == "tr":
            self.rows.append([])
        elif self.in_body and tag == "td":
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table" and self.depth:
            self.depth -= 1
        elif tag == "tbody":
            self.in_body = False
        elif tag == "td" and self.cell is not None:
            self.rows[-1].append(" ".join(" ".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table_rows(content: str, testid: str) -> list[list[str]]:
    parser = _TableCells(testid)
    parser.feed(content)
    return parser.rows


def proposed_value(content: str) -> str:
    [value] = re.findall(r'name="session" value="([^"]+)"', content)
    return value


def test_signing_off_a_course_session_proposes_the_next_within_the_plans_interval_and_books_it(
    doctor, session, practitioner, pigments, course, location, on_the_day
):
    signed = sign_off_through_the_page(doctor, session, practitioner, pigments)
    assert "Session signed off." in signed.content.decode()

    page = doctor.get(session_url(session)).content.decode()
    # The page loads at once; the slot search follows (htmx), or a link asks for it.
    assert 'data-testid="next-session-pending"' in page
    next_url = session_url(session, "book_next")
    assert f'hx-get="{next_url}" hx-trigger="load"' in page
    assert f'<a href="{next_url}">Propose the next session' in page
    card = doctor.get(next_url, HTTP_HX_REQUEST="true")
    content = card.content.decode()
    assert content.lstrip().startswith(
        '<div class="card mb-3 border-primary" data-testid="next-session">'
    )
    without_js = doctor.get(next_url)
    assert 'data-testid="next-session"' in without_js.content.decode()
    slot = without_js.context["next_proposal"].slot
    day = timezone.localtime(session.appointment.start, location.tz).date()
    slot_day = timezone.localtime(slot.start, location.tz).date()
    assert (
        day + timedelta(days=course.min_interval_days)
        <= slot_day
        <= day + timedelta(days=course.max_interval_days)
    )
    assert slot.practitioner == practitioner  # the same hand keeps the course
    assert f"{slot_day:%A} {slot_day.day} {slot_day:%B}" in content

    booked = doctor.post(
        session_url(session, "book_next"), {"session": proposed_value(content)}, follow=True
    )
    local = timezone.localtime(slot.start, location.tz)
    assert booked.redirect_chain == [(session_url(session), 302)]
    assert f"Next session booked for {local:%a %d %b} at {local:%H:%M}." in (
        booked.content.decode()
    )
    nxt = Appointment.objects.get(course=course, start=slot.start)
    assert nxt.status == "booked"
    assert nxt.practitioner == practitioner
    assert nxt.client == session.client
    assert nxt.course_position == 2
    # Booked: the page no longer proposes another one.
    assert 'data-testid="next-session' not in booked.content.decode()
    assert doctor.get(next_url, HTTP_HX_REQUEST="true").content == b""


def test_booking_a_proposed_slot_that_was_taken_meanwhile_says_why_and_books_nothing(
    doctor, session, practitioner, pigments, course, location, on_the_day
):
    sign_off_through_the_page(doctor, session, practitioner, pigments)
    proposal = doctor.get(session_url(session, "book_next"))
    slot = proposal.context["next_proposal"].slot
    value = proposed_value(proposal.content.decode())
    # While the page was open, the front desk gave that time to another client.
    appointment_book(
        by=practitioner,
        client=make_client(location=location),
        appointment_type=appointment_type("consultation"),
        practitioner=slot.practitioner,
        room=slot.room,
        start=slot.start,
    )

    response = doctor.post(session_url(session, "book_next"), {"session": value}, follow=True)

    content = response.content.decode()
    assert f"{practitioner.full_name} is already booked for" in content
    assert "Next session booked" not in content
    assert course.appointments.count() == 1
    # Still unbooked, so the page proposes another free time.
    assert 'data-testid="next-session-pending"' in content
    again = doctor.get(session_url(session, "book_next"))
    assert again.context["next_proposal"].slot.start != slot.start


def test_booking_the_next_session_without_choosing_one_asks_for_a_choice(
    doctor, session, practitioner, pigments, course, on_the_day
):
    sign_off_through_the_page(doctor, session, practitioner, pigments)
    response = doctor.post(session_url(session, "book_next"), {}, follow=True)
    assert "Choose one proposed session." in response.content.decode()
    assert course.appointments.count() == 1


def test_the_progress_page_ladder_shows_what_each_pass_used_next_to_how_it_healed(
    doctor, session, practitioner, pigments, location, on_the_day
):
    services.session_start(session=session, by=practitioner)
    services.pass_add(session=session, by=practitioner, data=pass_data(pigments))
    services.pass_add(
        session=session,
        by=practitioner,
        data=pass_data(pigments, lot="dark", needle="needle_3rl", shade="3"),
    )
    services.session_save_notes(
        session=session,
        by=practitioner,
        data={"pain": 3, "bleeding": "none", "skin_reaction": "redness"},
    )
    services.session_sign_off(session=session, by=practitioner)
    progress_url = reverse("sessions_app:progress", args=[session.client.public_id])
    day = timezone.localtime(session.appointment.start, location.tz)

    [before] = table_rows(doctor.get(progress_url).content.decode(), "shade-ladder")
    assert before[-1] == "not checked yet"

    checked = doctor.post(
        session_url(session, "healing_check"),
        {
            "checked_on": timezone.localdate().isoformat(),
            "rating": "4",
            "healed_shade": "lighter",
            "coverage": "patchy",
        },
        follow=True,
    )
    assert "Healing check recorded." in checked.content.decode()

    [row] = table_rows(doctor.get(progress_url).content.decode(), "shade-ladder")
    assert row == [
        f"{day.day} {day:%b %Y} session 1",
        "1, 3",  # the shades of both passes
        "1:3",  # one dilution, used twice, named once
        "1RL 0.25 mm, 3RL 0.30 mm",
        "1 · MI-200; 3 · SD-100",
        "4/5 · Healed lighter than intended · Patchy",
    ]


def opened_session(client, practitioner, location, session_day):
    """The log of a pigmentation session booked for the client at 09:30 on the day."""
    appointment = make_appointment(
        client=client,
        practitioner=practitioner,
        room=RoomFactory(location=location),
        kind="session",
        day=session_day,
        at=time(9, 30),
    )
    return services.session_open(appointment=appointment, by=practitioner)


@pytest.fixture
def unconsented_session(practitioner, location, session_day):
    """A session whose client has a reviewed intake but never signed the treatment consent."""
    client = make_client(location=location, first_name="Jo", last_name="Unsigned")
    intake_mark_reviewed(intake=make_intake(client=client, by=practitioner), by=practitioner)
    return opened_session(client, practitioner, location, session_day)


NO_CONSENT = "The client has not signed the treatment consent (or withdrew it)."
REASON = "Consent signed on paper this morning; scan to follow"


def test_a_practitioner_cannot_start_a_session_whose_gate_fails_nor_override_it(
    doctor, unconsented_session
):
    page = doctor.get(session_url(unconsented_session)).content.decode()
    assert NO_CONSENT in page
    assert session_url(unconsented_session, "override") not in page  # no override form

    started = doctor.post(session_url(unconsented_session, "start"), follow=True)
    assert f"The session cannot start. {NO_CONSENT}" in started.content.decode()

    overridden = doctor.post(session_url(unconsented_session, "override"), {"reason": REASON})
    assert overridden.status_code == 403
    unconsented_session.refresh_from_db()
    assert unconsented_session.status == "not_started"
    assert unconsented_session.gate_override_by is None


def start_button_is_live(page: str) -> bool:
    return bool(
        re.search(r'<button class="btn btn-primary btn-lg" type="submit">Start the session', page)
    )


def test_a_failed_gate_disables_start_and_links_each_failure_to_its_fix(
    doctor, unconsented_session
):
    page = doctor.get(session_url(unconsented_session)).content.decode()
    assert not start_button_is_live(page)
    assert session_url(unconsented_session, "start") not in page
    assert 'data-testid="gate-closed"' in page
    sign = reverse("clients:consent_sign", args=[unconsented_session.client.public_id, "treatment"])
    assert f'href="{sign}?next=%2Fsessions%2F' in page
    assert "Hand the tablet to the client to sign the treatment consent" in page


def test_a_gate_that_passes_offers_start_and_no_override(client, manager, session, on_the_day):
    client.force_login(manager)
    page = client.get(session_url(session)).content.decode()
    assert start_button_is_live(page)
    assert 'data-testid="gate-fix"' not in page
    assert session_url(session, "override") not in page


def test_with_no_intake_the_flags_are_not_called_cleared_and_the_intake_is_asked_for(
    doctor, practitioner, location, session_day
):
    client = make_client(location=location, first_name="Al", last_name="Nointake")
    session = opened_session(client, practitioner, location, session_day)
    checks = {check.key: check for check in services.session_gate(session=session)}
    assert not checks["flags"].ok
    assert checks["flags"].pending
    page = doctor.get(session_url(session)).content.decode()
    flags = page[page.index('data-testid="gate-flags"') :]
    flags = flags[: flags.index("</li>")]
    assert "bi-check-circle-fill" not in flags
    assert "Not checked yet: the flags come from the medical intake." in flags
    intake_new = reverse("clients:intake_new", args=[client.public_id])
    assert f'href="{intake_new}?tablet=1"' in page
    refused = doctor.post(session_url(session, "start"), follow=True).content.decode()
    assert (
        "The session cannot start. The client has not signed the treatment consent (or "
        "withdrew it). There is no medical intake on record.\n" in refused
    )


def test_an_unreviewed_intake_and_a_blocking_flag_link_to_the_intake(doctor, practitioner, session):
    intake = make_intake(client=session.client, by=practitioner, yes={"keloid"})
    page = doctor.get(session_url(session)).content.decode()
    detail = reverse("clients:intake_detail", args=[session.client.public_id, intake.public_id])
    assert page.count(f'href="{detail}" data-testid="gate-fix"') == 2
    assert "Read the intake and mark it reviewed" in page
    assert "Record the clearance of each blocking flag" in page


def test_a_manager_overrides_a_failed_gate_with_a_reason_that_stays_on_the_record(
    client, manager, unconsented_session, on_the_day
):
    client.force_login(manager)
    page = client.get(session_url(unconsented_session)).content.decode()
    assert session_url(unconsented_session, "override") in page

    response = client.post(
        session_url(unconsented_session, "override"), {"reason": REASON}, follow=True
    )

    assert response.redirect_chain == [(session_url(unconsented_session), 302)]
    content = response.content.decode()
    assert "Safety gate overridden; your reason is kept on the record." in content
    assert 'data-testid="gate-overridden"' in content
    assert f"Safety gate overridden by {manager.full_name}" in content
    assert REASON in content
    assert NO_CONSENT in content  # what failed then
    unconsented_session.refresh_from_db()
    assert unconsented_session.status == "in_progress"
    assert unconsented_session.gate_override_by == manager
    assert unconsented_session.gate_override_reason == REASON
    assert unconsented_session.gate_failures == [{"key": "consent", "reason": NO_CONSENT}]
    assert Appointment.objects.get(pk=unconsented_session.appointment_id).status == "in_progress"
    assert 'data-testid="pass-form"' in content  # passes can be logged now


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Write why the session may go ahead despite the failed checks."),
        ("   ", "Write why the session may go ahead despite the failed checks."),
        ("ok", "Write a little more (at least 10 characters)"),
    ],
)
def test_a_manager_override_without_a_written_reason_is_refused(
    client, manager, unconsented_session, on_the_day, reason, message
):
    client.force_login(manager)
    response = client.post(session_url(unconsented_session, "override"), {"reason": reason})
    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-testid="form-errors"' in content
    assert message in content
    unconsented_session.refresh_from_db()
    assert unconsented_session.status == "not_started"
    assert unconsented_session.gate_override_reason == ""


def test_a_manager_is_told_to_start_normally_when_every_check_passes(
    client, manager, session, on_the_day
):
    client.force_login(manager)
    response = client.post(session_url(session, "override"), {"reason": REASON})
    assert "Every check passes: start the session normally." in response.content.decode()
    session.refresh_from_db()
    assert session.status == "not_started"
    assert session.gate_override_by is None


def test_the_correction_form_is_fetched_when_opened_and_works_without_javascript(
    doctor, session, practitioner, pigments
):
    sign_off_through_the_page(doctor, session, practitioner, pigments)
    amend_url = session_url(session, "amend")
    page = doctor.get(session_url(session)).content.decode()
    assert 'data-testid="amend-form"' not in page
    assert f'hx-get="{amend_url}" hx-trigger="toggle once"' in page
    assert f'<a href="{amend_url}">Open the correction form</a>' in page

    fragment = doctor.get(amend_url, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith("<form")
    assert 'data-testid="amend-form"' in fragment
    assert pigments["dark"].lot_number in fragment  # any lot may be named

    full = doctor.get(amend_url).content.decode()
    assert '<details class="mt-2" data-testid="amend-section" open>' in full
    assert 'data-testid="amend-form"' in full


def test_there_is_no_correction_form_before_sign_off(doctor, session):
    response = doctor.get(session_url(session, "amend"))
    assert response.status_code == 302
    assert response.url == session_url(session)


def test_a_correction_after_sign_off_is_appended_on_the_page_and_the_signed_pass_stays(
    doctor, session, practitioner, pigments
):
    sign_off_through_the_page(doctor, session, practitioner, pigments)
    amend_url = session_url(session, "amend")

    shade = doctor.post(
        amend_url,
        {"target": "pass:1:shade", "new_value": "2", "reason": "Wrote the wrong shade"},
        follow=True,
    )
    assert shade.redirect_chain == [(session_url(session), 302)]
    assert "Correction added to the record." in shade.content.decode()
    lot = doctor.post(
        amend_url,
        {
            "target": "pass:1:pigment_lot",
            "corrected_lot": str(pigments["dark"].public_id),
            "reason": "Bottle label misread",
        },
        follow=True,
    )

    content = lot.content.decode()
    corrections = re.findall(r'data-testid="amendment">(.*?)</p>', content, re.S)
    assert len(corrections) == 2
    assert "pass 1 shade: 1 → <strong>2</strong> — Wrote the wrong shade" in corrections[0]
    assert (
        "pass 1 pigment lot: Scalp Ink Mist (1) lot MI-200 → "
        "<strong>Scalp Ink Shadow (3) lot SD-100</strong> — Bottle label misread"
    ) in corrections[1]
    assert content.count("Amended</span>") == 2  # beside the pass they correct
    layering_pass = session.passes.get()
    assert (layering_pass.shade, layering_pass.pigment_lot) == ("1", pigments["light"])
    assert [a.by for a in SessionAmendment.objects.all()] == [practitioner, practitioner]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"target": "session:pain", "new_value": "5", "reason": "oops"}, "Say why the record"),
        ({"target": "session:pain", "new_value": "3", "reason": "Told me so"}, "already the"),
        ({"target": "session:notes", "new_value": "  ", "reason": "Forgot it"}, "Give the"),
        ({"target": "pass:1:pigment_lot", "reason": "Label misread"}, "Choose the lot"),
        ({"target": "pass:2:shade", "new_value": "2", "reason": "No such pass"}, "valid choice"),
        ({"target": "session:pain", "new_value": "5", "reason": ""}, "This field is required."),
        (
            {"target": "session:pain", "new_value": "eleven", "reason": "Told me"},
            "Not a valid pain",
        ),
        ({"target": "session:pain", "new_value": "11", "reason": "Told me"}, "less than or equal"),
        ({"target": "pass:1:density", "new_value": "thick", "reason": "Misread"}, "valid choice"),
        (
            {"target": "pass:1:duration_minutes", "new_value": "0", "reason": "Typing slip"},
            "greater than",
        ),
    ],
)
def test_an_invalid_correction_is_shown_on_the_page_and_nothing_is_saved(
    doctor, session, practitioner, pigments, data, message
):
    sign_off_through_the_page(doctor, session, practitioner, pigments)

    response = doctor.post(session_url(session, "amend"), data)

    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-testid="form-errors"' in content
    assert message in content
    assert '<details class="mt-2" data-testid="amend-section" open>' in content  # open on errors
    assert not SessionAmendment.objects.exists()


def test_a_choice_is_corrected_by_its_label_and_kept_as_its_value(
    doctor, session, practitioner, pigments
):
    sign_off_through_the_page(doctor, session, practitioner, pigments)
    doctor.post(
        session_url(session, "amend"),
        {
            "target": "session:skin_reaction",
            "new_value": "weeping / Plasma",
            "reason": "Misclicked",
        },
    )
    assert SessionAmendment.objects.get().new_value == "weeping"


def note_cells(content: str) -> dict[str, str]:
    cells = re.findall(r'data-testid="note-(\w+)">(.*?)</dd>', content, re.S)
    return {key: " ".join(re.sub(r"<[^>]+>", " ", text).split()) for key, text in cells}


def test_the_signed_off_notes_show_the_corrected_values_and_say_so(
    doctor, session, practitioner, pigments
):
    sign_off_through_the_page(doctor, session, practitioner, pigments)
    amend_url = session_url(session, "amend")
    for target, value in (
        ("session:pain", "5"),
        ("session:pain", "6"),
        ("session:skin_reaction", "Swelling"),
        ("session:notes", "Client asked for a lighter crown"),
    ):
        doctor.post(amend_url, {"target": target, "new_value": value, "reason": "Told me later"})

    notes = note_cells(doctor.get(session_url(session)).content.decode())

    assert notes == {
        "numbing": "—",
        "pain": "6/10 Amended signed as: 3/10",
        "skin_reaction": "Swelling Amended signed as: Redness",
        "bleeding": "None",
        "notes": "Client asked for a lighter crown Amended signed as: —",
    }


@pytest.fixture
def client_seen_elsewhere(session, practitioner_elsewhere, other_location):
    """The session's client was also booked at the other location, so its staff may read
    the client's history there."""
    make_appointment(
        client=session.client,
        practitioner=practitioner_elsewhere,
        room=RoomFactory(location=other_location),
        day=session.appointment.start.date() + timedelta(weeks=9),
    )
    return session.client


def record_of(session) -> dict:
    session.refresh_from_db()
    return {
        "status": session.status,
        "notes": session.notes,
        "passes": list(session.passes.values_list("number", "pigment_ml")),
        "amendments": session.amendments.count(),
        "healing_checks": session.healing_checks.count(),
        "photos": session.photo_links.count(),
    }


def test_staff_of_another_location_read_the_session_but_cannot_write_notes(
    client,
    session,
    practitioner,
    practitioner_elsewhere,
    pigments,
    client_seen_elsewhere,
    on_the_day,
):
    services.session_start(session=session, by=practitioner)
    services.session_save_notes(session=session, by=practitioner, data={"notes": "As logged"})
    services.pass_add(session=session, by=practitioner, data=pass_data(pigments))
    before = record_of(session)
    client.force_login(practitioner_elsewhere)

    page = client.get(session_url(session))
    assert page.status_code == 200
    content = page.content.decode()
    assert 'data-testid="read-only"' in content
    assert 'data-testid="notes-form"' not in content
    assert 'data-testid="pass-form"' not in content
    assert ">Remove</button>" not in content

    refused = client.post(session_url(session, "notes"), {"notes": "Changed from elsewhere"})
    assert refused.status_code == 403
    assert record_of(session) == before


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("start", {}),
        ("pass_add", {"zones": ["crown"], "pigment_ml": "0.5"}),
        ("pass_delete", {}),
        ("notes", {"notes": "x", "sign_off": "1"}),
        ("amend", {"target": "session:pain", "new_value": "5", "reason": "Told me later"}),
        ("healing_check", {"rating": "4", "healed_shade": "lighter", "coverage": "even"}),
        ("book_next", {}),
        ("photos_add", {"stage": "before", "angle": "front"}),
    ],
)
def test_every_write_to_a_session_held_elsewhere_is_refused_and_changes_nothing(
    client,
    session,
    practitioner,
    practitioner_elsewhere,
    pigments,
    client_seen_elsewhere,
    on_the_day,
    name,
    data,
):
    services.session_start(session=session, by=practitioner)
    layering_pass = services.pass_add(session=session, by=practitioner, data=pass_data(pigments))
    before = record_of(session)
    client.force_login(practitioner_elsewhere)
    args = [session.public_id] + ([layering_pass.public_id] if name == "pass_delete" else [])
    response = client.post(reverse(f"sessions_app:{name}", args=args), data)
    assert response.status_code == 403
    assert record_of(session) == before


def test_the_correction_form_is_not_served_to_staff_of_another_location(
    client,
    session,
    practitioner,
    practitioner_elsewhere,
    pigments,
    client_seen_elsewhere,
    on_the_day,
):
    sign_off_through_the_page(client, session, practitioner, pigments)
    client.force_login(practitioner_elsewhere)
    page = client.get(session_url(session)).content.decode()
    assert 'data-testid="amend-section"' not in page
    assert "Record healing check" not in page
    assert client.get(session_url(session, "amend")).status_code == 403


def test_the_healing_photos_to_review_are_those_of_sessions_the_user_may_rate(
    client, manager, practitioner_elsewhere, location, other_location
):
    """A manager reads the history of a client also seen elsewhere, but rates only the
    sessions held where they work: the Today list offers no photo they cannot act on."""
    from aftercare.services.healing import healing_photo_receive
    from clients.services import client_link_location
    from sessions_app.selectors import healing_photos_to_review
    from tests.factories import (
        jpeg_upload,
        make_signed_consent,
        make_staff,
        make_started_session,
    )

    elsewhere = make_started_session(
        practitioner=practitioner_elsewhere, location=other_location, sign_off=True
    )
    client_link_location(client=elsewhere.client, location=location)
    here = make_started_session(
        practitioner=make_staff(locations=[location]), location=location, sign_off=True
    )
    for session in (elsewhere, here):  # each client sends a photo through their link
        make_signed_consent(client=session.client, kind="photos", witness=session.practitioner)
        healing_photo_receive(appointment=session.appointment, file=jpeg_upload(), angle="crown")

    assert healing_photos_to_review(user=manager) == [here]
    manager_there = make_staff(role="manager", locations=[other_location])
    assert healing_photos_to_review(user=manager_there) == [elsewhere]
    everywhere = make_staff(role="manager", locations=[location])
    type(everywhere).objects.filter(pk=everywhere.pk).update(all_locations=True)
    everywhere.refresh_from_db()
    assert set(healing_photos_to_review(user=everywhere)) == {here, elsewhere}
    client.force_login(manager)
    today = client.get(reverse("dashboard:today")).content.decode()
    assert reverse("sessions_app:session", args=[here.public_id]) in today
    assert reverse("sessions_app:session", args=[elsewhere.public_id]) not in today
