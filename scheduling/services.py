"""Writes on the calendar: booking, rescheduling, cancelling and status changes.

Every rule that spans rows lives here. The database has the last word on overlaps (the
exclusion constraints on Appointment); the checks below run first so that the usual case
gets a precise message, and a lost race is turned into the same message.
"""

import calendar
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from clients.models import Client
from clients.selectors import clients_visible_to
from clients.services import client_link_location
from locations.models import Location, OpeningHours, Room
from scheduling.models import (
    Appointment,
    AppointmentChange,
    AppointmentType,
    Course,
    TimeOff,
    WorkingHours,
)
from scheduling.registry import status_refusals
from smp_clinic.lib import events

Status = Appointment.Status
OVERLAP_CONSTRAINTS = {"appointment_no_practitioner_overlap", "appointment_no_room_overlap"}
BOOKABLE_ROLES = (Role.PRACTITIONER, Role.MANAGER)

# Which status may follow which. Late arrivals turn a no-show back into a check-in. Cancelling
# has its own services: appointment_cancel (booked, confirmed, checked in) and, for one that
# started and did not go ahead, appointment_end_not_gone_ahead.
TRANSITIONS: dict[str, set[str]] = {
    Status.BOOKED: {Status.CONFIRMED, Status.CHECKED_IN, Status.CANCELLED, Status.NO_SHOW},
    Status.CONFIRMED: {Status.CHECKED_IN, Status.CANCELLED, Status.NO_SHOW},
    Status.CHECKED_IN: {Status.IN_PROGRESS, Status.COMPLETED, Status.CANCELLED},
    Status.IN_PROGRESS: {Status.COMPLETED, Status.CANCELLED},
    Status.NO_SHOW: {Status.CHECKED_IN},
    Status.COMPLETED: set(),
    Status.CANCELLED: set(),
}


def _fmt(moment: datetime, location: Location) -> str:
    return timezone.localtime(moment, location.tz).strftime("%H:%M")


def _fmt_day(moment: datetime, location: Location) -> str:
    return timezone.localtime(moment, location.tz).strftime("%a %d %b")


def blocked_span(
    appointment_type: AppointmentType, start: datetime, end: datetime
) -> tuple[datetime, datetime]:
    return appointment_type.held_span(start, end)


def overlapping(
    *,
    practitioner: User | None,
    room: Room | None,
    blocked_start: datetime,
    blocked_end: datetime,
    exclude: Appointment | None = None,
) -> QuerySet[Appointment]:
    """Live appointments holding the practitioner or the room during the blocked span."""
    who = Q()
    if practitioner is not None:
        who |= Q(practitioner=practitioner)
    if room is not None:
        who |= Q(room=room)
    found = (
        Appointment.objects.filter(who, status__in=Appointment.LIVE)
        .holding(blocked_start, blocked_end)
        .select_related("client", "appointment_type", "practitioner", "room", "location")
    )
    if exclude is not None and exclude.pk:
        found = found.exclude(pk=exclude.pk)
    return found.order_by("start")


def describe_conflict(
    conflict: Appointment, *, practitioner: User, room: Room, viewer: User | None
) -> str:
    """What holds the slot, naming the other client only to someone who may see them."""
    where = conflict.location
    times = f"{_fmt(conflict.start, where)}–{_fmt(conflict.end, where)}"
    span = f"{times} on {_fmt_day(conflict.start, where)}"
    kind = conflict.appointment_type.name.lower()
    may_see = (
        viewer is not None and clients_visible_to(viewer).filter(pk=conflict.client_id).exists()
    )
    what = f"{conflict.client.full_name}'s {kind}" if may_see else f"another client's {kind}"
    held = ""
    if conflict.blocked_start != conflict.start or conflict.blocked_end != conflict.end:
        held = (
            f" (with preparation and cleaning time, {_fmt(conflict.blocked_start, where)}–"
            f"{_fmt(conflict.blocked_end, where)})"
        )
    if conflict.practitioner_id == practitioner.pk:
        return f"{practitioner.full_name} is already booked for {what}, {span}{held}."
    return f"{conflict.room.name} is already taken by {what}, {span}{held}."


