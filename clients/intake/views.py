"""Medical intake pages. Every view reaches the client through ``client_get_for_user`` (so
location scoping applies) and the intake, flag or clearance through that client."""

from pathlib import Path

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts import handover
from accounts.access import role_required
from accounts.roles import CLINICAL, STAFF
from clients import selectors as client_selectors
from clients.intake import selectors, services
from clients.intake.documents import CONTENT_TYPES
from clients.intake.forms import FlagClearanceForm, IntakeForm
from clients.intake.versions import questionnaire_current
from clients.models import Client, IntakeFlag
from smp_clinic.lib.files import private_file_response
from smp_clinic.lib.urls import redirect_back


def _client(request: HttpRequest, client_id) -> Client:
    return client_selectors.client_get_for_user(user=request.user, public_id=client_id)


def _medical_url(client: Client) -> str:
    return reverse("clients:section", args=[client.public_id, "medical"])


def _outcome_for_front_desk(flags: list[IntakeFlag]) -> tuple[int, str]:
    """What the front desk may be told about a new submission: what it blocks, no more."""
    if any(flag.blocks_sessions for flag in flags):
        return messages.WARNING, (
            "A medical flag was raised: pigmentation sessions are blocked until a practitioner "
            "clears it. Consultations can still be booked."
        )
    if flags:
        return messages.SUCCESS, (
            "A practitioner will look at one of the answers before treatment; it does not block "
            "booking."
        )
    return messages.SUCCESS, "No medical flags were raised."


def _after_intake(request: HttpRequest, client: Client, intake) -> str:
    """Tell the staff member what the new intake means and where to go next: the intake
    itself for a clinician, the client page (with what it blocks, no more) otherwise."""
    if request.user.sees_clinical:
        count = intake.flags.count()
        messages.success(
            request,
            f"Intake saved: {count} flag{'s' if count != 1 else ''} raised."
            if count
            else "Intake saved: no flags raised.",
        )
        return reverse("clients:intake_detail", args=[client.public_id, intake.public_id])
    level, text = _outcome_for_front_desk(list(intake.flags.all()))
    messages.add_message(request, level, f"Intake saved. {text}")
    return reverse("clients:detail", args=[client.public_id])


@role_required(*STAFF)
def intake_new(request: HttpRequest, client_id) -> HttpResponse:
    client = _client(request, client_id)
    questionnaire = questionnaire_current()
    tablet = request.GET.get("tablet") == "1"
    if request.method == "POST":
        tablet = request.POST.get("filled_by_client") in ("True", "true", "on", "1")
    elif tablet:
        handover.start(
            request,
            paths=[request.path],
            return_to=reverse("clients:detail", args=[client.public_id]),
            client_name=client.preferred_name or client.first_name,
        )
    form = IntakeForm(
        request.POST or None,
        questionnaire=questionnaire,
        tablet=tablet,
        initial={"filled_by_client": tablet},
    )
    if request.method == "POST" and not client.is_archived and form.is_valid():
        try:
            intake = services.intake_submit(
                client=client,
                by=request.user,
                answers=form.answers(),
                filled_by_client=tablet,
                notes="" if tablet else form.cleaned_data["notes"],
                questionnaire=questionnaire,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if tablet:
                # The client holds the tablet: thank them; the outcome is for the staff
                # member, on the page they return to once they have the tablet back.
                return handover.finish(
                    request,
                    return_to=_after_intake(request, client, intake),
                    client_name=client.preferred_name or client.first_name,
                )
            return redirect(_after_intake(request, client, intake))
    return render(
        request,
        "clients/intake/intake_form.html",
        {"client": client, "form": form, "questionnaire": questionnaire, "tablet": tablet},
    )


@role_required(*CLINICAL)
def intake_detail(request: HttpRequest, client_id, intake_id) -> HttpResponse:
    client = _client(request, client_id)
    intake = selectors.intake_get_for_client(client=client, public_id=intake_id)
    context = selectors.intake_detail_context(intake=intake)
    return render(
        request,
        "clients/intake/intake_detail.html",
        {"client": client, "medical_url": _medical_url(client), **context},
    )


@role_required(*CLINICAL)
@require_POST
def intake_review(request: HttpRequest, client_id, intake_id) -> HttpResponse:
    client = _client(request, client_id)
    intake = selectors.intake_get_for_client(client=client, public_id=intake_id)
    try:
        services.intake_mark_reviewed(intake=intake, by=request.user)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        messages.success(request, "Intake marked as reviewed.")
    return redirect_back(
        request, reverse("clients:intake_detail", args=[client.public_id, intake_id])
    )


@role_required(*CLINICAL)
def flag_clear(request: HttpRequest, client_id, flag_id) -> HttpResponse:
    client = _client(request, client_id)
    flag = selectors.flag_get_for_client(client=client, public_id=flag_id)
    form = FlagClearanceForm(
        request.POST or None, request.FILES or None, requires_document=flag.requires_document
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.flag_clear(
                flag=flag,
                by=request.user,
                note=form.cleaned_data["note"],
                document=form.cleaned_data["document"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"“{flag.label}” is cleared.")
            return redirect("clients:intake_detail", client.public_id, flag.intake.public_id)
    is_latest = selectors.intake_is_latest(flag.intake)
    previous = None
    refusal = None
    if is_latest and selectors.flag_clearance(flag) is None:
        previous = selectors.intake_previous_cleared_flags(intake=flag.intake).get(flag.code)
        if previous is not None:
            refusal = selectors.carry_forward_refusal(flag, previous)
    return render(
        request,
        "clients/intake/flag_clear.html",
        {
            "client": client,
            "flag": flag,
            "clearance": selectors.flag_clearance(flag),
            "form": form,
            "is_latest": is_latest,
            "previous": previous,
            "previous_clearance": selectors.flag_clearance(previous) if previous else None,
            "carry_refusal": refusal,
            "medical_url": _medical_url(client),
        },
    )


@role_required(*CLINICAL)
@require_POST
def flag_carry_forward(request: HttpRequest, client_id, flag_id) -> HttpResponse:
    client = _client(request, client_id)
    flag = selectors.flag_get_for_client(client=client, public_id=flag_id)
    try:
        services.flag_clear_carry_forward(flag=flag, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"“{flag.label}” is cleared with the earlier clearance.")
    return redirect_back(
        request, reverse("clients:intake_detail", args=[client.public_id, flag.intake.public_id])
    )


@role_required(*CLINICAL)
def clearance_document(request: HttpRequest, client_id, clearance_id) -> HttpResponse:
    client = _client(request, client_id)
    clearance = selectors.clearance_get_for_client(client=client, public_id=clearance_id)
    return private_file_response(
        clearance.document,
        what="GP letter",
        as_attachment=True,
        filename=clearance.document_name,
        content_type=CONTENT_TYPES.get(
            Path(clearance.document.name).suffix, "application/octet-stream"
        ),
    )
