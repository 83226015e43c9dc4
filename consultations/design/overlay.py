"""The design as SVG shapes in relative coordinates (0 to 1 across the photo), to lay it
over later photos of the same angle in the browser: the hairline is the same smoothed curve
the composite draws, the zones the same colours and densities."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from consultations.design.curve import catmull_rom
from consultations.design.render import (
    CASING_COLOUR,
    DENSITY_OPACITY,
    HAIRLINE_COLOUR,
    TEMPLE_FILL,
    ZONE_COLOURS,
)
from consultations.design.schema import validate_design


def _svg_points(points) -> str:
    return " ".join(f"{x:.4f},{y:.4f}" for x, y in points)


@dataclass(frozen=True)
class OverlayZone:
    points: str
    colour: str
    opacity: float
    label: str


@dataclass(frozen=True)
class Overlay:
    hairline: str
    zones: tuple[OverlayZone, ...]
    temples: tuple[tuple[float, float], ...]
    hairline_colour: str = HAIRLINE_COLOUR
    casing_colour: str = CASING_COLOUR
    temple_fill: str = TEMPLE_FILL


def design_overlay(data: dict) -> Overlay | None:
    """The shapes of a stored design, or None when it no longer passes the check (it is
    validated again: stored JSON is trusted no more than a posted one)."""
    try:
        design = validate_design(data)
    except ValidationError:
        return None
    hairline = catmull_rom(design.hairline.points) if len(design.hairline.points) >= 2 else []
    zones = tuple(
        OverlayZone(
            points=_svg_points(zone.points),
            colour=ZONE_COLOURS[zone.zone],
            opacity=DENSITY_OPACITY[zone.density],
            label=zone.label,
        )
        for zone in design.zones
    )
    return Overlay(hairline=_svg_points(hairline), zones=zones, temples=design.temples)