def _check_people_and_places(
    *, client: Client, practitioner: User, room: Room, location: Location
) -> None:
    if client.is_archived:
        raise ValidationError(f"{client.full_name} is archived; restore the client before booking.")
    if not practitioner.is_active or practitioner.role not in BOOKABLE_ROLES:
        raise ValidationError(
            {"practitioner": f"{practitioner.full_name} does not take appointments."}
        )
    works_here = (
        practitioner.all_locations or practitioner.locations.filter(pk=location.pk).exists()
    )
    if not works_here:
        raise ValidationError(
            {"practitioner": f"{practitioner.full_name} does not work at {location.name}."}
        )
    if room.location_id != location.pk or not room.is_active:
        raise ValidationError({"room": f"{room.name} is not an available room at {location.name}."})


def _check_hours(*, practitioner: User, location: Location, start: datetime, end: datetime) -> None:
    local_start = timezone.localtime(start, location.tz)
    local_end = timezone.localtime(end, location.tz)
    if local_start.date() != local_end.date():
        raise ValidationError({"start": "An appointment must start and end on the same day."})
    weekday = local_start.weekday()
    opening = OpeningHours.objects.filter(location=location, weekday=weekday).first()
    if opening is None:
        raise ValidationError({"start": f"{location.name} is closed on {local_start:%A}s."})
    if local_start.time() < opening.opens or local_end.time() > opening.closes:
        raise ValidationError(
            {
                "start": (
                    f"{location.name} is open {opening.opens:%H:%M}–{opening.closes:%H:%M} "
                    f"on {local_start:%A}s."
                )
            }
        )
    shifts = WorkingHours.objects.filter(
        practitioner=practitioner, location=location, weekday=weekday
    )
    fits = any(s.start <= local_start.time() and local_end.time() <= s.end for s in shifts)
    if not fits:
        hours = ", ".join(f"{s.start:%H:%M}–{s.end:%H:%M}" for s in shifts) or "no hours"
        raise ValidationError(
            {
                "start": (
                    f"{practitioner.full_name} works {hours} at {location.name} "
                    f"on {local_start:%A}s."
                )
            }
        )


def _check_time_off(
    *, practitioner: User, blocked_start: datetime, blocked_end: datetime, location: Location
) -> None:
    absence = TimeOff.objects.filter(
        practitioner=practitioner, start__lt=blocked_end, end__gt=blocked_start
    ).first()
    if absence is not None:
        raise ValidationError(
            {
                "start": (
                    f"{practitioner.full_name} is away ({absence.get_kind_display().lower()}) from "
                    f"{_fmt_day(absence.start, location)} {_fmt(absence.start, location)} to "
                    f"{_fmt_day(absence.end, location)} {_fmt(absence.end, location)}."
                )
            }
        )


def _check_overlaps(appointment: Appointment, viewer: User | None) -> None:
    conflict = overlapping(
        practitioner=appointment.practitioner,
        room=appointment.room,
        blocked_start=appointment.blocked_start,
        blocked_end=appointment.blocked_end,
        exclude=appointment,
    ).first()
    if conflict is not None:
        raise ValidationError(
            describe_conflict(
                conflict,
                practitioner=appointment.practitioner,
                room=appointment.room,
                viewer=viewer,
            )
        )


def _save_guarded(appointment: Appointment, viewer: User | None) -> None:
    """Insert or update; a concurrent booking that won the race becomes a clear message."""
    try:
        with transaction.atomic():
            appointment.save()
    except IntegrityError as error:
        constraint = getattr(getattr(error.__cause__, "diag", None), "constraint_name", "")
        if constraint not in OVERLAP_CONSTRAINTS:
            raise
        conflict = overlapping(
            practitioner=appointment.practitioner,
            room=appointment.room,
            blocked_start=appointment.blocked_start,
            blocked_end=appointment.blocked_end,
            exclude=appointment,
        ).first()
        if conflict is None:  # the winner was itself cancelled meanwhile; ask to retry
            raise ValidationError(
                "Someone changed this slot at the same moment. Please try again."
            ) from None
        raise ValidationError(
            describe_conflict(
                conflict,
                practitioner=appointment.practitioner,
                room=appointment.room,
                viewer=viewer,
            )
        ) from None


