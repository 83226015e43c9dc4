"""The small demo clinic of ``seed_demo`` (without --years): a few days at Central Clinic
that a new user can walk as each role, made through the app's own services so that every
record is as the pages would have left it (audit trail, stock, outbox).

The story: on the last working day before today, a course's first session was logged pass by
pass and signed off, and a consultation recorded photos, a hairline design the client
approved and a plan booked as a course; today holds consultations, done if their time has
passed when the seed runs and still booked if not; later working days hold more bookings,
and the courses' next sessions are booked weeks ahead. So the session log, the design
editor, the progress page and the outbox have something to show at whatever time the seed
runs.

The services do things only on an appointment's own day (a client is checked in on the day
of their appointment), so each visit is played on the clock of its own time: the seed
moves the clock (time-machine) to a few minutes before the appointment for the check-in
and to its end for the record and the sign-off. The records then read as the day went.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import time_machine
from django.utils import timezone

from accounts.models import User
from clients.models import Client
from consultations.models.plan import DEFAULT_SESSION_GOALS
from consultations.services import plan_book_course
from dashboard.demo_clinic.records import consents_sign, intake_fill
from dashboard.demo_clinic.stock import Shelf, shelf_stock
from dashboard.demo_clinic.visits import (
    NORWOOD_IV_DESIGN,
    Assessment,
    check_in,
    consultation_hold,
    session_hold,
)
from locations.models import Location, OpeningHours, Room
from scheduling.models import Appointment, AppointmentType, Course
from scheduling.services import appointment_book, course_create
from smp_clinic.lib.tz import local_datetime

COURSE_SESSIONS = 3
# The client is checked in this long before their appointment; the record is completed
# this long before its end.
ARRIVAL = timedelta(minutes=5)
WRAP_UP = timedelta(minutes=5)


@dataclass
class Cast:
    desk: User
    practitioner: User
    manager: User
    consultation_room: Room
    treatment_rooms: list[Room]
    consultation: AppointmentType
    session: AppointmentType


@dataclass
class Visit:
    """One appointment of the story, and what is done at it once its time comes."""

    day: date
    at: time
    client: Client
    kind: AppointmentType
    practitioner: User
    room: Room
    course: Course | None = None
    assessment: Assessment | None = None


def _open_weekdays(location: Location) -> set[int]:
    return set(OpeningHours.objects.filter(location=location).values_list("weekday", flat=True))


def working_days(location: Location, first: date, count: int) -> list[date]:
    """The next ``count`` days from ``first`` (included) on which the location opens."""
    open_weekdays = _open_weekdays(location)
    days, day = [], first
    while len(days) < count:
        if day.weekday() in open_weekdays:
            days.append(day)
        day += timedelta(days=1)
    return days


def last_working_day(location: Location, before: date) -> date:
    """The last day before ``before`` on which the location opened."""
    open_weekdays = _open_weekdays(location)
    day = before - timedelta(days=1)
    while day.weekday() not in open_weekdays:
        day -= timedelta(days=1)
    return day


def _assessment_fields(client: Client, decision: str, **extra) -> dict:
    if client.sex == "female":
        grading = {"concern": "female_thinning", "ludwig_grade": "II", "desired_outcome": "density"}
    else:
        grading = {"concern": "male_pattern", "norwood_stage": "IV", "desired_outcome": "shaved"}
    return {
        **grading,
        "fitzpatrick": "III",
        "hair_colour": "dark_brown",
        "scalp_condition": "healthy",
        "hairline_style": "natural",
        "recommended_shade": "Shade 1 for session 1, then 2",
        "recommended_density": "medium",
        "decision": decision,
        **extra,
    }


def _paperwork(clients: list[Client], cast: Cast) -> None:
    """Consents and intakes: a warning flag (A), a blocking flag a practitioner cleared (B),
    a blocking flag still open (D, so the front desk sees the block), clean ones elsewhere."""
    stories = [
        (("treatment", "photos"), {"diabetes": "Type 2, controlled by diet"}, {}, True),
        (
            ("treatment", "photos"),
            {"isotretinoin_steroids": "Isotretinoin for acne, stopped 14 months ago"},
            {
                "isotretinoin_steroids": (
                    "Course ended over a year ago (more than the 6 months asked); skin healed "
                    "normally since. Cleared."
                )
            },
            True,
        ),
        (("treatment",), {}, {}, True),
        (("treatment",), {"blood_thinners": "Warfarin, daily"}, {}, False),
        (("treatment", "photos"), {}, {}, True),
        ((), {}, {}, False),
        ((), {}, {}, False),
    ]
    for client, (kinds, yes, clearances, reviewed) in zip(clients, stories, strict=False):
        consents_sign(client=client, kinds=kinds, witness=cast.desk)
        intake_fill(
            client=client,
            handed_over_by=cast.desk,
            yes=yes,
            reviewer=cast.practitioner if reviewed else None,
            clearances=clearances,
        )


def _book(visit: Visit, cast: Cast) -> Appointment:
    return appointment_book(
        by=cast.desk,
        client=visit.client,
        appointment_type=visit.kind,
        practitioner=visit.practitioner,
        room=visit.room,
        start=local_datetime(visit.day, visit.at, visit.room.location.tz),
        course=visit.course,
        allow_past=True,
    )


def clock_at(moment: datetime):
    """The clock at ``moment``, running from there, for what is done inside."""
    return time_machine.travel(moment, tick=True)


def _hold(appointment: Appointment, visit: Visit, cast: Cast, shelf: Shelf, now: datetime):
    """Do at a booked appointment what its time calls for: nothing yet, or check in and
    start (it is under way), or the whole visit (its time is over), each step on the clock
    of its own time."""
    if now < appointment.start:
        return None
    with clock_at(appointment.start - ARRIVAL):
        appointment = check_in(appointment, desk=cast.desk)
    finished = now >= appointment.end
    with clock_at(appointment.end - WRAP_UP if finished else now):
        if visit.kind.is_pigmentation:
            return session_hold(appointment, by=visit.practitioner, shelf=shelf, finished=finished)
        return consultation_hold(
            appointment, by=visit.practitioner, assessment=visit.assessment, finished=finished
        )


def _plan(client: Client) -> tuple[dict, list[dict]]:
    data = {
        "sessions": COURSE_SESSIONS,
        "min_interval_days": 10,
        "max_interval_days": 21,
        "starting_shade": "Shade 1",
        "starting_dilution": "1:4",
        "price": Decimal("1850.00"),
        "notes": f"{client.first_name} prefers morning appointments.",
    }
    ladder = [("1", "1:4"), ("2", "1:3"), ("2", "1:4")]
    goals = [
        {"goal": goal, "shade": shade, "dilution": dilution}
        for goal, (shade, dilution) in zip(DEFAULT_SESSION_GOALS, ladder, strict=False)
    ]
    return data, goals


def demo_clinic_seed(*, location: Location, clients: list[Client]) -> None:
    """Stock, paperwork and the demo's calendar, done as far as the clock allows."""
    cast = Cast(
        desk=User.objects.get(email="frontdesk@demo.smp-clinic.test"),
        practitioner=User.objects.get(email="practitioner@demo.smp-clinic.test"),
        manager=User.objects.get(email="manager@demo.smp-clinic.test"),
        consultation_room=Room.objects.get(location=location, name="Consultation room"),
        treatment_rooms=list(
            Room.objects.filter(location=location, name__startswith="Treatment").order_by("name")
        ),
        consultation=AppointmentType.objects.get(kind=AppointmentType.Kind.CONSULTATION),
        session=AppointmentType.objects.get(kind=AppointmentType.Kind.SESSION),
    )
    shelf = shelf_stock()
    _paperwork(clients, cast)
    now = timezone.now()
    today = timezone.localtime(now, location.tz).date()
    days = [last_working_day(location, today), *working_days(location, today, 3)]
    visits = _visits(clients, cast, days)
    for visit in visits:
        appointment = _book(visit, cast)
        held = _hold(appointment, visit, cast, shelf, now)
        if visit.assessment is not None and visit.assessment.plan is not None:
            _book_the_plan(held, cast, location, days[0])
    # The course's next session, a fortnight on: "session 2 of 3".
    if visits and visits[0].course is not None:
        course_day = working_days(location, days[0] + timedelta(days=14), 1)[0]
        _book(
            Visit(
                course_day,
                time(9, 15),
                visits[0].client,
                cast.session,
                cast.practitioner,
                cast.treatment_rooms[0],
                course=visits[0].course,
            ),
            cast,
        )


