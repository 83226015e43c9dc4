"""Sets who is acting for the audit trail, and records each look at sensitive records.

Pages that show health data, clinical notes, photos or designs are one event per answer that
shows them, whatever the method: a GET, and a form posted to the page and refused, which
shows the page again (as does a view that takes any method and answers with the page). A page
that shows photos or designs lists, in its event, the images it showed; those images are
then not logged again when the browser fetches them for that page (a grid of forty
thumbnails is one row, not forty-one). Any other fetch of an image is its own event with the
photo's public id: a thumbnail or a design opened on its own, and every full-size photo.

The note of what a page showed lives in the cache. When the cache fails (Redis down), the
page is still served and logged, and each image it embeds is logged as its own event: more
rows, never a look missing from the trail. (After a failure the cache is left alone for a
while: ``cache_guard``.)
"""

import logging
import re
from dataclasses import dataclass
from html import unescape
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.urls import Resolver404, resolve

from audit.context import Actor, reset_actor, set_actor
from audit.models import AuditEvent
from audit.services import actor_label, event_record
from smp_clinic.lib import cache_guard
from smp_clinic.lib.http import client_ip

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sensitive:
    what: str
    # Whose record: a URL kwarg holding the client's public id, or a (model label, kwarg)
    # pair to look the client up from the record the URL names.
    client: str | tuple[str, str]
    # The kwarg naming the record looked at (by default the one the client is found from).
    record: str | None = None
    # Other kwargs that say what exactly was shown (a design's version, a photo's size).
    details: tuple[str, ...] = ()
    # Whether an htmx request to the view is a look too. False where the view answers htmx
    # with a fragment that holds no record (a form's fields, a proposed slot), fetched by a
    # page that was itself logged, and renders the whole record only for a plain GET.
    fragments: bool = True


CONSULTATION = ("consultations.Consultation", "consultation_id")
SESSION = ("sessions_app.PigmentationSession", "session_id")

SENSITIVE_VIEWS: dict[str, Sensitive] = {
    "clients:intake_detail": Sensitive("medical intake", "client_id", "intake_id"),
    "clients:clearance_document": Sensitive("GP letter", "client_id", "clearance_id"),
    "clients:flag_clear": Sensitive("medical flag", "client_id", "flag_id"),
    "consultations:detail": Sensitive("consultation", CONSULTATION),
    "consultations:plan": Sensitive("treatment plan", CONSULTATION),
    "consultations:design": Sensitive("hairline design", CONSULTATION),
    "consultations:design_approve": Sensitive(
        "hairline design approval", CONSULTATION, details=("version",)
    ),
    "sessions_app:session": Sensitive("session log", SESSION),
    # The correction form and the next-session proposal, opened without JavaScript, come
    # inside the whole session log.
    "sessions_app:amend": Sensitive("session log", SESSION, fragments=False),
    "sessions_app:book_next": Sensitive("session log", SESSION, fragments=False),
    # Forms of the session log: refused, or answered over htmx, they show the log again.
    **{
        f"sessions_app:{name}": Sensitive("session log", SESSION)
        for name in ("abandon", "healing_check", "notes", "override", "pass_add", "photos_add")
    },
    "sessions_app:progress": Sensitive("progress and photos", "client_id"),
    "clients:photo_detail": Sensitive("photo", "client_id", "photo_id"),
    "clients:photo_review": Sensitive("photo review", "client_id"),
    "clients:photo_delete": Sensitive("photo", "client_id", "photo_id"),
    "clients:consent_detail": Sensitive("signed consent", "client_id", "consent_id"),
    "clients:consent_pdf": Sensitive("signed consent", "client_id", "consent_id"),
}
# Images that pages embed. The key of the list in the page's event, and how to name one.
IMAGE_VIEWS: dict[str, tuple[str, Sensitive]] = {
    "clients:photo_file": ("photos", Sensitive("photo", "client_id", "photo_id", ("size",))),
    "consultations:design_image": (
        "designs",
        Sensitive("hairline design", CONSULTATION, details=("version",)),
    ),
}
# A full-size photo is opened on purpose (a link, a download): always its own event.
ALWAYS_LOGGED_SIZES = {"full"}
# Client page tabs that show clinical content.
SENSITIVE_SECTIONS = {
    "medical": "medical intake",
    "consultations": "consultations",
    "sessions": "sessions",
    "photos": "photos",
}
# Every image URL of this app ends in .jpg: a page without it shows none and is not parsed.
_IMAGE_SUFFIX = ".jpg"


