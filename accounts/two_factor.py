"""Optional TOTP two-factor sign-in for staff (django-otp), mandatory for managers when the
clinic sets ``REQUIRE_2FA_FOR_MANAGERS``.

A person with a confirmed authenticator signs in with their password as before; the session
is then *pending*: every page but the code page and sign-out sends them to the code page
until a code from the app (or a one-time recovery code) verifies the session. The flag is
set once at sign-in (``user_logged_in``), so a page view costs no extra query for people
without two-factor. Wrong codes slow down (django-otp's throttling doubles the wait after
each failure, across sessions) and five in one sign-in end it.
"""

import base64
import logging
from dataclasses import dataclass
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import logout
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.roles import Role
from accounts.services import guard_whole_account, user_sign_out_everywhere
from smp_clinic.lib.http import htmx_redirect

logger = logging.getLogger("smp_clinic.security")

PENDING_KEY = "smp_2fa_pending"
FAILURES_KEY = "smp_2fa_failures"
MAX_CODE_FAILURES = 5
RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
# Pages a signed-in person may open before their code is checked.
OPEN_WHILE_PENDING = frozenset(
    {"accounts:two_factor_verify", "accounts:logout", "dashboard:healthz"}
)
OPEN_WHILE_SETUP_REQUIRED = OPEN_WHILE_PENDING | {"accounts:two_factor_setup"}


# --- Reads -------------------------------------------------------------------------------


def app_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def is_enabled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def required_for(user: User) -> bool:
    return settings.REQUIRE_2FA_FOR_MANAGERS and user.role == Role.MANAGER


def normalise_code(raw: str) -> str:
    return "".join(raw.split()).replace("-", "").lower()


# --- Writes ------------------------------------------------------------------------------


def setup_device(user: User) -> TOTPDevice:
    """The unconfirmed device being set up: the same one on every reload of the setup page,
    so the code already scanned into the phone stays the right one."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// link as an SVG QR code in a data URI (the CSP allows data: images)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def secret_for_typing(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for apps without a camera."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@transaction.atomic
def recovery_codes_replace(user: User) -> list[str]:
    """New one-time recovery codes; the old ones stop working."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


@transaction.atomic
def setup_confirm(*, user: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the device with a first code; returns the recovery codes, or None when the
    code is wrong. Every session signed in with the password alone ends: the caller keeps
    its own (``update_session_auth_hash``)."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
    if device.confirmed or not device.verify_token(normalise_code(code)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    user_sign_out_everywhere(user=user)
    logger.info("Two-factor sign-in turned on for %s", user.public_id)
    return recovery_codes_replace(user)


@transaction.atomic
def devices_remove(*, user: User, by: User) -> None:
    """Turn two-factor off (by the person) or reset it (by a manager, for a lost phone).
    A reset also ends the person's sessions: whoever holds the lost phone may hold a signed-in
    tablet or browser too."""
    guard_whole_account(by, user, action="reset their two-factor sign-in")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    if by.pk != user.pk:
        user_sign_out_everywhere(user=user)
    logger.info("Two-factor sign-in removed for %s by %s", user.public_id, by.public_id)


@dataclass(frozen=True)
class CodeCheck:
    device: TOTPDevice | StaticDevice | None
    wait_seconds: int = 0


def code_check(user: User, raw_code: str) -> CodeCheck:
    """Which device the code verifies: six digits are the app's code, anything else a
    recovery code (used up). Only that kind is tried, so a recovery code never counts as a
    wrong app code and slows the next sign-in down."""
    code = normalise_code(raw_code)
    if code.isdigit() and len(code) <= 8:
        devices = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    else:
        devices = list(StaticDevice.objects.filter(user=user, confirmed=True))
    wait = 0
    for device in devices:
        allowed, info = device.verify_is_allowed()
        if not allowed:
            wait = max(wait, _throttle_wait(device, info))
            continue
        if device.verify_token(code):
            return CodeCheck(device=device)
    return CodeCheck(device=None, wait_seconds=wait)


def _throttle_wait(device, info) -> int:
    failures = (info or {}).get("failure_count", device.throttling_failure_count)
    return int(device.get_throttle_factor() * 2 ** max(failures - 1, 0))


# --- Session -----------------------------------------------------------------------------


def mark_pending_at_login(sender, request, user, **kwargs) -> None:
    """At every sign-in (password, reset link, invitation): ask for a code if the person
    has an authenticator."""
    if request is None or not hasattr(request, "session"):
        return
    request.session.pop(FAILURES_KEY, None)
    if is_enabled(user):
        request.session[PENDING_KEY] = True
    else:
        request.session.pop(PENDING_KEY, None)


def session_verified(request: HttpRequest, device) -> None:
    otp_login(request, device)
    request.session.pop(PENDING_KEY, None)
    request.session.pop(FAILURES_KEY, None)
    request.session.cycle_key()


def session_failed(request: HttpRequest) -> bool:
    """Count a wrong code; True when this sign-in has had too many and was ended."""
    failures = request.session.get(FAILURES_KEY, 0) + 1
    if failures >= MAX_CODE_FAILURES:
        logout(request)
        return True
    request.session[FAILURES_KEY] = failures
    return False


def _redirect_to(request: HttpRequest, name: str) -> HttpResponse:
    url = reverse(name)
    if request.method == "GET" and not getattr(request, "htmx", False):
        url = f"{url}?{urlencode({'next': request.get_full_path()})}"
    return htmx_redirect(request, url)


class TwoFactorMiddleware:
    """Keeps a pending session on the code page, and a manager who must use two-factor on
    the setup page. Runs after django-otp's OTPMiddleware (``user.is_verified``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        name = match.view_name if match else ""
        if not request.user.is_authenticated:
            return None
        if request.session.get(PENDING_KEY):
            if name in OPEN_WHILE_PENDING:
                return None
            return _redirect_to(request, "accounts:two_factor_verify")
        if required_for(request.user) and not request.user.is_verified():
            if is_enabled(request.user):
                request.session[PENDING_KEY] = True
                if name in OPEN_WHILE_PENDING:
                    return None
                return _redirect_to(request, "accounts:two_factor_verify")
            if name in OPEN_WHILE_SETUP_REQUIRED:
                return None
            return _redirect_to(request, "accounts:two_factor_setup")
        return None
