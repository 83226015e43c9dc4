"""Shared bits of the calendar views: which location and day a request is about."""

from datetime import date, timedelta

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from locations.models import Location
from scheduling import selectors
from smp_clinic.lib.forms import date_from_query


def request_locations(request: HttpRequest) -> list[Location]:
    """The locations the user works at, read once per request."""
    if not hasattr(request, "_smp_locations"):
        request._smp_locations = list(selectors.locations_for(request.user))
    return request._smp_locations


def request_location(request: HttpRequest) -> Location:
    """The location named in ?location=, else the user's first one; 404 if none is theirs."""
    locations = request_locations(request)
    wanted = request.GET.get("location") or request.POST.get("location")
    if wanted:
        for location in locations:
            if str(location.public_id) == wanted:
                return location
        raise Http404("No such location")
    if not locations:
        raise Http404("You are not assigned to any location yet; ask a manager.")
    return locations[0]


def request_day(request: HttpRequest, location: Location) -> date:
    return (
        date_from_query(request.GET.get("date"))
        or timezone.localtime(timezone.now(), location.tz).date()
    )


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def day_url(location: Location, day: date, **extra) -> str:
    return (
        reverse("scheduling:day")
        + "?"
        + urlencode({"location": location.public_id, "date": day.isoformat(), **extra})
    )
