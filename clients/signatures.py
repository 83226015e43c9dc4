"""Hand-drawn signatures sent by the browser as a PNG data URL (``canvas.toDataURL()``).

Used wherever a client signs on the tablet: consents here, the design approval later. The
data comes from the browser, so it is treated as hostile: the prefix, the base64, the PNG
itself, its size in bytes and pixels are all checked, and what is stored is a fresh PNG
re-encoded from the pixels (no text chunks or anything else the sender added).
"""

import base64
import binascii
import hashlib
import io
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageChops, ImageOps, UnidentifiedImageError

DATA_URL_PREFIX = "data:image/png;base64,"
MAX_SIGNATURE_BYTES = 1024 * 1024
MAX_SIGNATURE_SIDE = 3000
# A pixel counts as ink when it is both visible and clearly darker than paper: a canvas left
# transparent, or filled white, has none.
INK_THRESHOLD = 48
# Ink confined to a box this small is a tap or a dot, not a signature.
MIN_INK_EXTENT = 12

SIGNATURE_MISSING = "Sign in the box above: the signature is missing."
SIGNATURE_BLANK = "The signature box is empty: sign in the box above, then press the button."
SIGNATURE_TOO_SMALL = "The signature is only a dot: sign with your usual signature."
SIGNATURE_UNREADABLE = (
    "The signature could not be read. Clear the box, sign again and press the button."
)
SIGNATURE_TOO_LARGE = "The signature image is too large. Clear the box and sign again."


def _decode(data_url: str) -> bytes:
    if not data_url:
        raise ValidationError(SIGNATURE_MISSING, code="missing")
    if not data_url.startswith(DATA_URL_PREFIX):
        raise ValidationError(SIGNATURE_UNREADABLE, code="not_png_data_url")
    encoded = data_url[len(DATA_URL_PREFIX) :]
    # base64 grows data by a third: refuse before decoding what cannot fit the limit.
    if len(encoded) > (MAX_SIGNATURE_BYTES * 4) // 3 + 4:
        raise ValidationError(SIGNATURE_TOO_LARGE, code="too_large")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(SIGNATURE_UNREADABLE, code="bad_base64") from None
    if len(raw) > MAX_SIGNATURE_BYTES:
        raise ValidationError(SIGNATURE_TOO_LARGE, code="too_large")
    return raw


def _open_png(raw: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw), formats=["PNG"])
            width, height = image.size
            if width > MAX_SIGNATURE_SIDE or height > MAX_SIGNATURE_SIDE:
                raise ValidationError(SIGNATURE_TOO_LARGE, code="too_many_pixels")
            image.load()
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ):
        raise ValidationError(SIGNATURE_UNREADABLE, code="not_png") from None
    return image


def _check_ink(image: Image.Image) -> None:
    rgba = image.convert("RGBA")
    darkness = ImageOps.invert(rgba.convert("RGB").convert("L"))
    ink = ImageChops.multiply(darkness, rgba.getchannel("A"))
    box = ink.point(lambda value: 255 if value > INK_THRESHOLD else 0).getbbox()
    if box is None:
        raise ValidationError(SIGNATURE_BLANK, code="blank")
    left, top, right, bottom = box
    if right - left < MIN_INK_EXTENT and bottom - top < MIN_INK_EXTENT:
        raise ValidationError(SIGNATURE_TOO_SMALL, code="too_small")


def signature_from_data_url(data_url: str) -> ContentFile:
    """A checked, re-encoded PNG from a ``data:image/png;base64,…`` URL, ready to save to a
    FileField. Raises ValidationError with a message for the person signing."""
    image = _open_png(_decode((data_url or "").strip()))
    _check_ink(image)
    rgba = image.convert("RGBA")
    clean = Image.frombytes("RGBA", rgba.size, rgba.tobytes())
    buffer = io.BytesIO()
    clean.save(buffer, format="PNG", optimize=True)
    return ContentFile(buffer.getvalue(), name="signature.png")


def content_sha256(content: ContentFile) -> str:
    content.seek(0)
    digest = hashlib.sha256(content.read()).hexdigest()
    content.seek(0)
    return digest
