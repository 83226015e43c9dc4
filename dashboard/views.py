from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.access import role_required
from accounts.roles import STAFF
from dashboard import health


@role_required(*STAFF)
def today(request: HttpRequest) -> HttpResponse:
    now = timezone.localtime()
    return render(request, "dashboard/today.html", {"today": now.date(), "now": now})


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Readiness for load balancers: 200 when the database and the broker answer, else 503."""
    db_ok, db_detail = health.check_database()
    broker_ok, broker_detail = health.check_broker()
    ok = db_ok and broker_ok
    return JsonResponse(
        {
            "status": "ok" if ok else "unavailable",
            "database": {"ok": db_ok, "detail": db_detail},
            "broker": {"ok": broker_ok, "detail": broker_detail},
        },
        status=200 if ok else 503,
    )
