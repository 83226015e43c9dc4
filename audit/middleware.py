"""Sets who is acting for the audit trail, and records each look at sensitive records."""

from audit.context import Actor, reset_actor, set_actor
from audit.models import AuditEvent
from audit.services import actor_label, event_record
from smp_clinic.lib.http import client_ip

# Pages whose GET shows health data, clinical notes or photos: each view is an audit event.
# name -> (what, how to find whose record: a URL kwarg holding the client's public id, or a
# (model label, kwarg) pair to look the client up).
SENSITIVE_VIEWS: dict[str, tuple[str, object]] = {
    "clients:intake_detail": ("medical intake", "client_id"),
    "clients:clearance_document": ("GP letter", "client_id"),
    "consultations:detail": ("consultation", ("consultations.Consultation", "consultation_id")),
    "consultations:plan": ("treatment plan", ("consultations.Consultation", "consultation_id")),
    "sessions_app:session": ("session log", ("sessions_app.PigmentationSession", "session_id")),
    "sessions_app:progress": ("progress and photos", "client_id"),
    "consultations:design": ("hairline design", ("consultations.Consultation", "consultation_id")),
    "clients:photo_detail": ("photo", "client_id"),
    "clients:photo_file": ("photo", "client_id"),
    "clients:consent_detail": ("signed consent", "client_id"),
    "clients:consent_pdf": ("signed consent", "client_id"),
}
# Thumbnails load by the dozen in a grid whose own view is already logged.
UNLOGGED_FILE_SIZES = {"small"}
# Client page tabs that show clinical content.
SENSITIVE_SECTIONS = {
    "medical": "medical intake",
    "consultations": "consultations",
    "sessions": "sessions",
    "photos": "photos",
}


def register_sensitive_view(name: str, what: str, locator) -> None:
    SENSITIVE_VIEWS[name] = (what, locator)


def register_sensitive_section(key: str, what: str) -> None:
    SENSITIVE_SECTIONS[key] = what


class AuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        actor = Actor(
            user_id=user.pk if signed_in else None,
            label=actor_label(user) if signed_in else "anonymous",
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            # The path only: query strings carry search terms and prefilled names.
            path=request.path,
        )
        token = set_actor(actor)
        try:
            response = self.get_response(request)
            if signed_in and request.method == "GET" and response.status_code == 200:
                self._record_view(request, actor)
            return response
        finally:
            reset_actor(token)

    def _record_view(self, request, actor: Actor) -> None:
        match = getattr(request, "resolver_match", None)
        if match is None:
            return
        what, locator = None, None
        if match.kwargs.get("size") in UNLOGGED_FILE_SIZES:
            return
        if match.view_name in SENSITIVE_VIEWS:
            what, locator = SENSITIVE_VIEWS[match.view_name]
        elif (
            match.view_name == "clients:section"
            and match.kwargs.get("section") in SENSITIVE_SECTIONS
        ):
            what, locator = SENSITIVE_SECTIONS[match.kwargs["section"]], "client_id"
        if what is None:
            return
        client_public_id, object_id = self._locate(match.kwargs, locator)
        event_record(
            action=AuditEvent.Action.VIEW,
            object_type=what,
            object_id=object_id,
            client_public_id=client_public_id,
            actor=actor,
        )

    @staticmethod
    def _locate(kwargs: dict, locator) -> tuple:
        from django.apps import apps

        if isinstance(locator, str):
            value = kwargs.get(locator)
            return value, str(value or "")
        label, kwarg = locator
        public_id = kwargs.get(kwarg)
        model = apps.get_model(label)
        client = (
            model.objects.filter(public_id=public_id)
            .values_list("client__public_id", flat=True)
            .first()
        )
        return client, str(public_id or "")
