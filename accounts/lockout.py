"""django-axes hooks: how a sign-in attempt is keyed, and what a locked-out person sees."""

from django.conf import settings
from django.shortcuts import render


def username_from_request(request, credentials) -> str:
    """The email, normalised, so 'Sam@X' and 'sam@x ' count as one account."""
    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    return raw.strip().lower()


def locked_out_response(request, credentials, *args, **kwargs):
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "registration/locked_out.html",
        {"minutes": minutes, "limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )
