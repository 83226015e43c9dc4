"""A client's data as a ZIP: everything on record about them as JSON, their photos, signed
consents (PDF and signature), design composites, GP letters and the emails sent to them.

Written to a temporary file (in memory while small, on disk once past a few megabytes)
and streamed from there, so years of full-size photos never sit in the worker's memory.
"""

import json
import shutil
import tempfile
import zipfile
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from django.db.models import Model
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from aftercare.models import OutboundMessage
from clients.consent.pdf import signed_consent_pdf
from clients.models import Client, FlagClearance, MedicalIntake, Photo, SignedConsent
from consultations.models import Consultation, ConsultationPhoto, DesignPlan, TreatmentPlan
from scheduling.models import Appointment, Course
from sessions_app.models import (
    HealingCheck,
    LayeringPass,
    PigmentationSession,
    SessionAmendment,
    SessionPhoto,
)

# Internal machinery, nothing about the person: row ids, the search index and the outbox's
# claim.
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


class _PublicIds:
    """The public id of every row the export's rows point at, read once per kind of row
    instead of once per foreign key of every row (a client with years of history has
    thousands). Rows the export loads anyway are known without asking."""

    def __init__(self) -> None:
        self._known: dict[type[Model], dict] = defaultdict(dict)

    def know(self, rows) -> None:
        for row in rows:
            if hasattr(row, "public_id"):
                self._known[type(row)._meta.concrete_model][row.pk] = str(row.public_id)

    def load_targets(self, rows) -> None:
        """Read, one query per kind, the public ids of what ``rows`` point at and are not
        known yet."""
        wanted: dict[type[Model], set] = defaultdict(set)
        for row in rows:
            for field in _relations(type(row)):
                target = field.remote_field.model._meta.concrete_model
                value = getattr(row, field.attname)
                if value is not None and value not in self._known[target]:
                    wanted[target].add(value)
        for target, pks in wanted.items():
            self._known[target].update(
                (pk, str(public_id))
                for pk, public_id in target._base_manager.filter(pk__in=pks).values_list(
                    "pk", "public_id"
                )
            )

    def of(self, instance: Model, field) -> str | None:
        value = getattr(instance, field.attname)
        if value is None:
            return None
        known = self._known[field.remote_field.model._meta.concrete_model].get(value)
        if known is not None:
            return known
        # Not read in bulk (a kind of row without a public id): as the row itself says.
        related = getattr(instance, field.name)
        return str(getattr(related, "public_id", related)) if related is not None else None


def _relations(model: type[Model]) -> list:
    return [
        field
        for field in model._meta.concrete_fields
        if field.is_relation
        and field.name not in SKIPPED_FIELDS
        and field.target_field.primary_key
        and any(f.name == "public_id" for f in field.remote_field.model._meta.concrete_fields)
    ]


def _row(instance: Model, ids: _PublicIds) -> dict:
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in SKIPPED_FIELDS:
            continue
        if field.is_relation:
            data[field.name] = ids.of(instance, field)
        else:
            data[field.name] = _value(getattr(instance, field.attname))
    return data


