"""The photo pipeline on real files made here with Pillow (and pillow-heif): orientation,
metadata stripping, thumbnails, formats, and every limit with its message."""

import io
import struct
import zlib
from datetime import datetime
from zoneinfo import ZoneInfo

import pillow_heif
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms

from clients.photos.processing import (
    LARGE_SIDE,
    MAX_UPLOAD_BYTES,
    NOT_A_PHOTO,
    SMALL_SIDE,
    process_photo,
)

LONDON = ZoneInfo("Europe/London")
RED, BLUE = (220, 20, 20), (20, 20, 220)
GPS_IFD = 0x8825
ORIENTATION = 0x0112


def upload(name: str, content: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def two_halves(size=(400, 300), mode="RGB") -> Image.Image:
    """Left half red, right half blue: shows where the pixels end up after rotation."""
    image = Image.new(mode, size, BLUE)
    image.paste(RED, (0, 0, size[0] // 2, size[1]))
    return image


def camera_exif(orientation: int = 6) -> Image.Exif:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Phone 15 Pro"
    exif[GPS_IFD] = {1: "N", 2: (51.0, 30.0, 26.0), 3: "W", 4: (0.0, 7.0, 39.0)}
    exif.get_ifd(0x8769)[0x9003] = "2025:06:14 09:15:00"
    return exif


def encoded(image: Image.Image, format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format, **options)
    return buffer.getvalue()


def reopen(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def close_to(pixel, colour, tolerance=40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` × ``height`` pixels (a decompression bomb
    costs nothing to make: only the header is read before the refusal)."""
    data = encoded(Image.new("RGB", (1, 1)), "PNG")
    ihdr = struct.pack(">II", width, height) + data[24:29]
    crc = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr) & 0xFFFFFFFF)
    return data[:16] + ihdr + crc + data[33:]


def test_a_phone_jpeg_is_turned_upright_and_loses_every_piece_of_metadata():
    source = two_halves()
    data = encoded(source, "JPEG", exif=camera_exif(orientation=6), comment=b"secret note")
    result = process_photo(upload("IMG_0001.JPG", data), zone=LONDON)

    stored = reopen(result.image)
    assert (result.width, result.height) == (300, 400)  # orientation 6: turned a quarter
    assert stored.size == (300, 400)
    assert close_to(stored.getpixel((150, 50)), RED)  # the left half is now on top
    assert close_to(stored.getpixel((150, 350)), BLUE)
    assert dict(stored.getexif()) == {}
    for key in ("exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "comment"):
        assert key not in stored.info
    assert b"PhoneMaker" not in result.image
    assert b"secret note" not in result.image
    assert result.taken_at == datetime(2025, 6, 14, 9, 15, tzinfo=LONDON)


def test_thumbnails_have_the_right_long_side():
    data = encoded(Image.new("RGB", (2000, 1500), (140, 100, 80)), "JPEG")
    result = process_photo(upload("scalp.jpg", data), zone=LONDON)
    assert reopen(result.image).size == (2000, 1500)
    assert reopen(result.large).size == (LARGE_SIDE, 960)
    assert reopen(result.small).size == (SMALL_SIDE, 240)
    for thumbnail in (result.large, result.small):
        assert reopen(thumbnail).format == "JPEG"
        assert dict(reopen(thumbnail).getexif()) == {}


def test_a_png_is_accepted_and_transparency_becomes_white():
    image = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    image.paste((200, 30, 30, 255), (0, 0, 100, 100))
    result = process_photo(upload("export.png", encoded(image, "PNG"), "image/png"), zone=LONDON)
    stored = reopen(result.image)
    assert stored.format == "JPEG"
    assert stored.mode == "RGB"
    assert close_to(stored.getpixel((50, 50)), (200, 30, 30))
    assert close_to(stored.getpixel((150, 50)), (255, 255, 255))
    assert result.taken_at is None


def test_a_heic_from_a_phone_is_accepted_upright_and_without_metadata():
    data = encoded(two_halves(), "HEIF", exif=camera_exif(orientation=6).tobytes(), quality=90)
    assert data[4:12] in (b"ftypheic", b"ftypmif1", b"ftypheix")
    result = process_photo(upload("IMG_0002.HEIC", data, "image/heic"), zone=LONDON)
    stored = reopen(result.image)
    assert stored.format == "JPEG"
    assert {result.width, result.height} == {300, 400}
    assert result.height > result.width  # upright, whichever layer applied the rotation
    assert close_to(stored.getpixel((150, 50)), RED, tolerance=60)
    assert dict(stored.getexif()) == {}
    assert b"PhoneMaker" not in result.image


def test_a_colour_profile_is_applied_then_dropped():
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encoded(Image.new("RGB", (64, 64), (120, 90, 70)), "JPEG", icc_profile=profile)
    result = process_photo(upload("p3.jpg", data), zone=LONDON)
    stored = reopen(result.image)
    assert "icc_profile" not in stored.info
    assert close_to(stored.getpixel((32, 32)), (120, 90, 70), tolerance=8)


def test_an_image_above_the_pixel_limit_is_refused_before_it_is_decoded():
    bomb = upload("bomb.png", png_claiming(8_000, 8_000), "image/png")
    with pytest.raises(ValidationError) as refused:
        process_photo(bomb, zone=LONDON)
    assert refused.value.messages == [
        "This photo is too large (8000 × 8000 pixels): the limit is 50 megapixels. Use "
        "the camera's standard resolution."
    ]


def test_a_decompression_bomb_pillow_itself_refuses_gets_the_same_clear_message():
    bomb = upload("bomb.png", png_claiming(30_000, 30_000), "image/png")
    with pytest.raises(ValidationError, match="the limit is 50 megapixels"):
        process_photo(bomb, zone=LONDON)


def test_a_text_file_named_like_a_photo_is_refused():
    with pytest.raises(ValidationError) as refused:
        process_photo(upload("photo.jpg", b"These are not pixels.\n" * 20), zone=LONDON)
    assert refused.value.messages == [NOT_A_PHOTO]
    assert NOT_A_PHOTO == "This file is not a photo we can read (JPEG, PNG, HEIC…)."


def test_a_format_that_is_not_a_photo_format_is_refused():
    gif = encoded(Image.new("P", (20, 20)), "GIF")
    with pytest.raises(ValidationError, match="not a photo we can read"):
        process_photo(upload("anim.gif", gif, "image/gif"), zone=LONDON)


def test_a_file_over_15_mb_is_refused_by_its_size_before_it_is_read():
    too_big = upload("huge.jpg", b"\0" * (MAX_UPLOAD_BYTES + 1))
    with pytest.raises(ValidationError) as refused:
        process_photo(too_big, zone=LONDON)
    # Zeros are not an image at all: the size message proves the size is checked first.
    assert refused.value.messages == [
        "This file is 15.0 MB; the limit is 15 MB. Use the camera's standard quality, or "
        "export a smaller copy."
    ]


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError, match="This file is empty"):
        process_photo(upload("empty.jpg", b""), zone=LONDON)


def test_a_truncated_photo_is_refused_as_damaged():
    data = encoded(Image.effect_noise((800, 600), 60).convert("RGB"), "JPEG")
    with pytest.raises(ValidationError, match="damaged or incomplete"):
        process_photo(upload("cut.jpg", data[: len(data) // 3]), zone=LONDON)


def test_a_camera_clock_in_the_future_is_not_trusted():
    exif = camera_exif(orientation=1)
    exif.get_ifd(0x8769)[0x9003] = "2999:01:01 10:00:00"
    result = process_photo(upload("a.jpg", encoded(two_halves(), "JPEG", exif=exif)), zone=LONDON)
    assert result.taken_at is None


def test_the_heif_opener_is_registered():
    assert "HEIF" in Image.registered_extensions().values()
    assert pillow_heif.__version__
