"""Sessions end after a period without activity: the app runs on shared tablets."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login

LAST_SEEN_KEY = "smp_last_seen"
# Refresh the stored time (one session write) at most this often, not on every request.
TOUCH_EVERY_SECONDS = 60


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            idle_limit = settings.SESSION_IDLE_MINUTES * 60
            if last_seen is not None and now - last_seen > idle_limit:
                logout(request)
                minutes = settings.SESSION_IDLE_MINUTES
                messages.info(
                    request, f"You were signed out after {minutes} minutes without activity."
                )
                return redirect_to_login(request.get_full_path())
            if last_seen is None or now - last_seen > TOUCH_EVERY_SECONDS:
                # Also re-sends the cookie with a fresh expiry: the timeout is a sliding one.
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


def mark_seen_at_login(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN_KEY] = int(time.time())
