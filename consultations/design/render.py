"""The composite image: the client's photo with the design drawn over it, as a JPEG.

It is what the client approves and what the clinic keeps with each design version, so it
must look like the editor (same curve, same colours) and be the same bytes every time for
the same photo and design. Line widths and text scale with the image (in thousandths of its
long side), so a phone photo and a studio photo get the same proportions.
"""

import io
from collections.abc import Sequence
from typing import BinaryIO

from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

from consultations.design.curve import catmull_rom
from consultations.design.schema import Design, validate_design
from consultations.design.vocabulary import DENSITIES, HAIRLINE_STYLES, ZONES

MAX_OUTPUT_SIDE = 2000
JPEG_QUALITY = 88

# The editor's stylesheet (static/css/design-editor.css) uses the same colours and
# opacities; a test keeps the two equal.
ZONE_COLOURS: dict[str, str] = {
    "front_hairline": "#ff8a00",
    "temples": "#ffd400",
    "mid_scalp": "#2ecc71",
    "crown": "#2f9bff",
    "sides": "#b36bff",
    "back": "#00c9b7",
    "scar": "#ff4fa3",
}
DENSITY_OPACITY: dict[str, float] = {"light": 0.25, "medium": 0.4, "dense": 0.55}
HAIRLINE_COLOUR = "#ff2d2d"
CASING_COLOUR = "#111111"
TEMPLE_FILL = "#ffffff"

LEGEND_OPACITY = 0.65

PixelPoint = tuple[float, float]


class PhotoError(ValueError):
    """The photo cannot be rendered (not an image, corrupt, or absurdly large)."""


def _hex(colour: str) -> tuple[int, int, int]:
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))


def _open(photo: Image.Image | bytes | BinaryIO) -> Image.Image:
    try:
        if isinstance(photo, Image.Image):
            image = photo
        else:
            is_bytes = isinstance(photo, bytes | bytearray | memoryview)
            image = Image.open(io.BytesIO(photo) if is_bytes else photo)
            # JPEG can decode straight at a reduced scale, which keeps a 50 MP photo cheap.
            image.draft("RGB", (MAX_OUTPUT_SIDE, MAX_OUTPUT_SIDE))
        image.load()
        # Browsers show a photo turned by its EXIF orientation; the design was drawn on that.
        return ImageOps.exif_transpose(image)
    except Image.DecompressionBombError as error:
        raise PhotoError("The photo has too many pixels to be processed safely.") from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise PhotoError("The photo could not be read as an image.") from error


def _to_rgb(image: Image.Image) -> Image.Image:
    mode = image.mode
    try:
        if mode.startswith("I") or mode == "F":
            # 16-bit and float scans: stretch their actual range onto 0..255.
            grey = image.convert("F")
            low, high = grey.getextrema()
            scale = 255.0 / (high - low) if high > low else 0.0
            return grey.point(lambda v: (v - low) * scale).convert("L").convert("RGB")
        if mode == "P" and "transparency" in image.info:
            image = image.convert("RGBA")
        if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
            rgba = image.convert("RGBA")
            # Transparent parts show as white, as they do on the editor's page.
            background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            return Image.alpha_composite(background, rgba).convert("RGB")
        return image.convert("RGB")
    except ValueError as error:
        raise PhotoError(f"Photos in colour mode {mode} cannot be rendered.") from error
    except OSError as error:
        raise PhotoError("The photo could not be read as an image.") from error


def _scaled(points: Sequence[Sequence[float]], size: tuple[int, int]) -> list[PixelPoint]:
    width, height = size
    return [(x * width, y * height) for x, y in points]


def _disc(draw: ImageDraw.ImageDraw, centre: PixelPoint, radius: float, colour: str) -> None:
    x, y = centre
    draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour)


def _draw_zones(image: Image.Image, design: Design, unit: float) -> None:
    width = max(1, round(2.5 * unit))
    for zone in design.zones:
        colour = _hex(ZONE_COLOURS[zone.zone])
        points = _scaled(zone.points, image.size)
        left = max(0, int(min(x for x, _ in points)))
        top = max(0, int(min(y for _, y in points)))
        right = min(image.width, int(max(x for x, _ in points)) + 2)
        bottom = min(image.height, int(max(y for _, y in points)) + 2)
        if right > left and bottom > top:
            # A mask over the polygon's box only: blending through it keeps the photo
            # visible under the fill, and overlapping zones mix instead of hiding each other.
            mask = Image.new("L", (right - left, bottom - top), 0)
            alpha = round(255 * DENSITY_OPACITY[zone.density])
            ImageDraw.Draw(mask).polygon([(x - left, y - top) for x, y in points], fill=alpha)
            image.paste(colour, (left, top, right, bottom), mask)
        ImageDraw.Draw(image).line([*points, points[0]], fill=colour, width=width, joint="curve")


