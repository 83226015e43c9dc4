"""Two-factor sign-in (TOTP through django-otp): setup, the code at sign-in, recovery codes,
brute force, turning it off, a manager's reset, and the clinic's rule for managers."""

import re

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from tests.factories import TEST_PASSWORD, make_staff


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def enable(user) -> tuple[TOTPDevice, list[str]]:
    """An authenticator linked earlier (a code is accepted once, so none is spent here)."""
    device = TOTPDevice.objects.create(user=user, name=two_factor.APP_DEVICE_NAME)
    return device, two_factor.recovery_codes_replace(user)


def sign_in(client, user, next_url=""):
    data = {"username": user.email, "password": TEST_PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("accounts:login"), data)


def test_setting_up_shows_a_qr_code_and_a_typed_key_then_confirms_with_a_code(client, practitioner):
    client.force_login(practitioner)
    page = client.get(reverse("accounts:two_factor_setup"))
    html = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html
    secret = re.search(r'data-testid="two-factor-secret">([A-Z2-7 ]+)<', html).group(1)
    device = TOTPDevice.objects.get(user=practitioner)
    assert secret.replace(" ", "") in two_factor.secret_for_typing(device).replace(" ", "")
    # Reloading keeps the same key, so a code already scanned stays right.
    client.get(reverse("accounts:two_factor_setup"))
    assert TOTPDevice.objects.filter(user=practitioner).count() == 1

    wrong = client.post(reverse("accounts:two_factor_setup"), {"code": "000000"})
    if current_code(device) != "000000":
        assert "That code does not match" in wrong.content.decode()
        device.refresh_from_db()
        assert not device.confirmed
        device.throttle_reset()

    done = client.post(reverse("accounts:two_factor_setup"), {"code": current_code(device)})
    assert done.status_code == 200
    codes = re.findall(r"<li class=\"col\">([a-z2-7]{8})</li>", done.content.decode())
    assert len(codes) == two_factor.RECOVERY_CODE_COUNT
    device.refresh_from_db()
    assert device.confirmed
    # This session is verified: the app opens without asking for a code.
    assert client.get(reverse("dashboard:today")).status_code == 200
    status = client.get(reverse("accounts:two_factor")).content.decode()
    assert "You sign in with your password and a code" in status
    assert "10 recovery codes left" in status


def test_turning_two_factor_on_ends_the_other_sessions_and_keeps_this_one(client, practitioner):
    """A session signed in with the password alone (a forgotten tablet, a stolen password)
    must not outlive the switch to two-factor."""
    from django.test import Client

    elsewhere = Client()
    elsewhere.force_login(practitioner)
    assert elsewhere.get(reverse("dashboard:today")).status_code == 200

    client.force_login(practitioner)
    client.get(reverse("accounts:two_factor_setup"))
    device = TOTPDevice.objects.get(user=practitioner)
    done = client.post(reverse("accounts:two_factor_setup"), {"code": current_code(device)})
    assert done.status_code == 200

    assert client.get(reverse("dashboard:today")).status_code == 200
    gone = elsewhere.get(reverse("dashboard:today"))
    assert gone.status_code == 302
    assert gone.url.startswith(reverse("accounts:login"))


def test_signing_in_with_an_authenticator_asks_for_the_code_before_any_page(client, practitioner):
    device, _ = enable(practitioner)
    target = reverse("clients:list")
    response = sign_in(client, practitioner, next_url=target)
    assert response.status_code == 302
    # Every page, the one asked for included, waits behind the code page.
    for url in (target, reverse("dashboard:today"), reverse("accounts:profile")):
        gated = client.get(url)
        assert gated.status_code == 302
        assert gated.url.startswith(reverse("accounts:two_factor_verify"))
    htmx = client.get(target, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 204
    assert htmx["HX-Redirect"] == reverse("accounts:two_factor_verify")
    # Nor can the password alone link a second authenticator.
    assert client.get(reverse("accounts:two_factor_setup")).url.startswith(
        reverse("accounts:two_factor_verify")
    )

    page = client.get(client.get(target).url)
    assert "Enter your code" in page.content.decode()
    verified = client.post(
        reverse("accounts:two_factor_verify"), {"code": current_code(device), "next": target}
    )
    assert verified.status_code == 302
    assert verified.url == target
    assert client.get(target).status_code == 200


def test_a_recovery_code_signs_in_once(client, practitioner):
    device, codes = enable(practitioner)
    sign_in(client, practitioner)
    response = client.post(reverse("accounts:two_factor_verify"), {"code": codes[0].upper()})
    assert response.status_code == 302
    assert client.get(reverse("dashboard:today")).status_code == 200
    assert StaticToken.objects.filter(token=codes[0]).count() == 0

    client.logout()
    sign_in(client, practitioner)
    again = client.post(reverse("accounts:two_factor_verify"), {"code": codes[0]})
    assert again.status_code == 200
    assert "That code is not right" in again.content.decode()
    # Recovery codes never slow the app's codes down.
    app = client.post(reverse("accounts:two_factor_verify"), {"code": current_code(device)})
    assert app.status_code == 302


def test_wrong_codes_slow_down_and_five_end_the_sign_in(client, practitioner):
    enable(practitioner)
    sign_in(client, practitioner)
    first = client.post(reverse("accounts:two_factor_verify"), {"code": "12345x"})
    assert "That code is not right" in first.content.decode()
    second = client.post(reverse("accounts:two_factor_verify"), {"code": "12345x"})
    assert "Too many wrong codes in a row. Wait" in second.content.decode()
    for _ in range(2):
        client.post(reverse("accounts:two_factor_verify"), {"code": "12345x"})
    ended = client.post(reverse("accounts:two_factor_verify"), {"code": "12345x"}, follow=True)
    assert "Too many wrong codes, so you are signed out" in ended.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("dashboard:today")).url.startswith(reverse("accounts:login"))


