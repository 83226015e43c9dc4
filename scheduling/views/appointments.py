from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.roles import CLINICAL, STAFF
from clients.selectors import client_get_for_user, client_search
from scheduling import selectors, services
from scheduling.forms import BookingForm, CancelForm, RescheduleForm
from scheduling.models import Appointment, Course
from scheduling.registry import actions_for
from scheduling.views.common import day_url, request_location
from smp_clinic.lib.forms import add_service_error, date_from_query, datetime_from_query
from smp_clinic.lib.http import htmx_redirect
from smp_clinic.lib.tz import NonexistentLocalTime, local_datetime
from smp_clinic.lib.urls import redirect_back

CLINICAL_STATUSES = {Appointment.Status.IN_PROGRESS, Appointment.Status.COMPLETED}


def _initial_from_query(
    request: HttpRequest, location
) -> tuple[dict, selectors.RoomSuggestion | None]:
    """The dialog's first values from the slot clicked, and the room for the type chosen."""
    initial = {}
    start = datetime_from_query(request.GET.get("start"))
    if start is not None:
        if timezone.is_naive(start):
            start = start.replace(tzinfo=location.tz)
        local = timezone.localtime(start, location.tz)
        initial.update(date=local.date(), time=local.time().replace(second=0, microsecond=0))
    elif date_from_query(request.GET.get("date")):
        initial["date"] = date_from_query(request.GET["date"])
    for name in ("practitioner", "room"):
        if request.GET.get(name):
            initial[name] = request.GET[name]
    chosen_type = None
    if request.GET.get("type", "").isdecimal():
        initial["appointment_type"] = request.GET["type"]
        chosen_type = selectors.active_types().filter(pk=int(request.GET["type"])).first()
    # With no type chosen yet the room is still suggested, for the first type's span (the
    # room is checked again when the type is chosen), but no end or held span is shown: they
    # would be the times of a type nobody chose.
    suggest_for = chosen_type or selectors.active_types().first()
    if start is None or suggest_for is None:
        return initial, None
    slot = selectors.room_suggestion(
        location=location, appointment_type=suggest_for, start=start, wanted=initial.get("room")
    )
    initial["room"] = slot.room.public_id if slot.room else None
    return initial, slot if chosen_type is not None else None


def _slot_refresh(request: HttpRequest, location) -> HttpResponse:
    """htmx, when the dialog's type, day or time changes: the room field again, checked for
    the span the type holds, with its end time; the rest of the dialog stays as the person
    left it. With the type set back to none, the room stays and its hint goes."""
    posted = BookingForm(request.POST, location=location)
    posted.is_valid()
    data = posted.cleaned_data
    if not request.POST.get("appointment_type"):
        form = BookingForm(initial={"room": request.POST.get("room")}, location=location)
        return render(
            request, "scheduling/book.html#slot", {"form": form, "slot": None, "location": location}
        )
    start = None
    if data.get("date") and data.get("time") and data.get("appointment_type"):
        try:
            start = local_datetime(data["date"], data["time"], location.tz)
        except NonexistentLocalTime:
            start = None
    if start is None:
        # No time yet (or one the clocks skip): nothing to check, the room stays as it is.
        return HttpResponse(status=204)
    slot = selectors.room_suggestion(
        location=location,
        appointment_type=data["appointment_type"],
        start=start,
        wanted=request.POST.get("room"),
    )
    form = BookingForm(
        initial={"room": slot.room.public_id if slot.room else None}, location=location
    )
    return render(
        request, "scheduling/book.html#slot", {"form": form, "slot": slot, "location": location}
    )


