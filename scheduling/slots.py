"""The free-slot finder: the next times a type of appointment fits, and a course plan.

A slot respects the location's opening hours, the practitioner's working hours and time
off, the appointment type's buffers, and needs a free room for the whole blocked span.
It reads everything for the date range in four queries and computes in Python.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from locations.models import Location, OpeningHours, Room
from scheduling.models import Appointment, AppointmentType, TimeOff, WorkingHours
from scheduling.selectors import practitioners_at
from smp_clinic.lib.tz import NonexistentLocalTime, day_bounds, local_datetime

MAX_RANGE_DAYS = 120


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime
    practitioner: User
    room: Room


@dataclass(frozen=True)
class CourseProposal:
    number: int
    slot: Slot | None
    window_from: date
    window_to: date


def _free(spans: list[tuple[datetime, datetime]], start: datetime, end: datetime) -> bool:
    return not any(s < end and e > start for s, e in spans)


def _round_up(moment: datetime, step: int) -> datetime:
    extra = (moment.minute % step) or 0
    if extra:
        moment += timedelta(minutes=step - extra)
    return moment.replace(second=0, microsecond=0)


def find_slots(
    *,
    appointment_type: AppointmentType,
    location: Location,
    date_from: date,
    date_to: date,
    practitioner: User | None = None,
    limit: int = 20,
    step_minutes: int = 15,
    now: datetime | None = None,
) -> list[Slot]:
    now = now or timezone.now()
    date_to = min(date_to, date_from + timedelta(days=MAX_RANGE_DAYS))
    if date_to < date_from:
        return []
    tz = location.tz
    people = [practitioner] if practitioner else list(practitioners_at(location))
    if not people:
        return []
    rooms = list(Room.objects.filter(location=location, is_active=True).order_by("name"))
    range_start = day_bounds(date_from, tz)[0] - timedelta(hours=4)
    range_end = day_bounds(date_to, tz)[1] + timedelta(hours=4)
    openings = {o.weekday: o for o in OpeningHours.objects.filter(location=location)}
    shifts: dict[tuple[int, int], list[WorkingHours]] = defaultdict(list)
    for shift in WorkingHours.objects.filter(location=location, practitioner__in=people).order_by(
        "start"
    ):
        shifts[(shift.practitioner_id, shift.weekday)].append(shift)
    person_busy: dict[int, list] = defaultdict(list)
    room_busy: dict[int, list] = defaultdict(list)
    # A practitioner booked at another location is busy too: filter by person, not place.
    for appointment in (
        Appointment.objects.filter(
            Q(practitioner__in=people) | Q(room__in=rooms), status__in=Appointment.LIVE
        )
        .holding(range_start, range_end)
        .only("practitioner_id", "room_id", "blocked_start", "blocked_end")
    ):
        person_busy[appointment.practitioner_id].append(
            (appointment.blocked_start, appointment.blocked_end)
        )
        room_busy[appointment.room_id].append((appointment.blocked_start, appointment.blocked_end))
    for absence in TimeOff.objects.filter(
        practitioner__in=people, start__lt=range_end, end__gt=range_start
    ):
        person_busy[absence.practitioner_id].append((absence.start, absence.end))

    duration = appointment_type.duration
    found: list[Slot] = []
    day = date_from
    while day <= date_to and len(found) < limit:
        opening = openings.get(day.weekday())
        day_slots: list[Slot] = []
        for person in people if opening else []:
            for shift in shifts.get((person.pk, day.weekday()), []):
                window_start = max(shift.start, opening.opens)
                window_end = min(shift.end, opening.closes)
                if window_start >= window_end:
                    continue
                try:
                    cursor = _round_up(local_datetime(day, window_start, tz), step_minutes)
                    stop = local_datetime(day, window_end, tz)
                except NonexistentLocalTime:
                    continue
                while cursor + duration <= stop:
                    blocked_start = cursor - appointment_type.buffer_before
                    blocked_end = cursor + duration + appointment_type.buffer_after
                    if cursor >= now and _free(person_busy[person.pk], blocked_start, blocked_end):
                        room = next(
                            (
                                r
                                for r in rooms
                                if _free(room_busy[r.pk], blocked_start, blocked_end)
                            ),
                            None,
                        )
                        if room is not None:
                            day_slots.append(Slot(cursor, cursor + duration, person, room))
                    cursor += timedelta(minutes=step_minutes)
        day_slots.sort(key=lambda s: (s.start, s.practitioner.full_name))
        found.extend(day_slots[: limit - len(found)])
        day += timedelta(days=1)
    return found


def propose_course(
    *,
    appointment_type: AppointmentType,
    location: Location,
    sessions: int,
    min_interval_days: int,
    max_interval_days: int,
    first_from: date,
    first_window_days: int = 14,
    practitioner: User | None = None,
    preferred_time: time | None = None,
    now: datetime | None = None,
) -> list[CourseProposal]:
    """Session 1 in the first window, each next one min–max days after the previous.

    The practitioner of session 1 keeps the course (continuity of hand and shade); a
    preferred time of day picks, within each window, the slot closest to it.
    """
    proposals: list[CourseProposal] = []
    window_from, window_to = first_from, first_from + timedelta(days=first_window_days)
    for number in range(1, sessions + 1):
        candidates = find_slots(
            appointment_type=appointment_type,
            location=location,
            date_from=window_from,
            date_to=window_to,
            practitioner=practitioner,
            limit=200,
            now=now,
        )
        slot = _closest(candidates, preferred_time, location)
        proposals.append(CourseProposal(number, slot, window_from, window_to))
        if slot is None:
            anchor = window_from
        else:
            anchor = timezone.localtime(slot.start, location.tz).date()
            practitioner = slot.practitioner
        window_from = anchor + timedelta(days=min_interval_days)
        window_to = anchor + timedelta(days=max_interval_days)
    return proposals


def _closest(candidates: list[Slot], preferred: time | None, location: Location) -> Slot | None:
    if not candidates:
        return None
    if preferred is None:
        return candidates[0]
    first_day = timezone.localtime(candidates[0].start, location.tz).date()
    same_day = [
        s for s in candidates if timezone.localtime(s.start, location.tz).date() == first_day
    ]

    def distance(slot: Slot) -> int:
        local = timezone.localtime(slot.start, location.tz)
        return abs(local.hour * 60 + local.minute - (preferred.hour * 60 + preferred.minute))

    return min(same_day, key=distance)
