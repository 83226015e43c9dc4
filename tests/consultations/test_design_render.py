"""The composite image: the design is really drawn where it belongs, on any photo."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image, ImageColor

from consultations.design import MAX_OUTPUT_SIDE, PhotoError, empty_design, render_composite
from consultations.design.curve import catmull_rom
from consultations.design.render import (
    DENSITY_OPACITY,
    HAIRLINE_COLOUR,
    TEMPLE_FILL,
    ZONE_COLOURS,
)

SKIN = (196, 160, 138)
# JPEG blurs edges and shifts flat colours by a few levels.
TOLERANCE = 14

ARC = [[0.2, 0.5], [0.5, 0.3], [0.8, 0.5]]
CROWN = [[0.6, 0.1], [0.9, 0.1], [0.9, 0.4], [0.6, 0.4]]


def photo(size=(800, 600), colour=SKIN, mode="RGB") -> Image.Image:
    return Image.new(mode, size, colour)


def design(**parts) -> dict:
    data = {
        "format": 1,
        "hairline": {"style": "natural", "points": []},
        "temples": [],
        "zones": [],
        "notes": "",
    }
    data.update(parts)
    return data


def zone(points=CROWN, name="crown", density="dense", shade="3") -> dict:
    return {"zone": name, "points": points, "density": density, "shade": shade}


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    return image.convert("RGB")


def at(image: Image.Image, x: float, y: float) -> tuple[int, int, int]:
    """The pixel at photo-relative (x, y)."""
    return image.getpixel((int(x * image.width), int(y * image.height)))


def near(actual, expected, tolerance=TOLERANCE) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


def blended(base, colour: str, opacity: float) -> tuple[int, ...]:
    return tuple(
        round(c * opacity + b * (1 - opacity))
        for b, c in zip(base, ImageColor.getrgb(colour), strict=True)
    )


def test_the_output_is_a_jpeg_of_the_photos_size():
    output = render_composite(photo(), design())

    assert output[:3] == b"\xff\xd8\xff"
    image = Image.open(io.BytesIO(output))
    assert (image.format, image.size, image.mode) == ("JPEG", (800, 600), "RGB")


def test_an_empty_design_leaves_the_photo_as_it_was():
    image = decode(render_composite(photo(), empty_design()))

    for x, y in [(0.02, 0.98), (0.5, 0.5), (0.98, 0.02)]:
        assert near(at(image, x, y), SKIN, 3)


def test_the_hairline_is_drawn_along_the_smooth_curve_not_the_straight_chords():
    image = decode(render_composite(photo(), design(hairline={"style": "rounded", "points": ARC})))

    curve = catmull_rom(ARC)
    # Halfway along the first stretch the curve bulges above the straight chord.
    x, y = curve[8]
    chord_y = 0.5 - (x - 0.2) / 0.3 * 0.2
    assert y < chord_y - 0.02
    assert near(at(image, x, y), ImageColor.getrgb(HAIRLINE_COLOUR), 40)
    assert near(at(image, x, chord_y), SKIN)
    for x, y in [ARC[0], ARC[1], ARC[2], curve[24]]:
        assert not near(at(image, x, y), SKIN, 40), (x, y)


def test_a_zone_is_filled_inside_its_polygon_and_nowhere_far_outside():
    image = decode(render_composite(photo(), design(zones=[zone(density="dense")])))

    expected = blended(SKIN, ZONE_COLOURS["crown"], DENSITY_OPACITY["dense"])
    assert near(at(image, 0.75, 0.25), expected)
    assert near(at(image, 0.65, 0.15), expected)
    for outside in [(0.75, 0.6), (0.5, 0.25), (0.75, 0.03), (0.97, 0.25)]:
        assert near(at(image, *outside), SKIN), outside


def test_denser_zones_cover_the_photo_more():
    def fill(density: str) -> tuple[int, int, int]:
        image = decode(render_composite(photo(), design(zones=[zone(density=density)])))
        return at(image, 0.75, 0.25)

    light, medium, dense = fill("light"), fill("medium"), fill("dense")

    # Crown blue has far more blue than skin: the denser, the bluer.
    assert light[2] < medium[2] < dense[2]
    assert near(light, blended(SKIN, ZONE_COLOURS["crown"], DENSITY_OPACITY["light"]))


def test_overlapping_zones_blend_rather_than_hide_each_other():
    other = [[0.75, 0.2], [0.95, 0.2], [0.95, 0.5], [0.75, 0.5]]
    image = decode(
        render_composite(photo(), design(zones=[zone(), zone(other, "scar", "light", "2")]))
    )

    under = blended(SKIN, ZONE_COLOURS["crown"], DENSITY_OPACITY["dense"])
    both = blended(under, ZONE_COLOURS["scar"], DENSITY_OPACITY["light"])
    assert near(at(image, 0.85, 0.3), both)


def test_temple_points_are_marked():
    image = decode(render_composite(photo(), design(temples=[[0.3, 0.7], [0.7, 0.7]])))

    assert near(at(image, 0.3, 0.7), ImageColor.getrgb(TEMPLE_FILL), 30)
    assert near(at(image, 0.7, 0.7), ImageColor.getrgb(TEMPLE_FILL), 30)
    assert near(at(image, 0.5, 0.7), SKIN)


def test_a_legend_darkens_the_bottom_left_corner_when_something_is_drawn():
    image = decode(
        render_composite(
            photo(), design(zones=[zone()], hairline={"style": "peaked", "points": ARC})
        )
    )

    corner = at(image, 0.03, 0.95)
    assert sum(corner) < sum(SKIN) / 2


def test_line_widths_scale_with_the_photo():
    def red_rows(size) -> int:
        image = decode(
            render_composite(
                photo(size),
                design(hairline={"style": "straight", "points": [[0.1, 0.5], [0.9, 0.5]]}),
            )
        )
        column = [image.getpixel((image.width // 2, y)) for y in range(image.height)]
        return sum(1 for pixel in column if pixel[0] > 200 and pixel[1] < 120)

    assert red_rows((1600, 1200)) >= 2 * red_rows((400, 300)) - 1
    assert red_rows((400, 300)) >= 1


@pytest.mark.parametrize(
    ("mode", "colour"),
    [
        ("RGBA", (*SKIN, 255)),
        ("L", 170),
        ("LA", (170, 255)),
        ("1", 1),
        ("CMYK", (0, 40, 60, 30)),
        ("I;16", 40000),
        ("I", 70000),
        ("F", 0.5),
    ],
)
def test_photos_of_any_mode_render(mode, colour):
    output = render_composite(
        photo((320, 240), colour, mode),
        design(zones=[zone()], hairline={"style": "natural", "points": ARC}),
    )

    image = Image.open(io.BytesIO(output))
    assert (image.size, image.mode) == ((320, 240), "RGB")


def test_a_palette_photo_renders_in_its_colours():
    palette = photo((320, 240)).convert("P", palette=Image.Palette.ADAPTIVE, colors=16)

    image = decode(render_composite(palette, design(zones=[zone()])))

    assert near(at(image, 0.4, 0.6), SKIN)
    assert not near(at(image, 0.75, 0.25), SKIN)


def test_transparent_parts_of_a_photo_show_as_white():
    rgba = photo((320, 240), (*SKIN, 0), "RGBA")
    rgba.paste((*SKIN, 255), (0, 0, 160, 240))
    palette = rgba.convert("P")
    palette.info["transparency"] = palette.getpixel((300, 10))

    for source in (rgba, palette):
        image = decode(render_composite(source, design()))
        assert near(at(image, 0.9, 0.2), (255, 255, 255), 3)
        assert near(at(image, 0.2, 0.2), SKIN, 3)


def test_a_large_photo_is_scaled_down_to_the_maximum_side():
    image = decode(render_composite(photo((5000, 3000)), design(zones=[zone()])))

    assert image.size == (MAX_OUTPUT_SIDE, 1200)
    assert not near(at(image, 0.75, 0.25), SKIN)


def test_a_large_portrait_jpeg_given_as_bytes_is_scaled_down():
    source = io.BytesIO()
    photo((3000, 6000)).save(source, format="JPEG", quality=80)

    image = decode(
        render_composite(source.getvalue(), design(hairline={"style": "natural", "points": ARC}))
    )

    assert image.size == (1000, MAX_OUTPUT_SIDE)


def test_a_stored_file_can_be_passed_as_it_is(tmp_path):
    path = tmp_path / "photo.png"
    photo((640, 480)).save(path)

    with path.open("rb") as stored:
        image = decode(render_composite(stored, design(zones=[zone()])))

    assert image.size == (640, 480)
    assert not near(at(image, 0.75, 0.25), SKIN)


def test_photo_bytes_are_turned_by_their_exif_orientation_as_browsers_show_them():
    source = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90° clockwise
    photo((400, 200)).save(source, format="JPEG", exif=exif)

    assert decode(render_composite(source.getvalue(), design())).size == (200, 400)


def test_a_small_photo_keeps_its_size_and_the_callers_image_is_untouched():
    original = photo((120, 90))
    before = original.tobytes()

    image = decode(
        render_composite(
            original,
            design(
                zones=[zone()] * 40,
                temples=[[0.5, 0.5]],
                hairline={"style": "broken", "points": ARC},
            ),
        )
    )

    assert image.size == (120, 90)
    assert original.tobytes() == before


def test_a_one_pixel_photo_does_not_break_the_renderer():
    image = decode(
        render_composite(
            photo((1, 1)), design(zones=[zone()], hairline={"style": "natural", "points": ARC})
        )
    )

    assert image.size == (1, 1)


def test_the_output_is_the_same_bytes_every_time():
    data = design(
        zones=[zone()], temples=[[0.3, 0.7]], hairline={"style": "natural", "points": ARC}
    )

    assert render_composite(photo(), data) == render_composite(photo(), data)


def test_bytes_that_are_not_an_image_are_refused():
    with pytest.raises(PhotoError, match="The photo could not be read as an image."):
        render_composite(b"%PDF-1.4 not a photo", design())


def test_a_decompression_bomb_is_refused(monkeypatch):
    source = io.BytesIO()
    photo((200, 200)).save(source, format="PNG")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)

    with pytest.raises(PhotoError, match="too many pixels"):
        render_composite(source.getvalue(), design())


def test_an_invalid_design_is_refused_before_any_drawing():
    with pytest.raises(ValidationError, match="outside the photo"):
        render_composite(photo(), design(temples=[[1.5, 0.5]]))
