"""What the audit trail records, and how: model signals for every create, change and delete
of the registered client and clinical records, with the values before and after.

The trail lives at the top of the app stack and reaches the models by label, so the apps it
watches never import it. Signals fire on ``save()``, ``create()``, ``update_or_create()`` and
on deletes (a queryset ``delete()`` too: with receivers connected Django deletes row by row
and signals each one), but not on queryset ``update()``, ``bulk_create()`` or
``bulk_update()``. The services therefore save audited records one by one; the few bulk
writes left on audited models (stock counters, course numbering and completion, erasure,
demo data) are listed with their reasons in tests/audit/test_bulk_writes.py, which fails on
any other.
"""

import datetime
import decimal
import uuid

from django.apps import apps
from django.db.models import Model
from django.db.models.fields.files import FieldFile
from django.db.models.signals import post_delete, post_save, pre_save

from audit.models import AuditEvent
from audit.services import event_record

# label -> how to find the client (dotted path of attributes ending in the client object,
# "self" for the client itself, None for records that belong to no client).
AUDITED: dict[str, str | None] = {
    "clients.Client": "self",
    "clients.MedicalIntake": "client",
    "clients.IntakeFlag": "intake.client",
    "clients.FlagClearance": "flag.intake.client",
    "clients.SignedConsent": "client",
    "clients.ConsentVersion": None,
    "clients.Photo": "client",
    "consultations.DesignPlan": "consultation.client",
    "consultations.ConsultationPhoto": "consultation.client",
    "scheduling.Appointment": "client",
    "scheduling.Course": "client",
    "consultations.Consultation": "client",
    "consultations.TreatmentPlan": "consultation.client",
    # Each session's goal, shade and dilution: what a touch-up years later reproduces.
    "consultations.TreatmentPlanSession": "plan.consultation.client",
    "sessions_app.PigmentationSession": "client",
    "sessions_app.LayeringPass": "session.client",
    "sessions_app.SessionAmendment": "session.client",
    "sessions_app.HealingCheck": "session.client",
    "sessions_app.SessionPhoto": "session.client",
    "sessions_app.PigmentLot": None,
    "sessions_app.StockAdjustment": None,
    "accounts.User": None,
}
# Personal identifiers are recorded as "changed", without their values, so that erasing a
# client leaves nothing identifying in the trail while the clinical history stays.
PRIVATE_FIELDS = {
    "clients.Client": {
        "first_name",
        "last_name",
        "preferred_name",
        "email",
        "phone",
        "address",
        "date_of_birth",
        "notes",
        "pronouns",
    },
    "clients.Photo": {"note", "original_filename"},
    "clients.SignedConsent": {"typed_name", "ip_address", "user_agent", "withdrawal_reason"},
    "clients.FlagClearance": {"document_name"},
    "consultations.DesignPlan": {"approved_typed_name", "approval_ip"},
    # Front-desk free text, often with names and phone numbers in it.
    "scheduling.Appointment": {"notes", "cancel_reason"},
}
IGNORED_FIELDS = {
    "updated_at",
    "search_text",
    "password",
    "session_salt",
    "feed_token",
    "last_login",
    "status_changed_at",
}
_OLD = "_audit_old_values"


def _jsonable(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if hasattr(value, "as_e164"):  # phone numbers
        return value.as_e164
    return value


def _values(instance: Model) -> dict:
    return {
        field.attname: _jsonable(getattr(instance, field.attname))
        for field in instance._meta.concrete_fields
        if field.attname not in IGNORED_FIELDS
    }


def _client_public_id(instance: Model, path: str | None):
    if path is None:
        return None
    target = instance
    if path != "self":
        for part in path.split("."):
            target = getattr(target, part, None)
            if target is None:
                return None
    return getattr(target, "public_id", None)


def _record(instance: Model, action: str, changes: dict) -> None:
    label = instance._meta.label
    event_record(
        action=action,
        object_type=label,
        object_id=str(getattr(instance, "public_id", instance.pk)),
        # Never str(instance): a client's name would be written into rows nothing may change,
        # and erasure could not take it out again.
        object_label=f"{instance._meta.verbose_name} {getattr(instance, 'public_id', instance.pk)}",
        client_public_id=_client_public_id(instance, AUDITED[label]),
        changes=changes,
    )


_NOTHING_WATCHED = object()


def _watched_attnames(sender, update_fields) -> list[str]:
    """The columns a save may change that the trail records: with ``update_fields``, only
    those (a sign-in saving ``last_login`` alone costs nothing here)."""
    return [
        f.attname
        for f in sender._meta.concrete_fields
        if f.attname not in IGNORED_FIELDS
        and (update_fields is None or f.name in update_fields or f.attname in update_fields)
    ]


def _before_save(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    if raw or instance.pk is None or instance._state.adding:
        return
    fields = _watched_attnames(sender, update_fields)
    if not fields:
        setattr(instance, _OLD, _NOTHING_WATCHED)
        return
    old = sender._default_manager.filter(pk=instance.pk).values(*fields).first()
    setattr(instance, _OLD, {k: _jsonable(v) for k, v in old.items()} if old else None)


def _after_save(sender, instance, created, raw=False, update_fields=None, **kwargs) -> None:
    if raw or getattr(instance, _OLD, None) is _NOTHING_WATCHED:
        return
    label = sender._meta.label
    private = PRIVATE_FIELDS.get(label, set())
    new = _values(instance)
    if created:
        changes = {
            k: ("(set)" if k in private else v)
            for k, v in new.items()
            if v not in (None, "", [], {})
        }
        _record(instance, AuditEvent.Action.CREATE, {"after": changes})
        return
    old = getattr(instance, _OLD, None) or {}
    if update_fields is not None:
        new = {key: value for key, value in new.items() if key in old}
    diff = {}
    for key, value in new.items():
        if old.get(key) != value:
            diff[key] = "(changed)" if key in private else {"before": old.get(key), "after": value}
    if diff:
        _record(instance, AuditEvent.Action.UPDATE, diff)


def _after_delete(sender, instance, **kwargs) -> None:
    label = sender._meta.label
    private = PRIVATE_FIELDS.get(label, set())
    before = {k: ("(set)" if k in private else v) for k, v in _values(instance).items()}
    _record(instance, AuditEvent.Action.DELETE, {"before": before})


def register(label: str, client_path: str | None) -> None:
    """Watch one more model (used by the apps merged later: consents, photos…)."""
    AUDITED[label] = client_path
    model = apps.get_model(label)
    uid = f"audit.{label}"
    pre_save.connect(_before_save, sender=model, dispatch_uid=f"{uid}.pre")
    post_save.connect(_after_save, sender=model, dispatch_uid=f"{uid}.post")
    post_delete.connect(_after_delete, sender=model, dispatch_uid=f"{uid}.delete")


def connect() -> None:
    for label, client_path in list(AUDITED.items()):
        try:
            register(label, client_path)
        except LookupError:
            continue