def _check_clinical_clearance(
    *, client: Client, appointment_type: AppointmentType, start: datetime, location: Location
) -> None:
    if not appointment_type.is_pigmentation:
        return
    from clients.intake.selectors import client_session_block_reason

    reason = client_session_block_reason(
        client=client, on=timezone.localtime(start, location.tz).date()
    )
    if reason:
        raise ValidationError(reason)


def _validate_slot(
    appointment: Appointment, *, now: datetime, allow_past: bool, viewer: User | None
) -> None:
    if not allow_past and appointment.start < now:
        raise ValidationError(
            {"start": "That time has already passed; choose a time in the future."}
        )
    if appointment.end <= appointment.start:
        raise ValidationError({"start": "The appointment must end after it starts."})
    _check_hours(
        practitioner=appointment.practitioner,
        location=appointment.location,
        start=appointment.start,
        end=appointment.end,
    )
    _check_time_off(
        practitioner=appointment.practitioner,
        blocked_start=appointment.blocked_start,
        blocked_end=appointment.blocked_end,
        location=appointment.location,
    )
    _check_overlaps(appointment, viewer)


def _record(appointment: Appointment, kind: str, by: User | None, **fields) -> None:
    AppointmentChange.objects.create(appointment=appointment, kind=kind, by=by, **fields)


def course_renumber(*, course: Course) -> None:
    """Number the course's live appointments by date: "session 1 of 3", "2 of 3"…"""
    position = 0
    for appointment in course.appointments.order_by("start", "pk"):
        new_position = None
        if appointment.status in Appointment.LIVE:
            position += 1
            new_position = position
        if appointment.course_position != new_position:
            Appointment.objects.filter(pk=appointment.pk).update(course_position=new_position)


@transaction.atomic
def course_create(
    *,
    client: Client,
    by: User,
    planned_sessions: int = 3,
    min_interval_days: int = 10,
    max_interval_days: int = 30,
) -> Course:
    if not 1 <= planned_sessions <= 6:
        raise ValidationError({"planned_sessions": "A course has between 1 and 6 sessions."})
    if min_interval_days > max_interval_days:
        raise ValidationError(
            {"min_interval_days": "The shortest interval is longer than the longest."}
        )
    return Course.objects.create(
        client=client,
        created_by=by,
        planned_sessions=planned_sessions,
        min_interval_days=min_interval_days,
        max_interval_days=max_interval_days,
    )


def course_mark_completed(*, course: Course) -> bool:
    """Mark an active course completed once its completed sessions reach the planned number
    (the touch-up recalls count from then); True when it changed."""
    done = course.appointments.filter(status=Status.COMPLETED).count()
    if course.status != Course.Status.ACTIVE or done < course.planned_sessions:
        return False
    changed = Course.objects.filter(pk=course.pk, status=Course.Status.ACTIVE).update(
        status=Course.Status.COMPLETED
    )
    course.status = Course.Status.COMPLETED
    return bool(changed)


def _check_course(course: Course, client: Client, appointment: Appointment) -> None:
    # Locked, so two desks booking the last session of a course at once cannot both count
    # one free place; the second waits and sees the course full.
    course = Course.objects.select_for_update().get(pk=course.pk)
    if course.client_id != client.pk:
        raise ValidationError({"course": "That course belongs to another client."})
    if course.status != Course.Status.ACTIVE:
        raise ValidationError({"course": "That course is no longer in progress."})
    booked = (
        course.appointments.filter(status__in=Appointment.LIVE).exclude(pk=appointment.pk).count()
    )
    if booked >= course.planned_sessions:
        raise ValidationError(
            {
                "course": (
                    f"All {course.planned_sessions} planned sessions of this course "
                    "are booked already."
                )
            }
        )


