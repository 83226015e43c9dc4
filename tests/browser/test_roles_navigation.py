import pytest
from playwright.sync_api import expect


@pytest.mark.parametrize(
    ("role", "visible", "hidden"),
    [
        ("front_desk", ["Today"], ["Staff"]),
        ("practitioner", ["Today"], ["Staff"]),
        ("manager", ["Today", "Staff"], []),
    ],
)
def test_each_role_signs_in_and_sees_its_navigation(page, sign_in, people, role, visible, hidden):
    user = people[role]
    sign_in(user)
    nav = page.get_by_test_id("main-nav")
    for label in visible:
        expect(nav.get_by_role("link", name=label)).to_be_visible()
    for label in hidden:
        expect(nav.get_by_role("link", name=label)).to_have_count(0)
    expect(page.get_by_test_id("role-badge")).to_have_text(user.role_label)
    expect(page.get_by_role("heading", level=1)).to_contain_text(user.get_short_name())


def test_a_wrong_password_shows_the_reason_in_the_browser(page, people):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(people["front_desk"].email)
    page.get_by_label("Password").fill("not it at all")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("form-errors")).to_contain_text("do not match a staff account")


def test_manager_reaches_staff_page_and_front_desk_is_refused(page, sign_in, people):
    sign_in(people["manager"])
    page.get_by_test_id("main-nav").get_by_role("link", name="Staff").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff")
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Sign out").click()
    sign_in(people["front_desk"])
    response = page.goto("/accounts/staff/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("This page is not open to your role")
