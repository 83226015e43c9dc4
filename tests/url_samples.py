"""Real objects for every URL keyword argument: the access test and the form fuzzer
build their URLs from these."""

from datetime import timedelta

from aftercare.models import AftercareStep, OutboundMessage
from aftercare.tokens import healing_token, preferences_token, unsubscribe_token
from clients.intake.services import flag_clear
from clients.models import ConsentTemplate
from scheduling.models import TimeOff
from tests.factories import (
    RoomFactory,
    make_appointment,
    make_consultation,
    make_design,
    make_intake,
    make_photo,
    make_signed_consent,
    make_staff,
    make_started_session,
    pdf_upload,
)


def build_url_samples(*, location, smp_client) -> dict[str, object]:
    """One object per URL keyword argument, visible to every role of ``location``."""
    colleague = make_staff(
        role="practitioner", locations=[location], email="colleague@example.test"
    )
    room = RoomFactory(location=location, name="Consultation room")
    appointment = make_appointment(client=smp_client, practitioner=colleague, room=room)
    absence = TimeOff.objects.create(
        practitioner=colleague,
        start=appointment.start + timedelta(days=30),
        end=appointment.start + timedelta(days=31),
    )
    intake = make_intake(
        client=smp_client, by=colleague, yes={"blood_thinners", "heart_blood_pressure"}
    )
    cleared, open_flag = intake.flags.order_by("code")
    clearance = flag_clear(flag=cleared, by=colleague, note="GP confirms.", document=pdf_upload())
    consultation = make_consultation(client=smp_client, practitioner=colleague)
    consent = make_signed_consent(client=smp_client, kind="photos", witness=colleague)
    photo = make_photo(client=smp_client, by=colleague)
    design = make_design(consultation=consultation, by=colleague, photo=photo)
    session = make_started_session(practitioner=colleague, location=location, sign_off=True)
    layering_pass = session.passes.select_related("pigment_lot__product", "needle").get()
    message = OutboundMessage.objects.filter(client=smp_client).first()
    return {
        "session_id": session.public_id,
        "healing_token": healing_token(
            appointment_public_id=session.appointment.public_id,
            client_public_id=session.client.public_id,
        ),
        "pass_id": layering_pass.public_id,
        "lot_id": layering_pass.pigment_lot.public_id,
        "product_id": layering_pass.pigment_lot.product.public_id,
        "needle_id": layering_pass.needle.public_id,
        "message_id": message.public_id,
        "message_kind": "booking_confirmation",
        "step_id": AftercareStep.objects.first().public_id,
        "unsubscribe_token": unsubscribe_token(
            client_public_id=smp_client.public_id, category="care"
        ),
        "preferences_token": preferences_token(client_public_id=smp_client.public_id),
        "user_id": colleague.public_id,
        "consultation_id": consultation.public_id,
        "version": design.version,
        "appointment_id": appointment.public_id,
        "location_id": location.public_id,
        "room_id": room.public_id,
        "type_id": appointment.appointment_type.public_id,
        "time_off_id": absence.public_id,
        "feed_token": colleague.feed_token,
        "client_id": smp_client.public_id,
        "section": "medical",
        "intake_id": intake.public_id,
        "flag_id": open_flag.public_id,
        "clearance_id": clearance.public_id,
        "kind": "photos",
        "consent_id": consent.public_id,
        "template_id": ConsentTemplate.objects.get(kind="photos").public_id,
        "photo_id": photo.public_id,
        "size": "small",
        "uidb64": "MQ",
        "token": "invalid-token",
        # The technical admin's own arguments: refused before any lookup happens.
        "app_label": "accounts",
        "object_id": "1",
        "id": "1",
        "content_type_id": 1,
    }
