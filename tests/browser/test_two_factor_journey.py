import base64

from django_otp.oath import totp
from playwright.sync_api import expect

from tests.factories import TEST_PASSWORD


def test_a_practitioner_turns_on_two_factor_and_signs_in_with_a_recovery_code(
    page, sign_in, people
):
    practitioner = people["practitioner"]
    sign_in(practitioner)
    page.goto("/accounts/me/")
    page.get_by_role("link", name="Two-factor sign-in").click()
    page.get_by_role("link", name="Set up two-factor sign-in").click()

    qr = page.get_by_test_id("two-factor-qr")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.naturalWidth") > 0  # the data: image passes the CSP
    # The typed key gives the same codes as the app would.
    secret = page.get_by_test_id("two-factor-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.get_by_label("Code").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    codes = page.get_by_test_id("recovery-codes").locator("li").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="I have saved them, continue").click()
    expect(page.get_by_test_id("main-nav")).to_be_visible()

    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/**")
    page.get_by_label("Email").fill(practitioner.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    expect(page.get_by_test_id("main-nav")).to_have_count(0)
    page.get_by_label("Code").fill("000000x")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("That code is not right")
    page.wait_for_timeout(1100)  # after a wrong code the next is accepted only after 1 s
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_test_id("main-nav")).to_be_visible()
    expect(page.get_by_role("alert").first).to_contain_text("recovery code; 9 left")
