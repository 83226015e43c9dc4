"""Writes on the session log: opening it, the safety gate, passes, notes, sign-off,
amendments and healing checks. Stock moves with the passes, in the same transaction."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from accounts.models import User
from accounts.roles import CLINICAL, Role
from clients.intake.selectors import client_latest_intake, client_session_block_reason
from consultations.models.choices import Density
from scheduling.models import Appointment, Course
from scheduling.services import appointment_set_status
from sessions_app import inventory
from sessions_app.models import (
    HealingCheck,
    LayeringPass,
    PigmentationSession,
    PigmentLot,
    SessionAmendment,
)
from sessions_app.zones import ZONE_CODES
from smp_clinic.lib.tz import local_date

ML_STEP = Decimal("0.01")
PASS_FIELDS = (
    "zones",
    "needle",
    "pigment_lot",
    "dilution",
    "machine",
    "machine_settings",
    "depth",
    "density",
    "shade",
    "duration_minutes",
    "pigment_ml",
    "notes",
)
NOTE_FIELDS = (
    "numbing",
    "pain",
    "skin_reaction",
    "bleeding",
    "client_comfort",
    "next_session_advice",
    "notes",
)
AMENDABLE_PASS_FIELDS = (
    "dilution",
    "depth",
    "shade",
    "density",
    "machine_settings",
    "duration_minutes",
    "notes",
    "pigment_lot",
    "pigment_ml",
)
AMENDABLE_SESSION_FIELDS = (
    "numbing",
    "pain",
    "skin_reaction",
    "bleeding",
    "client_comfort",
    "next_session_advice",
    "notes",
)


@dataclass(frozen=True)
class GateCheck:
    key: str
    label: str
    ok: bool
    reason: str = ""


def _require_clinician(user: User) -> None:
    if user.role not in CLINICAL:
        raise ValidationError("Only practitioners and managers keep the session log.")


def _local_day(session: PigmentationSession) -> date:
    appointment = session.appointment
    return timezone.localtime(appointment.start, appointment.location.tz).date()


def session_today(session: PigmentationSession) -> date:
    """Today where the session happens: the clinic's calendar day, not the server's."""
    return local_date(timezone.now(), session.appointment.location.tz)


@transaction.atomic
def session_open(*, appointment: Appointment, by: User) -> PigmentationSession:
    """The session log of a pigmentation-session or touch-up appointment (one per appointment)."""
    _require_clinician(by)
    # Locked, so a double tap waits and then finds the log the first one opened.
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("appointment_type", "client", "course")
        .get(pk=appointment.pk)
    )
    existing = PigmentationSession.objects.filter(appointment=appointment).first()
    if existing is not None:
        return existing
    if not appointment.appointment_type.is_pigmentation:
        raise ValidationError("Only pigmentation sessions and touch-ups have a session log.")
    if appointment.status in (Appointment.Status.CANCELLED, Appointment.Status.NO_SHOW):
        raise ValidationError(f"The appointment is {appointment.get_status_display().lower()}.")
    return PigmentationSession.objects.create(
        appointment=appointment,
        client=appointment.client,
        course=appointment.course,
        practitioner=appointment.practitioner,
    )


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
    for a stand-alone session, the client's latest session before it, if recent (above).
    Sessions whose appointment was cancelled or missed never took place and do not count."""
    start = session.appointment.start
    earlier = PigmentationSession.objects.filter(appointment__start__lt=start).exclude(
        appointment__status__in=(Appointment.Status.CANCELLED, Appointment.Status.NO_SHOW)
    )
    if session.course_id is not None:
        earlier = earlier.filter(course_id=session.course_id)
    else:
        earlier = earlier.filter(
            client_id=session.client_id,
            appointment__start__gte=start - timedelta(days=STANDALONE_LOOKBACK_DAYS),
        )
    return earlier.select_related("appointment__location").order_by("-appointment__start").first()


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
            )
        )
    block = client_session_block_reason(client=client, on=on)
    checks.append(GateCheck("flags", "Blocking medical flags cleared", block is None, block or ""))
    previous = previous_session(session)
    if previous is not None and not previous.is_locked:
        # Its healing and the interval cannot be judged before it is on the record.
        name = _session_name(previous)
        checks.append(
            GateCheck(
                "previous",
                "Previous session signed off",
                False,
                f"{name[:1].upper()}{name[1:]} is not signed off: sign it off first, or mark "
                "its appointment cancelled or a no-show if it did not take place.",
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
            )
        )
        gap = (on - _local_day(previous)).days
        if session.course_id is not None:
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


