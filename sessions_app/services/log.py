"""Writes on the session log: opening it, passes (stock moves with them, in the same
transaction), notes, sign-off, healing checks and photos."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from accounts.models import User
from accounts.roles import CLINICAL
from consultations.models.choices import Density
from scheduling.models import Appointment
from scheduling.services import appointment_end_not_gone_ahead, appointment_set_status
from sessions_app import inventory
from sessions_app.models import (
    HealingCheck,
    LayeringPass,
    PassFormToken,
    PigmentationSession,
    PigmentLot,
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


FORM_ALREADY_USED = "form_already_used"
NOT_GONE_AHEAD = "This session did not go ahead and is closed; nothing more is logged on it."


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


def _in_progress(session: PigmentationSession) -> PigmentationSession:
    session = (
        PigmentationSession.objects.select_for_update(of=("self",))
        .select_related("appointment__location")
        .get(pk=session.pk)
    )
    if session.is_locked:
        raise ValidationError("This session is signed off; record a correction as an amendment.")
    if session.did_not_go_ahead:
        raise ValidationError(NOT_GONE_AHEAD)
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


def _used_elsewhere() -> ValidationError:
    return ValidationError(
        "This form was already used in another session's log; nothing was logged here. "
        "Check the passes, and log the pass again if it is needed.",
        code=FORM_ALREADY_USED,
    )


def _form_used(used: PassFormToken, session: PigmentationSession) -> LayeringPass:
    """What a pass form sent again gets: the pass it logged, or why nothing is logged now."""
    if used.session_id != session.pk:
        raise _used_elsewhere()
    if used.layering_pass_id is None:
        raise ValidationError(
            "This form was already used for a pass that was removed since; nothing new was "
            "logged. Log the pass again if it is still needed.",
            code=FORM_ALREADY_USED,
        )
    return used.layering_pass


@transaction.atomic
def pass_add(*, session: PigmentationSession, by: User, data: dict) -> LayeringPass:
    _require_clinician(by)
    session = _in_progress(session)
    token = data.get("form_token")
    if token is not None:
        # The session row is locked: a second copy of the form waits here, then finds the
        # pass the first one logged (or that it was removed since).
        used = PassFormToken.objects.select_related("layering_pass").filter(token=token).first()
        if used is not None:
            return _form_used(used, session)
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
        lot=lot, ml=data["pigment_ml"], needle=data["needle"] if new_cartridge else None, on=day
    )
    number = (session.passes.aggregate(top=Max("number"))["top"] or 0) + 1
    layering_pass = LayeringPass.objects.create(
        session=session,
        number=number,
        created_by=by,
        **{
            name: (data[name].strip() if isinstance(data.get(name), str) else data.get(name))
            for name in PASS_FIELDS
            if name in data
        },
    )
    if token is not None:
        try:
            with transaction.atomic():
                PassFormToken.objects.create(
                    token=token, session=session, layering_pass=layering_pass
                )
        except IntegrityError:
            # The same form sent to another session's log at the same moment, whose lock is
            # not this one: it took the token first. Raising undoes this pass and its stock.
            raise _used_elsewhere() from None
    return layering_pass


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
    if session.did_not_go_ahead:
        raise ValidationError(NOT_GONE_AHEAD)
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


@transaction.atomic
def session_abandon(*, session: PigmentationSession, by: User, reason: str) -> PigmentationSession:
    """Close a started session that did not go ahead (the client felt faint, a reaction
    before the first pass): the log is kept, closed with who, when and why, and its
    appointment ends cancelled with the reason, so the course's next session no longer waits
    for it and no aftercare follows. Only before any pass: once pigment went in, the session
    is signed off with what was done, so the record of every lot used stands (and no stock
    is ever to be given back here)."""
    _require_clinician(by)
    reason = " ".join(reason.split())
    if len(reason) < 5:
        raise ValidationError({"reason": "Say why the session did not go ahead."})
    session = (
        PigmentationSession.objects.select_for_update(of=("self",))
        .select_related("appointment")
        .get(pk=session.pk)
    )
    if session.did_not_go_ahead:
        raise ValidationError("This session is already closed: it did not go ahead.")
    if session.is_locked:
        raise ValidationError("This session is signed off; record a correction as an amendment.")
    if session.status == PigmentationSession.Status.NOT_STARTED:
        raise ValidationError(
            "This session has not started: cancel its appointment, or mark it a no-show, "
            "if it does not take place."
        )
    passes = session.passes.count()
    if passes:
        raise ValidationError(
            f"{passes} pass{'es are' if passes > 1 else ' is'} logged: sign the session off "
            "with what was done (or remove a pass logged by mistake first)."
        )
    session.status = PigmentationSession.Status.ABANDONED
    session.abandoned_at = timezone.now()
    session.abandoned_by = by
    session.abandon_reason = reason
    session.save()
    appointment_end_not_gone_ahead(
        appointment=session.appointment, by=by, reason=f"Session did not go ahead: {reason}"
    )
    return session


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
    from clients.photos.services import photo_upload_each
    from sessions_app.models import SessionPhoto

    _require_clinician(by)
    if stage not in dict(SessionPhoto.STAFF_STAGES):
        raise ValidationError({"stage": "Choose before or after."})
    return photo_upload_each(
        client=session.client,
        by=by,
        files=files,
        angle=angle,
        kind=stage,
        link=lambda photo: SessionPhoto.objects.create(session=session, photo=photo, stage=stage),
    )
