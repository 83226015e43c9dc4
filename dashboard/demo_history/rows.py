"""One batch of clients and their stories, written table by table with bulk inserts."""

import hashlib
import io
import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from accounts.models import User
from aftercare.models import OutboundMessage
from aftercare.services.outbox import idempotency_key
from clients.models import Client, Photo
from clients.search import build_search_text
from consultations.models import Consultation
from dashboard.demo_history.clinic import Team
from dashboard.demo_history.names import (
    FEMALE_FIRST_NAMES,
    FIRST_NAMES,
    LAST_NAMES,
    ZONE_SETS,
)
from scheduling.models import Appointment, Course
from sessions_app.models import (
    HealingCheck,
    LayeringPass,
    PigmentationSession,
    SessionPhoto,
)
from smp_clinic.lib.tz import local_datetime

HISTORY_EMAIL_DOMAIN = "history.demo-client.test"
CONSULTATION_HOURS = [time(h) for h in range(9, 18)]
SESSION_STARTS = [time(9, 15), time(14)]
AFTERCARE_DAYS = (0, 1, 3, 7, 28)


@dataclass
class Stats:
    clients: int = 0
    appointments: int = 0
    consultations: int = 0
    courses: int = 0
    sessions: int = 0
    passes: int = 0
    messages: int = 0
    photos: int = 0


class Calendar:
    """Working days (Monday to Saturday) from ``years`` back to six weeks ahead."""

    def __init__(self, *, years: int, today: date):
        first = today - timedelta(days=365 * years)
        last = today + timedelta(days=42)
        self.days = [
            first + timedelta(days=n)
            for n in range((last - first).days + 1)
            if (first + timedelta(days=n)).weekday() < 6
        ]
        self.today_index = next(i for i, d in enumerate(self.days) if d >= today)

    def after(self, index: int, calendar_days: int) -> int:
        """The working-day index about ``calendar_days`` after ``index``."""
        return index + calendar_days * 6 // 7


def _jpeg(seed: int) -> tuple[bytes, int, int]:
    from PIL import Image, ImageDraw

    width, height = 320, 240
    image = Image.new("RGB", (width, height), (150 + seed % 40, 110, 90))
    draw = ImageDraw.Draw(image)
    for n in range(40):
        x = (n * 37 + seed * 11) % width
        y = (n * 53 + seed * 7) % height
        draw.ellipse((x, y, x + 3, y + 3), fill=(60, 50, 45))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue(), width, height


