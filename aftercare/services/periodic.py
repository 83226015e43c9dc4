"""The course scans run by beat: the next-session nudge and the touch-up recall.

Both are computed from the calendar rather than scheduled at an event, because what they
depend on is the absence of something (no session booked N days on; years without a
touch-up). Each scan is idempotent: the idempotency key makes a second run find the rows
the first one made.

Course rule: a course's sessions are done when the number of its completed appointments
reaches ``planned_sessions`` (scheduling marks the course completed then); a course with
fewer completed sessions and none booked ahead is waiting for its next session.
"""

import calendar
from datetime import date, timedelta

from django.db.models import Count, Exists, F, Max, OuterRef, Q, Subquery
from django.utils import timezone

from aftercare.kinds import Kind
from aftercare.models import MessageSettings
from aftercare.quiet_hours import wall_clock
from aftercare.services.outbox import message_schedule

SCAN_CHUNK = 500


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's last day (31 Jan + 1 = 28 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_between(start: date, end: date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - (end.day < start.day)


def _completed():
    from scheduling.models import Appointment

    return Q(appointments__status=Appointment.Status.COMPLETED)


def outbox_scan_nudges(*, now=None) -> int:
    """A nudge for each active course with sessions left, at least one session done, and no
    session booked ``nudge_days`` after the last one."""
    from scheduling.models import Appointment, Course

    now = now or timezone.now()
    conf = MessageSettings.current()
    last_completed = Appointment.objects.filter(
        course=OuterRef("pk"), status=Appointment.Status.COMPLETED
    ).order_by("-start")
    booked_ahead = Appointment.objects.filter(
        course=OuterRef("pk"), status__in=Appointment.UPCOMING, start__gte=now
    )
    courses = (
        Course.objects.filter(status=Course.Status.ACTIVE)
        .annotate(
            done=Count("appointments", filter=_completed()),
            last_start=Max("appointments__start", filter=_completed()),
            last_pk=Subquery(last_completed.values("pk")[:1]),
            ahead=Exists(booked_ahead),
        )
        .filter(
            done__gte=1,
            done__lt=F("planned_sessions"),
            ahead=False,
            last_start__lte=now - timedelta(days=conf.nudge_days),
        )
        .select_related("client__home_location")
    )
    made = 0
    for course in courses.iterator(chunk_size=SCAN_CHUNK):
        tz = course.client.home_location.tz
        day = timezone.localtime(course.last_start, tz).date() + timedelta(days=conf.nudge_days)
        message_schedule(
            kind=Kind.NEXT_SESSION_NUDGE,
            client=course.client,
            course=course,
            step=f"after-{course.last_pk}",
            due_at=max(wall_clock(day, conf.day_send_time, tz), now),
            conf=conf,
        )
        made += 1
    return made


def outbox_scan_recalls(*, now=None) -> int:
    """The latest due touch-up recall of each completed course: recall 1 ``recall_first_months``
    after the last session, then one every ``recall_repeat_months``, ``recall_max`` at most.
    A recall missed (the feature was off) is not sent late; only the latest due one is."""
    from scheduling.models import Course

    now = now or timezone.now()
    conf = MessageSettings.current()
    if conf.recall_max == 0:
        return 0
    # A cheap lower bound in SQL (months are at least 28 days); the exact rule in Python.
    earliest = now - timedelta(days=28 * conf.recall_first_months)
    courses = (
        Course.objects.filter(status=Course.Status.COMPLETED)
        .annotate(last_start=Max("appointments__start", filter=_completed()))
        .filter(last_start__lte=earliest)
        .select_related("client__home_location")
    )
    made = 0
    for course in courses.iterator(chunk_size=SCAN_CHUNK):
        tz = course.client.home_location.tz
        finished = timezone.localtime(course.last_start, tz).date()
        months = months_between(finished, timezone.localtime(now, tz).date())
        if months < conf.recall_first_months:
            continue
        number = min(
            1 + (months - conf.recall_first_months) // conf.recall_repeat_months, conf.recall_max
        )
        offset = conf.recall_first_months + (number - 1) * conf.recall_repeat_months
        due = wall_clock(add_months(finished, offset), conf.day_send_time, tz)
        message_schedule(
            kind=Kind.TOUCH_UP_RECALL,
            client=course.client,
            course=course,
            step=f"recall-{number}",
            due_at=max(due, now),
            data={"recall_number": number, "months_since": offset},
            conf=conf,
        )
        made += 1
    return made
