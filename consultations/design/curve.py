"""The hairline's smoothing, shared with the browser editor (static/js/design-editor.js).

Uniform Catmull-Rom goes through every control point the practitioner placed, and, unlike
the centripetal variant, it commutes with scaling x and y separately: smoothing the
relative coordinates and then stretching them to any photo size gives the same curve as
smoothing in pixels. That is what lets the browser and the server draw identical curves
from the stored JSON. The JavaScript copy performs the same operations in the same order,
so both produce the same floating-point samples.
"""

from collections.abc import Sequence

Point = tuple[float, float]

SAMPLES_PER_SEGMENT = 16


def _blend(p0: float, p1: float, p2: float, p3: float, t: float) -> float:
    t2 = t * t
    t3 = t2 * t
    return 0.5 * (
        2 * p1
        + (p2 - p0) * t
        + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t2
        + (3 * p1 - p0 - 3 * p2 + p3) * t3
    )


def catmull_rom(
    points: Sequence[Sequence[float]], samples_per_segment: int = SAMPLES_PER_SEGMENT
) -> list[Point]:
    """A polyline through ``points`` that follows the smooth curve between them.

    The end points are repeated as their own neighbours, so the curve starts and ends
    exactly at the first and last control points.
    """
    count = len(points)
    if count < 3:
        return [(float(x), float(y)) for x, y in points]
    samples: list[Point] = []
    for index in range(count - 1):
        p0 = points[max(index - 1, 0)]
        p1 = points[index]
        p2 = points[index + 1]
        p3 = points[min(index + 2, count - 1)]
        for step in range(samples_per_segment):
            t = step / samples_per_segment
            samples.append(
                (_blend(p0[0], p1[0], p2[0], p3[0], t), _blend(p0[1], p1[1], p2[1], p3[1], t))
            )
    last = points[-1]
    samples.append((float(last[0]), float(last[1])))
    return samples
