from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from accounts.access import role_required
from accounts.roles import STAFF
from scheduling import selectors
from scheduling.views.common import request_day, request_location, request_locations, week_start


@role_required(*STAFF)
def day_view(request: HttpRequest) -> HttpResponse:
    location = request_location(request)
    day = request_day(request, location)
    by = "room" if request.GET.get("by") == "room" else "practitioner"
    grid = selectors.with_booking_links(
        selectors.calendar_day(location=location, day=day, by=by),
        book_url=reverse("scheduling:book"),
    )
    context = {
        "grid": grid,
        "location": location,
        "locations": request_locations(request),
        "day": day,
        "by": by,
        "today": timezone.localtime(timezone.now(), location.tz).date(),
        "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
        "view": "day",
    }
    template = (
        "scheduling/day.html#calendar"
        if request.htmx and request.htmx.target == "calendar"
        else "scheduling/day.html"
    )
    return render(request, template, context)


@role_required(*STAFF)
def week_view(request: HttpRequest) -> HttpResponse:
    location = request_location(request)
    day = request_day(request, location)
    practitioners = list(selectors.practitioners_at(location))
    wanted = request.GET.get("practitioner")
    start = week_start(day)
    if wanted:
        practitioner = selectors.practitioner_get(location=location, public_id=wanted)
    else:
        practitioner = selectors.week_default_practitioner(
            location=location, practitioners=practitioners, user=request.user, week_start=start
        )
    grid = (
        selectors.with_booking_links(
            selectors.calendar_week(location=location, practitioner=practitioner, week_start=start),
            book_url=reverse("scheduling:book"),
        )
        if practitioner
        else None
    )
    context = {
        "grid": grid,
        "location": location,
        "locations": request_locations(request),
        "practitioners": practitioners,
        "practitioner": practitioner,
        "day": day,
        "week_start": start,
        "week_end": start + timedelta(days=6),
        "previous_week": start - timedelta(days=7),
        "next_week": start + timedelta(days=7),
        "today": timezone.localtime(timezone.now(), location.tz).date(),
        "view": "week",
    }
    template = (
        "scheduling/week.html#calendar"
        if request.htmx and request.htmx.target == "calendar"
        else "scheduling/week.html"
    )
    return render(request, template, context)
