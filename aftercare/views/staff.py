"""The clinic's outbox and one message's page, with cancel and resend."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.access import role_required
from accounts.roles import STAFF
from aftercare import selectors
from aftercare.client_pages import OUTBOX_ACTORS
from aftercare.forms import OutboxFilterForm
from aftercare.services.outbox import message_cancel as cancel_service
from aftercare.services.outbox import message_resend as resend_service
from smp_clinic.lib.urls import safe_next


@role_required(*OUTBOX_ACTORS)
def outbox(request: HttpRequest) -> HttpResponse:
    form = OutboxFilterForm(request.GET or None)
    view, kind = "upcoming", ""
    if form.is_valid():
        view = form.cleaned_data["view"] or "upcoming"
        kind = form.cleaned_data["kind"]
    counts = selectors.outbox_counts(user=request.user)
    page = selectors.outbox_page(
        user=request.user, view=view, kind=kind, page=request.GET.get("page"), counts=counts
    )
    return render(
        request,
        "aftercare/outbox.html",
        {
            "form": form,
            "page_obj": page,
            "view": view,
            "kind": kind,
            "count_cap": selectors.COUNT_CAP,
            "counts": counts,
            "tabs": list(counts.items()),
        },
    )


@role_required(*STAFF)
def message_detail(request: HttpRequest, message_id) -> HttpResponse:
    message = selectors.message_get_for_user(user=request.user, public_id=message_id)
    return render(
        request,
        "aftercare/message_detail.html",
        {
            "message": message,
            "copies": selectors.message_copies(message=message),
            "can_act": request.user.role in OUTBOX_ACTORS,
        },
    )


def _back(request: HttpRequest, message) -> str:
    return safe_next(request, message.get_absolute_url())


def _act(request: HttpRequest, message_id, *, action: str) -> HttpResponse:
    message = selectors.message_get_for_user(user=request.user, public_id=message_id)
    service = cancel_service if action == "cancel" else resend_service
    allowed = message.can_cancel if action == "cancel" else message.can_resend
    if request.method == "POST":
        try:
            # A resent sent message is a new row: the staff member lands on it.
            message = service(message=message, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            done = "cancelled" if action == "cancel" else "queued to be sent again"
            messages.success(request, f"The {message.get_kind_display().lower()} is {done}.")
        return redirect(_back(request, message))
    return render(
        request,
        "aftercare/message_confirm.html",
        {
            "message": message,
            "action": action,
            "allowed": allowed,
            "next": request.GET.get("next", ""),
        },
    )


@role_required(*OUTBOX_ACTORS)
def message_cancel(request: HttpRequest, message_id) -> HttpResponse:
    return _act(request, message_id, action="cancel")


@role_required(*OUTBOX_ACTORS)
def message_resend(request: HttpRequest, message_id) -> HttpResponse:
    return _act(request, message_id, action="resend")