def test_turning_two_factor_off_needs_the_password(client, practitioner):
    enable(practitioner)
    client.force_login(practitioner)
    client.post(
        reverse("accounts:two_factor_verify"),
        {"code": current_code(TOTPDevice.objects.get(user=practitioner))},
    )
    wrong = client.post(reverse("accounts:two_factor_disable"), {"password": "not it"})
    assert "That is not your password" in wrong.content.decode()
    assert two_factor.is_enabled(practitioner)
    client.post(reverse("accounts:two_factor_disable"), {"password": TEST_PASSWORD})
    assert not two_factor.is_enabled(practitioner)
    assert not StaticToken.objects.filter(device__user=practitioner).exists()


def test_new_recovery_codes_replace_the_old_ones(client, practitioner):
    device, old = enable(practitioner)
    client.force_login(practitioner)
    client.post(reverse("accounts:two_factor_verify"), {"code": current_code(device)})
    page = client.post(reverse("accounts:two_factor_recovery_codes"))
    new = re.findall(r"<li class=\"col\">([a-z2-7]{8})</li>", page.content.decode())
    assert len(new) == two_factor.RECOVERY_CODE_COUNT
    stored = set(
        StaticToken.objects.filter(device__user=practitioner).values_list("token", flat=True)
    )
    assert stored == set(new)
    assert not stored & set(old)


def test_a_manager_resets_a_lost_phone_and_the_person_signs_in_with_the_password(
    client, manager, practitioner
):
    from django.test import Client

    enable(practitioner)
    elsewhere = Client()
    sign_in(elsewhere, practitioner)
    two_factor_code = current_code(TOTPDevice.objects.get(user=practitioner))
    elsewhere.post(reverse("accounts:two_factor_verify"), {"code": two_factor_code})
    assert elsewhere.get(reverse("dashboard:today")).status_code == 200
    client.force_login(manager)
    listing = client.get(reverse("accounts:staff_list")).content.decode()
    assert "Reset two-factor" in listing
    response = client.post(
        reverse("accounts:staff_reset_two_factor", args=[practitioner.public_id])
    )
    assert response.status_code == 302
    assert not two_factor.is_enabled(practitioner)
    # Whoever holds the lost phone may hold a signed-in browser too: it is signed out.
    lost = elsewhere.get(reverse("dashboard:today"))
    assert lost.status_code == 302
    assert lost.url.startswith(reverse("accounts:login"))
    # The manager who reset it carries on.
    assert client.get(reverse("accounts:staff_list")).status_code == 200

    client.logout()
    sign_in(client, practitioner)
    assert client.get(reverse("dashboard:today")).status_code == 200


def test_a_manager_cannot_reset_two_factor_of_staff_at_locations_they_do_not_manage(
    client, manager, practitioner_elsewhere
):
    enable(practitioner_elsewhere)
    client.force_login(manager)
    response = client.post(
        reverse("accounts:staff_reset_two_factor", args=[practitioner_elsewhere.public_id])
    )
    assert response.status_code == 404
    assert two_factor.is_enabled(practitioner_elsewhere)


def test_the_code_is_asked_whatever_signs_the_person_in(client, practitioner):
    enable(practitioner)
    client.force_login(practitioner)  # as a reset or invitation link signs the person in
    assert client.get(reverse("dashboard:today")).url.startswith(
        reverse("accounts:two_factor_verify")
    )


@pytest.fixture
def managers_must_use_two_factor(settings):
    settings.REQUIRE_2FA_FOR_MANAGERS = True


@pytest.mark.usefixtures("managers_must_use_two_factor")
def test_when_the_clinic_requires_it_a_manager_sets_it_up_before_anything_else(
    client, manager, front_desk
):
    client.force_login(front_desk)
    assert client.get(reverse("dashboard:today")).status_code == 200  # others: optional

    client.force_login(manager)
    gated = client.get(reverse("accounts:staff_list"))
    assert gated.status_code == 302
    assert gated.url.startswith(reverse("accounts:two_factor_setup"))
    setup = client.get(gated.url).content.decode()
    assert "The clinic asks managers to sign in with a code" in setup
    assert "Main navigation" not in setup

    device = TOTPDevice.objects.get(user=manager)
    client.post(reverse("accounts:two_factor_setup"), {"code": current_code(device)})
    assert client.get(reverse("accounts:staff_list")).status_code == 200
    # And it cannot be turned off while the rule holds.
    client.post(reverse("accounts:two_factor_disable"), {"password": TEST_PASSWORD})
    assert two_factor.is_enabled(manager)


@pytest.mark.usefixtures("managers_must_use_two_factor")
def test_when_required_a_manager_with_an_authenticator_is_asked_for_the_code(client, manager):
    device, _ = enable(manager)
    # A session from before the rule was switched on, never verified.
    client.force_login(manager)
    session = client.session
    session.pop(two_factor.PENDING_KEY, None)
    session.save()
    gated = client.get(reverse("dashboard:today"))
    assert gated.url.startswith(reverse("accounts:two_factor_verify"))
    client.post(reverse("accounts:two_factor_verify"), {"code": current_code(device)})
    assert client.get(reverse("dashboard:today")).status_code == 200


def test_staff_without_two_factor_sign_in_as_before(client, db):
    person = make_staff(role="front_desk", email="plain@example.test")
    response = sign_in(client, person)
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200
