"""Writes of the medical intake: submissions, reviews and flag clearances.

A submission is validated against its questionnaire and stored with its flags in one
transaction, so an intake never exists without the flags its answers raise. Clearances are
clinical decisions: only practitioners and managers record them, once per flag.
"""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import CLINICAL
from clients.intake import selectors
from clients.intake.documents import DOCUMENT_REQUIRED, document_check
from clients.intake.questionnaire import Questionnaire
from clients.intake.versions import questionnaire_current
from clients.models import Client, FlagClearance, IntakeFlag, MedicalIntake

NOTE_REQUIRED = "Say why the flag can be cleared (for example what the GP letter confirms)."


def _require_clinical(by: User, action: str) -> None:
    if by is None or by.role not in CLINICAL:
        raise PermissionDenied(f"Only a practitioner or a manager can {action}.")


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%-d %b %Y at %H:%M}"


def _already_cleared(clearance: FlagClearance) -> ValidationError:
    by = clearance.cleared_by.full_name if clearance.cleared_by_id else "a practitioner"
    return ValidationError(
        f"This flag was already cleared by {by} on {_when(clearance.cleared_at)}; "
        "a flag is cleared only once."
    )


@transaction.atomic
def intake_submit(
    *,
    client: Client,
    by: User | None,
    answers: Mapping[str, Mapping[str, Any]],
    filled_by_client: bool,
    notes: str = "",
    questionnaire: Questionnaire | None = None,
) -> MedicalIntake:
    """Store a new submission on the current questionnaire, with the flags it raises.

    ``answers`` are keyed by question code: ``{"answer": "yes"|"no"|bool, "detail": str,
    "date": date}`` for yes/no questions, ``{"text": str}`` for free text. Invalid answers
    raise a ValidationError keyed by the intake form's field names.
    """
    if client.is_archived:
        raise ValidationError("This client is archived: restore them before a new intake.")
    questionnaire = questionnaire or questionnaire_current()
    today = timezone.localdate()
    cleaned, errors = questionnaire.validate(answers, today=today)
    if errors:
        raise ValidationError(errors)
    intake = MedicalIntake.objects.create(
        client=client,
        questionnaire_version=questionnaire.version,
        answers=cleaned,
        submitted_by=by,
        filled_by_client=filled_by_client,
        notes=(notes or "").strip(),
    )
    # One save per flag (a handful at most), so the audit trail records each flag raised.
    for spec in questionnaire.flags(cleaned, today=today):
        IntakeFlag.objects.create(
            intake=intake,
            code=spec.code,
            severity=spec.severity,
            blocks_sessions=spec.blocks_sessions,
            requires_document=spec.requires_document,
            label=spec.label,
            detail=spec.detail,
            active_until=spec.active_until,
            order=spec.order,
        )
    return intake


def intake_mark_reviewed(*, intake: MedicalIntake, by: User) -> MedicalIntake:
    """Record that a practitioner has read the intake (the pre-session gate needs it)."""
    _require_clinical(by, "mark an intake as reviewed")
    now = timezone.now()
    with transaction.atomic():
        # Locked: two practitioners pressing at once leave one reviewer. Saved (not a
        # queryset update) so that the audit trail records who reviewed it.
        current = (
            MedicalIntake.objects.select_for_update(of=("self",))
            .select_related("reviewed_by")
            .get(pk=intake.pk)
        )
        if current.reviewed_at is not None:
            reviewer = current.reviewed_by.full_name if current.reviewed_by else "a practitioner"
            raise ValidationError(
                f"This intake was already reviewed by {reviewer} on {_when(current.reviewed_at)}."
            )
        current.reviewed_at, current.reviewed_by = now, by
        current.save(update_fields=["reviewed_at", "reviewed_by"])
    intake.reviewed_at, intake.reviewed_by = now, by
    return intake


def _lock_open_flag(flag: IntakeFlag) -> IntakeFlag:
    """The flag, locked, if it may be cleared now; ValidationError otherwise."""
    locked = (
        IntakeFlag.objects.select_for_update(of=("self",))
        .select_related("intake__client")
        .get(pk=flag.pk)
    )
    existing = FlagClearance.objects.select_related("cleared_by").filter(flag=locked).first()
    if existing is not None:
        raise _already_cleared(existing)
    if not selectors.intake_is_latest(locked.intake):
        raise ValidationError(
            "A newer intake has replaced the one this flag belongs to: clear the flags of the "
            "latest intake instead."
        )
    return locked


def _save_new_clearance(clearance: FlagClearance) -> FlagClearance:
    try:
        with transaction.atomic():
            clearance.save()
    except IntegrityError:
        # Another practitioner's clearance won the race (the flag is one-to-one).
        existing = FlagClearance.objects.select_related("cleared_by").get(flag=clearance.flag)
        raise _already_cleared(existing) from None
    return clearance


def flag_clear(
    *, flag: IntakeFlag, by: User, note: str, document: File | None = None
) -> FlagClearance:
    """Record a practitioner's clearance, with the GP letter when the flag needs one.

    The document is checked by content (PDF, JPEG or PNG, at most 10 MB) and stored under
    a random name on the private default storage.
    """
    _require_clinical(by, "clear a medical flag")
    note = (note or "").strip()
    errors: dict[str, list[str]] = {}
    if not note:
        errors["note"] = [NOTE_REQUIRED]
    checked = None
    if document:
        try:
            checked = document_check(document)
        except ValidationError as error:
            errors["document"] = error.messages
    elif flag.requires_document:
        errors["document"] = [DOCUMENT_REQUIRED]

    with transaction.atomic():
        flag = _lock_open_flag(flag)
        if errors:
            raise ValidationError(errors)
        clearance = FlagClearance(flag=flag, cleared_by=by, note=note)
        if checked is not None:
            clearance.document.save(f"document{checked.extension}", document, save=False)
            clearance.document_name = checked.display_name
        try:
            return _save_new_clearance(clearance)
        except ValidationError:
            if clearance.document:
                clearance.document.storage.delete(clearance.document.name)
            raise


def flag_clear_carry_forward(*, flag: IntakeFlag, by: User) -> FlagClearance:
    """Clear a flag with the clearance of the same flag on the previous intake, keeping the
    link (and the GP letter) to that earlier decision."""
    _require_clinical(by, "clear a medical flag")
    with transaction.atomic():
        flag = _lock_open_flag(flag)
        previous = selectors.intake_previous_cleared_flags(intake=flag.intake).get(flag.code)
        refusal = selectors.carry_forward_refusal(flag, previous)
        if refusal is not None:
            raise ValidationError(refusal)
        earlier = selectors.flag_clearance(previous)
        return _save_new_clearance(
            FlagClearance(
                flag=flag,
                cleared_by=by,
                note=earlier.note,
                document=earlier.document.name,
                document_name=earlier.document_name,
                carried_from=earlier,
            )
        )
