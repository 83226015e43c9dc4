from django.conf import settings

from dashboard.navigation import nav_items_for


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    context = {"clinic_name": settings.CLINIC_NAME}
    if user is not None and user.is_authenticated:
        match = getattr(request, "resolver_match", None)
        current = match.view_name if match else ""
        context["nav_items"] = nav_items_for(user, current)
    return context
