"""Pages of two-factor sign-in: the status page, setup, the code page at sign-in, turning
it off, new recovery codes, and a manager's reset for a lost phone."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts import selectors, two_factor
from accounts.access import role_required
from accounts.forms import PasswordConfirmForm, TwoFactorCodeForm
from accounts.roles import MANAGERS
from smp_clinic.lib.ratelimit import rate_limit
from smp_clinic.lib.urls import redirect_back, safe_next


@login_required
def status(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "device": two_factor.app_device(user),
        "codes_left": two_factor.recovery_codes_left(user),
        "required": two_factor.required_for(user),
    }
    return render(request, "accounts/two_factor.html", context)


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    if two_factor.is_enabled(user):
        messages.info(request, "Two-factor sign-in is already on for your account.")
        return redirect("accounts:two_factor")
    device = two_factor.setup_device(user)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.setup_confirm(user=user, device=device, code=form.cleaned_data["code"])
        if codes is not None:
            # The other sessions ended; this one carries on, now verified.
            update_session_auth_hash(request, user)
            two_factor.session_verified(request, two_factor.app_device(user))
            messages.success(request, "Two-factor sign-in is on.")
            return render(
                request,
                "accounts/two_factor_codes.html",
                {
                    "codes": codes,
                    "next": safe_next(request, resolve_url(settings.LOGIN_REDIRECT_URL)),
                },
            )
        form.add_error(
            "code",
            "That code does not match. Check the phone's clock is right and enter the code "
            "the app shows now.",
        )
    context = {
        "form": form,
        "qr": two_factor.qr_data_uri(device),
        "secret": two_factor.secret_for_typing(device),
        "required": two_factor.required_for(user),
        "bare_page": two_factor.required_for(user),
        "next": safe_next(request),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@rate_limit("two-factor", per_minute=20)
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not request.session.get(two_factor.PENDING_KEY):
        return redirect_back(request, resolve_url(settings.LOGIN_REDIRECT_URL))
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = two_factor.code_check(user, form.cleaned_data["code"])
        if check.device is not None:
            two_factor.session_verified(request, check.device)
            if check.device.name == two_factor.RECOVERY_DEVICE_NAME:
                left = two_factor.recovery_codes_left(user)
                messages.warning(
                    request,
                    f"You signed in with a recovery code; {left} left. If your phone is lost, "
                    "turn two-factor off and on again from My account to link a new one.",
                )
            return redirect_back(request, resolve_url(settings.LOGIN_REDIRECT_URL))
        if two_factor.session_failed(request):
            messages.error(
                request,
                "Too many wrong codes, so you are signed out. Sign in again; if you no longer "
                "have your authenticator, use a recovery code or ask a manager to reset it.",
            )
            return redirect("accounts:login")
        if check.wait_seconds:
            form.add_error(
                "code",
                f"Too many wrong codes in a row. Wait {check.wait_seconds} "
                f"second{pluralize(check.wait_seconds)}, then enter the code the app shows now.",
            )
        else:
            form.add_error("code", "That code is not right. Enter the code the app shows now.")
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": safe_next(request), "bare_page": True},
    )


@login_required
def disable(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not two_factor.is_enabled(user):
        return redirect("accounts:two_factor")
    if two_factor.required_for(user):
        messages.error(
            request, "The clinic requires two-factor sign-in for managers, so it stays on."
        )
        return redirect("accounts:two_factor")
    form = PasswordConfirmForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        two_factor.devices_remove(user=user, by=user)
        messages.success(request, "Two-factor sign-in is off. You sign in with your password.")
        return redirect("accounts:two_factor")
    return render(
        request,
        "registration/simple_form_page.html",
        {
            "form": form,
            "page_title": "Turn off two-factor sign-in",
            "intro": (
                "Your authenticator and recovery codes will stop working. Enter your password "
                "to confirm."
            ),
            "submit_label": "Turn off two-factor sign-in",
            "back_url": reverse("accounts:two_factor"),
            "back_label": "Keep it on",
        },
    )


@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    if not two_factor.is_enabled(request.user):
        return redirect("accounts:two_factor")
    codes = two_factor.recovery_codes_replace(request.user)
    messages.success(request, "New recovery codes are ready; the old ones no longer work.")
    return render(
        request,
        "accounts/two_factor_codes.html",
        {"codes": codes, "next": reverse("accounts:two_factor")},
    )


@role_required(*MANAGERS)
@require_POST
def staff_reset(request: HttpRequest, user_id) -> HttpResponse:
    member = selectors.staff_member_for(manager=request.user, public_id=user_id)
    if member.pk == request.user.pk:
        messages.error(request, "Turn your own two-factor sign-in off from My account.")
        return redirect("accounts:staff_list")
    try:
        two_factor.devices_remove(user=member, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"{member}'s two-factor sign-in is reset. They sign in with their password and "
            "can link a new phone from My account.",
        )
    return redirect("accounts:staff_list")