def _grouped(rows, key: str) -> dict:
    groups: dict = defaultdict(list)
    for row in rows:
        groups[getattr(row, key)].append(row)
    return groups


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
    # Each kind of record in one query (or two with its prefetch), whatever the history.
    intakes = list(
        MedicalIntake.objects.filter(client=client)
        .prefetch_related("flags")
        .order_by("submitted_at")
    )
    flags = [flag for intake in intakes for flag in intake.flags.all()]
    clearances = list(
        FlagClearance.objects.filter(flag__intake__client=client).select_related("flag")
    )
    consents = list(
        SignedConsent.objects.filter(client=client).select_related(
            "version__template", "witness", "withdrawn_by", "client__home_location"
        )
    )
    photos = list(Photo.objects.filter(client=client).order_by("taken_at"))
    appointments = list(Appointment.objects.filter(client=client).order_by("start"))
    courses = list(Course.objects.filter(client=client))
    consultations = list(Consultation.objects.filter(client=client).order_by("started_at"))
    plans = list(
        TreatmentPlan.objects.filter(consultation__client=client).prefetch_related("session_goals")
    )
    goals = [goal for plan in plans for goal in plan.session_goals.all()]
    designs = list(DesignPlan.objects.filter(consultation__client=client).order_by("version"))
    consultation_photos = list(
        ConsultationPhoto.objects.filter(consultation__client=client).order_by("pk")
    )
    sessions = list(PigmentationSession.objects.filter(client=client).select_related("appointment"))
    session_ids = [session.pk for session in sessions]
    passes = list(
        LayeringPass.objects.filter(session__in=session_ids).select_related(
            "pigment_lot__product", "needle"
        )
    )
    amendments = list(SessionAmendment.objects.filter(session__in=session_ids))
    healing_checks = list(HealingCheck.objects.filter(session__in=session_ids))
    session_photos = list(SessionPhoto.objects.filter(session__in=session_ids).order_by("pk"))
    messages = list(OutboundMessage.objects.filter(client=client).order_by("due_at"))

    everything = [
        [client],
        intakes,
        flags,
        clearances,
        consents,
        photos,
        appointments,
        courses,
        consultations,
        plans,
        goals,
        designs,
        consultation_photos,
        sessions,
        passes,
        amendments,
        healing_checks,
        session_photos,
        messages,
    ]
    ids = _PublicIds()
    for rows in everything:
        ids.know(rows)
    for rows in everything:
        ids.load_targets(rows)

    plan_of = {plan.consultation_id: plan for plan in plans}
    designs_of = _grouped(designs, "consultation_id")
    consultation_photos_of = _grouped(consultation_photos, "consultation_id")
    passes_of = _grouped(passes, "session_id")
    amendments_of = _grouped(amendments, "session_id")
    healing_checks_of = _grouped(healing_checks, "session_id")
    photos_of = _grouped(session_photos, "session_id")

    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        record: dict = {"exported_at": timezone.now().isoformat(), "client": _row(client, ids)}

        record["medical_intakes"] = []
        for intake in intakes:
            entry = _row(intake, ids)
            entry["flags"] = [_row(flag, ids) for flag in intake.flags.all()]
            record["medical_intakes"].append(entry)
        record["flag_clearances"] = []
        for clearance in clearances:
            entry = _row(clearance, ids)
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
        for consent in consents:
            entry = _row(consent, ids)
            entry["text"] = consent.version.body
            entry["signature_file"] = _add_file(
                archive, consent.signature, f"consents/{consent.public_id}-signature.png"
            )
            archive.writestr(f"consents/{consent.public_id}.pdf", signed_consent_pdf(consent))
            entry["pdf_file"] = f"consents/{consent.public_id}.pdf"
            record["consents"].append(entry)

        record["photos"] = []
        for photo in photos:
            entry = _row(photo, ids)
            entry["file"] = _add_file(archive, photo.image, f"photos/{photo.public_id}.jpg")
            record["photos"].append(entry)

        record["appointments"] = [_row(a, ids) for a in appointments]
        record["courses"] = [_row(c, ids) for c in courses]

        record["consultations"] = []
        for consultation in consultations:
            entry = _row(consultation, ids)
            plan = plan_of.get(consultation.pk)
            if plan is not None:
                entry["treatment_plan"] = _row(plan, ids)
                entry["treatment_plan"]["session_goals"] = [
                    _row(g, ids) for g in plan.session_goals.all()
                ]
            entry["designs"] = []
            for design in designs_of.get(consultation.pk, []):
                design_entry = _row(design, ids)
                design_entry["composite_file"] = _add_file(
                    archive,
                    design.composite,
                    f"designs/{consultation.public_id}-v{design.version}.jpg",
                )
                entry["designs"].append(design_entry)
            entry["photos"] = [
                _row(link, ids) for link in consultation_photos_of.get(consultation.pk, [])
            ]
            record["consultations"].append(entry)

        record["sessions"] = []
        for session in sessions:
            entry = _row(session, ids)
            entry["passes"] = []
            for layering_pass in passes_of.get(session.pk, []):
                pass_entry = _row(layering_pass, ids)
                lot = layering_pass.pigment_lot
                pass_entry["pigment"] = f"{lot.product} lot {lot.lot_number}"
                pass_entry["needle_detail"] = str(layering_pass.needle)
                entry["passes"].append(pass_entry)
            entry["amendments"] = [_row(a, ids) for a in amendments_of.get(session.pk, [])]
            entry["healing_checks"] = [_row(h, ids) for h in healing_checks_of.get(session.pk, [])]
            entry["photos"] = [_row(link, ids) for link in photos_of.get(session.pk, [])]
            record["sessions"].append(entry)

        record["messages"] = []
        for message in messages:
            entry = _row(message, ids)
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
