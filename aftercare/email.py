"""Turning a rendered message into an email: both parts, unsubscribe headers, a Message-ID
derived from the idempotency key, and the calendar attachment for booking messages."""

import hashlib
from datetime import datetime
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from icalendar import Calendar, Event, vCalAddress

from aftercare.models import OutboundMessage
from aftercare.rendering import RenderedEmail


def site_host() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"


def message_id_for(message: OutboundMessage) -> str:
    """Stable across retries of one message (so a duplicate after a crash is recognisable and
    many mail programs fold it into the first), new for each deliberate staff resend."""
    digest = hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:32]
    return f"<outbox.{digest}.{message.resends}@{site_host()}>"


def appointment_ics(appointment, *, now: datetime, cancelled: bool = False) -> bytes:
    """One VEVENT; the UID is the appointment's, so every message about it updates the one
    calendar entry. SEQUENCE counts the moves (the entry's revisions); a cancellation is
    one more revision, with METHOD:CANCEL, so calendars remove the entry they hold."""
    moves = appointment.changes.filter(kind="rescheduled").count()
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.CLINIC_NAME}//SMP Clinic//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", f"appointment-{appointment.public_id}@{site_host()}")
    event.add("dtstamp", now)
    event.add("dtstart", appointment.start)
    event.add("dtend", appointment.end)
    event.add("sequence", moves + 1 if cancelled else moves)
    # RFC 5546 wants an organizer on a published or cancelled event: the clinic.
    organizer = vCalAddress(f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}")
    organizer.params["cn"] = settings.CLINIC_NAME
    event.add("organizer", organizer)
    event.add("summary", f"{appointment.appointment_type.name} at {settings.CLINIC_NAME}")
    where = ", ".join(p for p in (appointment.location.name, appointment.location.address) if p)
    event.add("location", " ".join(where.split()))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()


def build_email(
    message: OutboundMessage, rendered: RenderedEmail, *, unsubscribe_url: str, ics: bytes | None
) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        to=[message.client.email],
        headers={
            "Message-ID": message_id_for(message),
            "X-SMP-Idempotency-Key": message.idempotency_key,
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    email.attach_alternative(rendered.html, "text/html")
    if ics is not None:
        email.attach("appointment.ics", ics, "text/calendar")
    return email
