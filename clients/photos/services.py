"""Writes of clinical photos. Other features (consultations, sessions, healing checks) call
``photo_upload`` and link the returned photo from their own tables.

Taking photos is clinical work and needs the client's photo consent on record. A photo's
pixels never change once stored; its angle, kind, time and note can be corrected.
"""

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import PurePath

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone

from accounts.models import User
from accounts.roles import CLINICAL, MANAGERS
from clients.models import Client, Photo, PhotoAngle, PhotoKind
from clients.photos.processing import process_photo
from clients.photos.selectors import photo_upload_refusal

NOTE_MAX_LENGTH = 2000
# Tablet and server clocks disagree by a little; a photo "taken" further ahead is a typo.
CLOCK_SLACK = timedelta(minutes=10)


def _require_clinical(by: User, action: str) -> None:
    if by is None or by.role not in CLINICAL:
        raise PermissionDenied(f"Only a practitioner or a manager can {action}.")


def _check_fields(
    *, angle: str, kind: str, taken_at: datetime | None, note: str
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if angle not in PhotoAngle.values:
        errors["angle"] = ["Choose the angle the photo shows."]
    if kind not in PhotoKind.values:
        errors["kind"] = ["Choose what the photo records (baseline, before, after…)."]
    if taken_at is not None and taken_at > timezone.now() + CLOCK_SLACK:
        errors["taken_at"] = ["That time is in the future: when was the photo taken?"]
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = [f"Keep the note under {NOTE_MAX_LENGTH} characters."]
    return errors


def photo_upload(
    *,
    client: Client,
    by: User,
    file: File,
    angle: str,
    kind: str,
    taken_at: datetime | None = None,
    note: str = "",
) -> Photo:
    """Process and store one photo of ``client``.

    ``taken_at`` defaults to when the camera says the photo was taken, else now. Raises
    ValidationError (keyed ``file``, ``angle``, ``kind``, ``taken_at``, ``note``) for a
    file that is not a readable photo, too big in bytes or pixels, or a client without a
    valid photo consent.
    """
    _require_clinical(by, "add photos")
    return _store_photo(
        client=client, by=by, file=file, angle=angle, kind=kind, taken_at=taken_at, note=note
    )


def photo_upload_each(
    *,
    client: Client,
    by: User,
    files: list[File],
    angle: str,
    kind: str,
    taken_at: datetime | None = None,
    note: str = "",
    link: Callable[[Photo], object] | None = None,
) -> tuple[list[Photo], list[str]]:
    """Several files through ``photo_upload``: a refused file is reported by name ("scalp.jpg:
    why") and the others are kept. ``link(photo)`` writes the calling feature's link row in
    the photo's own transaction, so no photo is kept without the record it was taken for."""
    saved: list[Photo] = []
    refused: list[str] = []
    for upload in files:
        try:
            with transaction.atomic():
                photo = photo_upload(
                    client=client,
                    by=by,
                    file=upload,
                    angle=angle,
                    kind=kind,
                    taken_at=taken_at,
                    note=note,
                )
                if link is not None:
                    link(photo)
        except ValidationError as error:
            refused.append(f"{upload.name}: {' '.join(error.messages)}")
        else:
            saved.append(photo)
    return saved, refused


def photo_upload_by_client(*, client: Client, file: File, angle: str, note: str = "") -> Photo:
    """A healing photo the client sends through their signed link: same pipeline, same
    consent rule, no staff member behind it."""
    return _store_photo(
        client=client,
        by=None,
        file=file,
        angle=angle,
        kind=PhotoKind.HEALING,
        taken_at=None,
        note=note,
    )


def _store_photo(
    *, client: Client, by: User | None, file: File, angle: str, kind: str, taken_at, note: str
) -> Photo:
    refusal = photo_upload_refusal(client=client)
    if refusal is not None:
        raise ValidationError({NON_FIELD_ERRORS: [refusal]}, code="refused")
    note = (note or "").strip()
    errors = _check_fields(angle=angle, kind=kind, taken_at=taken_at, note=note)
    processed = None
    try:
        processed = process_photo(file, zone=client.home_location.tz)
    except ValidationError as error:
        errors["file"] = error.messages
    if errors:
        raise ValidationError(errors)

    original = PurePath(str(getattr(file, "name", "") or "")).name[:255]
    photo = Photo(
        client=client,
        angle=angle,
        kind=kind,
        taken_at=taken_at or processed.taken_at or timezone.now(),
        uploaded_by=by,
        note=note,
        width=processed.width,
        height=processed.height,
        sha256=processed.sha256,
        original_filename=original,
    )
    # One random stem for the three files: the names say nothing about the client or photo.
    stem = uuid.uuid4().hex
    photo.image.save(f"{stem}.jpg", ContentFile(processed.image), save=False)
    photo.image_large.save(f"{stem}-large.jpg", ContentFile(processed.large), save=False)
    photo.image_small.save(f"{stem}-small.jpg", ContentFile(processed.small), save=False)
    try:
        with transaction.atomic():
            photo.save()
    except Exception:
        _delete_files(photo)
        raise
    return photo


def photo_update(
    *,
    photo: Photo,
    by: User,
    angle: str,
    kind: str,
    taken_at: datetime | None = None,
    note: str = "",
) -> Photo:
    """Correct what is recorded about a photo (never its pixels)."""
    _require_clinical(by, "change a photo's details")
    note = (note or "").strip()
    errors = _check_fields(angle=angle, kind=kind, taken_at=taken_at, note=note)
    if errors:
        raise ValidationError(errors)
    photo.angle, photo.kind, photo.note = angle, kind, note
    fields = ["angle", "kind", "note", "updated_at"]
    if taken_at is not None:
        photo.taken_at = taken_at
        fields.append("taken_at")
    photo.save(update_fields=fields)
    return photo


def _delete_files(photo: Photo) -> None:
    storage = photo.image.storage
    for name in photo.stored_files():
        if name:
            storage.delete(name)


def photo_delete(*, photo: Photo, by: User) -> None:
    """Delete a photo and its files. A clinical photo is part of the record: managers only,
    and never one that another record (a session, a design) still uses."""
    if by is None or by.role not in MANAGERS:
        raise PermissionDenied("Only a manager can delete a clinical photo.")
    try:
        with transaction.atomic():
            photo.delete()
            # The files go only once the row is gone for good.
            transaction.on_commit(lambda: _delete_files(photo))
    except (ProtectedError, RestrictedError):
        raise ValidationError(
            "This photo is used by another record (a consultation, a design or a session), "
            "so it is kept."
        ) from None