@role_required(*STAFF)
def book(request: HttpRequest) -> HttpResponse:
    location = request_location(request)
    if request.method == "POST" and request.GET.get("refresh") == "slot":
        return _slot_refresh(request, location)
    client_id = request.POST.get("client") or request.GET.get("client")
    client = client_get_for_user(user=request.user, public_id=client_id) if client_id else None
    courses = (
        list(Course.objects.filter(client=client, status=Course.Status.ACTIVE)) if client else []
    )
    initial, slot = _initial_from_query(request, location)
    form = BookingForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        location=location,
        client=client,
        courses=courses,
    )
    query = (request.POST.get("q") or request.GET.get("q") or "").strip()
    matches = (
        list(client_search(user=request.user, q=query)[:8]) if query and client is None else []
    )
    if request.method == "POST" and "find" not in request.POST:
        if client is None:
            form.is_valid()
            form.add_error(None, "Choose the client first: search by name, email or phone.")
        elif form.is_valid():
            data = form.cleaned_data
            try:
                appointment = services.appointment_book(
                    by=request.user,
                    client=client,
                    appointment_type=data["appointment_type"],
                    practitioner=data["practitioner"],
                    room=data["room"],
                    start=data["start"],
                    notes=data["notes"],
                    course=data["course_obj"],
                    new_course_sessions=data["planned_sessions"]
                    if data["course"] == "new"
                    else None,
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                local = timezone.localtime(appointment.start, appointment.location.tz)
                messages.success(
                    request,
                    f"Booked {appointment.appointment_type.name.lower()} for {client.full_name} "
                    f"with {appointment.practitioner.full_name} on {local:%a %d %b} "
                    f"at {local:%H:%M}.",
                )
                return htmx_redirect(request, day_url(appointment.location, local.date()))
    context = {
        "form": form,
        "location": location,
        "client": client,
        "query": query,
        "matches": matches,
        "slot": slot if not form.is_bound else None,
    }
    if request.htmx and request.htmx.target in ("app-modal-content", "booking-form"):
        return render(request, "scheduling/book.html#modal", context)
    return render(request, "scheduling/book.html", context)


@role_required(*STAFF)
def client_picker(request: HttpRequest) -> HttpResponse:
    """htmx: clients matching ?q= as choices for the booking form."""
    query = request.GET.get("q", "").strip()
    matches = list(client_search(user=request.user, q=query)[:8]) if query else []
    return render(
        request, "scheduling/book.html#client-matches", {"matches": matches, "query": query}
    )


@role_required(*STAFF)
def appointment_detail(request: HttpRequest, appointment_id) -> HttpResponse:
    appointment = selectors.appointment_get_for_user(user=request.user, public_id=appointment_id)
    changes = list(appointment.changes.select_related("by").order_by("at", "pk"))
    return render(
        request,
        "scheduling/appointment_detail.html",
        {
            "appointment": appointment,
            "changes": changes,
            "cancel_form": CancelForm(),
            "transitions": services.allowed_transitions(appointment),
            "actions": actions_for(appointment, request.user),
            "needs_clearance": selectors.appointment_needs_clearance(appointment),
        },
    )


@role_required(*STAFF)
@require_POST
def appointment_status(request: HttpRequest, appointment_id) -> HttpResponse:
    appointment = selectors.appointment_get_for_user(user=request.user, public_id=appointment_id)
    status = request.POST.get("status", "")
    if status not in Appointment.Status.values:
        messages.error(request, "Unknown status.")
    elif status in CLINICAL_STATUSES and request.user.role not in CLINICAL:
        raise PermissionDenied("Only practitioners start and complete appointments.")
    else:
        try:
            services.appointment_set_status(appointment=appointment, by=request.user, status=status)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            label = Appointment.Status(status).label.lower()
            messages.success(request, f"{appointment.client.full_name}: {label}.")
    fallback = reverse("scheduling:appointment", args=[appointment.public_id])
    return redirect_back(request, fallback)


@role_required(*STAFF)
def appointment_reschedule(request: HttpRequest, appointment_id) -> HttpResponse:
    appointment = selectors.appointment_get_for_user(user=request.user, public_id=appointment_id)
    local = timezone.localtime(appointment.start, appointment.location.tz)
    form = RescheduleForm(
        request.POST or None,
        location=appointment.location,
        initial={
            "date": local.date(),
            "time": local.time(),
            "practitioner": appointment.practitioner.public_id,
            "room": appointment.room.public_id,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            moved = services.appointment_reschedule(
                appointment=appointment,
                by=request.user,
                start=data["start"],
                practitioner=data["practitioner"],
                room=data["room"],
                reason=data["reason"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            new_local = timezone.localtime(moved.start, moved.location.tz)
            messages.success(request, f"Moved to {new_local:%a %d %b} at {new_local:%H:%M}.")
            return htmx_redirect(request, reverse("scheduling:appointment", args=[moved.public_id]))
    return render(
        request,
        "scheduling/appointment_reschedule.html",
        {"appointment": appointment, "form": form},
    )


@role_required(*STAFF)
def appointment_cancel(request: HttpRequest, appointment_id) -> HttpResponse:
    appointment = selectors.appointment_get_for_user(user=request.user, public_id=appointment_id)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_cancel(
                appointment=appointment, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"{appointment.client.full_name}'s appointment is cancelled.")
            local = timezone.localtime(appointment.start, appointment.location.tz)
            return htmx_redirect(request, day_url(appointment.location, local.date()))
    return render(
        request, "scheduling/appointment_cancel.html", {"appointment": appointment, "form": form}
    )
