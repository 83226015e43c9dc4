"""Reads of clinical photos, for practitioners and managers only (the views check the role;
every photo is reached through a client fetched with ``client_get_for_user``)."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404

from accounts.models import User
from clients.consent.selectors import client_has_valid_consent
from clients.models import Client, ConsentKind, Photo, PhotoAngle, PhotoKind

# The Photos tab shows this many of the latest photos; older ones are a kind filter away.
SECTION_LIMIT = 240
REVIEW_LIMIT = 30

NEEDS_PHOTO_CONSENT = (
    "Photos need the client's photo consent, and none is on record (or it was withdrawn). "
    "Ask the client to sign the photo consent first."
)


@dataclass(frozen=True)
class AngleGroup:
    angle: str
    label: str
    photos: list[Photo]


def photo_consent_valid(*, client: Client) -> bool:
    """Whether the client's photo consent stands: every new use of their photos (taking one,
    drawing a design over one) needs it, not only the upload. One query."""
    return client_has_valid_consent(client=client, kind=ConsentKind.PHOTOS)


def photo_upload_refusal(*, client: Client, consent_valid: bool | None = None) -> str | None:
    """Why no photo of this client may be taken now, or None. One query, none when the
    caller already knows whether the photo consent stands (``consent_valid``)."""
    if client.is_archived:
        return "This client is archived: restore them before adding photos."
    if consent_valid is None:
        consent_valid = photo_consent_valid(client=client)
    if not consent_valid:
        return NEEDS_PHOTO_CONSENT
    return None


def photo_get_for_client(*, client: Client, public_id) -> Photo:
    try:
        return Photo.objects.select_related("uploaded_by").get(client=client, public_id=public_id)
    except (Photo.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such photo") from None


def client_photos(*, client: Client, kind: str = "", limit: int | None = None) -> list[Photo]:
    """The client's photos, newest first, optionally of one kind. One query."""
    photos = Photo.objects.filter(client=client).order_by("-taken_at", "-pk")
    if kind:
        photos = photos.filter(kind=kind)
    return list(photos[:limit] if limit else photos)


def photos_by_public_ids(*, client: Client, public_ids: Iterable) -> list[Photo]:
    """The client's photos among these ids (others are ignored), in upload order."""
    ids = list(public_ids)[:REVIEW_LIMIT]
    return list(Photo.objects.filter(client=client, public_id__in=ids).order_by("created_at", "pk"))


def group_by_angle(photos: Iterable[Photo]) -> list[AngleGroup]:
    """Photos in the order of the angles (front, top, left…), each group newest first."""
    by_angle: dict[str, list[Photo]] = {}
    for photo in photos:
        by_angle.setdefault(photo.angle, []).append(photo)
    return [
        AngleGroup(angle, label, by_angle[angle])
        for angle, label in PhotoAngle.choices
        if angle in by_angle
    ]


def photos_section_context(
    *, client: Client, user: User, query: Mapping[str, str] | None = None
) -> dict:
    """The Photos tab: thumbnails grouped by angle, a filter by kind with counts, and
    whether photos may be taken. Three queries whatever the number of photos."""
    kind = (query or {}).get("kind", "")
    if kind not in PhotoKind.values:
        kind = ""
    counts = dict(
        Photo.objects.filter(client=client)
        .values_list("kind")
        .annotate(count=Count("pk"))
        .order_by()
    )
    photos = client_photos(client=client, kind=kind, limit=SECTION_LIMIT + 1)
    return {
        "photo_groups": group_by_angle(photos[:SECTION_LIMIT]),
        "photos_truncated": len(photos) > SECTION_LIMIT,
        "photo_kind": kind,
        "photo_kinds": [
            {"value": value, "label": label, "count": counts.get(value, 0)}
            for value, label in PhotoKind.choices
        ],
        "photo_total": sum(counts.values()),
        "photo_refusal": photo_upload_refusal(client=client),
    }
