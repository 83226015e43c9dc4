"""A client's data as a ZIP: everything on record about them as JSON, their photos, signed
consents (PDF and signature), design composites, GP letters and the emails sent to them.

Written to a temporary file (in memory while small, on disk once past a few megabytes)
and streamed from there, so years of full-size photos never sit in the worker's memory.
"""

import json
import shutil
import tempfile
import zipfile
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from django.db.models import Model
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from aftercare.models import OutboundMessage
from clients.consent.pdf import signed_consent_pdf
from clients.models import Client, FlagClearance, MedicalIntake, Photo, SignedConsent
from consultations.models import Consultation, DesignPlan, TreatmentPlan
from scheduling.models import Appointment, Course
from sessions_app.models import (
    HealingCheck,
    LayeringPass,
    PigmentationSession,
    SessionAmendment,
    SessionPhoto,
)

SKIPPED_FIELDS = {"id", "search_text", "claim_token", "claimed_at"}

CHUNK = 1024 * 1024
SPOOL_IN_MEMORY = 8 * 1024 * 1024


def _value(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or None
    if hasattr(value, "as_e164"):
        return value.as_e164
    return value


def _row(instance: Model) -> dict:
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in SKIPPED_FIELDS:
            continue
        if field.is_relation:
            related = getattr(instance, field.name)
            data[field.name] = (
                str(getattr(related, "public_id", related)) if related is not None else None
            )
        else:
            data[field.name] = _value(getattr(instance, field.attname))
    return data


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1] if "." in name else "bin"


def _add_file(archive: zipfile.ZipFile, field: FieldFile, arcname: str) -> str | None:
    if not field:
        return None
    try:
        with field.storage.open(field.name, "rb") as source, archive.open(arcname, "w") as target:
            shutil.copyfileobj(source, target, CHUNK)
    except FileNotFoundError:
        return None
    return arcname


def client_export_zip(*, client: Client):
    """The archive as an open binary file at position 0; the caller streams and closes it."""
    # Returned open: the FileResponse that streams it closes it.
    buffer = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
    try:
        _write_archive(buffer, client)
    except BaseException:
        buffer.close()
        raise
    buffer.seek(0)
    return buffer


def _write_archive(buffer, client: Client) -> None:
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        record: dict = {"exported_at": timezone.now().isoformat(), "client": _row(client)}

        record["medical_intakes"] = []
        for intake in (
            MedicalIntake.objects.filter(client=client)
            .prefetch_related("flags")
            .order_by("submitted_at")
        ):
            entry = _row(intake)
            entry["flags"] = [_row(flag) for flag in intake.flags.all()]
            record["medical_intakes"].append(entry)
        record["flag_clearances"] = []
        for clearance in FlagClearance.objects.filter(flag__intake__client=client).select_related(
            "flag"
        ):
            entry = _row(clearance)
            entry["document_file"] = (
                _add_file(
                    archive,
                    clearance.document,
                    f"gp-letters/{clearance.public_id}.{_extension(clearance.document.name)}",
                )
                if clearance.document
                else None
            )
            record["flag_clearances"].append(entry)

        record["consents"] = []
        for consent in SignedConsent.objects.filter(client=client).select_related(
            "version__template", "witness"
        ):
            entry = _row(consent)
            entry["text"] = consent.version.body
            entry["signature_file"] = _add_file(
                archive, consent.signature, f"consents/{consent.public_id}-signature.png"
            )
            archive.writestr(f"consents/{consent.public_id}.pdf", signed_consent_pdf(consent))
            entry["pdf_file"] = f"consents/{consent.public_id}.pdf"
            record["consents"].append(entry)

        record["photos"] = []
        for photo in Photo.objects.filter(client=client).order_by("taken_at"):
            entry = _row(photo)
            entry["file"] = _add_file(archive, photo.image, f"photos/{photo.public_id}.jpg")
            record["photos"].append(entry)

        record["appointments"] = [
            _row(a) for a in Appointment.objects.filter(client=client).order_by("start")
        ]
        record["courses"] = [_row(c) for c in Course.objects.filter(client=client)]

        record["consultations"] = []
        for consultation in Consultation.objects.filter(client=client).order_by("started_at"):
            entry = _row(consultation)
            plan = (
                TreatmentPlan.objects.filter(consultation=consultation)
                .prefetch_related("session_goals")
                .first()
            )
            if plan is not None:
                entry["treatment_plan"] = _row(plan)
                entry["treatment_plan"]["session_goals"] = [
                    _row(g) for g in plan.session_goals.all()
                ]
            entry["designs"] = []
            for design in DesignPlan.objects.filter(consultation=consultation).order_by("version"):
                design_entry = _row(design)
                design_entry["composite_file"] = _add_file(
                    archive,
                    design.composite,
                    f"designs/{consultation.public_id}-v{design.version}.jpg",
                )
                entry["designs"].append(design_entry)
            record["consultations"].append(entry)

        record["sessions"] = []
        for session in PigmentationSession.objects.filter(client=client).select_related(
            "appointment"
        ):
            entry = _row(session)
            entry["passes"] = []
            for layering_pass in LayeringPass.objects.filter(session=session).select_related(
                "pigment_lot__product", "needle"
            ):
                pass_entry = _row(layering_pass)
                lot = layering_pass.pigment_lot
                pass_entry["pigment"] = f"{lot.product} lot {lot.lot_number}"
                pass_entry["needle_detail"] = str(layering_pass.needle)
                entry["passes"].append(pass_entry)
            entry["amendments"] = [
                _row(a) for a in SessionAmendment.objects.filter(session=session)
            ]
            entry["healing_checks"] = [
                _row(h) for h in HealingCheck.objects.filter(session=session)
            ]
            entry["photos"] = [_row(link) for link in SessionPhoto.objects.filter(session=session)]
            record["sessions"].append(entry)

        record["messages"] = []
        for message in OutboundMessage.objects.filter(client=client).order_by("due_at"):
            entry = _row(message)
            if message.body_text:
                entry["email_file"] = f"messages/{message.public_id}.txt"
                archive.writestr(
                    entry["email_file"], f"Subject: {message.subject}\n\n{message.body_text}"
                )
            record["messages"].append(entry)

        archive.writestr(
            "client.json", json.dumps(record, indent=2, ensure_ascii=False, default=str)
        )
        archive.writestr(
            "README.txt",
            "Everything the clinic holds about this client, exported on request.\n"
            "client.json lists the records; the folders hold the files it names.\n",
        )
