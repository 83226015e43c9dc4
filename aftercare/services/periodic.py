"""The course scans run by beat: the next-session nudge and the touch-up recall.

Both are computed from the calendar rather than scheduled at an event, because what they
depend on is the absence of something (no session booked N days on; years without a
touch-up). Each scan is idempotent: the idempotency key makes a second run find the rows
the first one made. A row cancelled as not needed, by the booking that answered it or by
its sender finding that booking at send time (before counting an attempt), is reopened when
the scan finds the same key called for again: the booking was cancelled (a nudge whose
course's latest booking was missed is not: the no-show follow-up speaks then). A row never
reopens once tried, nor after staff cancelled it, so none is sent twice.

Course rule: a course's sessions are done when the number of its completed appointments
reaches ``planned_sessions`` (scheduling marks the course completed then); a course with
fewer completed sessions and none booked ahead is waiting for its next session.

Recall rule: per client, counted from their latest completed treatment (a pigmentation
session or a touch-up, in a course or on its own), once that treatment's course (if any)
is no longer under way (``course_under_way``); the recall rows are keyed by that
appointment, so a newer treatment starts the count again at recall 1 and the older rows are
cancelled. A course the client never came back to stays "in progress" on the calendar, but
it stops holding recalls back once the plan's longest interval and the nudge's days have
passed since its last session: the nudge spoke for that period, and after it the client is
treated like anyone whose pigment is fading.
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


def treatments():
    """Appointments that put pigment in the skin (sessions and touch-ups)."""
    from scheduling.models import Appointment, AppointmentType

    return Appointment.objects.filter(appointment_type__kind__in=AppointmentType.CLINICAL_KINDS)


def later_treatment_exists(appointment) -> bool:
    """Whether the client has a completed treatment after ``appointment``."""
    from scheduling.models import Appointment

    return (
        treatments()
        .filter(client_id=appointment.client_id, status=Appointment.Status.COMPLETED)
        .filter(Q(start__gt=appointment.start) | Q(start=appointment.start, pk__gt=appointment.pk))
        .exists()
    )


def course_under_way(course, *, last_session_start, now, conf: MessageSettings) -> bool:
    """Whether ``course`` still holds the recalls of its latest session (started at
    ``last_session_start``) back: in progress, and that session no more than the plan's
    longest interval plus the nudge's days ago. A booking ahead holds them back anyway."""
    from scheduling.models import Course

    if course is None or course.status != Course.Status.ACTIVE:
        return False
    window = timedelta(days=course.max_interval_days + conf.nudge_days)
    return last_session_start > now - window


def treatment_booked(client_id: int, now) -> bool:
    from scheduling.models import Appointment

    return (
        treatments()
        .filter(client_id=client_id, status__in=Appointment.UPCOMING, start__gte=now)
        .exists()
    )


def outbox_scan_nudges(*, now=None) -> int:
    """A nudge for each active course with sessions left, at least one session done, and no
    session booked ``nudge_days`` after the last one, unless the course's latest booking was
    missed: its no-show follow-up asks the client to rebook, and the nudge would only say it
    again. A nudge a booking answered (cancelled as not needed, by the booking or by the
    sender finding it) comes back here once that booking is cancelled."""
    from scheduling.models import Appointment, Course

    now = now or timezone.now()
    conf = MessageSettings.current()
    last_completed = Appointment.objects.filter(
        course=OuterRef("pk"), status=Appointment.Status.COMPLETED
    ).order_by("-start")
    booked_ahead = Appointment.objects.filter(
        course=OuterRef("pk"), status__in=Appointment.UPCOMING, start__gte=now
    )
    latest_booking = Appointment.objects.filter(course=OuterRef("pk")).order_by("-booked_at", "-pk")
    courses = (
        Course.objects.filter(status=Course.Status.ACTIVE)
        .annotate(
            done=Count("appointments", filter=_completed()),
            last_start=Max("appointments__start", filter=_completed()),
            last_pk=Subquery(last_completed.values("pk")[:1]),
            ahead=Exists(booked_ahead),
            latest_booking_status=Subquery(latest_booking.values("status")[:1]),
        )
        .filter(
            done__gte=1,
            done__lt=F("planned_sessions"),
            ahead=False,
            last_start__lte=now - timedelta(days=conf.nudge_days),
        )
        .exclude(latest_booking_status=Appointment.Status.NO_SHOW)
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
            reopen=True,
        )
        made += 1
    return made


def outbox_scan_recalls(*, now=None) -> int:
    """The latest due touch-up recall of each client: recall 1 ``recall_first_months`` after
    their latest completed treatment, then one every ``recall_repeat_months``, ``recall_max``
    at most; none while its course is under way or a treatment is booked. A recall missed (the
    feature was off) is not sent late; only the latest due one is."""
    from scheduling.models import Appointment

    now = now or timezone.now()
    conf = MessageSettings.current()
    if conf.recall_max == 0:
        return 0
    # A cheap lower bound in SQL (months are at least 28 days); the exact rule in Python.
    earliest = now - timedelta(days=28 * conf.recall_first_months)
    completed = treatments().filter(status=Appointment.Status.COMPLETED)
    later = completed.filter(client=OuterRef("client")).filter(
        Q(start__gt=OuterRef("start")) | Q(start=OuterRef("start"), pk__gt=OuterRef("pk"))
    )
    booked = treatments().filter(
        client=OuterRef("client"), status__in=Appointment.UPCOMING, start__gte=now
    )
    # Courses still in progress are weighed in Python (their window is per course): among
    # treatments this old they are the few left unfinished.
    latest = (
        completed.filter(start__lte=earliest)
        .exclude(Exists(later))
        .exclude(Exists(booked))
        .select_related("client__home_location", "course")
    )
    made = 0
    for treatment in latest.iterator(chunk_size=SCAN_CHUNK):
        if course_under_way(
            treatment.course, last_session_start=treatment.start, now=now, conf=conf
        ):
            continue
        client = treatment.client
        tz = client.home_location.tz
        treated = timezone.localtime(treatment.start, tz).date()
        months = months_between(treated, timezone.localtime(now, tz).date())
        if months < conf.recall_first_months:
            continue
        number = min(
            1 + (months - conf.recall_first_months) // conf.recall_repeat_months, conf.recall_max
        )
        offset = conf.recall_first_months + (number - 1) * conf.recall_repeat_months
        due = wall_clock(add_months(treated, offset), conf.day_send_time, tz)
        message_schedule(
            kind=Kind.TOUCH_UP_RECALL,
            client=client,
            appointment=treatment,
            course=treatment.course,
            step=f"recall-{number}",
            due_at=max(due, now),
            data={"recall_number": number, "months_since": offset},
            conf=conf,
            reopen=True,
        )
        made += 1
    return made
