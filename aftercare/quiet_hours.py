"""Quiet hours: no email at night on the client's clocks; a message due then waits for the
morning. All arithmetic is on local wall-clock times through smp_clinic.lib.tz, so a night
that is 23 or 25 hours long (a DST change) still ends at the configured morning time."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from smp_clinic.lib.tz import NonexistentLocalTime, local_datetime


def wall_clock(day, at: time, tz: ZoneInfo) -> datetime:
    """``day`` at ``at`` on the clocks of ``tz``; a time skipped by a spring-forward change
    becomes the same time an hour later (02:30 on that night -> 03:30)."""
    try:
        return local_datetime(day, at, tz)
    except NonexistentLocalTime:
        shifted = (datetime.combine(day, at) + timedelta(hours=1)).time()
        return local_datetime(day, shifted, tz)


def is_quiet(moment: datetime, *, tz: ZoneInfo, start: time, end: time) -> bool:
    if start == end:
        return False
    local = moment.astimezone(tz).time()
    if start < end:  # a window within one day, e.g. 13:00-14:00
        return start <= local < end
    return local >= start or local < end  # the usual window across midnight


def next_allowed(moment: datetime, *, tz: ZoneInfo, start: time, end: time) -> datetime:
    """``moment`` itself when it is outside quiet hours, else the end of the quiet window."""
    if not is_quiet(moment, tz=tz, start=start, end=end):
        return moment
    local = moment.astimezone(tz)
    day = local.date()
    if start > end and local.time() >= start:
        day += timedelta(days=1)  # evening: wait for tomorrow morning
    return wall_clock(day, end, tz)