class _Batch:
    """The rows of one batch of clients, written table by table in dependency order."""

    def __init__(self, *, rng, cal: Calendar, teams, lots, needles, types, desk, stats, now):
        self.rng, self.cal, self.teams, self.now = rng, cal, teams, now
        self.lots, self.needles, self.types, self.desk = lots, needles, types, desk
        self.stats = stats
        self.appointments: list[Appointment] = []
        self.plans: list[dict] = []  # what to make for each appointment once it has a pk

    # --- slots ------------------------------------------------------------------------
    def _slot(self, team: Team, kind: str, index: int):
        """The first free slot of ``kind`` on or after working day ``index``."""
        used = team.consultations_used if kind == "consultation" else team.sessions_used
        capacity = (
            len(CONSULTATION_HOURS) if kind == "consultation" else 2 * len(team.practitioners)
        )
        while index < len(self.cal.days):
            if used[index] < capacity:
                slot = used[index]
                used[index] += 1
                return index, slot
            index += 1
        return None

    def _appointment(self, *, client, team, kind, index, status, course=None, position=None):
        found = self._slot(team, "consultation" if kind == "consultation" else "session", index)
        if found is None:
            return None
        index, slot = found
        day = self.cal.days[index]
        kind_type = self.types[kind]
        if kind == "consultation":
            practitioner, room = team.consultant, team.consultation_room
            at = CONSULTATION_HOURS[slot]
        else:
            practitioner = team.practitioners[slot // 2]
            room = team.rooms[slot // 2]
            at = SESSION_STARTS[slot % 2]
        start = local_datetime(day, at, team.location.tz)
        end = start + kind_type.duration
        if status is None:
            status = self._status(index)
        appointment = Appointment(
            client=client,
            appointment_type=kind_type,
            location=team.location,
            practitioner=practitioner,
            room=room,
            start=start,
            end=end,
            blocked_start=start - kind_type.buffer_before,
            blocked_end=end + kind_type.buffer_after,
            status=status,
            status_changed_at=end if index < self.cal.today_index else None,
            cancel_reason="The client asked to rearrange." if status == "cancelled" else "",
            course=course,
            course_position=position,
            booked_by=self.desk,
        )
        self.appointments.append(appointment)
        return appointment, index

    def _status(self, index: int) -> str:
        roll = self.rng.random()
        if index >= self.cal.today_index:
            return "confirmed" if roll < 0.4 else "booked"
        if roll < 0.04:
            return "no_show"
        if roll < 0.08:
            return "cancelled"
        return "completed"

    # --- one client's story -----------------------------------------------------------
    def client_story(self, client: Client, team: Team) -> None:
        rng, cal = self.rng, self.cal
        made = self._appointment(
            client=client,
            team=team,
            kind="consultation",
            index=rng.randrange(len(cal.days)),
            status=None,
        )
        if made is None:
            return
        consultation, index = made
        decision = rng.choices(["proceed", "thinking", "not_suitable"], [55, 27, 18])[0]
        self.plans.append({"consultation": consultation, "decision": decision})
        if consultation.status != "completed" or decision != "proceed":
            return
        planned = rng.choices([2, 3, 4], [30, 60, 10])[0]
        course = Course(
            client=client,
            planned_sessions=planned,
            created_by=team.consultant,
            status="active",
        )
        self.plans.append({"course": course})
        index = cal.after(index, rng.randrange(10, 40))
        sessions = []
        for position in range(1, planned + 1):
            made = self._appointment(
                client=client,
                team=team,
                kind="session",
                index=index,
                status=None,
                course=course,
                position=position,
            )
            if made is None:
                break
            session, index = made
            sessions.append(session)
            if session.status == "cancelled":
                continue
            index = cal.after(index, rng.randrange(10, 31))
        done = [s for s in sessions if s.status == "completed"]
        if len(done) == planned:
            course.status = "completed"
            if rng.random() < 0.35:
                made = self._appointment(
                    client=client,
                    team=team,
                    kind="touch_up",
                    index=cal.after(index, rng.randrange(300, 700)),
                    status=None,
                )
                if made is not None:
                    sessions.append(made[0])
        self.plans.append({"sessions": sessions, "course": course})

    # --- writing ----------------------------------------------------------------------
    def write(self, photo_budget: list[int]) -> None:
        rng = self.rng
        courses = [p["course"] for p in self.plans if set(p) == {"course"}]
        Course.objects.bulk_create(courses)
        for appointment in self.appointments:
            appointment.course_id = appointment.course.pk if appointment.course else None
        Appointment.objects.bulk_create(self.appointments, batch_size=2000)
        self.stats.appointments += len(self.appointments)
        self.stats.courses += len(courses)

        consultations = []
        for plan in self.plans:
            if "consultation" not in plan or plan["consultation"].status != "completed":
                continue
            appointment, decision = plan["consultation"], plan["decision"]
            consultations.append(_consultation(rng, appointment, decision))
        Consultation.objects.bulk_create(consultations, batch_size=2000)
        self.stats.consultations += len(consultations)

        sessions, passes, checks, photo_sessions = [], [], [], []
        for plan in self.plans:
            previous = None
            for appointment in plan.get("sessions", []):
                if appointment.status != "completed":
                    continue
                session = _session(rng, appointment)
                sessions.append(session)
                if previous is not None:
                    checks.append((previous, appointment.start.date() - timedelta(days=2)))
                previous = session
        PigmentationSession.objects.bulk_create(sessions, batch_size=2000)
        for session in sessions:
            for number in range(1, rng.randrange(2, 5) + 1):
                passes.append(
                    LayeringPass(
                        session=session,
                        number=number,
                        zones=rng.choice(ZONE_SETS),
                        needle=self.needles[0 if number == 1 else rng.randrange(len(self.needles))],
                        pigment_lot=rng.choice(self.lots),
                        dilution=rng.choice(["1:2", "1:3", "1:4", "50%"]),
                        machine="Rotary pen",
                        machine_settings="8.5 V, 3.5 mm stroke",
                        depth=rng.choice(["0.4 mm", "0.5 mm", "0.6 mm"]),
                        density=rng.choice(["light", "medium", "dense"]),
                        shade=rng.choice(["1", "2", "3"]),
                        duration_minutes=rng.randrange(30, 90),
                        pigment_ml=Decimal(rng.choice(["0.30", "0.50", "0.80"])),
                        created_by=session.practitioner,
                    )
                )
            if (
                photo_budget[0] > 0
                and session.appointment.location == self.teams[0].location
                and session.practitioner.email == "practitioner@demo.smp-clinic.test"
            ):
                photo_sessions.append(session)
                photo_budget[0] -= 1
        LayeringPass.objects.bulk_create(passes, batch_size=5000)
        HealingCheck.objects.bulk_create(
            [
                HealingCheck(
                    session=session,
                    checked_on=on,
                    rating=rng.choice([3, 4, 4, 5]),
                    healed_shade=rng.choice(["lighter", "as_intended", "as_intended", "darker"]),
                    coverage=rng.choice(["patchy", "even", "even"]),
                    recorded_by=session.practitioner,
                )
                for session, on in checks
            ],
            batch_size=5000,
        )
        self.stats.sessions += len(sessions)
        self.stats.passes += len(passes)
        self._photos(photo_sessions)
        self._messages(consultations, sessions)

    def _photos(self, sessions: list[PigmentationSession]) -> None:
        photos, links = [], []
        for session in sessions:
            for stage, shift in (("before", timedelta(minutes=-10)), ("after", session.duration)):
                data, width, height = _jpeg(len(photos) + self.stats.photos)
                folder = f"clients/{session.client.public_id}/photos"
                names = [
                    default_storage.save(f"{folder}/{uuid.uuid4().hex}{end}", ContentFile(data))
                    for end in (".jpg", "-l.jpg", "-s.jpg")
                ]
                photo = Photo(
                    client=session.client,
                    angle=self.rng.choice(["front", "top", "crown"]),
                    kind=stage,
                    taken_at=session.appointment.start + shift,
                    uploaded_by=session.practitioner,
                    image=names[0],
                    image_large=names[1],
                    image_small=names[2],
                    width=width,
                    height=height,
                    sha256=hashlib.sha256(data).hexdigest(),
                    created_at=session.appointment.start + shift,
                )
                photos.append(photo)
                links.append(SessionPhoto(session=session, photo=photo, stage=stage))
        Photo.objects.bulk_create(photos)
        SessionPhoto.objects.bulk_create(links)
        self.stats.photos += len(photos)

    def _messages(self, consultations, sessions) -> None:
        rng, now = self.rng, self.now
        rows = []

        def message(*, kind, client, due, source, source_id, step="", **links):
            status, reason, sent_at, error, attempts = "pending", "", None, "", 0
            if not client.email_reminders and kind != "touch_up_recall":
                status, reason = "skipped", "opted_out"
            elif due < now:
                roll = rng.random()
                if roll < 0.01:
                    status, error, attempts = "failed", "550 5.1.1 Mailbox unavailable", 6
                else:
                    status, sent_at, attempts = "sent", due + timedelta(seconds=40), 1
            rows.append(
                OutboundMessage(
                    kind=kind,
                    client=client,
                    step=step,
                    due_at=due,
                    status=status,
                    reason=reason,
                    attempts=attempts,
                    last_error=error,
                    sent_at=sent_at,
                    idempotency_key=idempotency_key(
                        kind=kind, source=source, source_id=source_id, step=step
                    ),
                    to_email=client.email if status in ("sent", "failed") else "",
                    subject=kind.replace("_", " ").capitalize() if sent_at else "",
                    **links,
                )
            )

        for appointment in self.appointments:
            client = appointment.client
            message(
                kind="booking_confirmation",
                client=client,
                due=appointment.start - timedelta(days=rng.randrange(7, 30)),
                source="appointment",
                source_id=appointment.pk,
                appointment=appointment,
            )
            if appointment.status == "cancelled":
                message(
                    kind="cancellation_notice",
                    client=client,
                    due=appointment.start - timedelta(days=2),
                    source="appointment",
                    source_id=appointment.pk,
                    appointment=appointment,
                )
            else:
                message(
                    kind="appointment_reminder",
                    client=client,
                    due=appointment.start - timedelta(hours=24),
                    source="appointment",
                    source_id=appointment.pk,
                    appointment=appointment,
                )
        for session in sessions:
            for day in AFTERCARE_DAYS:
                message(
                    kind="aftercare",
                    client=session.client,
                    due=session.appointment.end + timedelta(days=day, hours=1),
                    source="appointment",
                    source_id=session.appointment.pk,
                    step=f"day-{day}",
                    appointment=session.appointment,
                )
        for consultation in consultations:
            if consultation.decision == "thinking":
                message(
                    kind="consultation_follow_up",
                    client=consultation.client,
                    due=datetime.combine(
                        consultation.follow_up_on, time(10), tzinfo=timezone.get_current_timezone()
                    ),
                    source="consultation",
                    source_id=consultation.pk,
                    consultation=consultation,
                )
        OutboundMessage.objects.bulk_create(rows, batch_size=5000)
        self.stats.messages += len(rows)


def _consultation(rng: random.Random, appointment: Appointment, decision: str) -> Consultation:
    female = appointment.client.sex == "female"
    concern = "female_thinning" if female else rng.choice(["male_pattern"] * 4 + ["scar"])
    return Consultation(
        client=appointment.client,
        appointment=appointment,
        practitioner=appointment.practitioner,
        status="completed",
        completed_at=appointment.end,
        concern=concern,
        norwood_stage="" if female else rng.choice(["III", "IV", "V", "VI", "VII"]),
        ludwig_grade=rng.choice(["I", "II"]) if female else "",
        scar_type="fut_strip" if concern == "scar" else "",
        fitzpatrick=rng.choice(["I", "II", "III", "IV", "V", "VI"]),
        scalp_condition=rng.choice(["healthy", "healthy", "dry", "oily", "sensitive"]),
        hair_colour=rng.choice(["black", "dark_brown", "brown", "salt_pepper"]),
        desired_outcome="density" if female else rng.choice(["shaved", "shaved", "scar"]),
        hairline_style=rng.choice(["natural", "rounded", "straight", "receded"]),
        recommended_shade=rng.choice(["Shade 1, 1:3", "Shade 2, 1:3", "Shade 2, 50%"]),
        recommended_density=rng.choice(["light", "medium", "dense"]),
        decision=decision,
        follow_up_on=appointment.start.date() + timedelta(days=14)
        if decision == "thinking"
        else None,
        not_suitable_reason="Active psoriasis on the scalp; treat first."
        if decision == "not_suitable"
        else "",
    )


def _session(rng: random.Random, appointment: Appointment) -> PigmentationSession:
    session = PigmentationSession(
        appointment=appointment,
        client=appointment.client,
        course=appointment.course,
        practitioner=appointment.practitioner,
        status="signed_off",
        gate_passed_at=appointment.start - timedelta(minutes=5),
        started_at=appointment.start,
        numbing="None",
        pain=rng.randrange(1, 7),
        skin_reaction=rng.choice(["none", "redness", "redness", "swelling"]),
        bleeding=rng.choice(["none", "pinpoint", "pinpoint"]),
        next_session_advice="Darken the crown by one step." if rng.random() < 0.3 else "",
        signed_off_at=appointment.end,
        signed_off_by=appointment.practitioner,
    )
    session.duration = appointment.end - appointment.start
    return session


def _client(rng: random.Random, n: int, team: Team, desk: User) -> Client:
    female = rng.random() < 0.12
    first = rng.choice(FEMALE_FIRST_NAMES if female else FIRST_NAMES)
    last = rng.choice(LAST_NAMES)
    email = f"{first}.{last}.{n}@{HISTORY_EMAIL_DOMAIN}".lower().replace("'", "")
    phone = f"+4479{rng.randrange(10**7, 10**8)}"
    client = Client(
        first_name=first,
        last_name=last,
        email=email,
        phone=phone,
        date_of_birth=date(rng.randrange(1955, 2003), rng.randrange(1, 13), rng.randrange(1, 29)),
        sex="female" if female else "male",
        home_location=team.location,
        email_reminders=rng.random() < 0.93,
        marketing_consent=rng.random() < 0.45,
        created_by=desk,
    )
    client.search_text = build_search_text(
        first_name=first, last_name=last, preferred_name="", email=email, phone=phone
    )
    return client
