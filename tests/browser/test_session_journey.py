"""A pigmentation session at the chair, in Chromium: the safety gate, three passes with two
lots, sign-off; then the recall report of one lot lists the client, and a lot that expired
while the page was open is refused with its reason."""

from datetime import time, timedelta

import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from clients.intake.services import intake_mark_reviewed
from sessions_app.models import PigmentationSession, PigmentLot
from smp_clinic.lib.tz import local_datetime
from tests.factories import (
    RoomFactory,
    make_appointment,
    make_intake,
    make_signed_consent,
    next_weekday,
)
from tests.sessions_app.conftest import pigments as _pigments  # noqa: F401 - re-used fixture

pigments = _pigments


def log_pass(page, *, lot: str, zone: str, shade: str, dilution: str) -> None:
    form = page.get_by_test_id("pass-form")
    form.get_by_label(zone).check()
    form.get_by_label("Pigment lot").select_option(label=lot)
    form.get_by_label("Dilution").fill(dilution)
    form.get_by_label("Shade").fill(shade)
    form.get_by_role("button", name="Log this pass").click()


def session_booked_for(client, practitioner, location):
    """A client ready for SMP (reviewed intake, treatment consent) and a session booked on
    the coming Tuesday at 09:30: the day and the appointment."""
    intake_mark_reviewed(intake=make_intake(client=client, by=practitioner), by=practitioner)
    make_signed_consent(client=client, kind="treatment", witness=practitioner)
    day = next_weekday(1)
    appointment = make_appointment(
        client=client,
        practitioner=practitioner,
        room=RoomFactory(location=location),
        kind="session",
        day=day,
        at=time(9, 30),
    )
    return day, appointment


def test_a_practitioner_logs_a_session_and_the_recall_finds_the_client(
    page, sign_in, practitioner, manager, smp_client, location, pigments
):
    day, appointment = session_booked_for(smp_client, practitioner, location)
    light = pigments["light"]
    dark_label = "Scalp Ink Shadow · shade 3 · lot SD-100"
    light_label = "Scalp Ink Mist · shade 1 · lot MI-200"
    with time_machine.travel(local_datetime(day, time(9, 20), location.tz), tick=True):
        sign_in(practitioner)
        page.goto(f"/calendar/appointments/{appointment.public_id}/")
        page.get_by_role("button", name="Open the session log").click()
        gate = page.get_by_test_id("safety-gate")
        for check in ("consent", "intake", "flags"):
            expect(
                gate.get_by_test_id(f"gate-{check}").locator(".bi-check-circle-fill")
            ).to_have_count(1)
        page.get_by_role("button", name="Start the session").click()
        expect(page.get_by_test_id("session-status")).to_have_text("In progress")

        form = page.get_by_test_id("pass-form")
        form.get_by_label("Needle").select_option(index=1)
        form.get_by_label("Depth").fill("0.5 mm")
        form.get_by_label("Light", exact=True).check()
        form.get_by_label("Duration minutes").fill("40")
        log_pass(
            page,
            lot=f"{light_label} (exp. {light.expiry_date:%m/%Y})",
            zone="Front hairline",
            shade="1",
            dilution="1:4",
        )
        expect(page.get_by_test_id("pass-row")).to_have_count(1)
        # The next pass starts from the last one: only what changes is touched.
        log_pass(
            page,
            lot=f"{dark_label} (exp. {pigments['dark'].expiry_date:%m/%Y})",
            zone="Crown",
            shade="3",
            dilution="1:3",
        )
        expect(page.get_by_test_id("pass-row")).to_have_count(2)
        log_pass(
            page,
            lot=f"{dark_label} (exp. {pigments['dark'].expiry_date:%m/%Y})",
            zone="Temples",
            shade="3",
            dilution="1:3",
        )
        expect(page.get_by_test_id("pass-row")).to_have_count(3)

        # The light lot expires while the page is open: the next pass with it is refused.
        PigmentLot.objects.filter(pk=light.pk).update(
            expiry_date=timezone.localdate() - timedelta(days=1)
        )
        form = page.get_by_test_id("pass-form")
        form.get_by_label("Pigment lot").select_option(
            label=f"{light_label} (exp. {light.expiry_date:%m/%Y})"
        )
        form.get_by_role("button", name="Log this pass").click()
        expect(page.get_by_test_id("pass-form").get_by_test_id("form-errors")).to_contain_text(
            "Lot MI-200 expired on"
        )
        expect(page.get_by_test_id("pass-row")).to_have_count(3)

        notes = page.get_by_test_id("notes-form")
        notes.get_by_label("4", exact=True).check()
        notes.get_by_label("Pinpoint").check()
        notes.get_by_label("Redness").check()
        page.once("dialog", lambda dialog: dialog.accept())
        notes.get_by_role("button", name="Sign off the session").click()
        expect(page.get_by_test_id("session-status")).to_have_text("Signed off")
        # The correction form arrives when its section is opened.
        expect(page.get_by_test_id("amend-form")).to_have_count(0)
        page.get_by_text("Add a correction").click()
        expect(page.get_by_test_id("amend-form").get_by_label("Why")).to_be_visible()

        page.get_by_test_id("user-menu").click()
        page.get_by_role("button", name="Sign out").click()
        sign_in(manager)
        page.goto(f"/sessions/inventory/lots/{pigments['dark'].public_id}/")
        report = page.get_by_test_id("recall-report")
        expect(report).to_contain_text("Sam Carter")
        expect(report).to_contain_text("2, 3")
    assert PigmentationSession.objects.get().is_locked


def test_the_choices_at_the_chair_and_remove_are_finger_sized(
    page, sign_in, practitioner, smp_client, location, pigments
):
    """Zones, density, skin reaction, bleeding and Remove get the pain scale's treatment: at
    least 44 px each way, and a tap anywhere on the button ticks the choice."""
    from sessions_app import services
    from tests.sessions_app.conftest import pass_data

    day, appointment = session_booked_for(smp_client, practitioner, location)
    with time_machine.travel(local_datetime(day, time(9, 20), location.tz), tick=True):
        session = services.session_open(appointment=appointment, by=practitioner)
        services.session_start(session=session, by=practitioner)
        services.pass_add(session=session, by=practitioner, data=pass_data(pigments))
        sign_in(practitioner)
        page.goto(f"/sessions/{session.public_id}/")
        targets = {
            "zone": page.get_by_test_id("zones").locator("label", has_text="Crown"),
            "density": page.get_by_test_id("density").locator("label", has_text="Dense"),
            "skin": page.get_by_test_id("skin-reaction").locator("label", has_text="Swelling"),
            "bleeding": page.get_by_test_id("bleeding").locator("label", has_text="Moderate"),
            "remove": page.get_by_role("button", name="Remove"),
        }
        for name, target in targets.items():
            box = target.bounding_box()
            assert box["width"] >= 44, (name, box)
            assert box["height"] >= 44, (name, box)
        crown = targets["zone"]
        box = crown.bounding_box()
        page.mouse.click(box["x"] + box["width"] - 4, box["y"] + box["height"] - 4)
        expect(page.get_by_test_id("zones").get_by_label("Crown")).to_be_checked()
        targets["bleeding"].click()
        expect(page.get_by_test_id("bleeding").get_by_label("Moderate")).to_be_checked()
