"""Turning an uploaded photo into the files the clinic keeps, with Pillow.

What comes from a phone or camera is untrusted and full of metadata: GPS position, device
serial numbers, editing history. What is kept is pixels only: the orientation the camera
recorded is applied to the pixels, colours are converted to sRGB, and the result is encoded
afresh as JPEG with two thumbnails. Limits are checked before any pixel is decoded: the file
size from the upload, the pixel count from the image header.
"""

import contextlib
import hashlib
import io
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

import pillow_heif
from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils import timezone
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

pillow_heif.register_heif_opener()

MAX_UPLOAD_BYTES = 15 * 1024 * 1024
# 50 megapixels admits the 48 and 50 MP modes of current phones; a decoded photo of that
# size takes about 150 MB of memory, which is what this limit protects.
MAX_PIXELS = 50_000_000
JPEG_QUALITY = 88
THUMBNAIL_QUALITY = 82
# Long side in pixels: the grid thumbnail and the on-screen view.
SMALL_SIDE = 320
LARGE_SIDE = 1280
# Decoders tried on an upload, by content. Anything else (GIF, TIFF, PSD, EPS, which would
# start Ghostscript…) is refused before a decoder is picked. The JPEG decoder also opens the
# multi-picture JPEGs (MPO) of many phones.
ACCEPTED_FORMATS = ("JPEG", "PNG", "HEIF", "WEBP", "AVIF")
EXIF_IFD = 0x8769
DATETIME_ORIGINAL = 0x9003
OFFSET_TIME_ORIGINAL = 0x9011
EARLIEST_PLAUSIBLE_PHOTO = datetime(2000, 1, 1)  # noqa: DTZ001 (compared with naive EXIF)

NOT_A_PHOTO = "This file is not a photo we can read (JPEG, PNG, HEIC…)."
DAMAGED = "This photo file is damaged or incomplete. Take or export the photo again."
EMPTY = "This file is empty. Choose the photo again."

_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def too_large_message(size: int) -> str:
    return (
        f"This file is {_megabytes(size)}; the limit is {MAX_UPLOAD_BYTES // 1024 // 1024} MB. "
        "Use the camera's standard quality, or export a smaller copy."
    )


def too_many_pixels_message(width: int | None = None, height: int | None = None) -> str:
    size = f" ({width} × {height} pixels)" if width and height else ""
    return (
        f"This photo is too large{size}: the limit is {MAX_PIXELS // 1_000_000} megapixels. "
        "Use the camera's standard resolution."
    )


@dataclass(frozen=True)
class ProcessedPhoto:
    image: bytes
    large: bytes
    small: bytes
    width: int
    height: int
    sha256: str
    # When the camera says the photo was taken (EXIF), if it says so plausibly.
    taken_at: datetime | None


def check_upload_size(size: int | None) -> None:
    """The byte-size rule, checked on the size the upload declares before reading it."""
    if not size:
        raise ValidationError(EMPTY, code="empty")
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError(too_large_message(size), code="too_large")


def _taken_at(image: Image.Image, zone: tzinfo) -> datetime | None:
    """DateTimeOriginal from EXIF, in its recorded offset or else the clinic's zone."""
    try:
        exif = image.getexif().get_ifd(EXIF_IFD)
        raw = str(exif.get(DATETIME_ORIGINAL, "")).strip("\x00 ")
        offset = str(exif.get(OFFSET_TIME_ORIGINAL, "")).strip("\x00 ")
        naive = datetime.strptime(raw, "%Y:%m:%d %H:%M:%S")  # noqa: DTZ007 (zone added below)
        if naive < EARLIEST_PLAUSIBLE_PHOTO:
            return None
        if offset:
            moment = datetime.strptime(f"{raw} {offset}", "%Y:%m:%d %H:%M:%S %z")
        else:
            moment = timezone.make_aware(naive, zone)
    except (ValueError, TypeError, KeyError, OSError, SyntaxError):
        return None
    # A camera clock set in the future is wrong; a day's slack covers time-zone confusion.
    if moment > timezone.now() + timedelta(days=1):
        return None
    return moment


def _open(upload: File) -> Image.Image:
    upload.seek(0)
    try:
        image = Image.open(upload, formats=ACCEPTED_FORMATS)
    except Image.DecompressionBombError:
        raise ValidationError(too_many_pixels_message(), code="too_many_pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(NOT_A_PHOTO, code="not_a_photo") from None
    width, height = image.size
    if width * height > MAX_PIXELS:
        image.close()
        raise ValidationError(too_many_pixels_message(width, height), code="too_many_pixels")
    return image


def _to_srgb(image: Image.Image) -> Image.Image:
    """RGB pixels in sRGB: an embedded colour profile (Display P3 on iPhones) is applied
    rather than dropped, so skin and pigment tones stay true; transparency becomes white."""
    if image.mode in ("I", "I;16", "I;16B", "I;16L"):
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    icc = image.info.get("icc_profile")
    if icc:
        # An unusable profile is ignored: the pixels are then taken as sRGB, as browsers do.
        with contextlib.suppress(ImageCms.PyCMSError, OSError, ValueError, TypeError):
            image = ImageCms.profileToProfile(
                image,
                ImageCms.ImageCmsProfile(io.BytesIO(icc)),
                _SRGB,
                outputMode="RGBA" if has_alpha else "RGB",
            )
    if has_alpha:
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, "white")
        paper.alpha_composite(rgba)
        image = paper
    return image.convert("RGB")


def _jpeg(image: Image.Image, *, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality, optimize=True, progressive=True, exif=b"")
    return buffer.getvalue()


def _thumbnail(image: Image.Image, side: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS, reducing_gap=3.0)
    return _jpeg(copy, quality=THUMBNAIL_QUALITY)


def process_photo(upload: File, *, zone: tzinfo) -> ProcessedPhoto:
    """The stored files of an upload, or a ValidationError saying plainly what is wrong.

    ``zone`` reads the camera's clock when the photo does not say which zone it was in.
    """
    check_upload_size(getattr(upload, "size", None))
    # Pillow warns (then fails) on images big enough to be decompression bombs: either way
    # the person uploading gets the pixel-limit message, never an error page.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with _open(upload) as original:
                taken_at = _taken_at(original, zone)
                original.load()
                upright = ImageOps.exif_transpose(original)
                pixels = _to_srgb(upright)
        except Image.DecompressionBombWarning:
            raise ValidationError(too_many_pixels_message(), code="too_many_pixels") from None
        except (OSError, SyntaxError, ValueError, EOFError):
            raise ValidationError(DAMAGED, code="damaged") from None
    # Only pixels go on: the re-encoded files carry no EXIF, GPS, XMP, comments or profile.
    pixels.info = {}
    full = _jpeg(pixels, quality=JPEG_QUALITY)
    return ProcessedPhoto(
        image=full,
        large=_thumbnail(pixels, LARGE_SIDE),
        small=_thumbnail(pixels, SMALL_SIDE),
        width=pixels.width,
        height=pixels.height,
        sha256=hashlib.sha256(full).hexdigest(),
        taken_at=taken_at,
    )
