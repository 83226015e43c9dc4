"""Shaped reads of the calendar. Each returns everything its page renders, in a constant
number of queries whatever the number of appointments."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import quote, urlencode

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from clients.intake.selectors import client_session_blocks, session_blocked_on
from clients.models import Client
from clients.selectors import user_location_ids
from locations.models import Location, OpeningHours, Room
from scheduling.models import Appointment, AppointmentType, Course, TimeOff, WorkingHours
from scheduling.models.appointment import MAX_APPOINTMENT_LENGTH
from smp_clinic.lib.tz import day_bounds

GRID_MINUTES = 5  # one calendar grid row
DEFAULT_DAY = (time(8), time(20))
APPOINTMENT_RELATED = ("client", "appointment_type", "practitioner", "room", "location", "course")
# What a calendar card never shows: the client's contact details (a phone number is parsed
# as it is read) and free text, and the practitioner's credentials.
GRID_DEFERRED = (
    "client__phone",
    "client__email",
    "client__address",
    "client__notes",
    "client__search_text",
    "practitioner__password",
    "practitioner__feed_token",
    "practitioner__session_salt",
)


def locations_for(user: User) -> QuerySet[Location]:
    locations = Location.objects.filter(is_active=True)
    if not user.all_locations:
        locations = locations.filter(pk__in=user_location_ids(user))
    return locations.order_by("name")


def booking_location_for(*, user: User, client: Client) -> Location | None:
    """Where ``user`` books for ``client``: the client's home when the user works there,
    else the first location the user works at (the calendar's own default)."""
    home = client.home_location
    if home.is_active and (user.all_locations or home.pk in user_location_ids(user)):
        return home
    return locations_for(user).first()


def location_get_for_user(*, user: User, public_id) -> Location:
    try:
        return locations_for(user).get(public_id=public_id)
    except (Location.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such location") from None


def appointments_visible_to(user: User) -> QuerySet[Appointment]:
    appointments = Appointment.objects.select_related(*APPOINTMENT_RELATED)
    if not user.all_locations:
        appointments = appointments.filter(location_id__in=user_location_ids(user))
    return appointments


def appointment_get_for_user(*, user: User, public_id) -> Appointment:
    try:
        return appointments_visible_to(user).get(public_id=public_id)
    except (Appointment.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such appointment") from None


def practitioners_at(location: Location) -> QuerySet[User]:
    return (
        User.objects.filter(is_active=True, role__in=[Role.PRACTITIONER, Role.MANAGER])
        .filter(Q(all_locations=True) | Q(locations=location))
        .distinct()
        .order_by("full_name")
    )


def _week_bounds(location: Location, week_start: date) -> tuple[datetime, datetime]:
    """From the start of the week's Monday to the end of its Sunday, in the location's zone."""
    return (
        day_bounds(week_start, location.tz)[0],
        day_bounds(week_start + timedelta(days=6), location.tz)[1],
    )


def week_default_practitioner(
    *, location: Location, practitioners: list[User], user: User, week_start: date
) -> User | None:
    """Whose week the week view opens on when nobody was chosen: the signed-in practitioner;
    else the first practitioner with appointments that week (a manager may see clients too,
    and is counted when booked), else the first practitioner, else whoever may be booked.
    One query, and only when the user is not a practitioner here."""
    if user.role == Role.PRACTITIONER and user in practitioners:
        return user
    if not practitioners:
        return None
    start_bound, end_bound = _week_bounds(location, week_start)
    busy = set(
        Appointment.objects.filter(
            location=location,
            practitioner__in=practitioners,
            start__gte=start_bound,
            start__lt=end_bound,
        )
        .exclude(status=Appointment.Status.CANCELLED)
        .values_list("practitioner_id", flat=True)
        .distinct()
    )
    return next(
        (p for p in practitioners if p.pk in busy),
        next((p for p in practitioners if p.role == Role.PRACTITIONER), practitioners[0]),
    )


def practitioner_get(*, location: Location, public_id) -> User:
    try:
        return practitioners_at(location).get(public_id=public_id)
    except (User.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such practitioner") from None


def active_types() -> QuerySet[AppointmentType]:
    return AppointmentType.objects.filter(is_active=True).order_by("pk")


# A pigmentation session still to happen: the medical block stops it if one applies.
AWAITING_SESSION = (*Appointment.UPCOMING, Appointment.Status.CHECKED_IN)


def mark_sessions_needing_clearance(appointments: list[Appointment], *, since: date) -> None:
    """Set ``needs_clearance`` on each appointment: a session still to happen (on or after
    ``since``) for a client whose latest intake has a blocking flag no practitioner has
    cleared, raised after it was booked. Every role may see the mark, never the condition.
    One query whatever the number of appointments (none when there is no session)."""
    sessions = [
        a
        for a in appointments
        if a.appointment_type.is_pigmentation and a.status in AWAITING_SESSION
    ]
    blocks = client_session_blocks(client_ids={a.client_id for a in sessions}, on=since)
    for appointment in appointments:
        appointment.needs_clearance = False
    for session in sessions:
        day = timezone.localtime(session.start, session.location.tz).date()
        session.needs_clearance = session_blocked_on(blocks, session.client_id, day)


def appointment_needs_clearance(appointment: Appointment) -> bool:
    day = timezone.localtime(appointment.start, appointment.location.tz).date()
    mark_sessions_needing_clearance([appointment], since=day)
    return appointment.needs_clearance


# --- Calendar grid -----------------------------------------------------------------------


@dataclass
class GridItem:
    """Something placed on the grid: an appointment, time off, or a free slot to click."""

    row: int
    span: int
    appointment: Appointment | None = None
    label: str = ""
    start: datetime | None = None
    # A free cell's booking link, built once per cell in Python (with_booking_links): the
    # template's url tags and date filters cost more than the rest of the grid together.
    url: str = ""


@dataclass
class Column:
    key: str
    title: str
    subtitle: str = ""
    items: list[GridItem] = field(default_factory=list)
    free: list[GridItem] = field(default_factory=list)
    practitioner: User | None = None
    room: Room | None = None
    day: date | None = None


@dataclass
class Grid:
    location: Location
    first: time
    last: time
    columns: list[Column]
    hours: list[GridItem]
    rows: int
    closed: bool = False


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def _row_of(moment: datetime, day_start_local: datetime, first: time) -> int:
    """Grid row by wall-clock time, so a 23- or 25-hour DST day still lines up."""
    local = timezone.localtime(moment, day_start_local.tzinfo)
    day_offset = (local.date() - day_start_local.date()).days * 24 * 60
    minutes = day_offset + local.hour * 60 + local.minute - _minutes(first)
    return minutes // GRID_MINUTES + 1


def _place(
    start: datetime, end: datetime, day_start_local: datetime, first: time, rows: int
) -> tuple[int, int] | None:
    top = max(1, _row_of(start, day_start_local, first))
    bottom = min(rows + 1, _row_of(end, day_start_local, first))
    if bottom <= top:
        return None
    return top, bottom - top


def _hour_labels(first: time, last: time) -> list[GridItem]:
    labels = []
    minute = _minutes(first)
    while minute < _minutes(last):
        if minute % 60 == 0:
            labels.append(
                GridItem(
                    row=(minute - _minutes(first)) // GRID_MINUTES + 1,
                    span=12,
                    label=f"{minute // 60:02d}:00",
                )
            )
        minute += GRID_MINUTES
    return labels


def _free_slots(
    column: Column,
    *,
    shifts: list[tuple[time, time]],
    busy: list[tuple[datetime, datetime]],
    day_start_local: datetime,
    first: time,
    rows: int,
    step_minutes: int,
    now: datetime,
) -> None:
    """Clickable free 30-minute (step) cells inside working hours, outside busy spans."""
    tz = day_start_local.tzinfo
    for shift_start, shift_end in shifts:
        cursor = datetime.combine(day_start_local.date(), shift_start, tzinfo=tz)
        stop = datetime.combine(day_start_local.date(), shift_end, tzinfo=tz)
        while cursor + timedelta(minutes=step_minutes) <= stop:
            cell_end = cursor + timedelta(minutes=step_minutes)
            if cursor >= now and not any(
                b_start < cell_end and b_end > cursor for b_start, b_end in busy
            ):
                placed = _place(cursor, cell_end, day_start_local, first, rows)
                if placed:
                    column.free.append(GridItem(row=placed[0], span=placed[1], start=cursor))
            cursor = cell_end


def with_booking_links(grid: Grid, *, book_url: str) -> Grid:
    """Give each free cell its booking link (``book_url``: the booking page's path) and its
    start as a wall-clock label, in the location's zone."""
    tz = grid.location.tz
    base = f"{book_url}?{urlencode({'location': grid.location.public_id})}&start="
    for column in grid.columns:
        person = {"practitioner": column.practitioner.public_id} if column.practitioner else {}
        room = {"room": column.room.public_id} if column.room else {}
        tail = f"&{urlencode(person | room)}" if person or room else ""
        for cell in column.free:
            local = timezone.localtime(cell.start, tz)
            cell.url = f"{base}{quote(local.isoformat(), safe='')}{tail}"
            cell.label = f"{local:%H:%M}"
    return grid


def _day_window(opening: OpeningHours | None) -> tuple[time, time]:
    if opening is None:
        return DEFAULT_DAY
    first = time(min(opening.opens.hour, DEFAULT_DAY[0].hour))
    last_hour = min(
        23, max(opening.closes.hour + (1 if opening.closes.minute else 0), DEFAULT_DAY[0].hour + 1)
    )
    return first, time(last_hour)


def calendar_day(
    *, location: Location, day: date, by: str = "practitioner", step_minutes: int = 30
) -> Grid:
    """The day view: one column per practitioner working that day (or per room)."""
    tz = location.tz
    day_start, day_end = day_bounds(day, tz)
    weekday = day.weekday()
    opening = OpeningHours.objects.filter(location=location, weekday=weekday).first()
    first, last = _day_window(opening)
    rows = (_minutes(last) - _minutes(first)) // GRID_MINUTES
    appointments = list(
        Appointment.objects.filter(
            location=location,
            start__lt=day_end,
            end__gt=day_start,
            start__gt=day_start - MAX_APPOINTMENT_LENGTH,
        )
        .exclude(status=Appointment.Status.CANCELLED)
        .select_related(*APPOINTMENT_RELATED)
        .defer(*GRID_DEFERRED)
        .order_by("start")
    )
    mark_sessions_needing_clearance(appointments, since=day)
    shifts_by_person: dict[int, list[tuple[time, time]]] = {}
    for shift in WorkingHours.objects.filter(location=location, weekday=weekday).order_by("start"):
        shifts_by_person.setdefault(shift.practitioner_id, []).append((shift.start, shift.end))
    now = timezone.now()
    columns: list[Column] = []
    if by == "room":
        for room in Room.objects.filter(location=location, is_active=True).order_by("name"):
            column = Column(key=f"room-{room.pk}", title=room.name, room=room, day=day)
            busy = []
            for appointment in appointments:
                if appointment.room_id == room.pk and appointment.status in Appointment.LIVE:
                    busy.append((appointment.blocked_start, appointment.blocked_end))
            column_items(
                column, [a for a in appointments if a.room_id == room.pk], day_start, first, rows
            )
            if opening is not None:
                _free_slots(
                    column,
                    shifts=[(opening.opens, opening.closes)],
                    busy=busy,
                    day_start_local=day_start,
                    first=first,
                    rows=rows,
                    step_minutes=step_minutes,
                    now=now,
                )
            columns.append(column)
    else:
        people = {p.pk: p for p in practitioners_at(location)}
        working_ids = [pid for pid in shifts_by_person if pid in people]
        booked_ids = {a.practitioner_id for a in appointments}
        absences = list(
            TimeOff.objects.filter(practitioner_id__in=people, start__lt=day_end, end__gt=day_start)
        )
        for person in sorted(people.values(), key=lambda p: p.full_name):
            if person.pk not in working_ids and person.pk not in booked_ids:
                continue
            shifts = shifts_by_person.get(person.pk, [])
            subtitle = ", ".join(f"{s:%H:%M}–{e:%H:%M}" for s, e in shifts) or "Not on the rota"
            column = Column(
                key=f"practitioner-{person.pk}",
                title=person.full_name,
                subtitle=subtitle,
                practitioner=person,
                day=day,
            )
            mine = [a for a in appointments if a.practitioner_id == person.pk]
            column_items(column, mine, day_start, first, rows)
            busy = [(a.blocked_start, a.blocked_end) for a in mine if a.status in Appointment.LIVE]
            for absence in absences:
                if absence.practitioner_id == person.pk:
                    busy.append((absence.start, absence.end))
                    placed = _place(
                        max(absence.start, day_start),
                        min(absence.end, day_end),
                        day_start,
                        first,
                        rows,
                    )
                    if placed:
                        column.items.append(
                            GridItem(
                                row=placed[0], span=placed[1], label=absence.get_kind_display()
                            )
                        )
            if opening is not None:
                open_shifts = [(max(s, opening.opens), min(e, opening.closes)) for s, e in shifts]
                _free_slots(
                    column,
                    shifts=[(s, e) for s, e in open_shifts if s < e],
                    busy=busy,
                    day_start_local=day_start,
                    first=first,
                    rows=rows,
                    step_minutes=step_minutes,
                    now=now,
                )
            columns.append(column)
    return Grid(
        location=location,
        first=first,
        last=last,
        columns=columns,
        hours=_hour_labels(first, last),
        rows=rows,
        closed=opening is None,
    )


def column_items(
    column: Column, appointments: list[Appointment], day_start: datetime, first: time, rows: int
) -> None:
    for appointment in appointments:
        placed = _place(appointment.start, appointment.end, day_start, first, rows)
        if placed:
            column.items.append(GridItem(row=placed[0], span=placed[1], appointment=appointment))


def calendar_week(
    *, location: Location, practitioner: User, week_start: date, step_minutes: int = 30
) -> Grid:
    """The week view of one practitioner: a column per day, Monday to Sunday."""
    tz = location.tz
    days = [week_start + timedelta(days=i) for i in range(7)]
    start_bound, end_bound = _week_bounds(location, week_start)
    openings = {o.weekday: o for o in OpeningHours.objects.filter(location=location)}
    first = min((_day_window(o)[0] for o in openings.values()), default=DEFAULT_DAY[0])
    last = max((_day_window(o)[1] for o in openings.values()), default=DEFAULT_DAY[1])
    rows = (_minutes(last) - _minutes(first)) // GRID_MINUTES
    appointments = list(
        Appointment.objects.filter(
            practitioner=practitioner,
            location=location,
            start__lt=end_bound,
            end__gt=start_bound,
            start__gt=start_bound - MAX_APPOINTMENT_LENGTH,
        )
        .exclude(status=Appointment.Status.CANCELLED)
        .select_related(*APPOINTMENT_RELATED)
        .defer(*GRID_DEFERRED)
        .order_by("start")
    )
    mark_sessions_needing_clearance(appointments, since=week_start)
    shifts: dict[int, list[tuple[time, time]]] = {}
    for shift in WorkingHours.objects.filter(location=location, practitioner=practitioner).order_by(
        "start"
    ):
        shifts.setdefault(shift.weekday, []).append((shift.start, shift.end))
    absences = list(
        TimeOff.objects.filter(practitioner=practitioner, start__lt=end_bound, end__gt=start_bound)
    )
    now = timezone.now()
    columns = []
    for day in days:
        day_start, day_end = day_bounds(day, tz)
        day_shifts = shifts.get(day.weekday(), [])
        column = Column(
            key=day.isoformat(),
            title=f"{day:%a %d %b}",
            subtitle=", ".join(f"{s:%H:%M}–{e:%H:%M}" for s, e in day_shifts) or "Not working",
            practitioner=practitioner,
            day=day,
        )
        mine = [a for a in appointments if day_start <= a.start < day_end]
        column_items(column, mine, day_start, first, rows)
        busy = [(a.blocked_start, a.blocked_end) for a in mine if a.status in Appointment.LIVE]
        for absence in absences:
            if absence.start < day_end and absence.end > day_start:
                busy.append((absence.start, absence.end))
                placed = _place(
                    max(absence.start, day_start), min(absence.end, day_end), day_start, first, rows
                )
                if placed:
                    column.items.append(
                        GridItem(row=placed[0], span=placed[1], label=absence.get_kind_display())
                    )
        opening = openings.get(day.weekday())
        if opening is not None:
            open_shifts = [(max(s, opening.opens), min(e, opening.closes)) for s, e in day_shifts]
            _free_slots(
                column,
                shifts=[(s, e) for s, e in open_shifts if s < e],
                busy=busy,
                day_start_local=day_start,
                first=first,
                rows=rows,
                step_minutes=step_minutes,
                now=now,
            )
        columns.append(column)
    return Grid(
        location=location,
        first=first,
        last=last,
        columns=columns,
        hours=_hour_labels(first, last),
        rows=rows,
    )


# --- Client-facing reads -------------------------------------------------------------------


CLIENT_PAST_PAGE_SIZE = 25


@dataclass
class ClientAppointments:
    upcoming: list[Appointment]
    # The past and cancelled ones, newest first, a page at a time.
    past: Page
    courses: list[Course]
    # Appointments at locations the viewer does not work at: counted, never described.
    elsewhere: int = 0


def _visible_location(user: User, location_id: int) -> bool:
    return user.all_locations or location_id in user_location_ids(user)


def client_courses(*, client: Client, user: User) -> list[Course]:
    """The client's courses, newest first, each with ``live_appointments`` (every booked
    session, for the count) and ``visible_appointments`` (those at the viewer's locations,
    the only ones described). Two queries."""
    courses = list(
        Course.objects.filter(client=client)
        .prefetch_related(
            Prefetch(
                "appointments",
                queryset=Appointment.objects.filter(status__in=Appointment.LIVE)
                .select_related("location")
                .order_by("start"),
                to_attr="live_appointments",
            )
        )
        .order_by("-created_at")
    )
    for course in courses:
        course.visible_appointments = [
            a for a in course.live_appointments if _visible_location(user, a.location_id)
        ]
        course.sessions_elsewhere = len(course.live_appointments) - len(course.visible_appointments)
    return courses


def client_appointments(
    *, client: Client, user: User, now: datetime | None = None, page: str | int | None = None
) -> ClientAppointments:
    """The Appointments tab: what the viewer may open (the same scope as the appointment
    page), upcoming in full and the rest a page at a time, and how many are elsewhere."""
    now = now or timezone.now()
    visible = appointments_visible_to(user).filter(client=client)
    coming = Q(start__gte=now, status__in=Appointment.UPCOMING)
    upcoming = list(visible.filter(coming).order_by("start"))
    past = Paginator(visible.exclude(coming).order_by("-start", "-pk"), CLIENT_PAST_PAGE_SIZE)
    elsewhere = 0
    if not user.all_locations:
        elsewhere = (
            Appointment.objects.filter(client=client)
            .exclude(location_id__in=user_location_ids(user))
            .count()
        )
    return ClientAppointments(
        upcoming=upcoming,
        past=past.get_page(page),
        courses=client_courses(client=client, user=user),
        elsewhere=elsewhere,
    )


OVERVIEW_UPCOMING = 3


@dataclass
class ClientOverview:
    """The client page's Overview card: the next few appointments the viewer may open and
    the course in progress, counted across every location (counts carry no detail)."""

    upcoming: list[Appointment]
    more_upcoming: bool
    course: Course | None
    booking_location: Location | None


def client_overview(*, client: Client, user: User, now: datetime | None = None) -> ClientOverview:
    """Two queries: the next appointments, and the latest course in progress with its
    completed and booked sessions counted."""
    now = now or timezone.now()
    upcoming = list(
        appointments_visible_to(user)
        .filter(client=client, start__gte=now, status__in=Appointment.UPCOMING)
        .order_by("start")[: OVERVIEW_UPCOMING + 1]
    )
    course = (
        Course.objects.filter(client=client, status=Course.Status.ACTIVE)
        .annotate(
            sessions_done=Count(
                "appointments", filter=Q(appointments__status=Appointment.Status.COMPLETED)
            ),
            sessions_booked=Count(
                "appointments", filter=Q(appointments__status__in=Appointment.LIVE)
            ),
        )
        .order_by("-created_at")
        .first()
    )
    if course is not None:
        course.next_session = next((a for a in upcoming if a.course_id == course.pk), None)
        course.sessions_to_book = max(0, course.planned_sessions - course.sessions_booked)
    return ClientOverview(
        upcoming=upcoming[:OVERVIEW_UPCOMING],
        more_upcoming=len(upcoming) > OVERVIEW_UPCOMING,
        course=course,
        booking_location=booking_location_for(user=user, client=client),
    )


def client_has_upcoming(queryset: QuerySet[Client]) -> QuerySet[Client]:
    upcoming = Appointment.objects.filter(
        client=OuterRef("pk"), status__in=Appointment.UPCOMING, start__gte=timezone.now()
    )
    return queryset.filter(Exists(upcoming))


def day_appointments(*, user: User, day: date, location: Location) -> list[Appointment]:
    """The Today list: the day's appointments at a location (a practitioner's own only)."""
    day_start, day_end = day_bounds(day, location.tz)
    appointments = Appointment.objects.filter(
        location=location, start__gte=day_start, start__lt=day_end
    )
    if user.role == Role.PRACTITIONER:
        appointments = appointments.filter(practitioner=user)
    return list(
        appointments.select_related(*APPOINTMENT_RELATED).order_by(
            "start", "practitioner__full_name"
        )
    )


@dataclass
class RoomSuggestion:
    """The booking dialog's room for a type at a time: the room asked for when it is free
    for the whole held span, else the first free one, else none (and the dialog says so)."""

    start: datetime
    end: datetime
    blocked_start: datetime
    blocked_end: datetime
    room: Room | None
    # The room asked for, when something else holds it then.
    taken: Room | None = None
    # The location has no active room at all.
    no_rooms: bool = False


def room_suggestion(
    *,
    location: Location,
    appointment_type: AppointmentType,
    start: datetime,
    wanted: str | None = None,
) -> RoomSuggestion:
    """One query: the location's active rooms, each with whether a live appointment holds
    it during the span this type would hold (buffers included)."""
    end = start + appointment_type.duration
    blocked_start, blocked_end = appointment_type.held_span(start, end)
    holding = Appointment.objects.filter(room=OuterRef("pk"), status__in=Appointment.LIVE).holding(
        blocked_start, blocked_end
    )
    rooms = list(
        Room.objects.filter(location=location, is_active=True)
        .annotate(busy=Exists(holding))
        .order_by("name")
    )
    asked = next((r for r in rooms if wanted and str(r.public_id) == str(wanted)), None)
    free = [r for r in rooms if not r.busy]
    room = asked if asked is not None and not asked.busy else (free[0] if free else None)
    return RoomSuggestion(
        start=start,
        end=end,
        blocked_start=blocked_start,
        blocked_end=blocked_end,
        room=room,
        taken=asked if asked is not None and asked.busy else None,
        no_rooms=not rooms,
    )
