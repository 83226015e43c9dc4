"""Sign-in protection and hardening: lockout, idle sessions, sign-out everywhere, headers."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.middleware import LAST_SEEN_KEY
from tests.factories import TEST_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
LOGIN = reverse("accounts:login")


def attempt(client, email, password="wrong password", ip="10.0.0.5"):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_five_failures_lock_that_email_from_that_address_with_a_clear_page(
    client, front_desk, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, front_desk.email).status_code == 200
    # The fifth failure locks the pair and says so; then even the right password waits.
    assert attempt(client, front_desk.email).status_code == 429
    locked = attempt(client, front_desk.email.upper(), password=TEST_PASSWORD)
    assert locked.status_code == 429
    assert "Sign-in paused for this account" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # The same person on another device is not locked out by someone guessing elsewhere.
    assert (
        attempt(client, front_desk.email, password=TEST_PASSWORD, ip="10.0.0.9").status_code == 302
    )


def test_a_manager_sees_the_lock_and_lifts_it(client, front_desk, manager, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, front_desk.email)
    client.force_login(manager)
    page = client.get(reverse("accounts:staff_list")).content.decode()
    assert 'data-testid="locked-badge"' in page
    client.post(reverse("accounts:staff_unlock", args=[front_desk.public_id]))
    client.logout()
    assert attempt(client, front_desk.email, password=TEST_PASSWORD).status_code == 302


def test_a_session_ends_after_the_idle_time(client, practitioner, settings):
    client.force_login(practitioner)
    assert client.get(reverse("dashboard:today")).status_code == 200
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - settings.SESSION_IDLE_MINUTES * 60 - 5
    session.save()
    response = client.get(reverse("dashboard:today"), follow=True)
    assert response.redirect_chain[0][0].startswith(LOGIN)
    assert "signed out after 30 minutes without activity" in response.content.decode()


def test_activity_keeps_the_session_alive(client, practitioner, settings):
    client.force_login(practitioner)
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - settings.SESSION_IDLE_MINUTES * 60 + 120
    session.save()
    assert client.get(reverse("dashboard:today")).status_code == 200
    assert client.session[LAST_SEEN_KEY] >= int(time.time()) - 5


def test_sign_out_everywhere_ends_the_other_devices_sessions(client, practitioner):
    from django.test import Client

    tablet = Client()
    tablet.force_login(practitioner)
    client.force_login(practitioner)
    response = client.post(reverse("accounts:sign_out_everywhere"))
    assert response.url == LOGIN
    assert tablet.get(reverse("dashboard:today")).status_code == 302
    assert client.get(reverse("dashboard:today")).status_code == 302


def test_pages_carry_a_strict_content_security_policy(client, practitioner):
    client.force_login(practitioner)
    response = client.get(reverse("dashboard:today"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


# What the Content-Security-Policy would block in a served page, in any quoting: a script
# without src (JSON data blocks are inert), a style attribute, an event-handler attribute
# (htmx's hx-on included: it evaluates its value as script) and a javascript: URL.
INLINE_CODE = {
    "inline script": re.compile(
        r"<script\b(?![^>]*\ssrc\s*=)(?![^>]*\stype\s*=\s*[\"']?application/(?:ld\+)?json)",
        re.IGNORECASE,
    ),
    "style attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE),
    "event handler attribute": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "hx-on attribute": re.compile(r"<[a-z][^>]*\s(?:data-)?hx-on(?![a-z])", re.IGNORECASE),
    "javascript: URL": re.compile(r"=\s*[\"']?\s*(?:javascript|vbscript):", re.IGNORECASE),
}


def inline_code(text: str) -> list[str]:
    return [name for name, pattern in INLINE_CODE.items() if pattern.search(text)]


def served_templates() -> list[Path]:
    """Every template folder: the project's own (base.html, registration/, includes/) and
    each app's. Emails are left out: they are not pages served under the site's policy."""
    found = [*ROOT.glob("templates/**/*.html"), *ROOT.glob("*/templates/**/*.html")]
    return sorted(
        path
        for path in found
        if not {".venv", "node_modules"} & set(path.parts) and "email" not in path.parts
    )


def test_the_template_scan_covers_the_project_and_app_template_folders():
    names = {path.relative_to(ROOT).as_posix() for path in served_templates()}
    assert {
        "templates/base.html",
        "templates/registration/login.html",
        "templates/includes/form_errors.html",
        "clients/templates/clients/client_detail.html",
    } <= names
    assert not any("/email/" in name for name in names)


@pytest.mark.parametrize(
    ("html", "found"),
    [
        ("<script>alert(1)</script>", ["inline script"]),
        ("<SCRIPT type='module'>x()</SCRIPT>", ["inline script"]),
        ('<script type="application/json">{}</script>', []),
        ('<script src="/static/app.js" defer></script>', []),
        ("<script defer src='/static/app.js'></script>", []),
        ('<div style="color: red">', ["style attribute"]),
        ("<div class='x' style='color: red'>", ["style attribute"]),
        ("<div style=color:red>", ["style attribute"]),
        ('<button onclick="go()">', ["event handler attribute"]),
        ("<img src=x onerror='go()'>", ["event handler attribute"]),
        ("<a href=# onmouseover=go()>", ["event handler attribute"]),
        ('<form hx-on:submit="go()">', ["hx-on attribute"]),
        ("<form hx-on::after-request='go()'>", ["hx-on attribute"]),
        ('<div hx-on="click: go()">', ["hx-on attribute"]),
        ('<div data-hx-on-click="go()">', ["hx-on attribute"]),
        ('<a href="javascript:go()">', ["javascript: URL"]),
        ("<a href='JavaScript:go()'>", ["javascript: URL"]),
        ("<a href=javascript:go()>", ["javascript: URL"]),
        ('<div data-style="x" hx-get="/a" data-online="1">Turn style on = fine</div>', []),
        ("<p>Pick one: javascript is off, on=never</p>", []),
    ],
)
def test_the_template_scan_finds_inline_code_in_any_quoting(html, found):
    assert inline_code(html) == found


def test_no_template_carries_inline_script_or_style_attributes():
    offenders = [
        f"{path.relative_to(ROOT)}: {problem}"
        for path in served_templates()
        for problem in inline_code(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


@pytest.mark.parametrize("https", ["true"])
def test_check_deploy_reports_nothing_under_production_settings(https):
    # Only what a production process would have: nothing the test run itself exported
    # (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for Playwright, for instance).
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "DATABASE_URL", "REDIS_URL", "PYTHONPATH"}
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "smp_clinic.settings",
            "ENV_FILE": "/nonexistent",
            "SECRET_KEY": "q8$Lk2!vN0wz#R7pE4t^Yb9Uc6Hs1Ja3Mf5Gd0Xe-Ti8Oo2Pr7Sn4Vl1Qk9Zw3Bx6",
            "DEBUG": "false",
            "HTTPS": https,
            "ALLOWED_HOSTS": "clinic.example.com",
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.usefixtures("within_one_rate_window")
def test_password_reset_requests_are_rate_limited_per_address(client, db):
    url = reverse("accounts:password_reset")
    statuses = [
        client.post(
            url, {"email": f"nobody{i}@example.test"}, REMOTE_ADDR="198.51.100.4"
        ).status_code
        for i in range(6)
    ]
    assert statuses[:5] == [302] * 5
    assert statuses[5] == 429
    # Another address is not held back by the first one.
    assert (
        client.post(url, {"email": "x@example.test"}, REMOTE_ADDR="198.51.100.5").status_code == 302
    )


@pytest.mark.usefixtures("within_one_rate_window")
def test_a_login_flood_from_one_address_gets_429_with_retry_after(client, db):
    responses = [
        client.post(
            LOGIN, {"username": f"u{i}@example.test", "password": "x"}, REMOTE_ADDR="203.0.113.9"
        )
        for i in range(31)
    ]
    assert responses[-1].status_code == 429
    assert int(responses[-1]["Retry-After"]) <= 60


def _link(name: str, user) -> str:
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse(name, kwargs={"uidb64": uid, "token": token})


def assert_clearly_rate_limited(response) -> None:
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    page = response.content.decode()
    assert 'data-testid="rate-limited"' in page
    assert "Too many requests from this device" in page
    assert f"Please wait {response['Retry-After']} seconds" in page


@pytest.mark.usefixtures("within_one_rate_window")
@pytest.mark.parametrize("name", ["accounts:password_reset_confirm", "accounts:invite_accept"])
def test_a_signed_account_link_is_rate_limited_per_address_with_a_clear_page(
    client, front_desk, name
):
    """Someone trying tokens against the link (or hammering a leaked one) is held back; the
    person it was sent to, on another connection, is not."""
    url = _link(name, front_desk)
    guesses = [
        client.get(url.replace(url.rsplit("/", 2)[-2], f"guess-{i}"), REMOTE_ADDR="198.51.100.7")
        for i in range(20)
    ]
    assert {response.status_code for response in guesses} == {200}
    assert_clearly_rate_limited(client.get(url, REMOTE_ADDR="198.51.100.7"))
    # Posting a new password from there waits too.
    held = client.post(
        url,
        {"new_password1": "A long new passphrase 7", "new_password2": "A long new passphrase 7"},
        REMOTE_ADDR="198.51.100.7",
    )
    assert_clearly_rate_limited(held)
    front_desk.refresh_from_db()
    assert front_desk.check_password(TEST_PASSWORD)
    from django.test import Client

    assert Client().get(url, REMOTE_ADDR="198.51.100.8").status_code == 302


@pytest.mark.usefixtures("within_one_rate_window")
def test_the_two_factor_code_page_is_rate_limited_per_address_with_a_clear_page(
    client, practitioner
):
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts import two_factor

    TOTPDevice.objects.create(user=practitioner, name=two_factor.APP_DEVICE_NAME)
    url = reverse("accounts:two_factor_verify")

    def signed_in_with_the_password(ip: str) -> Client:
        browser = Client(REMOTE_ADDR=ip)
        browser.post(LOGIN, {"username": practitioner.email, "password": TEST_PASSWORD})
        assert browser.get(url).status_code == 200
        return browser

    # A script signing in again and again to try codes: each session's five-wrong-codes
    # stop is not what holds it back, the address's limit is.
    attempts = []
    while len(attempts) < 20:
        browser = signed_in_with_the_password("203.0.113.20")
        attempts += [browser.post(url, {"code": "12345x"}) for _ in range(4)]
    assert {response.status_code for response in attempts} == {200}
    assert_clearly_rate_limited(browser.post(url, {"code": "123456"}))
    # The person at another address still gets the code page and its form.
    elsewhere = signed_in_with_the_password("203.0.113.21")
    assert elsewhere.post(url, {"code": "12345x"}).status_code == 200
