from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.access import role_required
from accounts.roles import STAFF
from dashboard import health
from locations.models import Location
from scheduling import selectors as calendar
from sessions_app.selectors import healing_photos_to_review
from smp_clinic.lib.urls import is_local


@role_required(*STAFF)
def today(request: HttpRequest) -> HttpResponse:
    locations = list(calendar.locations_for(request.user))
    wanted = request.GET.get("location")
    location = next((loc for loc in locations if str(loc.public_id) == wanted), None)
    location = location or (locations[0] if locations else None)
    now = timezone.localtime(timezone.now(), location.tz if location else None)
    appointments = (
        calendar.day_appointments(user=request.user, day=now.date(), location=location)
        if location
        else []
    )
    return render(
        request,
        "dashboard/today.html",
        {
            "today": now.date(),
            "now": now,
            "location": location,
            "locations": locations,
            "appointments": appointments,
            "waiting": [a for a in appointments if a.status == "checked_in"],
            "upcoming_count": sum(1 for a in appointments if a.is_upcoming),
            "healing_to_review": (
                healing_photos_to_review(user=request.user) if request.user.sees_clinical else []
            ),
        },
    )


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Readiness for load balancers: 200 when the database and the broker answer, else 503.
    The pool's figures are information only (see dashboard.health): a busy pool is not down."""
    db_ok, db_detail = health.check_database()
    broker_ok, broker_detail = health.check_broker()
    ok = db_ok and broker_ok
    database = {"ok": db_ok, "detail": db_detail}
    pool = health.database_pool()
    if pool is not None:
        database["pool"] = pool
    return JsonResponse(
        {
            "status": "ok" if ok else "unavailable",
            "database": database,
            "broker": {"ok": broker_ok, "detail": broker_detail},
        },
        status=200 if ok else 503,
    )


@role_required(*STAFF)
@require_GET
def ping(request: HttpRequest) -> HttpResponse:
    """The load benchmark's baseline: the whole request path of a staff page (session, user,
    role check, middleware) and one single-row read, with no template. The role check reads
    the user row already loaded, so it costs no query."""
    location = Location.objects.only("name").order_by("pk").first()
    return HttpResponse(location.name if location else "-", content_type="text/plain")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent from a stale page (its token outlived the session).
    Rendered with the request, unlike Django's own, so the page has the clinic's look and
    a way back to the form."""
    referer = request.META.get("HTTP_REFERER", "")
    back = referer if is_local(request, referer) else reverse("dashboard:today")
    context = {"back_url": back, "no_cookie": reason == REASON_NO_CSRF_COOKIE}
    response = render(request, "403_csrf.html", context, status=403)
    # An htmx request shows no page: the header lets the script say why it was refused
    # instead of blaming the person's role.
    response["X-Refused"] = "page-expired"
    return response