def _move_appointment_to(appointment: Appointment, target: str, by: User) -> None:
    paths = {
        Appointment.Status.IN_PROGRESS: {
            Appointment.Status.BOOKED: ["checked_in", "in_progress"],
            Appointment.Status.CONFIRMED: ["checked_in", "in_progress"],
            Appointment.Status.CHECKED_IN: ["in_progress"],
        },
        Appointment.Status.COMPLETED: {
            Appointment.Status.BOOKED: ["checked_in", "in_progress", "completed"],
            Appointment.Status.CONFIRMED: ["checked_in", "in_progress", "completed"],
            Appointment.Status.CHECKED_IN: ["in_progress", "completed"],
            Appointment.Status.IN_PROGRESS: ["completed"],
        },
    }
    appointment = Appointment.objects.get(pk=appointment.pk)
    if appointment.status == target or (
        appointment.status == Appointment.Status.COMPLETED
        and target == Appointment.Status.IN_PROGRESS
    ):
        return
    path = paths[target].get(appointment.status)
    if path is None:
        raise ValidationError(
            f"The appointment is {appointment.get_status_display().lower()}; "
            "a session cannot go ahead on it."
        )
    for status in path:
        appointment = appointment_set_status(appointment=appointment, by=by, status=status)


def _start(session: PigmentationSession, by: User) -> PigmentationSession:
    session.status = PigmentationSession.Status.IN_PROGRESS
    session.started_at = timezone.now()
    session.save()
    _move_appointment_to(session.appointment, Appointment.Status.IN_PROGRESS, by)
    return session


@transaction.atomic
def session_start(*, session: PigmentationSession, by: User) -> PigmentationSession:
    _require_clinician(by)
    session = (
        PigmentationSession.objects.select_for_update(of=("self",))
        .select_related("client", "course", "appointment__location")
        .get(pk=session.pk)
    )
    if session.status != PigmentationSession.Status.NOT_STARTED:
        raise ValidationError("This session has already started.")
    failures = [c for c in session_gate(session=session) if not c.ok]
    if failures:
        raise ValidationError([c.reason for c in failures])
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
    session = (
        PigmentationSession.objects.select_for_update(of=("self",))
        .select_related("client", "course", "appointment__location")
        .get(pk=session.pk)
    )
    if session.status != PigmentationSession.Status.NOT_STARTED:
        raise ValidationError("This session has already started.")
    failures = [c for c in session_gate(session=session) if not c.ok]
    if not failures:
        raise ValidationError("Every check passes: start the session normally.")
    session.gate_failures = [{"key": c.key, "reason": c.reason} for c in failures]
    session.gate_override_by = by
    session.gate_override_reason = reason
    return _start(session, by)


def _in_progress(session: PigmentationSession) -> PigmentationSession:
    session = (
        PigmentationSession.objects.select_for_update(of=("self",))
        .select_related("appointment__location")
        .get(pk=session.pk)
    )
    if session.is_locked:
        raise ValidationError("This session is signed off; record a correction as an amendment.")
    if session.status != PigmentationSession.Status.IN_PROGRESS:
        raise ValidationError("Start the session (pass the safety gate) before logging passes.")
    return session