@transaction.atomic
def appointment_book(
    *,
    by: User,
    client: Client,
    appointment_type: AppointmentType,
    practitioner: User,
    room: Room,
    start: datetime,
    end: datetime | None = None,
    notes: str = "",
    course: Course | None = None,
    new_course_sessions: int | None = None,
    allow_past: bool = False,
) -> Appointment:
    """Book an appointment; with ``new_course_sessions`` it opens a course for it too, in the
    same transaction, so a refused booking leaves no empty course behind."""
    location = room.location
    end = end or start + appointment_type.duration
    _check_people_and_places(client=client, practitioner=practitioner, room=room, location=location)
    if not appointment_type.is_active:
        raise ValidationError(
            {"appointment_type": f"{appointment_type.name} is no longer offered."}
        )
    blocked_start, blocked_end = blocked_span(appointment_type, start, end)
    appointment = Appointment(
        client=client,
        appointment_type=appointment_type,
        location=location,
        practitioner=practitioner,
        room=room,
        start=start,
        end=end,
        blocked_start=blocked_start,
        blocked_end=blocked_end,
        notes=notes.strip(),
        booked_by=by,
        course=course,
        status_changed_at=timezone.now(),
    )
    _validate_slot(appointment, now=timezone.now(), allow_past=allow_past, viewer=by)
    _check_clinical_clearance(
        client=client, appointment_type=appointment_type, start=start, location=location
    )
    if new_course_sessions is not None:
        if not appointment_type.is_pigmentation:
            raise ValidationError(
                {"course": "Only pigmentation sessions and touch-ups belong to a course."}
            )
        course = course_create(client=client, by=by, planned_sessions=new_course_sessions)
        appointment.course = course
    if course is not None:
        _check_course(course, client, appointment)
    _save_guarded(appointment, by)
    _record(
        appointment,
        AppointmentChange.Kind.BOOKED,
        by,
        to_start=start,
        to_end=end,
        to_status=Status.BOOKED,
    )
    client_link_location(client=client, location=location)
    if course is not None:
        course_renumber(course=course)
        appointment.refresh_from_db(fields=["course_position"])
    events.emit("appointment.booked", appointment=appointment, by=by)
    return appointment


@transaction.atomic
def appointment_reschedule(
    *,
    appointment: Appointment,
    by: User,
    start: datetime,
    practitioner: User | None = None,
    room: Room | None = None,
    reason: str = "",
) -> Appointment:
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("appointment_type", "location", "practitioner", "room", "client")
        .get(pk=appointment.pk)
    )
    if appointment.status not in Appointment.UPCOMING:
        raise ValidationError(
            f"A {appointment.get_status_display().lower()} appointment cannot be moved."
        )
    old_start, old_end = appointment.start, appointment.end
    practitioner = practitioner or appointment.practitioner
    room = room or appointment.room
    _check_people_and_places(
        client=appointment.client, practitioner=practitioner, room=room, location=room.location
    )
    length = appointment.end - appointment.start
    appointment.practitioner = practitioner
    appointment.room = room
    appointment.location = room.location
    appointment.start = start
    appointment.end = start + length
    appointment.blocked_start, appointment.blocked_end = blocked_span(
        appointment.appointment_type, appointment.start, appointment.end
    )
    _validate_slot(appointment, now=timezone.now(), allow_past=False, viewer=by)
    _check_clinical_clearance(
        client=appointment.client,
        appointment_type=appointment.appointment_type,
        start=start,
        location=appointment.location,
    )
    _save_guarded(appointment, by)
    _record(
        appointment,
        AppointmentChange.Kind.RESCHEDULED,
        by,
        from_start=old_start,
        from_end=old_end,
        to_start=appointment.start,
        to_end=appointment.end,
        detail=reason.strip()[:300],
    )
    if appointment.course_id:
        course_renumber(course=appointment.course)
    events.emit("appointment.rescheduled", appointment=appointment, by=by, old_start=old_start)
    return appointment


def allowed_transitions(appointment: Appointment) -> list[str]:
    """The statuses the appointment's page offers as buttons, in the order of the day:
    those that may follow its status and that no app's guard refuses now. Cancelling has its
    own page (it needs a reason)."""
    candidates = TRANSITIONS.get(appointment.status, set()) - {Status.CANCELLED}
    refused = status_refusals(appointment, candidates) if candidates else {}
    return [status for status in Status.values if status in candidates - refused.keys()]


