"""Turning a rendered message into an email: both parts, unsubscribe headers, a Message-ID
derived from the idempotency key, and the calendar attachment for booking messages."""

import hashlib
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from icalendar import Calendar, Event

from aftercare.models import OutboundMessage
from aftercare.rendering import RenderedEmail


def site_host() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"


def message_id_for(message: OutboundMessage) -> str:
    """Stable across retries of one message (so a duplicate after a crash is recognisable and
    many mail programs fold it into the first), new for each deliberate staff resend."""
    digest = hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:32]
    return f"<outbox.{digest}.{message.resends}@{site_host()}>"


def appointment_ics(appointment, *, now: datetime) -> bytes:
    """One VEVENT; the UID is the appointment's, so a moved appointment updates the entry."""
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.CLINIC_NAME}//SMP Clinic//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"appointment-{appointment.public_id}@{site_host()}")
    event.add("dtstamp", now)
    event.add("dtstart", appointment.start)
    event.add("dtend", appointment.end)
    event.add("sequence", appointment.changes.filter(kind="rescheduled").count())
    event.add("summary", f"{appointment.appointment_type.name} at {settings.CLINIC_NAME}")
    where = ", ".join(p for p in (appointment.location.name, appointment.location.address) if p)
    event.add("location", " ".join(where.split()))
    event.add("status", "CONFIRMED")
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
