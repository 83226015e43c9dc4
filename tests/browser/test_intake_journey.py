"""The intake journey in Chromium: the client answers on the tablet, a practitioner clears."""

from playwright.sync_api import expect

from clients.intake.questionnaire import Kind
from clients.intake.versions import questionnaire_current

GP_LETTER = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def answer(page, code: str, choice: str) -> None:
    page.locator(f"label[for=id_{code}_{choice}]").click()


def test_client_answers_on_the_tablet_and_a_practitioner_clears_the_flag(
    page, sign_in, people, smp_client, take_tablet_back
):
    sign_in(people["front_desk"])
    page.goto(f"/clients/{smp_client.public_id}/")
    expect(page.get_by_test_id("flag-banner-no-intake")).to_be_visible()
    page.get_by_role("link", name="Hand the tablet to the client").click()
    expect(page.get_by_test_id("intake-heading")).to_contain_text("Hello Sam")
    expect(page.get_by_test_id("main-nav")).to_have_count(0)  # the client sees their form only

    chemo_date = page.locator("#id_chemotherapy__date")
    expect(chemo_date).to_be_hidden()  # the follow-up waits for a "Yes"
    answer(page, "chemotherapy", "yes")
    expect(chemo_date).to_be_visible()
    answer(page, "chemotherapy", "no")
    expect(chemo_date).to_be_hidden()

    for question in questionnaire_current().questions:
        if question.kind != Kind.TEXT:
            answer(page, question.code, "yes" if question.code == "blood_thinners" else "no")
    page.locator("#id_blood_thinners__detail").fill("Apixaban 5 mg twice a day")
    page.get_by_label("My answers are complete and correct").check()
    page.get_by_role("button", name="Send my answers").click()
    take_tablet_back("Sam")

    expect(page.get_by_test_id("flag-banner-blocked")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Anticoagulant")
    expect(page.locator("main")).not_to_contain_text("Apixaban")

    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Sign out").click()
    sign_in(people["practitioner"])
    page.goto(f"/clients/{smp_client.public_id}/")
    expect(page.get_by_test_id("flag-banner-labels")).to_contain_text("Anticoagulant")
    page.get_by_test_id("tab-medical").click()
    page.get_by_role("link", name="Record a clearance").click()
    page.get_by_label("Why this flag can be cleared").fill("GP: pause apixaban 48 h before")
    page.locator("#id_document").set_input_files(
        files=[{"name": "gp.pdf", "mimeType": "application/pdf", "buffer": GP_LETTER}]
    )
    page.get_by_role("button", name="Record the clearance").click()
    expect(page.get_by_test_id("clearance")).to_contain_text("GP: pause apixaban")
    page.goto(f"/clients/{smp_client.public_id}/")
    expect(page.get_by_test_id("flag-banner-blocked")).to_have_count(0)
