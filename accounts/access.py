"""The one way to require a role on a view: ``@role_required(...)`` or ``RoleRequiredMixin``.

Anonymous visitors are sent to the login page (htmx requests get an ``HX-Redirect`` so a
fragment never swaps a login form into a page); a signed-in user without one of the roles
gets 403.
"""

from collections.abc import Callable, Iterable
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url

from accounts.roles import Role
from smp_clinic.lib.http import htmx_redirect


def _refuse_anonymous(request: HttpRequest) -> HttpResponse:
    if getattr(request, "htmx", False):
        return htmx_redirect(request, resolve_url(settings.LOGIN_URL))
    return redirect_to_login(request.get_full_path())


def check_role(request: HttpRequest, roles: Iterable[Role]) -> HttpResponse | None:
    """None when the request may proceed, else the refusal to return."""
    user = request.user
    if not user.is_authenticated:
        return _refuse_anonymous(request)
    if not user.is_active or user.role not in roles:
        raise PermissionDenied("Your role does not give access to this page.")
    return None


def role_required(*roles: Role) -> Callable:
    if not roles:
        raise ValueError("role_required needs at least one role")
    allowed = frozenset(roles)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            refusal = check_role(request, allowed)
            if refusal is not None:
                return refusal
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = allowed
        return wrapped

    return decorator


class RoleRequiredMixin:
    """Class-based counterpart of ``role_required``: set ``allowed_roles``."""

    allowed_roles: Iterable[Role] = ()

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not self.allowed_roles:
            raise PermissionDenied("This view declares no allowed roles.")
        refusal = check_role(request, frozenset(self.allowed_roles))
        if refusal is not None:
            return refusal
        return super().dispatch(request, *args, **kwargs)
