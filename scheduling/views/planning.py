from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.access import role_required
from accounts.roles import STAFF
from clients.selectors import client_get_for_user
from scheduling import selectors, services, slots
from scheduling.forms import CoursePlanForm, SlotSearchForm, parse_course_sessions
from scheduling.views.common import request_location, request_locations
from smp_clinic.lib.forms import add_service_error


@role_required(*STAFF)
def slot_finder(request: HttpRequest) -> HttpResponse:
    location = request_location(request)
    today = timezone.localtime(timezone.now(), location.tz).date()
    client_id = request.GET.get("client")
    client = client_get_for_user(user=request.user, public_id=client_id) if client_id else None
    data = request.GET if "appointment_type" in request.GET else None
    form = SlotSearchForm(
        data,
        location=location,
        initial={
            "date_from": today,
            "date_to": today + timedelta(days=14),
            "appointment_type": selectors.active_types().first(),
        },
    )
    found = None
    if form.is_bound and form.is_valid():
        found = slots.find_slots(
            appointment_type=form.cleaned_data["appointment_type"],
            location=location,
            date_from=form.cleaned_data["date_from"],
            date_to=form.cleaned_data["date_to"],
            practitioner=form.cleaned_data["practitioner"],
            limit=30,
        )
    return render(
        request,
        "scheduling/slots.html",
        {
            "form": form,
            "found": found,
            "location": location,
            "client": client,
            "locations": request_locations(request),
        },
    )


@role_required(*STAFF)
def course_plan(request: HttpRequest, client_id) -> HttpResponse:
    client = client_get_for_user(user=request.user, public_id=client_id)
    location = request_location(request)
    today = timezone.localtime(timezone.now(), location.tz).date()
    source = (
        request.POST
        if request.method == "POST"
        else (request.GET if "sessions" in request.GET else None)
    )
    form = CoursePlanForm(
        source,
        location=location,
        initial={
            "first_from": today + timedelta(days=1),
            "appointment_type": selectors.active_types().filter(kind="session").first(),
        },
    )
    proposals = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if request.method == "POST" and "confirm" in request.POST:
            try:
                course = services.course_book(
                    by=request.user,
                    client=client,
                    appointment_type=data["appointment_type"],
                    planned_sessions=data["sessions"],
                    min_interval_days=data["min_interval_days"],
                    max_interval_days=data["max_interval_days"],
                    sessions=parse_course_sessions(request, location),
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                booked = course.appointments.count()
                messages.success(
                    request,
                    f"Course booked: {booked} session{'s' if booked != 1 else ''} "
                    f"for {client.full_name}.",
                )
                return redirect(
                    "clients:section", client_id=client.public_id, section="appointments"
                )
        proposals = slots.propose_course(
            appointment_type=data["appointment_type"],
            location=location,
            sessions=data["sessions"],
            min_interval_days=data["min_interval_days"],
            max_interval_days=data["max_interval_days"],
            first_from=data["first_from"],
            practitioner=data["practitioner"],
            preferred_time=data["preferred_time"],
        )
    return render(
        request,
        "scheduling/course_plan.html",
        {
            "form": form,
            "client": client,
            "location": location,
            "proposals": proposals,
            "all_found": bool(proposals) and all(p.slot for p in proposals),
        },
    )
