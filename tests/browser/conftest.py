"""Chromium through Playwright for Python: Debian's /usr/bin/chromium, never a download.

The browser is required: if it is missing the tests fail (CI installs it), they do not skip.
All browser tests run in one xdist group so they share one live server and one browser.
"""

import os
from pathlib import Path

import pytest

from tests.factories import TEST_PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# around it are ordinary synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is required at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    # A tablet-sized window: the clinic's main device.
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1180, "height": 820})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def sign_in(page):
    def _sign_in(user, password=TEST_PASSWORD):
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/")
        return page

    return _sign_in


@pytest.fixture
def take_tablet_back(page):
    """The client is done on the tablet: the staff member takes it back with their password."""
    from playwright.sync_api import expect

    def _take_back(client_first_name: str, password=TEST_PASSWORD):
        expect(page.get_by_test_id("handover-heading")).to_have_text(
            f"Thank you, {client_first_name}."
        )
        expect(page.get_by_test_id("main-nav")).to_have_count(0)
        page.get_by_label("Staff password").fill(password)
        page.get_by_role("button", name="Take the tablet back").click()
        expect(page.get_by_test_id("main-nav")).to_be_visible()

    return _take_back
