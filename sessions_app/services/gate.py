"""The pre-session safety gate, and starting a session through it (or a manager's
override with a written reason)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from clients.intake.selectors import client_latest_intake, client_session_block_reason
from scheduling.models import Appointment, Course
from sessions_app.models import (
    PigmentationSession,
)
from sessions_app.services.log import (
    _local_day,
    _move_appointment_to,
    _require_clinician,
    session_today,
)
from smp_clinic.lib.tz import local_date


@dataclass(frozen=True)
class GateCheck:
    key: str
    label: str
    ok: bool
    reason: str = ""
    # Not judged, for want of the record it reads (flags with no intake): not passed either.
    pending: bool = False
    # What puts a failed check right (the session page links it) and the record it concerns.
    remedy: str = ""
    about: object = None


# A stand-alone session (a touch-up booked outside a course) looks back this far for the
# client's last session. DESIGN.md: course sessions are 7–30 days apart, longer while scabs
# persist, and aftercare runs to day 28–30; a session within this window may not have
# healed and needs its healing check and the interval, whereas one from months or years
# before (the usual touch-up) has healed by then, and asking for its healing check would
# only block the touch-up for want of a record nobody could still make.
STANDALONE_LOOKBACK_DAYS = 90
# Between a stand-alone session and the one before it: a course's default minimum interval.
STANDALONE_MIN_INTERVAL_DAYS = Course._meta.get_field("min_interval_days").default


def previous_session(session: PigmentationSession) -> PigmentationSession | None:
    """The session the gate measures this one against, whatever its status (the gate
    refuses one not signed off): in a course, the course's latest session before this one;
    for a stand-alone session, or the first of a course, the client's latest session before
    it, if recent (above): a touch-up booked as a course of its own a week after another
    session goes into the same unhealed skin. Sessions that never took place (appointment
    cancelled or missed) or that did not go ahead do not count."""
    start = session.appointment.start
    earlier = (
        PigmentationSession.objects.filter(appointment__start__lt=start)
        .exclude(appointment__status__in=(Appointment.Status.CANCELLED, Appointment.Status.NO_SHOW))
        .exclude(status=PigmentationSession.Status.ABANDONED)
        .select_related("appointment__location")
        .order_by("-appointment__start")
    )
    if session.course_id is not None:
        in_course = earlier.filter(course_id=session.course_id).first()
        if in_course is not None:
            return in_course
    return earlier.filter(
        client_id=session.client_id,
        appointment__start__gte=start - timedelta(days=STANDALONE_LOOKBACK_DAYS),
    ).first()


def _session_name(session: PigmentationSession) -> str:
    """ "session 1 of the course (Tue 3 Mar)" or "the session of Tue 3 Mar"."""
    day = f"{_local_day(session):%a} {_local_day(session).day} {_local_day(session):%b}"
    position = session.appointment.course_position
    if session.course_id is not None and position:
        return f"session {position} of the course ({day})"
    return f"the session of {day}"


def _sentence(parts: list[str]) -> str:
    if not parts:
        return ""
    text = " and ".join(parts)
    return f"{text[:1].upper()}{text[1:]}."


def _unfinished(previous: PigmentationSession) -> str:
    """Why an earlier session that is not signed off holds this one up, with only the ways
    out that its state allows (an appointment in progress can be neither cancelled nor
    marked a no-show; a checked-in one cannot be a no-show; none before its time)."""
    name = _session_name(previous)
    name = f"{name[:1].upper()}{name[1:]}"
    if previous.status == PigmentationSession.Status.IN_PROGRESS:
        return (
            f"{name} is not signed off: sign it off, or close it on its page as a session "
            "that did not go ahead."
        )
    appointment = previous.appointment
    if appointment.start > timezone.now():
        return f"{name} has not taken place yet: it is signed off before this one can start."
    if appointment.status == Appointment.Status.CHECKED_IN:
        ways_out = "cancel its appointment if it did not take place"
    else:
        ways_out = "mark its appointment cancelled or a no-show if it did not take place"
    return f"{name} has not started: start it and sign it off, or {ways_out}."


def session_gate(*, session: PigmentationSession, on: date | None = None) -> list[GateCheck]:
    """The pre-session safety gate: every check with a reason a person can act on."""
    from clients.consent.selectors import client_has_valid_consent

    client = session.client
    on = on or session_today(session)
    checks = []
    consent_ok = client_has_valid_consent(client=client, kind="treatment")
    checks.append(
        GateCheck(
            "consent",
            "Signed treatment consent",
            consent_ok,
            ""
            if consent_ok
            else "The client has not signed the treatment consent (or withdrew it).",
            remedy="sign_consent",
        )
    )
    intake = client_latest_intake(client=client)
    if intake is None:
        checks.append(
            GateCheck(
                "intake",
                "Medical intake, recent and reviewed",
                False,
                "There is no medical intake on record.",
                remedy="new_intake",
            )
        )
        # Flags come from an intake: with none, "cleared" would claim what nobody checked.
        checks.append(
            GateCheck(
                "flags",
                "Blocking medical flags cleared",
                False,
                "Not checked yet: the flags come from the medical intake.",
                pending=True,
            )
        )
    else:
        age = (on - local_date(intake.submitted_at, session.appointment.location.tz)).days
        problems = []
        if age > settings.SESSION_INTAKE_MAX_AGE_DAYS:
            problems.append(
                f"the intake is {age} days old "
                f"(renew it after {settings.SESSION_INTAKE_MAX_AGE_DAYS})"
            )
        if intake.reviewed_at is None:
            problems.append("no practitioner has reviewed it yet")
        checks.append(
            GateCheck(
                "intake",
                "Medical intake, recent and reviewed",
                not problems,
                _sentence(problems),
                # An old intake is renewed, not reviewed: the answers may have changed.
                remedy="new_intake"
                if age > settings.SESSION_INTAKE_MAX_AGE_DAYS
                else "review_intake",
                about=intake.public_id,
            )
        )
        block = client_session_block_reason(client=client, on=on)
        checks.append(
            GateCheck(
                "flags",
                "Blocking medical flags cleared",
                block is None,
                block or "",
                remedy="clear_flags",
                about=intake.public_id,
            )
        )
    previous = previous_session(session)
    if previous is not None and not previous.is_locked:
        # Its healing and the interval cannot be judged before it is on the record.
        checks.append(
            GateCheck(
                "previous",
                "Previous session signed off",
                False,
                _unfinished(previous),
                remedy="previous_session",
                about=previous.public_id,
            )
        )
    elif previous is not None:
        healed = previous.healing_checks.exists()
        checks.append(
            GateCheck(
                "healing",
                "Healing check of the previous session",
                healed,
                "" if healed else "Record the healing check of the previous session first.",
                remedy="healing_check",
                about=previous.public_id,
            )
        )
        gap = (on - _local_day(previous)).days
        if session.course_id is not None and previous.course_id == session.course_id:
            minimum, asks = session.course.min_interval_days, "the plan asks for"
        else:
            minimum, asks = STANDALONE_MIN_INTERVAL_DAYS, "leave at least"
        checks.append(
            GateCheck(
                "interval",
                f"At least {minimum} days since the previous session",
                gap >= minimum,
                ""
                if gap >= minimum
                else f"Only {gap} days since the previous session; {asks} {minimum}.",
            )
        )
    return checks


def _start(session: PigmentationSession, by: User) -> PigmentationSession:
    session.status = PigmentationSession.Status.IN_PROGRESS
    session.started_at = timezone.now()
    session.save()
    _move_appointment_to(session.appointment, Appointment.Status.IN_PROGRESS, by)
    return session


def _not_started_with_failures(
    session: PigmentationSession,
) -> tuple[PigmentationSession, list[GateCheck]]:
    """The session, locked (a double tap on Start waits, then finds it started), and the
    gate's failed checks."""
    session = (
        PigmentationSession.objects.select_for_update(of=("self",))
        .select_related("client", "course", "appointment__location")
        .get(pk=session.pk)
    )
    if session.status != PigmentationSession.Status.NOT_STARTED:
        raise ValidationError("This session has already started.")
    return session, [c for c in session_gate(session=session) if not c.ok]


@transaction.atomic
def session_start(*, session: PigmentationSession, by: User) -> PigmentationSession:
    _require_clinician(by)
    session, failures = _not_started_with_failures(session)
    if failures:
        # A check not judged yet (pending) waits on a failure that already says why.
        raise ValidationError([c.reason for c in failures if not c.pending])
    session.gate_passed_at = timezone.now()
    session.gate_failures = []
    return _start(session, by)


@transaction.atomic
def session_override_gate(
    *, session: PigmentationSession, by: User, reason: str
) -> PigmentationSession:
    """A manager starts a session whose gate failed, with a written reason kept on record."""
    if by.role != Role.MANAGER:
        raise ValidationError("Only a manager can override the safety gate.")
    reason = reason.strip()
    if len(reason) < 10:
        raise ValidationError(
            {"reason": "Write why the session may go ahead despite the failed checks."}
        )
    session, failures = _not_started_with_failures(session)
    if not failures:
        raise ValidationError("Every check passes: start the session normally.")
    session.gate_failures = [{"key": c.key, "reason": c.reason} for c in failures]
    session.gate_override_by = by
    session.gate_override_reason = reason
    return _start(session, by)