def _book_the_plan(consultation, cast: Cast, location: Location, day0: date) -> None:
    """A completed consultation's plan booked as a course, as its page offers."""
    if consultation is None or consultation.status != "completed":
        return
    first = working_days(location, day0 + timedelta(days=16), 1)[0]
    second = working_days(location, first + timedelta(days=14), 1)[0]
    third = working_days(location, second + timedelta(days=14), 1)[0]
    plan_book_course(
        plan=consultation.plan,
        by=cast.desk,
        appointment_type=cast.session,
        sessions=[
            (
                local_datetime(day, time(9, 15), location.tz),
                cast.practitioner,
                cast.treatment_rooms[1],
            )
            for day in (first, second, third)
        ],
    )


def _visits(clients: list[Client], cast: Cast, days: list[date]) -> list[Visit]:
    """The story's appointments, in the order they are booked (course first)."""
    visits: list[Visit] = []
    by_index = dict(enumerate(clients))
    priya, morgan = cast.practitioner, cast.manager
    room, treatment = cast.consultation_room, cast.treatment_rooms

    def consultation(day, at, index, who, **assessment):
        client = by_index.get(index)
        if client is None:
            return
        decision = assessment.pop("decision", "proceed")
        extra = assessment.pop("extra", {})
        visits.append(
            Visit(
                day,
                at,
                client,
                cast.consultation,
                who,
                room,
                assessment=Assessment(
                    fields=_assessment_fields(client, decision, **extra), **assessment
                ),
            )
        )

    def session(day, at, index, room_index):
        client = by_index.get(index)
        if client is None:
            return
        course = course_create(client=client, by=cast.desk, planned_sessions=COURSE_SESSIONS)
        visits.append(
            Visit(day, at, client, cast.session, priya, treatment[room_index], course=course)
        )

    follow_up_on = days[0] + timedelta(days=14)
    plan, goals = _plan(clients[1]) if len(clients) > 1 else ({}, [])
    session(days[0], time(9, 15), 0, 0)
    consultation(
        days[0],
        time(9, 30),
        1,
        morgan,
        photos=("front", "top", "crown"),
        design=NORWOOD_IV_DESIGN,
        plan=plan,
        goals=goals,
    )
    consultation(
        days[0], time(11), 2, morgan, decision="thinking", extra={"follow_up_on": follow_up_on}
    )
    # Today: done by the time the seed runs, or still to come.
    consultation(days[1], time(10), 3, morgan)
    consultation(days[1], time(14), 5, priya)
    consultation(
        days[1], time(16), 6, priya, decision="thinking", extra={"follow_up_on": follow_up_on}
    )
    session(days[2], time(9, 15), 4, 0)
    consultation(days[2], time(14), 7, priya)
    consultation(days[3], time(15), 8, priya)
    return visits
