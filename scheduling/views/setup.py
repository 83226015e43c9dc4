"""Calendar settings: locations, opening hours and rooms, appointment types, working hours,
time off. Managers run all of it; front desk records time off (a practitioner calls in sick)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.access import role_required
from accounts.roles import MANAGERS, Role
from locations.models import Location, OpeningHours, Room
from locations.services import location_save, room_save
from scheduling import selectors, services
from scheduling.forms import (
    AppointmentTypeForm,
    LocationForm,
    RoomForm,
    TimeOffForm,
    WeeklyHoursForm,
)
from scheduling.models import AppointmentType, TimeOff, WorkingHours
from scheduling.views.common import request_location
from smp_clinic.lib.forms import add_service_error

TIME_OFF_ROLES = (Role.MANAGER, Role.FRONT_DESK)


@role_required(*MANAGERS)
def settings_home(request: HttpRequest) -> HttpResponse:
    locations = selectors.locations_for(request.user).prefetch_related(
        "rooms", "opening_hours", "staff"
    )
    return render(
        request,
        "scheduling/settings_home.html",
        {
            "locations": locations,
            "types": AppointmentType.objects.order_by("pk"),
        },
    )


def _hours_initial(location: Location | None) -> dict:
    if location is None:
        return {f"d{d}_start1": "09:00" for d in range(6)} | {
            f"d{d}_end1": "18:00" for d in range(6)
        }
    initial = {}
    for row in OpeningHours.objects.filter(location=location):
        initial[f"d{row.weekday}_start1"] = row.opens
        initial[f"d{row.weekday}_end1"] = row.closes
    return initial


@role_required(*MANAGERS)
def location_edit(request: HttpRequest, location_id=None) -> HttpResponse:
    location = None
    if location_id is not None:
        location = selectors.location_get_for_user(user=request.user, public_id=location_id)
    form = LocationForm(request.POST or None, instance=location, prefix="loc")
    hours = WeeklyHoursForm(
        request.POST or None, shifts=1, prefix="hours", initial=_hours_initial(location)
    )
    if request.method == "POST" and form.is_valid() and hours.is_valid():
        week = {
            day: (spans[0] if spans else None) for day, spans in hours.cleaned_data["week"].items()
        }
        try:
            saved = location_save(location=location, data=form.cleaned_data, hours=week)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            if location is None and not request.user.all_locations:
                request.user.locations.add(saved)
            messages.success(request, f"{saved.name} is saved.")
            return redirect("scheduling:settings")
    rooms = list(location.rooms.order_by("name")) if location else []
    return render(
        request,
        "scheduling/location_form.html",
        {
            "form": form,
            "hours": hours,
            "location": location,
            "rooms": rooms,
            "room_form": RoomForm(),
        },
    )


@role_required(*MANAGERS)
def room_edit(request: HttpRequest, location_id, room_id=None) -> HttpResponse:
    location = selectors.location_get_for_user(user=request.user, public_id=location_id)
    room = get_object_or_404(Room, location=location, public_id=room_id) if room_id else None
    initial = {"name": room.name, "is_active": room.is_active} if room else {"is_active": True}
    form = RoomForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            room_save(
                room=room,
                location=location,
                name=form.cleaned_data["name"],
                is_active=form.cleaned_data["is_active"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Room saved.")
            return redirect("scheduling:location_edit", location_id=location.public_id)
    return render(
        request, "scheduling/room_form.html", {"form": form, "location": location, "room": room}
    )


@role_required(*MANAGERS)
def type_edit(request: HttpRequest, type_id) -> HttpResponse:
    appointment_type = get_object_or_404(AppointmentType, public_id=type_id)
    form = AppointmentTypeForm(request.POST or None, instance=appointment_type)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(
            request, f"{appointment_type.name} is updated. Existing appointments keep their times."
        )
        return redirect("scheduling:settings")
    return render(
        request, "scheduling/type_form.html", {"form": form, "appointment_type": appointment_type}
    )


@role_required(*MANAGERS)
def working_hours(request: HttpRequest, user_id) -> HttpResponse:
    location = request_location(request)
    practitioner = selectors.practitioner_get(location=location, public_id=user_id)
    initial = {}
    counters: dict[int, int] = {}
    for shift in WorkingHours.objects.filter(practitioner=practitioner, location=location).order_by(
        "start"
    ):
        counters[shift.weekday] = counters.get(shift.weekday, 0) + 1
        n = counters[shift.weekday]
        if n <= 2:
            initial[f"d{shift.weekday}_start{n}"] = shift.start
            initial[f"d{shift.weekday}_end{n}"] = shift.end
    form = WeeklyHoursForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.working_hours_set_week(
                practitioner=practitioner, location=location, week=form.cleaned_data["week"]
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, f"{practitioner.full_name}'s hours at {location.name} are saved."
            )
            return redirect(request.path + f"?location={location.public_id}")
    return render(
        request,
        "scheduling/working_hours.html",
        {
            "form": form,
            "practitioner": practitioner,
            "location": location,
            "practitioners": selectors.practitioners_at(location),
        },
    )


@role_required(*TIME_OFF_ROLES)
def time_off(request: HttpRequest) -> HttpResponse:
    location = request_location(request)
    form = TimeOffForm(request.POST or None, location=location)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.time_off_add(
                practitioner=data["practitioner"],
                by=request.user,
                start=data["start"],
                end=data["end"],
                kind=data["kind"],
                note=data["note"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"Time off recorded for {data['practitioner'].full_name}.")
            return redirect(reverse("scheduling:time_off") + f"?location={location.public_id}")
    upcoming = (
        TimeOff.objects.filter(
            practitioner__in=selectors.practitioners_at(location), end__gte=timezone.now()
        )
        .select_related("practitioner")
        .order_by("start")
    )
    return render(
        request,
        "scheduling/time_off.html",
        {"form": form, "location": location, "upcoming": upcoming},
    )


@role_required(*TIME_OFF_ROLES)
def time_off_delete(request: HttpRequest, time_off_id) -> HttpResponse:
    location = request_location(request)
    absence = (
        TimeOff.objects.filter(
            public_id=time_off_id, practitioner__in=selectors.practitioners_at(location)
        )
        .select_related("practitioner")
        .first()
    )
    if absence is None:
        raise Http404("No such time off")
    if request.method == "POST":
        services.time_off_remove(time_off=absence)
        messages.success(request, "Time off removed.")
        return redirect(reverse("scheduling:time_off") + f"?location={location.public_id}")
    return render(
        request, "scheduling/time_off_delete.html", {"absence": absence, "location": location}
    )