# An <img> tag and its src attribute, in any case and quoting. Searched in the rendered page,
# where Django has escaped every "<" of text (a note quoting a photo's address, a textarea),
# so only real tags match; a regular expression reads a page in well under a millisecond,
# where html.parser took several.
_IMG_TAG = re.compile(r"<img\b([^>]*)>", re.IGNORECASE)
_SRC = re.compile(r"""(?:^|\s)src\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.IGNORECASE)


def embedded_image_paths(html: str) -> list[str]:
    """The paths of the .jpg images a page embeds, in page order."""
    if _IMAGE_SUFFIX not in html:
        return []
    paths = []
    for tag in _IMG_TAG.finditer(html):
        src = _SRC.search(tag.group(1))
        if src is None:
            continue
        path = urlsplit(unescape(next(value for value in src.groups() if value is not None))).path
        if path.endswith(_IMAGE_SUFFIX):
            paths.append(path)
    return paths


def register_sensitive_view(name: str, view: Sensitive) -> None:
    SENSITIVE_VIEWS[name] = view


def register_sensitive_section(key: str, what: str) -> None:
    SENSITIVE_SECTIONS[key] = what


def _shown_key(user_id: int, path: str) -> str:
    return f"audit:shown:{user_id}:{path}"


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
            if signed_in and response.status_code == 200:
                self._record_view(request, response, actor)
            return response
        finally:
            reset_actor(token)

    def _record_view(self, request, response, actor: Actor) -> None:
        match = getattr(request, "resolver_match", None)
        if match is None:
            return
        if match.view_name in IMAGE_VIEWS:
            self._record_image(request, match, actor)
            return
        view = SENSITIVE_VIEWS.get(match.view_name)
        if view is None and match.view_name == "clients:section":
            what = SENSITIVE_SECTIONS.get(match.kwargs.get("section"))
            view = Sensitive(what, "client_id") if what else None
        if view is None or (not view.fragments and getattr(request, "htmx", False)):
            return
        changes = self._shown_images(response, actor)
        self._record(view, match.kwargs, actor, changes)

    def _record_image(self, request, match, actor: Actor) -> None:
        if match.kwargs.get("size") not in ALWAYS_LOGGED_SIZES and _was_shown(
            actor.user_id, request.path
        ):
            return
        self._record(IMAGE_VIEWS[match.view_name][1], match.kwargs, actor, {})

    @staticmethod
    def _shown_images(response, actor: Actor) -> dict[str, list[str]]:
        """The images a page embeds, by public id, remembered for this person for as long
        as a session may sit idle, so fetching them for this page adds no event."""
        if response.streaming or "html" not in response.get("Content-Type", ""):
            return {}
        shown: dict[str, list[str]] = {}
        paths = set()
        for path in embedded_image_paths(response.content.decode(errors="replace")):
            try:
                image = resolve(path)
            except Resolver404:
                continue
            if image.view_name not in IMAGE_VIEWS:
                continue
            if image.kwargs.get("size") in ALWAYS_LOGGED_SIZES:
                continue
            key, _ = IMAGE_VIEWS[image.view_name]
            name = str(image.kwargs.get("photo_id") or image.kwargs.get("consultation_id"))
            if "version" in image.kwargs:
                name = f"{name} v{image.kwargs['version']}"
            if name not in shown.setdefault(key, []):
                shown[key].append(name)
            paths.add(path)
        if paths:
            _note_shown(actor.user_id, paths)
        return shown

    @staticmethod
    def _record(view: Sensitive, kwargs: dict, actor: Actor, changes: dict) -> None:
        client_public_id, record = _locate(view, kwargs)
        details = {name: kwargs[name] for name in view.details if name in kwargs}
        event_record(
            action=AuditEvent.Action.VIEW,
            object_type=view.what,
            object_id=str(record or ""),
            client_public_id=client_public_id,
            changes={**details, **changes},
            actor=actor,
        )


def _was_shown(user_id: int, path: str) -> bool:
    """Whether a page showed this image to this person; when the cache cannot say, it was
    not, so the image is logged on its own."""
    try:
        return bool(cache_guard.call(cache.get, _shown_key(user_id, path)))
    except Exception as error:  # noqa: BLE001 - any cache backend's failure
        logger.warning("Image logged on its own: the cache failed (%r)", error)
        return False


def _note_shown(user_id: int, paths: set[str]) -> None:
    """Remember a page's images for as long as a session may sit idle. Without the cache
    the note is skipped: the page's own event still lists them, and their fetches are logged."""
    timeout = settings.SESSION_IDLE_MINUTES * 60
    try:
        cache_guard.call(cache.set_many, {_shown_key(user_id, path): 1 for path in paths}, timeout)
    except Exception as error:  # noqa: BLE001 - any cache backend's failure
        logger.warning("Images shown not noted: the cache failed (%r)", error)


def _locate(view: Sensitive, kwargs: dict) -> tuple:
    """(the client's public id, the public id of the record looked at)."""
    if isinstance(view.client, str):
        client = kwargs.get(view.client)
        return client, kwargs.get(view.record or view.client)
    label, kwarg = view.client
    public_id = kwargs.get(kwarg)
    client = (
        apps.get_model(label)
        .objects.filter(public_id=public_id)
        .values_list("client__public_id", flat=True)
        .first()
    )
    return client, kwargs.get(view.record or kwarg)
