"""The design's JSON format: what is accepted, how it is normalised, and the message for
every kind of bad input a browser, a script or an attacker could send."""

import copy
import json
import math
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from consultations.design import (
    MAX_JSON_BYTES,
    Design,
    Hairline,
    Zone,
    empty_design,
    parse_design_json,
    validate_design,
)
from consultations.design.vocabulary import DENSITIES, HAIRLINE_STYLES, SHADES, ZONES

VALID: dict[str, Any] = {
    "format": 1,
    "hairline": {
        "style": "natural",
        "points": [[0.2, 0.4], [0.35, 0.32], [0.5, 0.3], [0.65, 0.32], [0.8, 0.4]],
    },
    "temples": [[0.18, 0.45], [0.82, 0.45]],
    "zones": [
        {
            "zone": "front_hairline",
            "points": [[0.2, 0.3], [0.8, 0.3], [0.8, 0.4], [0.2, 0.4]],
            "density": "light",
            "shade": "2",
        },
        {
            "zone": "crown",
            "points": [[0.4, 0.05], [0.6, 0.05], [0.62, 0.2], [0.5, 0.25], [0.38, 0.2]],
            "density": "dense",
            "shade": "4",
        },
    ],
    "notes": "Soft, slightly irregular front; crown denser.",
}

SQUARE = [[0.1, 0.1], [0.2, 0.1], [0.2, 0.2], [0.1, 0.2]]


def circle(count: int) -> list[list[float]]:
    """A round zone of ``count`` vertices."""
    return [
        [
            0.5 + 0.4 * math.cos(2 * math.pi * i / count),
            0.5 + 0.4 * math.sin(2 * math.pi * i / count),
        ]
        for i in range(count)
    ]


def design_with(**changes: Any) -> dict[str, Any]:
    """VALID with top-level keys replaced (a value of ... removes the key)."""
    data = copy.deepcopy(VALID)
    for key, value in changes.items():
        if value is ...:
            del data[key]
        else:
            data[key] = value
    return data


def hairline_with(points: Any = None, **changes: Any) -> dict[str, Any]:
    hairline = {
        "style": "natural",
        "points": [[0.2, 0.4], [0.8, 0.4]] if points is None else points,
    }
    hairline.update(changes)
    return design_with(hairline=hairline)


def zone(**changes: Any) -> dict[str, Any]:
    data = {"zone": "crown", "points": copy.deepcopy(SQUARE), "density": "medium", "shade": "3"}
    for key, value in changes.items():
        if value is ...:
            del data[key]
        else:
            data[key] = value
    return data


def message_of(data: object) -> str:
    with pytest.raises(ValidationError) as caught:
        validate_design(data)
    assert len(caught.value.messages) == 1
    return caught.value.messages[0]


def test_a_valid_design_round_trips_unchanged():
    design = validate_design(VALID)

    assert design.to_dict() == VALID
    assert validate_design(design.to_dict()) == design
    assert parse_design_json(design.to_json()) == design
    assert parse_design_json(json.dumps(VALID)) == design


def test_a_valid_design_reads_as_typed_values():
    design = validate_design(VALID)

    assert design.hairline == Hairline(
        style="natural", points=tuple(map(tuple, VALID["hairline"]["points"]))
    )
    assert design.temples == ((0.18, 0.45), (0.82, 0.45))
    assert design.zones[1] == Zone(
        zone="crown",
        points=((0.4, 0.05), (0.6, 0.05), (0.62, 0.2), (0.5, 0.25), (0.38, 0.2)),
        density="dense",
        shade="4",
    )
    assert design.zones[1].label == "Crown"
    assert design.point_count == 5 + 2 + 4 + 5
    assert not design.is_empty