def _validate_pass(data: dict) -> None:
    zones = data.get("zones") or []
    if not zones:
        raise ValidationError({"zones": "Choose at least one zone."})
    unknown = [z for z in zones if z not in ZONE_CODES]
    if unknown:
        raise ValidationError({"zones": f"Unknown zone: {', '.join(unknown)}."})
    for name in ("dilution", "depth", "shade"):
        if not str(data.get(name, "")).strip():
            raise ValidationError({name: "Record what was used."})
    if data.get("density") not in Density.values:
        raise ValidationError({"density": "Choose the density."})
    minutes = data.get("duration_minutes")
    if minutes is None or not 1 <= minutes <= 300:
        raise ValidationError({"duration_minutes": "Between 1 and 300 minutes."})
    ml = data.get("pigment_ml")
    if ml is None or not Decimal("0") <= ml <= Decimal("10"):
        raise ValidationError({"pigment_ml": "Between 0 and 10 ml."})
    if ml != ml.quantize(ML_STEP):
        raise ValidationError({"pigment_ml": "Give the volume in hundredths of a ml (e.g. 0.25)."})


def _needle_new_in_session(
    session: PigmentationSession, needle, exclude: LayeringPass | None = None
) -> bool:
    used = session.passes.filter(needle=needle)
    if exclude is not None:
        used = used.exclude(pk=exclude.pk)
    return not used.exists()


@transaction.atomic
def pass_add(*, session: PigmentationSession, by: User, data: dict) -> LayeringPass:
    _require_clinician(by)
    session = _in_progress(session)
    token = data.get("form_token")
    if token is not None:
        # The session row is locked: a second copy of the form waits here, then finds the
        # pass the first one logged.
        logged = LayeringPass.objects.filter(form_token=token).first()
        if logged is not None:
            if logged.session_id != session.pk:
                raise ValidationError("This form was already used; reload the page.")
            return logged
    _validate_pass(data)
    day = session_today(session)
    lot = (
        PigmentLot.objects.select_for_update(of=("self",))
        .select_related("product")
        .get(pk=data["pigment_lot"].pk)
    )
    inventory.check_lot_usable(lot, on=day, ml=data["pigment_ml"])
    new_cartridge = _needle_new_in_session(session, data["needle"])
    inventory.check_needle_usable(data["needle"], on=day, needs_new_cartridge=new_cartridge)
    inventory.consume(
        lot=lot, ml=data["pigment_ml"], needle=data["needle"] if new_cartridge else None
    )
    number = (session.passes.aggregate(top=Max("number"))["top"] or 0) + 1
    return LayeringPass.objects.create(
        session=session,
        number=number,
        created_by=by,
        form_token=token,
        **{
            name: (data[name].strip() if isinstance(data.get(name), str) else data.get(name))
            for name in PASS_FIELDS
            if name in data
        },
    )


@transaction.atomic
def pass_delete(*, layering_pass: LayeringPass, by: User) -> None:
    """Before sign-off a mistaken pass can go; its pigment and cartridge return to stock."""
    _require_clinician(by)
    session = _in_progress(layering_pass.session)
    layering_pass = LayeringPass.objects.select_for_update().filter(pk=layering_pass.pk).first()
    if layering_pass is None:  # a double tap on Remove: the first one took it away
        raise ValidationError("That pass was already removed.")
    inventory.stock_return(lot_id=layering_pass.pigment_lot_id, ml=layering_pass.pigment_ml)
    if _needle_new_in_session(session, layering_pass.needle, exclude=layering_pass):
        type(layering_pass.needle).objects.filter(pk=layering_pass.needle_id).update(
            quantity_remaining=F("quantity_remaining") + 1
        )
    layering_pass.delete()


@transaction.atomic
def session_save_notes(
    *, session: PigmentationSession, by: User, data: dict
) -> PigmentationSession:
    _require_clinician(by)
    session = PigmentationSession.objects.select_for_update(of=("self",)).get(pk=session.pk)
    if session.is_locked:
        raise ValidationError("This session is signed off; record a correction as an amendment.")
    for name in NOTE_FIELDS:
        if name in data:
            value = data[name]
            setattr(session, name, "" if value is None and name != "pain" else value)
    session.save()
    return session


