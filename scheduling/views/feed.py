from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.access import role_required
from accounts.models import User
from accounts.roles import CLINICAL
from accounts.services import user_regenerate_feed_token
from scheduling.ical import practitioner_feed
from smp_clinic.lib.ratelimit import rate_limit


@never_cache
@require_GET
@rate_limit("calendar-feed", per_minute=30, methods=("GET",))
def feed(request: HttpRequest, feed_token: str) -> HttpResponse:
    """Public by design: the secret token in the URL is the credential."""
    user = User.objects.filter(feed_token=feed_token, is_active=True, role__in=CLINICAL).first()
    if user is None:
        raise Http404("Unknown or revoked calendar feed")
    response = HttpResponse(practitioner_feed(user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="smp-clinic.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response


@role_required(*CLINICAL)
def feed_settings(request: HttpRequest) -> HttpResponse:
    url = request.build_absolute_uri(reverse("scheduling:feed", args=[request.user.feed_token]))
    return render(request, "scheduling/feed_settings.html", {"feed_url": url})


@role_required(*CLINICAL)
@require_POST
def feed_regenerate(request: HttpRequest) -> HttpResponse:
    user_regenerate_feed_token(user=request.user)
    messages.success(
        request,
        "A new feed address is ready. The old one no longer works: update your calendar app.",
    )
    return redirect("scheduling:feed_settings")