def _status_guard(appointment: Appointment, new_status: str, now: datetime) -> None:
    if new_status not in TRANSITIONS.get(appointment.status, set()):
        raise ValidationError(
            f"A {appointment.get_status_display().lower()} appointment cannot become "
            f"{Status(new_status).label.lower()}."
        )
    refusal = status_refusals(appointment, {new_status}).get(new_status)
    if refusal:
        raise ValidationError(refusal)
    today = timezone.localtime(now, appointment.location.tz).date()
    day = timezone.localtime(appointment.start, appointment.location.tz).date()
    if new_status == Status.CHECKED_IN and day != today:
        raise ValidationError("Clients can be checked in on the day of their appointment only.")
    if new_status == Status.NO_SHOW and now < appointment.start:
        raise ValidationError(
            "An appointment can be marked as a no-show once its start time has passed."
        )


@transaction.atomic
def appointment_set_status(*, appointment: Appointment, by: User, status: str) -> Appointment:
    if status == Status.CANCELLED:
        raise ValidationError("Cancel an appointment with a reason (appointment_cancel).")
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("location", "course")
        .get(pk=appointment.pk)
    )
    now = timezone.now()
    old = appointment.status
    _status_guard(appointment, status, now)
    appointment.status = status
    appointment.status_changed_at = now
    fields = ["status", "status_changed_at"]
    if status == Status.CHECKED_IN:
        appointment.checked_in_at = now
        fields.append("checked_in_at")
    if status == Status.CHECKED_IN and old == Status.NO_SHOW:
        # The slot was given up when marked no-show; holding it again must not overlap.
        _save_guarded(appointment, by)
    else:
        appointment.save(update_fields=fields)
    _record(appointment, AppointmentChange.Kind.STATUS, by, from_status=old, to_status=status)
    if appointment.course_id and (old == Status.NO_SHOW or status == Status.NO_SHOW):
        course_renumber(course=appointment.course)
    if appointment.course_id and status == Status.COMPLETED:
        course_mark_completed(course=appointment.course)
    events.emit("appointment.status_changed", appointment=appointment, by=by, old_status=old)
    return appointment


def _cancel_reason(reason: str, *, missing: str) -> str:
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": missing})
    return reason


def _locked(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("location", "course")
        .get(pk=appointment.pk)
    )


def _mark_cancelled(appointment: Appointment, *, by: User, reason: str) -> None:
    """Cancelled with the reason, in its history; the course's sessions numbered again."""
    old = appointment.status
    appointment.status = Status.CANCELLED
    appointment.cancel_reason = reason[:300]
    appointment.status_changed_at = timezone.now()
    appointment.save(update_fields=["status", "cancel_reason", "status_changed_at"])
    _record(
        appointment,
        AppointmentChange.Kind.STATUS,
        by,
        from_status=old,
        to_status=Status.CANCELLED,
        detail=reason[:300],
    )
    if appointment.course_id:
        course_renumber(course=appointment.course)


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, by: User, reason: str) -> Appointment:
    reason = _cancel_reason(reason, missing="Say why the appointment is cancelled.")
    appointment = _locked(appointment)
    if appointment.status not in Appointment.UPCOMING and appointment.status != Status.CHECKED_IN:
        raise ValidationError(
            f"A {appointment.get_status_display().lower()} appointment cannot be cancelled."
        )
    _mark_cancelled(appointment, by=by, reason=reason)
    events.emit("appointment.cancelled", appointment=appointment, by=by)
    return appointment


@transaction.atomic
def appointment_end_not_gone_ahead(
    *, appointment: Appointment, by: User, reason: str
) -> Appointment:
    """An appointment that started and then did not go ahead (the client felt unwell in the
    chair) ends cancelled, with the reason: the only way out of "in progress" other than
    completing it. The app whose record was started calls this (a session log closed as not
    gone ahead). It is announced as a status change, not as a cancellation: the client was
    there, so no cancellation notice is sent, and a course's place is free to book again."""
    reason = _cancel_reason(reason, missing="Say why the appointment did not go ahead.")
    appointment = _locked(appointment)
    if appointment.status != Status.IN_PROGRESS:
        raise ValidationError(
            f"The appointment is {appointment.get_status_display().lower()}, not in progress."
        )
    _mark_cancelled(appointment, by=by, reason=reason)
    events.emit(
        "appointment.status_changed",
        appointment=appointment,
        by=by,
        old_status=Status.IN_PROGRESS,
    )
    return appointment