def test_the_empty_design_of_a_new_plan_is_valid():
    empty = empty_design()

    assert empty.is_empty
    assert empty.to_dict() == {
        "format": 1,
        "hairline": {"style": "natural", "points": []},
        "temples": [],
        "zones": [],
        "notes": "",
    }
    assert validate_design(empty.to_dict()) == empty
    assert parse_design_json(empty.to_json()) == empty


@pytest.mark.parametrize(
    ("change", "empty"),
    [
        ({"zones": [], "temples": [], "hairline": {"style": "natural", "points": []}}, True),
        ({"zones": [], "hairline": {"style": "natural", "points": []}}, True),
        ({"zones": [], "temples": [], "hairline": {"style": "rounded", "points": []}}, True),
        ({"zones": [], "temples": []}, False),
        ({"hairline": {"style": "natural", "points": []}, "temples": []}, False),
    ],
    ids=["notes only", "temples and notes", "a style only", "a hairline", "a zone"],
)
def test_only_a_hairline_or_a_zone_makes_a_design_worth_saving(change, empty):
    assert validate_design({**VALID, **change}).is_empty is empty


def test_coordinates_are_rounded_to_four_decimals_and_edges_are_inside():
    data = hairline_with([[0.123456, 0.98765432], [0, 1], [1.00004, -0.00004]])

    design = validate_design(data)

    assert design.hairline.points == ((0.1235, 0.9877), (0.0, 1.0), (1.0, 0.0))
    assert (
        json.dumps(design.to_dict()["hairline"]["points"])
        == "[[0.1235, 0.9877], [0.0, 1.0], [1.0, 0.0]]"
    )


def test_every_vocabulary_word_is_accepted():
    for style in HAIRLINE_STYLES:
        assert validate_design(hairline_with(style=style)).hairline.style == style
    zones = [zone(zone=z, density=d, shade=s) for z in ZONES for d in DENSITIES for s in SHADES][
        :40
    ]
    assert len(validate_design(design_with(zones=zones)).zones) == 40


def test_a_design_at_every_limit_is_accepted():
    hairline = [[i / 199, 0.5] for i in range(200)]
    big_zone = circle(500)
    data = design_with(
        hairline={"style": "peaked", "points": hairline},
        zones=[zone(points=big_zone)] * 3,
        notes="n" * 2000,
    )

    design = validate_design(data)

    assert design.point_count == 200 + 2 + 1500


TOO_MANY_POINTS = [[0.1, 0.1]] * 1_000_000

