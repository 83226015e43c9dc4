"""Erasure on request: the client's identifiers, contact details, photos and signature
images go; the record stays, anonymous, with what the law asks to keep — the pigment lot
trail (which lot went into which session, EU REACH / EN 17169), the facts of each signed
consent (which text, when, witnessed by whom, withdrawn when), the clinical record and any
figures. Free text the front desk wrote about visits and the emails' content go too. One
transaction, audit-logged.
"""

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from aftercare.models import OutboundMessage
from audit.models import AuditEvent
from audit.services import event_record
from clients.consent.services import typed_name_matches
from clients.models import Client, FlagClearance, Photo, SignedConsent
from consultations.models import ConsultationPhoto, DesignPlan
from scheduling.models import Appointment, AppointmentChange
from sessions_app.models import SessionPhoto

ERASED_NAME = "(erased)"


def _delete_files(*fields) -> None:
    for field in fields:
        if field:
            field.storage.delete(field.name)


def erasure_blockers(client: Client) -> list[str]:
    upcoming = Appointment.objects.filter(
        client=client, status__in=Appointment.UPCOMING, start__gte=timezone.now()
    ).count()
    if upcoming:
        return [
            f"{upcoming} upcoming appointment{'s' if upcoming != 1 else ''}: cancel them first."
        ]
    return []


@transaction.atomic
def client_erase(*, client: Client, by: User, confirmation: str) -> Client:
    if by.role != Role.MANAGER:
        raise ValidationError("Only a manager can erase a client.")
    client = Client.objects.select_for_update().get(pk=client.pk)
    if client.is_erased:
        raise ValidationError("This client is already erased.")
    if not typed_name_matches(confirmation, client):
        raise ValidationError(
            {"confirmation": f"Type the client's full name, {client.full_name}, to confirm."}
        )
    blockers = erasure_blockers(client)
    if blockers:
        raise ValidationError(blockers)

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The consent and approved-design guards let erasure take personal details off
            # a signature, in this transaction only.
            cursor.execute("SET LOCAL smp.erasure = 'on'")
    files = []
    for design in DesignPlan.objects.filter(consultation__client=client):
        files += [design.composite, design.approval_signature]
    DesignPlan.objects.filter(consultation__client=client).update(
        photo=None,
        composite="",
        approval_signature="",
        approved_typed_name=ERASED_NAME,
        approval_ip=None,
    )
    for photo in Photo.objects.filter(client=client):
        files += [photo.image, photo.image_large, photo.image_small]
    SessionPhoto.objects.filter(session__client=client).delete()
    ConsultationPhoto.objects.filter(consultation__client=client).delete()
    Photo.objects.filter(client=client).delete()
    DesignPlan.objects.filter(consultation__client=client, approved_at__isnull=True).update(
        approved_typed_name=""
    )
    for clearance in FlagClearance.objects.filter(flag__intake__client=client).exclude(document=""):
        files.append(clearance.document)
    FlagClearance.objects.filter(flag__intake__client=client).update(document="", document_name="")
    signed = SignedConsent.objects.filter(client=client)
    files += [consent.signature for consent in signed]
    signed.update(
        typed_name=ERASED_NAME,
        signature="",
        ip_address=None,
        user_agent="",
        erased_at=timezone.now(),
    )

    SignedConsent.objects.filter(client=client).exclude(withdrawal_reason="").update(
        withdrawal_reason=ERASED_NAME
    )

    OutboundMessage.objects.filter(client=client, status__in=["pending", "sending"]).update(
        status="cancelled", reason="archived"
    )
    OutboundMessage.objects.filter(client=client).update(
        to_email="", subject="", body_text="", body_html="", last_error=""
    )
    # Free text the front desk wrote about the visits (a cancelled one keeps a reason).
    appointments = Appointment.objects.filter(client=client)
    appointments.update(notes="")
    appointments.exclude(cancel_reason="").update(cancel_reason=ERASED_NAME)
    AppointmentChange.objects.filter(appointment__client=client).update(detail="")

    reference = str(client.public_id)[:8]
    client.first_name = "Erased"
    client.last_name = f"client {reference}"
    for name in ("preferred_name", "email", "address", "notes", "pronouns", "search_text"):
        setattr(client, name, "")
    client.phone = ""
    client.date_of_birth = None
    client.email_reminders = False
    client.marketing_consent = False
    client.marketing_consent_at = None
    client.status = Client.Status.ARCHIVED
    client.archived_at = client.archived_at or timezone.now()
    client.erased_at = timezone.now()
    client.erased_by = by
    client.save()

    event_record(
        action=AuditEvent.Action.ERASE,
        object_type="clients.Client",
        object_id=str(client.public_id),
        object_label=f"client {client.public_id}",
        client_public_id=client.public_id,
        changes={"files_removed": sum(1 for f in files if f)},
        by=by,
    )
    transaction.on_commit(lambda: _delete_files(*files))
    return client


def record_export(*, client: Client, by: User) -> None:
    event_record(
        action=AuditEvent.Action.EXPORT,
        object_type="clients.Client",
        object_id=str(client.public_id),
        object_label=f"client {client.public_id}",
        client_public_id=client.public_id,
        by=by,
    )