# --- Availability set-up ---------------------------------------------------------------


@transaction.atomic
def working_hours_set(
    *, practitioner: User, location: Location, weekday: int, shifts: list[tuple]
) -> None:
    """Replace a practitioner's shifts at a location on one weekday."""
    ordered = sorted(shifts)
    for (_start, end), (next_start, _) in zip(ordered, ordered[1:], strict=False):
        if next_start < end:
            raise ValidationError("Two shifts on the same day overlap.")
    for start, end in ordered:
        if start >= end:
            raise ValidationError("A shift must end after it starts.")
    WorkingHours.objects.filter(
        practitioner=practitioner, location=location, weekday=weekday
    ).delete()
    WorkingHours.objects.bulk_create(
        WorkingHours(practitioner=practitioner, location=location, weekday=weekday, start=s, end=e)
        for s, e in ordered
    )


@transaction.atomic
def working_hours_set_week(
    *, practitioner: User, location: Location, week: dict[int, list[tuple]]
) -> None:
    """Replace a practitioner's shifts at a location for every weekday in ``week``, all or
    nothing: a day refused half-way through leaves the days before it as they were."""
    for weekday, shifts in sorted(week.items()):
        try:
            working_hours_set(
                practitioner=practitioner, location=location, weekday=weekday, shifts=shifts
            )
        except ValidationError as error:
            day = calendar.day_name[weekday]
            raise ValidationError(f"{day}: {' '.join(error.messages)}") from None


@transaction.atomic
def time_off_add(
    *, practitioner: User, by: User, start: datetime, end: datetime, kind: str, note: str = ""
) -> TimeOff:
    if end <= start:
        raise ValidationError({"end": "The time off must end after it starts."})
    if end - start > timedelta(days=366):
        raise ValidationError({"end": "Time off longer than a year: check the dates."})
    clashes = (
        Appointment.objects.filter(practitioner=practitioner, status__in=Appointment.UPCOMING)
        .holding(start, end)
        .count()
    )
    if clashes:
        raise ValidationError(
            f"{practitioner.full_name} has {clashes} appointment{'s' if clashes != 1 else ''} "
            "booked in that period. Move or cancel them first."
        )
    return TimeOff.objects.create(
        practitioner=practitioner, created_by=by, start=start, end=end, kind=kind, note=note.strip()
    )


def time_off_remove(*, time_off: TimeOff) -> None:
    time_off.delete()


@transaction.atomic
def course_book(
    *,
    by: User,
    client: Client,
    appointment_type: AppointmentType,
    planned_sessions: int,
    min_interval_days: int,
    max_interval_days: int,
    sessions: list[tuple[datetime, User, Room]],
) -> Course:
    """Open a course and book its sessions, all or nothing."""
    if not sessions:
        raise ValidationError("There are no sessions to book.")
    if len(sessions) > planned_sessions:
        raise ValidationError("More sessions than the course plans.")
    ordered = sorted(sessions, key=lambda s: s[0])
    location = ordered[0][2].location
    for number, (previous, current) in enumerate(zip(ordered, ordered[1:], strict=False), start=2):
        gap = (
            timezone.localtime(current[0], location.tz).date()
            - timezone.localtime(previous[0], location.tz).date()
        ).days
        if not min_interval_days <= gap <= max_interval_days:
            raise ValidationError(
                f"Session {number} is {gap} days after the one before; the course needs "
                f"{min_interval_days}–{max_interval_days} days."
            )
    course = course_create(
        client=client,
        by=by,
        planned_sessions=planned_sessions,
        min_interval_days=min_interval_days,
        max_interval_days=max_interval_days,
    )
    for number, (start, practitioner, room) in enumerate(ordered, start=1):
        try:
            appointment_book(
                by=by,
                client=client,
                appointment_type=appointment_type,
                practitioner=practitioner,
                room=room,
                start=start,
                course=course,
            )
        except ValidationError as error:
            raise ValidationError(f"Session {number}: {' '.join(error.messages)}") from None
    return course