HOSTILE = [
    pytest.param("a string", "The design must be a JSON object, not text.", id="text"),
    pytest.param([VALID], "The design must be a JSON object, not a list.", id="list"),
    pytest.param(None, "The design must be a JSON object, not null.", id="null"),
    pytest.param(5, "The design must be a JSON object, not a number.", id="number"),
    pytest.param(True, "The design must be a JSON object, not true/false.", id="bool"),
    pytest.param({1, 2}, "The design must be a JSON object, not set.", id="python-set"),
    pytest.param({}, 'The design is missing "format".', id="empty-object"),
    pytest.param(
        design_with(format=2),
        "The design is in format 2, which this version of the app cannot read (it reads format 1).",
        id="future-format",
    ),
    pytest.param(
        design_with(format="1"),
        'The design\'s format must be the number 1, not "1".',
        id="format-text",
    ),
    pytest.param(
        design_with(format=True),
        "The design's format must be the number 1, not true.",
        id="format-bool",
    ),
    pytest.param(
        design_with(format=1.0),
        "The design's format must be the number 1, not 1.0.",
        id="format-float",
    ),
    pytest.param(design_with(zones=...), 'The design is missing "zones".', id="missing-zones"),
    pytest.param(design_with(notes=...), 'The design is missing "notes".', id="missing-notes"),
    pytest.param(
        design_with(colour="red"), 'The design has an unknown key "colour".', id="extra-key"
    ),
    pytest.param(
        design_with(**{"x" * 500: 1}),
        f'The design has an unknown key "{"x" * 38}….',
        id="extra-key-long",
    ),
    pytest.param(
        design_with(hairline=[[0.1, 0.1]]),
        'The hairline must be an object with "style" and "points", not a list.',
        id="hairline-list",
    ),
    pytest.param(
        hairline_with(width=3), 'The hairline has an unknown key "width".', id="hairline-extra-key"
    ),
    pytest.param(
        design_with(hairline={"points": []}),
        'The hairline is missing "style".',
        id="hairline-no-style",
    ),
    pytest.param(
        hairline_with(style="wavy"),
        'The hairline has an unknown style "wavy". Choose one of: natural, rounded, straight, '
        "peaked, receded, broken.",
        id="unknown-style",
    ),
    pytest.param(
        hairline_with(style=3),
        "The hairline: the style must be text, not a number.",
        id="style-number",
    ),
    pytest.param(
        hairline_with([[0.5, 0.5]]),
        "The hairline needs at least 2 points; it has 1.",
        id="hairline-one",
    ),
    pytest.param(
        hairline_with("abc"),
        "Hairline: the points must be a list of [x, y] pairs, not text.",
        id="hairline-points-text",
    ),
    pytest.param(
        hairline_with([[0.1, 0.1]] * 201),
        "The hairline has 201 points; the most allowed is 200.",
        id="hairline-too-many",
    ),
    pytest.param(
        hairline_with(TOO_MANY_POINTS),
        "The hairline has 1,000,000 points; the most allowed is 200.",
        id="huge-array",
    ),
    pytest.param(
        hairline_with([[0.1, 0.2], [0.3]]),
        "Hairline: point 2 must be a pair of numbers [x, y], not [0.3].",
        id="point-short",
    ),
    pytest.param(
        hairline_with([[0.1, 0.2], [0.3, 0.4, 0.5]]),
        "Hairline: point 2 must be a pair of numbers [x, y], not [0.3, 0.4, 0.5].",
        id="point-long",
    ),
    pytest.param(
        hairline_with([[0.1, 0.2], {"x": 1, "y": 0}]),
        'Hairline: point 2 must be a pair of numbers [x, y], not {"x": 1, "y": 0}.',
        id="point-object",
    ),
    pytest.param(
        hairline_with([[0.1, 0.2], [[[[[0.1]]]], 0.2]]),
        "Hairline: point 2 has x=[[[[0.1]]]], which is not a number.",
        id="nested-garbage",
    ),
    pytest.param(
        hairline_with([[0.1, "0.2"], [0.3, 0.4]]),
        'Hairline: point 1 has y="0.2", which is not a number.',
        id="coordinate-text",
    ),
    pytest.param(
        hairline_with([[True, 0.2], [0.3, 0.4]]),
        "Hairline: point 1 has x=true, which is not a number.",
        id="coordinate-bool",
    ),
    pytest.param(
        hairline_with([[None, 0.2], [0.3, 0.4]]),
        "Hairline: point 1 has x=null, which is not a number.",
        id="coordinate-null",
    ),
    pytest.param(
        hairline_with([[float("nan"), 0.2], [0.3, 0.4]]),
        "Hairline: point 1 has x=NaN, which is not a finite number.",
        id="nan",
    ),
    pytest.param(
        hairline_with([[0.1, 0.2], [0.3, float("-inf")]]),
        "Hairline: point 2 has y=-Infinity, which is not a finite number.",
        id="infinity",
    ),
    pytest.param(
        hairline_with([[0.1, 0.2], [1.3, 0.4]]),
        "Hairline: point 2 is outside the photo (x=1.30).",
        id="x-above-one",
    ),
    pytest.param(
        hairline_with([[0.1, -0.2], [0.3, 0.4]]),
        "Hairline: point 1 is outside the photo (y=-0.20).",
        id="negative",
    ),
    pytest.param(
        hairline_with([[0.1, 0.2], [1.0002, 0.4]]),
        "Hairline: point 2 is outside the photo (x=1.0002).",
        id="just-above-one",
    ),
    pytest.param(
        hairline_with([[0.1, 0.2], [640, 480]]),
        "Hairline: point 2 is outside the photo (x=640).",
        id="pixels-not-fractions",
    ),
    pytest.param(
        hairline_with([[0.1, 0.2], [10**5000, 0.4]]),
        "Hairline: point 2 is outside the photo (x=a huge number).",
        id="huge-integer",
    ),
    pytest.param(
        design_with(temples=[[0.2, 0.4], [0.8, 0.4], [0.5, 0.4]]),
        "There are 3 temple points; a design has at most 2 (left and right).",
        id="three-temples",
    ),
    pytest.param(
        design_with(temples={"left": [0.2, 0.4]}),
        "Temples: the points must be a list of [x, y] pairs, not an object.",
        id="temples-object",
    ),
    pytest.param(
        design_with(temples=[[0.2, 0.4], [1.3, 0.4]]),
        "Temples: point 2 is outside the photo (x=1.30).",
        id="temple-outside",
    ),
    pytest.param(
        design_with(zones={"crown": SQUARE}),
        "The zones must be a list, not an object.",
        id="zones-object",
    ),
    pytest.param(
        design_with(zones=[zone()] * 41),
        "The design has 41 zones; the most allowed is 40.",
        id="too-many-zones",
    ),
    pytest.param(
        design_with(zones=[SQUARE]),
        'Zone 1 must be an object with "zone", "points", "density" and "shade", not a list.',
        id="zone-list",
    ),
    pytest.param(
        design_with(zones=[zone(density=...)]),
        'Zone 1 is missing "density".',
        id="zone-missing-key",
    ),
    pytest.param(
        design_with(zones=[zone(label="x")]),
        'Zone 1 has an unknown key "label".',
        id="zone-extra-key",
    ),
    pytest.param(
        design_with(zones=[zone(), zone(zone="beard")]),
        'Zone 2 has an unknown zone type "beard". Choose one of: front_hairline, temples, '
        "mid_scalp, crown, sides, back, scar.",
        id="unknown-zone",
    ),
    pytest.param(
        design_with(zones=[zone(density="extra")]),
        'Zone 1 (crown) has an unknown density "extra". Choose one of: light, medium, dense.',
        id="unknown-density",
    ),
    pytest.param(
        design_with(zones=[zone(zone="mid_scalp", shade="9")]),
        'Zone 1 (mid-scalp) has an unknown shade "9". Choose one of: 1, 2, 3, 4, 5.',
        id="unknown-shade",
    ),
    pytest.param(
        design_with(zones=[zone(shade=3)]),
        "Zone 1 (crown): the shade must be text, not a number.",
        id="shade-number",
    ),
    pytest.param(
        design_with(zones=[zone(points=SQUARE[:2])]),
        "Zone 1 (crown) needs at least 3 points; it has 2.",
        id="zone-two-points",
    ),
    pytest.param(
        design_with(zones=[zone(points=[[0.1, 0.1]] * 501)]),
        "Zone 1 (crown) has 501 points; the most allowed is 500.",
        id="zone-too-many-points",
    ),
    pytest.param(
        design_with(zones=[zone(), zone(points=[*SQUARE, [1.3, 0.5]])]),
        "Zone 2 (crown): point 5 is outside the photo (x=1.30).",
        id="zone-point-outside",
    ),
    pytest.param(
        design_with(zones=[zone(zone="scar", points=[[0.1, 0.1], [0.2, 0.2], [0.3, 0.3]])]),
        "Zone 1 (scar) encloses no area: draw it around the part of the scalp it covers.",
        id="zone-flat",
    ),
    pytest.param(design_with(notes=12), "The notes must be text, not a number.", id="notes-number"),
    pytest.param(
        design_with(notes="n" * 2001),
        "The notes are 2,001 characters long; the most allowed is 2,000.",
        id="notes-too-long",
    ),
    pytest.param(
        design_with(notes="crown\x00dense"),
        "The notes contain an invisible control character (U+0000); retype them without it.",
        id="notes-nul",
    ),
    pytest.param(
        design_with(notes="crown \ud800"),
        "The notes contain a broken character (U+D800); retype them without it.",
        id="notes-lone-surrogate",
    ),
    pytest.param(
        design_with(
            hairline={"style": "natural", "points": [[0.5, 0.5]] * 200},
            zones=[zone(points=circle(450))] * 4,
        ),
        "The design has 2,002 points in all; the most allowed is 2,000.",
        id="too-many-points-in-all",
    ),
]