def _draw_hairline(
    draw: ImageDraw.ImageDraw, design: Design, size: tuple[int, int], unit: float
) -> None:
    if len(design.hairline.points) < 2:
        return
    curve = _scaled(catmull_rom(design.hairline.points), size)
    # A dark casing under the bright line keeps it visible on pale skin and dark hair alike.
    for colour, width in ((CASING_COLOUR, 7 * unit), (HAIRLINE_COLOUR, 4 * unit)):
        pixels = max(1, round(width))
        draw.line(curve, fill=colour, width=pixels, joint="curve")
        for end in (curve[0], curve[-1]):
            _disc(draw, end, pixels / 2, colour)


def _draw_temples(
    draw: ImageDraw.ImageDraw, design: Design, size: tuple[int, int], unit: float
) -> None:
    for centre in _scaled(design.temples, size):
        _disc(draw, centre, max(3.0, 9 * unit), CASING_COLOUR)
        _disc(draw, centre, max(2.0, 7 * unit), HAIRLINE_COLOUR)
        _disc(draw, centre, max(1.0, 3.5 * unit), TEMPLE_FILL)


def _legend_rows(design: Design) -> list[tuple[str, str]]:
    """(kind, text) per legend line; kind is a zone code, "hairline" or "temples"."""
    rows: list[tuple[str, str]] = []
    if design.hairline.points:
        rows.append(("hairline", f"Hairline: {HAIRLINE_STYLES[design.hairline.style].lower()}"))
    if design.temples:
        rows.append(("temples", "Temple points"))
    seen: set[tuple[str, str, str]] = set()
    for zone in design.zones:
        key = (zone.zone, zone.density, zone.shade)
        if key not in seen:
            seen.add(key)
            density = DENSITIES[zone.density].lower()
            rows.append((zone.zone, f"{ZONES[zone.zone]}: {density}, shade {zone.shade}"))
    return rows


def _draw_legend(image: Image.Image, design: Design, unit: float) -> None:
    rows = _legend_rows(design)
    if not rows:
        return
    font_size = max(11, round(15 * unit))
    font = ImageFont.load_default(size=font_size)
    pad = round(font_size * 0.6)
    line = round(font_size * 1.45)
    swatch = font_size
    fitting = max(1, (image.height - 4 * pad) // line)
    if len(rows) > fitting:
        hidden = len(rows) - fitting + 1
        rows = [*rows[: fitting - 1], ("more", f"and {hidden} more")]
    draw = ImageDraw.Draw(image)
    text_width = max(draw.textlength(text, font=font) for _, text in rows)
    box_width = round(pad * 3 + swatch + text_width)
    box_height = pad * 2 + line * len(rows)
    left, bottom = pad, image.height - pad
    box = (left, max(0, bottom - box_height), min(image.width, left + box_width), bottom)
    if box[2] <= box[0] or box[3] <= box[1]:
        return
    region = image.crop(box)
    image.paste(Image.blend(region, Image.new("RGB", region.size, 0), LEGEND_OPACITY), box[:2])
    for index, (kind, text) in enumerate(rows):
        middle = box[1] + pad + line * index + line / 2
        sx = left + pad
        if kind == "hairline":
            draw.line(
                (sx, middle, sx + swatch, middle),
                fill=HAIRLINE_COLOUR,
                width=max(2, round(swatch / 4)),
            )
        elif kind == "temples":
            _disc(draw, (sx + swatch / 2, middle), swatch / 2.6, HAIRLINE_COLOUR)
            _disc(draw, (sx + swatch / 2, middle), swatch / 6, TEMPLE_FILL)
        elif kind in ZONE_COLOURS:
            half = swatch / 2
            draw.rectangle((sx, middle - half, sx + swatch, middle + half), fill=ZONE_COLOURS[kind])
        draw.text((sx + swatch + pad, middle), text, font=font, fill="#ffffff", anchor="lm")


def render_composite(photo: Image.Image | bytes | BinaryIO, design: Design | dict) -> bytes:
    """The photo with ``design`` drawn over it, as JPEG bytes.

    ``photo`` is a Pillow image, the bytes of an image file or a binary file object opened
    on one (such as a stored file's ``open("rb")``); ``design`` a ``Design`` or
    its JSON-ready dict (checked with ``validate_design``). The output's long side is at
    most ``MAX_OUTPUT_SIDE`` pixels; smaller photos keep their size. Raises ``PhotoError``
    for a photo that cannot be read and ``ValidationError`` for an invalid design.
    """
    checked = validate_design(design)
    image = _to_rgb(_open(photo))
    if max(image.size) > MAX_OUTPUT_SIDE:
        image.thumbnail((MAX_OUTPUT_SIDE, MAX_OUTPUT_SIDE), Image.Resampling.LANCZOS)
    unit = max(image.size) / 1000
    _draw_zones(image, checked, unit)
    draw = ImageDraw.Draw(image)
    _draw_hairline(draw, checked, image.size, unit)
    _draw_temples(draw, checked, image.size, unit)
    _draw_legend(image, checked, unit)
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return output.getvalue()
