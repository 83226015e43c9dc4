"""The healing check a client sends from their signed link: a photo of the healed result,
linked to the session it follows, waiting for the practitioner's rating."""

from django.core.exceptions import ValidationError
from django.db import transaction

from clients.models import Photo, PhotoKind
from clients.photos.services import photo_upload_by_client
from scheduling.models import Appointment


def healing_appointment(*, appointment_public_id: str, client_public_id: str) -> Appointment | None:
    """The completed session the link was sent about, if it still belongs to that client."""
    return (
        Appointment.objects.filter(
            public_id=appointment_public_id,
            client__public_id=client_public_id,
            status=Appointment.Status.COMPLETED,
        )
        .select_related("client__home_location")
        .first()
    )


# A link in an email can be forwarded or scripted: a handful of photos is what a healing
# check needs, and what one link accepts.
MAX_PHOTOS_PER_LINK = 6


@transaction.atomic
def healing_photo_receive(*, appointment: Appointment, file, angle: str, note: str = ""):
    from sessions_app.models import PigmentationSession, SessionPhoto

    client = appointment.client
    if client.is_archived:
        raise ValidationError("This link is no longer active. Please contact the clinic.")
    sent = Photo.objects.filter(
        client=client,
        kind=PhotoKind.HEALING,
        uploaded_by__isnull=True,
        created_at__gte=appointment.start,
    ).count()
    if sent >= MAX_PHOTOS_PER_LINK:
        raise ValidationError(
            f"Thank you: we have your {sent} photos, which is all this link takes. "
            "If you would like to send more, please contact the clinic."
        )
    photo = photo_upload_by_client(client=client, file=file, angle=angle, note=note)
    session = PigmentationSession.objects.filter(appointment=appointment).first()
    if session is not None:
        SessionPhoto.objects.create(session=session, photo=photo, stage=SessionPhoto.Stage.HEALING)
    return photo
