"""Time-zone helpers: wall-clock times at a location <-> aware UTC datetimes, DST-safe."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


class NonexistentLocalTime(ValueError):
    """A wall-clock time skipped by a DST change (e.g. 01:30 on the spring-forward night)."""


def local_datetime(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The aware datetime of ``day`` at ``at`` on the clocks of ``tz``.

    Ambiguous times (the repeated hour in autumn) take the first occurrence; times that do
    not exist on that day raise NonexistentLocalTime instead of silently shifting.
    """
    candidate = datetime.combine(day, at, tzinfo=tz)
    round_trip = candidate.astimezone(UTC).astimezone(tz)
    if (round_trip.date(), round_trip.time().replace(tzinfo=None)) != (day, at):
        raise NonexistentLocalTime(
            f"{at:%H:%M} does not exist on {day:%d %b %Y} in {tz.key}: the clocks change then."
        )
    return candidate


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Start and end (exclusive) of a local calendar day, as aware datetimes (23–25 hours)."""
    start = datetime.combine(day, time.min, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    return start, end


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    return moment.astimezone(tz).date()
