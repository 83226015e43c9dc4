"""Sending an email rendered from a pair of templates (plain text and HTML)."""

from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def render_email(template_base: str, context: dict) -> tuple[str, str, str]:
    """Render ``<base>_subject.txt``, ``<base>.txt`` and ``<base>.html``."""
    context = {"clinic_name": settings.CLINIC_NAME, "site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"{template_base}_subject.txt", context).split())
    text = render_to_string(f"{template_base}.txt", context)
    html = render_to_string(f"{template_base}.html", context)
    return subject, text, html


def send_templated_email(*, template_base: str, context: dict, to: Sequence[str]) -> None:
    subject, text, html = render_email(template_base, context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=list(to))
    message.attach_alternative(html, "text/html")
    message.send()
