"""Checks on uploaded clearance documents (GP letters), by content and never by name.

A file called ``letter.pdf`` may be anything; what is stored must really be a PDF, JPEG or
PNG, because practitioners open these files on clinic devices.
"""

from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files import File
from django.utils.text import get_valid_filename
from PIL import Image, UnidentifiedImageError

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"
NAME_STEM_MAX_LENGTH = 120

CONTENT_TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".png": "image/png"}
_IMAGE_EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png"}

DOCUMENT_REQUIRED = "This flag needs a GP letter: upload it to record the clearance."
NOT_ACCEPTED = (
    "This file is not a PDF, JPEG or PNG document (its content is something else, whatever "
    "its name says). Scan or photograph the letter and upload that file."
)


@dataclass(frozen=True)
class CheckedDocument:
    extension: str
    content_type: str
    display_name: str


def _image_extension(upload: File) -> str | None:
    try:
        with Image.open(upload) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        return None
    return _IMAGE_EXTENSIONS.get(image_format or "")


def display_name(original: str, extension: str) -> str:
    """The uploaded name, made safe for a download header, with the checked extension."""
    stem = PurePath(original or "").stem
    try:
        stem = get_valid_filename(stem)[:NAME_STEM_MAX_LENGTH]
    except SuspiciousFileOperation:  # names such as ".." or only punctuation
        stem = ""
    return f"{stem or 'document'}{extension}"


def document_check(upload: File) -> CheckedDocument:
    """The upload's real type, or a ValidationError that says what is wrong with it."""
    size = upload.size or 0
    if size == 0:
        raise ValidationError("The file is empty. Choose the scanned letter again.")
    if size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            f"The file is {size / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_DOCUMENT_BYTES // 1024 // 1024} MB. Scan it at a lower resolution."
        )
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head == PDF_MAGIC:
        extension = ".pdf"
    else:
        extension = _image_extension(upload)
        upload.seek(0)
        if extension is None:
            raise ValidationError(NOT_ACCEPTED)
    return CheckedDocument(
        extension=extension,
        content_type=CONTENT_TYPES[extension],
        display_name=display_name(getattr(upload, "name", ""), extension),
    )
