"""Helpers for the medical intake tests: a fixed "today", form data and upload files."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from clients.intake.questionnaire import Kind, date_field, detail_field
from clients.intake.versions import questionnaire_current

LONDON = ZoneInfo("Europe/London")
# A Monday mid-morning in the clinic's time zone: every intake test runs "now" here.
NOW = datetime(2025, 6, 16, 10, 30, tzinfo=LONDON)
TODAY = NOW.date()


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def intake_post(*, yes=(), dates=None, details=None, confirm=True, **extra) -> dict:
    """POST data for the intake form: "no" everywhere except ``yes`` (and ``dates``)."""
    dates = dates or {}
    details = details or {}
    data = {}
    for question in questionnaire_current().questions:
        if question.kind == Kind.TEXT:
            data[question.code] = extra.pop(question.code, "")
            continue
        data[question.code] = "yes" if question.code in yes or question.code in dates else "no"
        if question.code in details:
            data[detail_field(question.code)] = details[question.code]
        if question.code in dates:
            day = dates[question.code]
            data[date_field(question.code)] = day.isoformat() if isinstance(day, date) else day
    if confirm:
        data["confirm"] = "on"
    data.update(extra)
    return data


def png_upload(name: str = "letter.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def text_posing_as_pdf(name: str = "gp-letter.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"Dear colleague, this is plain text.\n", content_type="application/pdf"
    )
