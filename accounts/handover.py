"""Handing the tablet to a client.

A client fills in their health questions or signs a consent or a design on the tablet of a
signed-in staff member. While the tablet is in their hands the session is locked to that one
form: any other page (the client list, another client's record, the calendar) shows the
hand-back page instead, without the navigation. When the client is done, or the staff member
wants the tablet back, the staff member's own password unlocks it; after a few wrong
passwords the session signs out.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from smp_clinic.lib.http import htmx_redirect
from smp_clinic.lib.urls import is_local

SESSION_KEY = "smp_handover"
MAX_UNLOCK_FAILURES = 5


def current(request: HttpRequest) -> dict | None:
    session = getattr(request, "session", None)
    return session.get(SESSION_KEY) if session is not None else None


def start(request: HttpRequest, *, paths: list[str], return_to: str, client_name: str) -> None:
    """Lock the session to these paths (the form and what it loads) until a staff member
    unlocks it; ``return_to`` is where the staff member goes if they take it back early."""
    previous = current(request) or {}
    request.session[SESSION_KEY] = {
        "paths": paths,
        "return_to": return_to,
        "client_name": client_name,
        "finished": False,
        "failures": previous.get("failures", 0),
    }


def finish(request: HttpRequest, *, return_to: str, client_name: str) -> HttpResponse:
    """The client is done: show the thank-you page, which only the staff member's password
    leaves (for ``return_to``)."""
    previous = current(request) or {}
    request.session[SESSION_KEY] = {
        "paths": [],
        "return_to": return_to,
        "client_name": client_name,
        "finished": True,
        "failures": previous.get("failures", 0),
    }
    return redirect("accounts:handover")


class HandoverLockMiddleware:
    """While the tablet is handed over, every page but the client's form is the hand-back
    page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        state = current(request)
        if state is not None and request.user.is_authenticated:
            here = reverse("accounts:handover")
            if request.path != here and request.path not in state["paths"]:
                return htmx_redirect(request, here)
        return self.get_response(request)


def context(request: HttpRequest) -> dict:
    return {"handover": current(request)}


class UnlockForm(forms.Form):
    password = forms.CharField(
        label="Staff password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


@login_required
def handover(request: HttpRequest) -> HttpResponse:
    state = current(request)
    if state is None:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = UnlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if request.user.check_password(form.cleaned_data["password"]):
            del request.session[SESSION_KEY]
            target = state["return_to"]
            return redirect(target if is_local(request, target) else settings.LOGIN_REDIRECT_URL)
        state["failures"] += 1
        if state["failures"] >= MAX_UNLOCK_FAILURES:
            logout(request)
            messages.warning(
                request,
                "Signed out after several wrong passwords while the tablet was handed over. "
                "Sign in again to continue.",
            )
            return redirect(settings.LOGIN_URL)
        request.session[SESSION_KEY] = state
        left = MAX_UNLOCK_FAILURES - state["failures"]
        form.add_error(
            "password",
            f"That is not the password of {request.user.full_name}. "
            f"{left} more tr{'ies' if left != 1 else 'y'} before the tablet signs out.",
        )
    return render(request, "accounts/handover.html", {"state": state, "form": form})
