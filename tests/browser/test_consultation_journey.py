"""The consultation as a practitioner does it beside the client, in Chromium: the
assessment, a photo (after the client signs the photo consent), the hairline and a zone drawn
on it, the client's signed approval, then a 3-session plan whose sessions are proposed and
booked."""

import io
import re

from PIL import Image
from playwright.sync_api import expect

from clients.intake.services import intake_mark_reviewed
from consultations.models import Consultation, DesignPlan
from scheduling.models import Appointment
from tests.browser.test_consent_photos_journey import draw_signature
from tests.factories import RoomFactory, give_rota, make_intake


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1000, 750), (160, 120, 95)).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def click_at(page, box, x, y):
    page.mouse.click(box["x"] + x * box["width"], box["y"] + y * box["height"])


def test_a_practitioner_runs_a_consultation_to_a_booked_course(
    page, sign_in, practitioner, smp_client, location, take_tablet_back
):
    give_rota(practitioner, location)
    RoomFactory(location=location, name="Treatment room 1")
    intake_mark_reviewed(intake=make_intake(client=smp_client, by=practitioner), by=practitioner)
    sign_in(practitioner)

    page.goto(f"/clients/{smp_client.public_id}/consultations/")
    page.get_by_role("button", name="Start a consultation without an appointment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultation with Sam Carter")
    page.get_by_role("button", name="I have reviewed these with the client").click()
    expect(page.get_by_test_id("flags-panel")).to_contain_text("Reviewed with the client")

    page.get_by_label("Male pattern baldness").check()
    page.get_by_label("Norwood–Hamilton stage").select_option("IV")
    page.get_by_label("Fitzpatrick skin type").select_option("III")
    page.get_by_label("Natural hair colour").select_option("dark_brown")
    page.get_by_label("Shaved look").check()
    page.get_by_label("Hairline style").select_option("peaked")
    page.get_by_label("Recommended shade").fill("Shade 2, 1:3")
    page.get_by_label("Medium").check()
    page.get_by_label("Proceed").check()
    expect(page.locator("#save-status")).to_contain_text("Saved")  # autosaved as a draft

    page.get_by_role("link", name="Start the design").click()
    page.get_by_role("link", name="Sign the photo consent").click()
    page.get_by_label("Your full name").fill("Sam Carter")
    page.get_by_label("I have read the text above and I agree to it").check()
    draw_signature(page)
    page.get_by_role("button", name="Sign", exact=True).click()
    take_tablet_back("Sam")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hairline design for Sam Carter")

    # The photo is taken for this consultation, and the page comes back to the design.
    page.get_by_role("link", name="Take or upload a photo").click()
    page.get_by_label("Photos").set_input_files(
        files=[{"name": "front.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}]
    )
    page.get_by_label("Angle").select_option("front")
    expect(page.get_by_label("Kind")).to_have_value("baseline")
    page.get_by_role("button", name="Add photos").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hairline design for Sam Carter")
    expect(page.get_by_label("Hairline style")).to_have_value("peaked")  # the consultation's
    expect(page.get_by_test_id("consultation-recommendation")).to_contain_text("Shade 2, 1:3")

    editor = page.get_by_test_id("design-editor")
    expect(editor).to_have_attribute("data-design-ready", "true")
    box = page.get_by_test_id("design-surface").bounding_box()
    for x, y in [(0.25, 0.32), (0.5, 0.27), (0.75, 0.32)]:
        click_at(page, box, x, y)
    editor.get_by_role("button", name="Zone: tap").click()
    page.get_by_label("Zone", exact=True).select_option("crown")
    for x, y in [(0.4, 0.1), (0.6, 0.1), (0.55, 0.2), (0.45, 0.2)]:
        click_at(page, box, x, y)
    click_at(page, box, 0.4, 0.1)
    page.get_by_role("button", name="Save as version 1").click()
    expect(page.locator("#messages")).to_contain_text("Design saved as version 1")
    plan = DesignPlan.objects.get()
    assert len(plan.design["hairline"]["points"]) == 3
    assert plan.design["zones"][0]["zone"] == "crown"
    assert plan.design["hairline"]["style"] == "peaked"

    page.get_by_role("link", name="Client approves this version").click()
    page.get_by_label("Client's full name").fill("Sam Carter")
    draw_signature(page)
    page.get_by_role("button", name="Approve this design").click()
    take_tablet_back("Sam")
    expect(page.get_by_test_id("design-card")).to_contain_text("Approved by the client")
    expect(page.get_by_test_id("consultation-photo")).to_have_count(1)

    page.get_by_role("button", name="Complete consultation").click()
    expect(page.get_by_test_id("consultation-status")).to_have_text("Completed")
    expect(page.get_by_test_id("treatment-plan")).to_contain_text("3 sessions, 10–30 days apart")
    page.get_by_role("link", name="Book the course").click()
    proposals = page.get_by_test_id("course-proposals").locator("li")
    expect(proposals).to_have_count(3)
    page.get_by_role("button", name=re.compile(r"Book these 3 sessions")).click()
    expect(page.get_by_test_id("course-progress")).to_contain_text("3 of 3 sessions booked")
    consultation = Consultation.objects.get()
    assert (
        consultation.plan.course.appointments.filter(status=Appointment.Status.BOOKED).count() == 3
    )
