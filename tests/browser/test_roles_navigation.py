import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from dashboard.navigation import NAVIGATION

ROLES = ("front_desk", "practitioner", "manager", "no_role")


def nav_entries_for(role: str):
    return [entry for entry in NAVIGATION if role in entry.roles]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_signs_in_and_sees_exactly_its_navigation(page, sign_in, people, role):
    """The main navigation is dashboard/navigation.py's table for the role, in its order (a
    group's entries in its menu); every item opens its page and marks itself as current."""
    user = people[role]
    sign_in(user)
    expect(page.get_by_test_id("role-badge")).to_have_text(user.role_label)
    nav = page.get_by_test_id("main-nav")
    shown = nav_entries_for(role)
    in_bar = [entry for entry in shown if not entry.group]
    expect(nav.get_by_role("link")).to_have_text([entry.label for entry in in_bar])
    groups = list(dict.fromkeys(entry.group for entry in shown if entry.group))
    expect(nav.get_by_test_id("nav-group")).to_have_text(groups)
    for group in groups:
        nav.get_by_role("button", name=group).click()
        expect(nav.get_by_role("link")).to_have_text(
            [entry.label for entry in in_bar]
            + [entry.label for entry in shown if entry.group == group]
        )
        page.keyboard.press("Escape")
    for entry in NAVIGATION:
        if entry not in shown:
            expect(nav.get_by_role("link", name=entry.label, exact=True)).to_have_count(0)
    for entry in shown:
        nav = page.get_by_test_id("main-nav")
        if entry.group:
            nav.get_by_role("button", name=entry.group).click()
        link = nav.get_by_role("link", name=entry.label, exact=True)
        expect(link).to_have_attribute("href", reverse(entry.url_name))
        with page.expect_navigation() as opened:
            link.click()
        assert opened.value.status == 200, entry.label
        nav = page.get_by_test_id("main-nav")
        if entry.group:
            group = nav.get_by_role("button", name=entry.group)
            expect(group).to_have_class(re.compile(r"\bactive\b"))
            group.click()
        current = nav.get_by_role("link", name=entry.label, exact=True)
        expect(current).to_have_attribute("aria-current", "page")
        page.keyboard.press("Escape")  # close the group's menu again


def test_a_managers_navigation_fits_a_tablet_beside_their_own_menu(page, sign_in, people):
    """At the clinic's tablet width the bar does not wrap and the person's menu stays in view."""
    sign_in(people["manager"])
    menu = page.get_by_test_id("user-menu").bounding_box()
    assert menu["x"] + menu["width"] <= page.viewport_size["width"]
    heights = [
        box["height"]
        for box in (
            item.bounding_box() for item in page.get_by_test_id("main-nav").locator("> li").all()
        )
    ]
    assert max(heights) < 1.5 * min(heights), heights  # no item wraps onto two lines


def test_signing_in_greets_the_person_by_name(page, sign_in, people):
    user = people["practitioner"]
    sign_in(user)
    expect(page.get_by_role("heading", level=1)).to_contain_text(user.get_short_name())


def test_a_wrong_password_shows_the_reason_in_the_browser(page, people):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(people["front_desk"].email)
    page.get_by_label("Password").fill("not it at all")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("form-errors")).to_contain_text("do not match a staff account")


def test_manager_reaches_staff_page_and_front_desk_is_refused(page, sign_in, people):
    sign_in(people["manager"])
    page.get_by_test_id("main-nav").get_by_role("button", name="Manage").click()
    page.get_by_test_id("main-nav").get_by_role("link", name="Staff").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff")
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Sign out").click()
    sign_in(people["front_desk"])
    response = page.goto("/accounts/staff/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("This page is not open to your role")