@transaction.atomic
def session_sign_off(*, session: PigmentationSession, by: User) -> PigmentationSession:
    _require_clinician(by)
    session = _in_progress(session)
    problems = {}
    if not session.passes.exists():
        problems["__all__"] = "Log at least one pass before signing off."
    if session.pain is None:
        problems["pain"] = "Record the client's pain (0–10)."
    if not session.bleeding:
        problems["bleeding"] = "Record the bleeding."
    if not session.skin_reaction:
        problems["skin_reaction"] = "Record the skin reaction."
    if problems:
        raise ValidationError(problems)
    session.status = PigmentationSession.Status.SIGNED_OFF
    session.signed_off_at = timezone.now()
    session.signed_off_by = by
    session.save()
    # Completing the appointment is the one event the rest reacts to: it closes the course
    # when this was its last session (scheduling.services.course_mark_completed) and
    # schedules the aftercare ("appointment.status_changed", aftercare.services.rules).
    _move_appointment_to(session.appointment, Appointment.Status.COMPLETED, by)
    return session


def _effective(session: PigmentationSession, layering_pass: LayeringPass | None, field: str) -> str:
    latest = (
        SessionAmendment.objects.filter(session=session, layering_pass=layering_pass, field=field)
        .order_by("-at", "-pk")
        .first()
    )
    if latest is not None:
        return latest.new_value
    source = layering_pass if layering_pass is not None else session
    value = getattr(source, field)
    return str(value) if value is not None else ""


def _checked_value(model, field: str, new_value: str) -> str:
    """A corrected value must be one the signed record could have held (pain 0–10, a
    density among the choices, as the model field says); a choice may be given by its
    label. Returned as it is stored."""
    model_field = model._meta.get_field(field)
    value = new_value.strip()
    if model_field.choices:
        by_label = {str(label).lower(): key for key, label in model_field.choices}
        value = by_label.get(value.lower(), value)
    try:
        cleaned = model_field.clean(value, None)
    except ValidationError as error:
        raise ValidationError(
            {"new_value": f"Not a valid {field.replace('_', ' ')}: {' '.join(error.messages)}"}
        ) from None
    if isinstance(cleaned, Decimal):  # "0.5" is the "0.50" on record, not a correction
        cleaned = cleaned.quantize(Decimal(1).scaleb(-model_field.decimal_places))
    return str(cleaned)


def _current_lot_id(layering_pass: LayeringPass) -> int:
    """The lot the pass is on record with now: the latest lot correction's, else as logged."""
    corrected = (
        SessionAmendment.objects.filter(layering_pass=layering_pass, field="pigment_lot")
        .order_by("-at", "-pk")
        .values_list("corrected_lot_id", flat=True)
        .first()
    )
    return corrected or layering_pass.pigment_lot_id


def _move_corrected_stock(
    session: PigmentationSession,
    layering_pass: LayeringPass,
    *,
    field: str,
    corrected_lot: PigmentLot | None,
    old_value: str,
    new_value: str,
) -> None:
    """Stock follows a correction of a pass's lot or volume: the pigment comes off the lot
    really used and goes back to the one recorded by mistake (never above what it
    received), in the amendment's transaction, with both lots locked."""
    used_on = _local_day(session)
    current_id = _current_lot_id(layering_pass)
    if field == "pigment_lot":
        ml = Decimal(_effective(session, layering_pass, "pigment_ml"))
        lots = inventory.lots_locked(current_id, corrected_lot.pk)
        target = lots[corrected_lot.pk]
        inventory.check_lot_correctable(
            target, used_on=used_on, logged_at=layering_pass.created_at, ml=ml
        )
        inventory.stock_take(lot=target, ml=ml, opened_on=used_on, field="corrected_lot")
        inventory.stock_return(lot_id=current_id, ml=ml)
        return
    change = Decimal(new_value) - Decimal(old_value)
    lot = inventory.lots_locked(current_id)[current_id]
    if change > 0:
        if lot.volume_remaining_ml < change:
            raise inventory.short_stock(lot, field="new_value")
        inventory.stock_take(lot=lot, ml=change, opened_on=used_on, field="new_value")
    else:
        inventory.stock_return(lot_id=current_id, ml=-change)


