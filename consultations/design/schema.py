"""The hairline design's JSON format, and the server's check of it.

Format 1, as stored and as sent by the browser editor::

    {
      "format": 1,
      "hairline": {"style": "natural", "points": [[0.22, 0.31], [0.5, 0.27], [0.78, 0.31]]},
      "temples": [[0.2, 0.4], [0.8, 0.4]],
      "zones": [
        {"zone": "crown", "points": [[0.4, 0.1], [0.6, 0.1], [0.5, 0.2]],
         "density": "medium", "shade": "3"}
      ],
      "notes": ""
    }

- A point is ``[x, y]``: fractions of the photo's width (x, rightwards) and height
  (y, downwards), each from 0 to 1, so a design survives any resizing of its photo.
  Coordinates are rounded to 4 decimals (under half a pixel on a 4000 px photo).
- ``format``: the number 1. A later format gets a new number; this one never changes.
- ``hairline.style``: natural, rounded, straight, peaked, receded or broken.
  ``hairline.points``: none yet, or 2 to 200 control points in drawing order; the curve
  drawn is their Catmull-Rom smoothing (``curve.py``, mirrored in the editor's JavaScript).
- ``temples``: 0, 1 or 2 points (the temple peaks).
- ``zones``: at most 40 polygons, each closed implicitly, with 3 to 500 vertices enclosing
  an area. ``zone``: front_hairline, temples, mid_scalp, crown, sides, back or scar;
  ``density``: light, medium or dense; ``shade``: "1" (lightest) to "5" (darkest).
- ``notes``: free text, at most 2,000 characters.
- At most 2,000 points in all; the JSON text at most 100,000 bytes.
- Every key above is required, and no other key is accepted.
"""

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from consultations.design.vocabulary import (
    DEFAULT_HAIRLINE_STYLE,
    DENSITIES,
    HAIRLINE_STYLES,
    SHADES,
    ZONES,
)

DESIGN_FORMAT = 1
MAX_JSON_BYTES = 100_000
MAX_TOTAL_POINTS = 2_000
MAX_HAIRLINE_POINTS = 200
MAX_ZONE_POINTS = 500
MAX_ZONES = 40
MAX_TEMPLES = 2
MAX_NOTES_LENGTH = 2_000
DECIMALS = 4
# A zone smaller than about one pixel on a 1000 px photo is a slip of the finger.
MIN_ZONE_AREA = 1e-6

DESIGN_KEYS = ("format", "hairline", "temples", "zones", "notes")
HAIRLINE_KEYS = ("style", "points")
ZONE_KEYS = ("zone", "points", "density", "shade")

Point = tuple[float, float]


@dataclass(frozen=True)
class Hairline:
    style: str = DEFAULT_HAIRLINE_STYLE
    points: tuple[Point, ...] = ()


@dataclass(frozen=True)
class Zone:
    zone: str
    points: tuple[Point, ...]
    density: str
    shade: str

    @property
    def label(self) -> str:
        return ZONES[self.zone]


