"""The signature decoder every tablet signature goes through (consents, design approval)."""

import base64
import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image, ImageDraw
from PIL.PngImagePlugin import PngInfo

from clients.signatures import (
    MAX_SIGNATURE_BYTES,
    SIGNATURE_BLANK,
    SIGNATURE_MISSING,
    SIGNATURE_TOO_LARGE,
    SIGNATURE_TOO_SMALL,
    SIGNATURE_UNREADABLE,
    signature_from_data_url,
)
from tests.factories import signature_data_url


def data_url(image: Image.Image, format: str = "PNG", **options) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format=format, **options)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def refusal(value: str) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        signature_from_data_url(value)
    return refused.value.messages


def text_chunk(key: str, value: str) -> PngInfo:
    info = PngInfo()
    info.add_text(key, value)
    return info


def test_a_drawn_signature_becomes_a_clean_png():
    drawn = Image.new("RGBA", (500, 160), (0, 0, 0, 0))
    ImageDraw.Draw(drawn).line([(20, 120), (200, 30), (420, 110)], fill=(0, 0, 0, 255), width=4)
    stored = signature_from_data_url(
        data_url(drawn, pnginfo=text_chunk("Comment", "injected text"))
    )
    assert stored.name == "signature.png"
    content = stored.read()
    assert content.startswith(b"\x89PNG")
    assert b"injected text" not in content  # re-encoded from the pixels only
    assert Image.open(io.BytesIO(content)).size == (500, 160)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", SIGNATURE_MISSING),
        ("data:image/jpeg;base64,AAAA", SIGNATURE_UNREADABLE),
        ("data:image/png;base64,***", SIGNATURE_UNREADABLE),
        ("javascript:alert(1)", SIGNATURE_UNREADABLE),
        (signature_data_url(blank=True), SIGNATURE_BLANK),
        (signature_data_url(blank=True, background="white"), SIGNATURE_BLANK),
    ],
    ids=["empty", "jpeg-prefix", "bad-base64", "not-a-data-url", "transparent", "white"],
)
def test_what_is_not_a_signature_is_refused_with_a_clear_message(value, message):
    assert refusal(value) == [message]


def test_a_jpeg_posing_as_a_png_is_refused():
    assert refusal(data_url(Image.new("RGB", (300, 100), "black"), "JPEG")) == [
        SIGNATURE_UNREADABLE
    ]


def test_a_dot_is_not_a_signature():
    dot = Image.new("RGBA", (400, 150), (0, 0, 0, 0))
    ImageDraw.Draw(dot).ellipse([(200, 70), (204, 74)], fill=(0, 0, 0, 255))
    assert refusal(data_url(dot)) == [SIGNATURE_TOO_SMALL]


def test_a_faint_grey_smudge_on_white_is_blank():
    smudge = Image.new("RGB", (400, 150), "white")
    ImageDraw.Draw(smudge).line([(10, 75), (390, 75)], fill=(245, 245, 245), width=3)
    assert refusal(data_url(smudge)) == [SIGNATURE_BLANK]


def test_a_canvas_over_3000_pixels_is_refused():
    assert refusal(data_url(Image.new("1", (3001, 10)))) == [SIGNATURE_TOO_LARGE]


def test_a_signature_over_1_mb_is_refused_before_decoding():
    too_big = (
        "data:image/png;base64," + base64.b64encode(b"\0" * (MAX_SIGNATURE_BYTES + 1)).decode()
    )
    assert refusal(too_big) == [SIGNATURE_TOO_LARGE]
