"""Corrections after sign-off, appended: the signed record stays as it was. A correction
of a pass's lot or pigment used moves the stock with it."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from sessions_app import inventory
from sessions_app.models import (
    LayeringPass,
    PigmentationSession,
    PigmentLot,
    SessionAmendment,
)
from sessions_app.services.log import NOTE_FIELDS, _local_day, _require_clinician

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
AMENDABLE_SESSION_FIELDS = NOTE_FIELDS  # every note of a signed session may be corrected


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


def pass_lot_id_on_record(layering_pass: LayeringPass) -> int:
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
    current_id = pass_lot_id_on_record(layering_pass)
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
        # The lots themselves, not their names: a product renamed since still names the
        # same lot, and two lots may come to read alike.
        unchanged = corrected_lot.pk == pass_lot_id_on_record(layering_pass)
    elif not new_value.strip():
        raise ValidationError({"new_value": "Give the corrected value."})
    else:
        new_value = _checked_value(
            LayeringPass if layering_pass is not None else PigmentationSession, field, new_value
        )
        unchanged = new_value.strip() == old_value.strip()
    if unchanged:
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