@pytest.mark.parametrize(("data", "message"), HOSTILE)
def test_a_malformed_design_is_refused_with_a_precise_message(data, message):
    assert message_of(data) == message


def test_the_validation_error_carries_a_code_for_forms():
    with pytest.raises(ValidationError) as caught:
        validate_design([])
    assert caught.value.code == "invalid_design"


def test_a_multiline_note_with_tabs_is_kept():
    notes = "Line one\n\tindented\r\nline three ✓ — café"

    assert validate_design(design_with(notes=notes)).notes == notes


TEXT_CASES = [
    pytest.param("", "No design was sent.", id="empty"),
    pytest.param("  \n ", "No design was sent.", id="blank"),
    pytest.param(
        "{",
        "The design is not valid JSON (Expecting property name enclosed in double quotes at "
        "line 1, column 2).",
        id="truncated",
    ),
    pytest.param(
        "hairline",
        "The design is not valid JSON (Expecting value at line 1, column 1).",
        id="prose",
    ),
    pytest.param(
        '{"format": NaN}', "The design contains NaN, which is not a number JSON allows.", id="nan"
    ),
    pytest.param(
        '{"format": 1, "x": -Infinity}',
        "The design contains -Infinity, which is not a number JSON allows.",
        id="infinity",
    ),
    pytest.param(
        '{"format": 1, "format": 1}', 'The design repeats the key "format".', id="duplicate-key"
    ),
    pytest.param(
        "[" * 50_000 + "]" * 50_000, "The design is nested too deeply to be a design.", id="deep"
    ),
    pytest.param(
        '{"format": 1' + "0" * 5000 + "}",
        "The design contains a number too long to read.",
        id="long-number",
    ),
    pytest.param(
        '{"notes": "' + "a" * MAX_JSON_BYTES + '"}',
        "The design is too large (100,013 bytes); the most allowed is 100,000.",
        id="too-large",
    ),
    pytest.param('"a design"', "The design must be a JSON object, not text.", id="json-string"),
    pytest.param(
        json.dumps(design_with(zones=[zone(), zone(points=[*SQUARE, [1.3, 0.5]])])),
        "Zone 2 (crown): point 5 is outside the photo (x=1.30).",
        id="valid-json-invalid-design",
    ),
]


@pytest.mark.parametrize(("text", "message"), TEXT_CASES)
def test_raw_text_from_a_form_is_refused_with_a_precise_message(text, message):
    with pytest.raises(ValidationError) as caught:
        parse_design_json(text)

    assert caught.value.messages == [message]


def test_raw_text_must_be_text():
    with pytest.raises(ValidationError) as caught:
        parse_design_json(b"{}")  # type: ignore[arg-type]

    assert caught.value.messages == ["The design must be sent as JSON text, not bytes."]


def test_the_size_limit_counts_bytes_not_characters():
    notes = "é" * 2000  # 4,000 bytes of UTF-8, within the limit
    text = json.dumps(design_with(notes=notes), ensure_ascii=False)

    assert parse_design_json(text).notes == notes


def test_a_design_validates_as_itself():
    design = Design(notes="kept")

    assert validate_design(design) is design