@dataclass(frozen=True)
class Design:
    """A checked, normalised design: what ``validate_design`` returns."""

    hairline: Hairline = field(default_factory=Hairline)
    temples: tuple[Point, ...] = ()
    zones: tuple[Zone, ...] = ()
    notes: str = ""

    @property
    def point_count(self) -> int:
        zone_points = sum(len(zone.points) for zone in self.zones)
        return len(self.hairline.points) + len(self.temples) + zone_points

    @property
    def is_empty(self) -> bool:
        """Nothing to pigment from: no hairline and no zone. Temple points only mark where
        the hairline turns, and notes describe a drawing, so neither makes a design alone."""
        return not self.hairline.points and not self.zones

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form (what to store, and what the editor's include takes)."""
        return {
            "format": DESIGN_FORMAT,
            "hairline": {"style": self.hairline.style, "points": _lists(self.hairline.points)},
            "temples": _lists(self.temples),
            "zones": [
                {
                    "zone": zone.zone,
                    "points": _lists(zone.points),
                    "density": zone.density,
                    "shade": zone.shade,
                }
                for zone in self.zones
            ],
            "notes": self.notes,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"), ensure_ascii=False)


def _lists(points: Sequence[Point]) -> list[list[float]]:
    return [[x, y] for x, y in points]


def empty_design() -> Design:
    """The valid starting point of a new design plan: nothing drawn yet."""
    return Design()


def _invalid(message: str) -> ValidationError:
    return ValidationError(message, code="invalid_design")


def _kind(value: object) -> str:
    """How a JSON value's type reads in a sentence."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def _show(value: object, limit: int = 40) -> str:
    """A value quoted as JSON and cut short, so that hostile input never floods a message."""
    try:
        text = json.dumps(value, ensure_ascii=False)
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(value)  # a lone surrogate would break the page showing the message
    except (TypeError, ValueError):
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _choices(vocabulary: dict[str, str]) -> str:
    return ", ".join(vocabulary)


def _check_keys(value: object, where: str, keys: Sequence[str], noun: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _invalid(f"{where} must be {noun}, not {_kind(value)}.")
    for key in keys:
        if key not in value:
            raise _invalid(f'{where} is missing "{key}".')
    extra = sorted((key for key in value if key not in keys), key=str)
    if extra:
        raise _invalid(f"{where} has an unknown key {_show(extra[0])}.")
    return value


def _coordinate(value: object, axis: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _invalid(f"{where} has {axis}={_show(value)}, which is not a number.")
    if isinstance(value, int) and value not in (0, 1):
        # Only 0 and 1 are integers inside the photo; others may be too long to print.
        shown = str(value) if abs(value) < 10**9 else "a huge number"
        raise _invalid(f"{where} is outside the photo ({axis}={shown}).")
    number = float(value)
    if not math.isfinite(number):
        raise _invalid(f"{where} has {axis}={_show(value)}, which is not a finite number.")
    # Adding 0.0 turns -0.0 into 0.0, so equal designs serialise identically.
    rounded = round(number, DECIMALS) + 0.0
    if not 0.0 <= rounded <= 1.0:
        shown = f"{number:.2f}"
        if 0.0 <= float(shown) <= 1.0:
            shown = f"{number:.6g}"
        raise _invalid(f"{where} is outside the photo ({axis}={shown}).")
    return rounded


def _point(value: object, where: str) -> Point:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise _invalid(f"{where} must be a pair of numbers [x, y], not {_show(value)}.")
    return (_coordinate(value[0], "x", where), _coordinate(value[1], "y", where))


def _points(
    value: object, where: str, minimum: int, maximum: int, owner: str = ""
) -> tuple[Point, ...]:
    """Checked points; ``where`` prefixes per-point messages, ``owner`` starts the others."""
    owner = owner or where
    if not isinstance(value, list | tuple):
        raise _invalid(f"{where}: the points must be a list of [x, y] pairs, not {_kind(value)}.")
    if len(value) > maximum:
        raise _invalid(f"{owner} has {len(value):,} points; the most allowed is {maximum:,}.")
    if len(value) < minimum:
        raise _invalid(f"{owner} needs at least {minimum} points; it has {len(value)}.")
    return tuple(_point(item, f"{where}: point {n}") for n, item in enumerate(value, start=1))


def _vocabulary(value: object, where: str, what: str, vocabulary: dict[str, str]) -> str:
    if not isinstance(value, str):
        raise _invalid(f"{where}: the {what} must be text, not {_kind(value)}.")
    if value not in vocabulary:
        raise _invalid(
            f"{where} has an unknown {what} {_show(value)}. Choose one of: {_choices(vocabulary)}."
        )
    return value


def polygon_area(points: Sequence[Point]) -> float:
    """The polygon's area (shoelace formula), in the same units as its coordinates."""
    twice = 0.0
    for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True):
        twice += x1 * y2 - x2 * y1
    return abs(twice) / 2


def _check_format(data: dict[str, Any]) -> None:
    if "format" not in data:
        raise _invalid('The design is missing "format".')
    version = data["format"]
    if isinstance(version, bool) or not isinstance(version, int):
        raise _invalid(
            f"The design's format must be the number {DESIGN_FORMAT}, not {_show(version)}."
        )
    if version != DESIGN_FORMAT:
        raise _invalid(
            f"The design is in format {version}, which this version of the app cannot read "
            f"(it reads format {DESIGN_FORMAT})."
        )


def _hairline(value: object) -> Hairline:
    data = _check_keys(value, "The hairline", HAIRLINE_KEYS, 'an object with "style" and "points"')
    style = _vocabulary(data["style"], "The hairline", "style", HAIRLINE_STYLES)
    points = _points(data["points"], "Hairline", 0, MAX_HAIRLINE_POINTS, owner="The hairline")
    if len(points) == 1:
        raise _invalid("The hairline needs at least 2 points; it has 1.")
    return Hairline(style=style, points=points)


def _zone(value: object, number: int) -> Zone:
    where = f"Zone {number}"
    noun = 'an object with "zone", "points", "density" and "shade"'
    data = _check_keys(value, where, ZONE_KEYS, noun)
    code = _vocabulary(data["zone"], where, "zone type", ZONES)
    where = f"Zone {number} ({ZONES[code].lower()})"
    density = _vocabulary(data["density"], where, "density", DENSITIES)
    shade = _vocabulary(data["shade"], where, "shade", SHADES)
    points = _points(data["points"], where, 3, MAX_ZONE_POINTS)
    if polygon_area(points) < MIN_ZONE_AREA:
        raise _invalid(f"{where} encloses no area: draw it around the part of the scalp it covers.")
    return Zone(zone=code, points=points, density=density, shade=shade)


def _notes(notes: object) -> str:
    if not isinstance(notes, str):
        raise _invalid(f"The notes must be text, not {_kind(notes)}.")
    if len(notes) > MAX_NOTES_LENGTH:
        raise _invalid(
            f"The notes are {len(notes):,} characters long; the most allowed is "
            f"{MAX_NOTES_LENGTH:,}."
        )
    # PostgreSQL refuses NUL and unpaired surrogates in JSON text: refuse them here, with a
    # message, rather than fail when the design is saved.
    for character in notes:
        if ord(character) < 32 and character not in "\t\n\r":
            kind = "an invisible control character"
        elif "\ud800" <= character <= "\udfff":
            kind = "a broken character"
        else:
            continue
        code = f"U+{ord(character):04X}"
        raise _invalid(f"The notes contain {kind} ({code}); retype them without it.")
    return notes


def validate_design(data: object) -> Design:
    """The design in ``data`` (parsed JSON), checked and normalised.

    Raises ``ValidationError`` with one message that names the first problem found and
    where it is, in words a practitioner can act on.
    """
    if isinstance(data, Design):
        return data
    if not isinstance(data, dict):
        raise _invalid(f"The design must be a JSON object, not {_kind(data)}.")
    _check_format(data)
    _check_keys(data, "The design", DESIGN_KEYS, "an object")
    hairline = _hairline(data["hairline"])

    temples_value = data["temples"]
    if isinstance(temples_value, list | tuple) and len(temples_value) > MAX_TEMPLES:
        raise _invalid(
            f"There are {len(temples_value):,} temple points; a design has at most "
            f"{MAX_TEMPLES} (left and right)."
        )
    temples = _points(temples_value, "Temples", 0, MAX_TEMPLES)

    zones_value = data["zones"]
    if not isinstance(zones_value, list | tuple):
        raise _invalid(f"The zones must be a list, not {_kind(zones_value)}.")
    if len(zones_value) > MAX_ZONES:
        raise _invalid(
            f"The design has {len(zones_value):,} zones; the most allowed is {MAX_ZONES}."
        )
    zones = tuple(_zone(item, n) for n, item in enumerate(zones_value, start=1))

    notes = _notes(data["notes"])

    design = Design(hairline=hairline, temples=temples, zones=zones, notes=notes)
    if design.point_count > MAX_TOTAL_POINTS:
        raise _invalid(
            f"The design has {design.point_count:,} points in all; the most allowed is "
            f"{MAX_TOTAL_POINTS:,}."
        )
    return design


class _Refused(Exception):
    pass


def _refuse_constant(name: str) -> None:
    raise _Refused(f"The design contains {name}, which is not a number JSON allows.")


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _Refused(f"The design repeats the key {_show(key)}.")
        result[key] = value
    return result


def design_as_sent(text: object) -> dict[str, Any] | None:
    """What the browser sent, as far as it reads as a JSON object, or None.

    A refused drawing goes back into the editor so the practitioner can fix it instead of
    starting again; the editor keeps only what it can use, and the next save is checked in
    full by ``parse_design_json``.
    """
    if not isinstance(text, str) or len(text.encode("utf-8", "surrogatepass")) > MAX_JSON_BYTES:
        return None
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except (_Refused, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def parse_design_json(text: str) -> Design:
    """The design in ``text`` (a form field's raw JSON), checked and normalised."""
    if not isinstance(text, str):
        raise _invalid(f"The design must be sent as JSON text, not {_kind(text)}.")
    if not text.strip():
        raise _invalid("No design was sent.")
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > MAX_JSON_BYTES:
        raise _invalid(
            f"The design is too large ({size:,} bytes); the most allowed is {MAX_JSON_BYTES:,}."
        )
    try:
        data = json.loads(
            text, parse_constant=_refuse_constant, object_pairs_hook=_refuse_duplicates
        )
    except _Refused as refused:
        raise _invalid(str(refused)) from None
    except json.JSONDecodeError as error:
        raise _invalid(
            f"The design is not valid JSON ({error.msg} at line {error.lineno}, "
            f"column {error.colno})."
        ) from None
    except RecursionError:
        raise _invalid("The design is nested too deeply to be a design.") from None
    except ValueError:
        # Python refuses integers of thousands of digits rather than spend time on them.
        raise _invalid("The design contains a number too long to read.") from None
    return validate_design(data)