@transaction.atomic
def session_amend(
    *,
    session: PigmentationSession,
    by: User,
    field: str,
    new_value: str,
    reason: str,
    layering_pass: LayeringPass | None = None,
    corrected_lot: PigmentLot | None = None,
) -> SessionAmendment:
    """A correction after sign-off, appended; the signed values stay as they were."""
    _require_clinician(by)
    # Locked: two corrections of one pass at once would both read the same lot and volume
    # on record, and move its stock twice.
    session = (
        PigmentationSession.objects.select_for_update(of=("self",))
        .select_related("appointment__location")
        .get(pk=session.pk)
    )
    if not session.is_locked:
        raise ValidationError("Before sign-off, edit the session directly.")
    reason = " ".join(reason.split())
    if len(reason) < 5:
        raise ValidationError({"reason": "Say why the record is corrected."})
    allowed = AMENDABLE_PASS_FIELDS if layering_pass is not None else AMENDABLE_SESSION_FIELDS
    if field not in allowed:
        raise ValidationError({"field": "That part of the record cannot be amended."})
    if layering_pass is not None and layering_pass.session_id != session.pk:
        raise ValidationError("That pass belongs to another session.")
    old_value = _effective(session, layering_pass, field)
    if field == "pigment_lot":
        if corrected_lot is None:
            raise ValidationError({"corrected_lot": "Choose the lot that was really used."})
        new_value = f"{corrected_lot.product} lot {corrected_lot.lot_number}"
    elif not new_value.strip():
        raise ValidationError({"new_value": "Give the corrected value."})
    else:
        new_value = _checked_value(
            LayeringPass if layering_pass is not None else PigmentationSession, field, new_value
        )
    if new_value.strip() == old_value.strip():
        raise ValidationError({"new_value": "That is already the recorded value."})
    if layering_pass is not None and field in ("pigment_lot", "pigment_ml"):
        _move_corrected_stock(
            session,
            layering_pass,
            field=field,
            corrected_lot=corrected_lot,
            old_value=old_value,
            new_value=new_value,
        )
    return SessionAmendment.objects.create(
        session=session,
        layering_pass=layering_pass,
        field=field,
        old_value=old_value,
        new_value=new_value.strip(),
        corrected_lot=corrected_lot if field == "pigment_lot" else None,
        reason=reason,
        by=by,
    )


@transaction.atomic
def healing_check_record(*, session: PigmentationSession, by: User, data: dict) -> HealingCheck:
    _require_clinician(by)
    session = PigmentationSession.objects.select_related("appointment__location").get(pk=session.pk)
    if not session.is_locked:
        raise ValidationError("A healing check follows a signed-off session.")
    checked_on = data.get("checked_on") or session_today(session)
    if checked_on < _local_day(session):
        raise ValidationError({"checked_on": "The check cannot be before the session."})
    if checked_on > session_today(session):
        raise ValidationError({"checked_on": "The check cannot be in the future."})
    return HealingCheck.objects.create(
        session=session,
        recorded_by=by,
        checked_on=checked_on,
        rating=data["rating"],
        healed_shade=data["healed_shade"],
        coverage=data["coverage"],
        notes=data.get("notes", "").strip(),
    )


@transaction.atomic
def session_photos_add(
    *, session: PigmentationSession, by: User, files: list, stage: str, angle: str
) -> tuple[list, list[str]]:
    """Before/after photos through the photo pipeline, linked to the session. A refused file
    is reported by name; the others are kept."""
    from clients.photos.services import photo_upload
    from sessions_app.models import SessionPhoto

    _require_clinician(by)
    if stage not in dict(SessionPhoto.STAFF_STAGES):
        raise ValidationError({"stage": "Choose before or after."})
    saved, refused = [], []
    for upload in files:
        try:
            with transaction.atomic():
                photo = photo_upload(
                    client=session.client, by=by, file=upload, angle=angle, kind=stage
                )
                SessionPhoto.objects.create(session=session, photo=photo, stage=stage)
        except ValidationError as error:
            refused.append(f"{upload.name}: {' '.join(error.messages)}")
        else:
            saved.append(photo)
    return saved, refused
