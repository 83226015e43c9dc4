"""Pages clients open from the links in their emails, without logging in.

They show the client's first name and their two email choices, nothing else. A tampered or
expired link gets a page that says so (400), never an error page with details.
"""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from aftercare.forms import HealingPhotoForm, PreferencesForm
from aftercare.kinds import Category
from aftercare.services.healing import healing_appointment, healing_photo_receive
from aftercare.services.preferences import (
    client_for_token_id,
    preferences_save,
    preferences_unsubscribe,
)
from aftercare.tokens import (
    TokenProblem,
    preferences_token,
    read_healing_token,
    read_preferences_token,
    read_unsubscribe_token,
)
from smp_clinic.lib.forms import add_service_error
from smp_clinic.lib.ratelimit import rate_limit, refused_over_limit


def _problem(request: HttpRequest, problem: TokenProblem, help_text: str = "") -> HttpResponse:
    return render(
        request,
        "aftercare/public/link_problem.html",
        {"problem": str(problem), "expired": problem.expired, "help": help_text},
        status=400,
    )


HEALING_LINK_HELP = (
    "Photo links work for 60 days after we send them. Reply to our email or call the clinic "
    "and we will send you a new one, or bring the photo to your next visit."
)


def _first_name(client) -> str:
    return client.preferred_name or client.first_name


def _link_token(request: HttpRequest, unsubscribe_token: str) -> str:
    return unsubscribe_token


# Links that are not ours, posted from one address: generous, since a provider's real
# links never count here, yet a loop of made-up links is not free for ever.
INVALID_ONE_CLICK_PER_ADDRESS = 60


@never_cache
@csrf_exempt  # RFC 8058: mail programs POST "List-Unsubscribe=One-Click" with no cookie
@rate_limit("unsubscribe-link", per_minute=30, methods=("GET",))
# Mail providers send the one-click POSTs of all their users from a few addresses, so the
# POST is counted per link: a provider is never refused, a loop on one link still is.
@rate_limit("unsubscribe-one-click", per_minute=10, methods=("POST",), key=_link_token)
def unsubscribe(request: HttpRequest, unsubscribe_token: str) -> HttpResponse:
    """GET asks (link scanners must not unsubscribe anyone); POST unsubscribes."""
    try:
        claim = read_unsubscribe_token(unsubscribe_token)
    except TokenProblem as problem:
        if request.method == "POST":
            refused = refused_over_limit(
                request, "unsubscribe-invalid", per_minute=INVALID_ONE_CLICK_PER_ADDRESS
            )
            if refused is not None:
                return refused
        return _problem(request, problem)
    client = client_for_token_id(claim.client_public_id)
    if client is None:
        return _problem(request, TokenProblem("This unsubscribe link is not valid."))
    done = request.method == "POST"
    if done:
        client = preferences_unsubscribe(client=client, category=claim.category)
    fresh = reverse(
        "aftercare:preferences",
        kwargs={"preferences_token": preferences_token(client_public_id=client.public_id)},
    )
    return render(
        request,
        "aftercare/public/unsubscribe.html",
        {
            "first_name": _first_name(client),
            "category_label": Category(claim.category).label.lower(),
            "done": done,
            "preferences_url": fresh,
        },
    )


@never_cache
@rate_limit("preferences-link", per_minute=30, methods=("GET", "POST"))
def preferences(request: HttpRequest, preferences_token: str) -> HttpResponse:
    try:
        public_id = read_preferences_token(preferences_token)
    except TokenProblem as problem:
        return _problem(request, problem)
    client = client_for_token_id(public_id)
    if client is None:
        return _problem(request, TokenProblem("This link is not valid."))
    saved = False
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            client = preferences_save(
                client=client,
                care=form.cleaned_data["care"],
                marketing=form.cleaned_data["marketing"],
            )
            saved = True
    form = PreferencesForm(
        initial={"care": client.email_reminders, "marketing": client.marketing_consent}
    )
    return render(
        request,
        "aftercare/public/preferences.html",
        {"first_name": _first_name(client), "form": form, "saved": saved},
    )


@never_cache
@rate_limit("healing-link", per_minute=20, methods=("GET", "POST"))
def healing_upload(request: HttpRequest, healing_token: str) -> HttpResponse:
    """The client sends a photo of the healed result; it lands on their record, linked to
    the session, for the practitioner to review and rate."""
    try:
        appointment_id, client_id = read_healing_token(healing_token)
    except TokenProblem as problem:
        return _problem(request, problem, HEALING_LINK_HELP)
    appointment = healing_appointment(
        appointment_public_id=appointment_id, client_public_id=client_id
    )
    if appointment is None:
        return _problem(request, TokenProblem("This photo link is not valid."), HEALING_LINK_HELP)
    client = appointment.client
    form = HealingPhotoForm(request.POST or None, request.FILES or None)
    sent = False
    if request.method == "POST" and form.is_valid():
        try:
            healing_photo_receive(
                appointment=appointment,
                file=form.cleaned_data["photo"],
                angle=form.cleaned_data["angle"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            sent = True
            form = HealingPhotoForm()
    return render(
        request,
        "aftercare/public/healing_upload.html",
        {"first_name": _first_name(client), "form": form, "sent": sent},
    )
