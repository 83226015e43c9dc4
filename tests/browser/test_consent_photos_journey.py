"""Consent and photos in Chromium: the client signs the photo consent on the canvas, then
the practitioner uploads a photo and sees its thumbnail, served through the private view."""

import io
import re

from PIL import Image
from playwright.sync_api import expect

from clients.models import Photo, SignedConsent
from tests.factories import TEST_PASSWORD


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (900, 600), (150, 110, 90)).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def draw_signature(page) -> None:
    canvas = page.get_by_test_id("signature-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    left, middle = box["x"] + 40, box["y"] + box["height"] / 2
    page.mouse.move(left, middle)
    page.mouse.down()
    for step in range(1, 14):
        page.mouse.move(left + step * 30, middle + (35 if step % 2 else -35), steps=5)
    page.mouse.up()


def test_the_client_signs_the_photo_consent_and_the_practitioner_uploads_a_photo(
    page, sign_in, people, smp_client, take_tablet_back
):
    sign_in(people["practitioner"])
    page.goto(f"/clients/{smp_client.public_id}/")
    expect(page.get_by_test_id("consent-status-photos")).to_contain_text("not signed")
    page.get_by_test_id("tab-photos").click()
    expect(page.get_by_test_id("photo-refusal")).to_be_visible()
    page.get_by_test_id("sign-photo-consent").click()

    expect(page.get_by_test_id("consent-heading")).to_have_text("Consent to clinical photographs")
    expect(page.get_by_test_id("consent-text")).to_contain_text("part of my clinical record")
    page.get_by_label("Your full name").fill("sam carter")
    page.get_by_label("I have read the text above and I agree to it").check()
    sign = page.get_by_role("button", name="Sign", exact=True)
    sign.click()  # nothing drawn yet: the page refuses before sending
    expect(page.get_by_test_id("signature-error")).to_have_text(
        "Sign in the box above: the signature is missing."
    )
    page.get_by_role("button", name="Clear").click()
    draw_signature(page)
    sign.click()
    take_tablet_back("Sam")

    expect(page).to_have_url(re.compile(r"/photos/upload/$"))
    expect(page.locator("#messages")).to_contain_text(
        "Sam Carter signed “Consent to clinical photographs”"
    )
    consent = SignedConsent.objects.get()
    assert consent.typed_name == "sam carter"
    assert consent.witness == people["practitioner"]
    assert consent.ip_address == "127.0.0.1"

    page.get_by_test_id("photo-files").set_input_files(
        files=[{"name": "front.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}]
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_test_id("review-thumbnail")).to_be_visible()
    page.get_by_label("Angle").select_option("hairline")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_test_id("angle-hairline")).to_be_visible()
    thumbnail = page.get_by_test_id("photo-thumbnail").locator("img")
    expect(thumbnail).to_be_visible()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth === 320", arg=thumbnail.element_handle()
    )
    assert Photo.objects.get().angle == "hairline"


def test_a_signature_on_a_wide_dense_screen_is_kept(browser, live_server, practitioner, smp_client):
    """A 4x screen at desktop width would draw a canvas wider than the server keeps (3000 px):
    the pad draws at a lower density instead, and the signature is accepted."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1600, "height": 900}, device_scale_factor=4
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(practitioner.email)
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/")
        page.goto(f"/clients/{smp_client.public_id}/consents/photos/sign/")
        width = page.get_by_test_id("signature-canvas").evaluate("canvas => canvas.width")
        assert width <= 2000
        page.get_by_label("Your full name").fill("Sam Carter")
        page.get_by_label("I have read the text above and I agree to it").check()
        draw_signature(page)
        page.get_by_role("button", name="Sign", exact=True).click()
        expect(page.get_by_test_id("handover-heading")).to_have_text("Thank you, Sam.")
        assert SignedConsent.objects.get().signature
    finally:
        context.close()
