"""Form pieces several apps share: putting a service's ValidationError onto the form that
called it, and date fields bounded to dates a clinic can mean."""

from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError

# Anything outside these is a typo (a year 0202 or 20255) and, left through, would overflow
# date arithmetic (a week's start, the day after, a time zone shift) further on.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)
OUT_OF_RANGE = "Enter a date between 1900 and 2100."


def add_service_error(form: forms.Form, error: ValidationError) -> None:
    """Field errors go next to their field when the form has it, the rest to the top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for item in errors:
                form.add_error(target, item.messages)
    else:
        form.add_error(None, error.messages)


def in_date_range(day: date) -> bool:
    return EARLIEST_DATE <= day <= LATEST_DATE


class CalendarDateField(forms.DateField):
    """A date between 1900 and 2100."""

    def validate(self, value):
        super().validate(value)
        if value and not in_date_range(value):
            raise ValidationError(OUT_OF_RANGE, code="out_of_range")


class CalendarDateTimeField(forms.DateTimeField):
    """A date and time between 1900 and 2100."""

    def validate(self, value):
        super().validate(value)
        if value and not in_date_range(value.date()):
            raise ValidationError(OUT_OF_RANGE, code="out_of_range")


def date_from_query(raw: str | None) -> date | None:
    """A ``YYYY-MM-DD`` query parameter as a date in range, or None."""
    try:
        day = date.fromisoformat(raw or "")
    except ValueError:
        return None
    return day if in_date_range(day) else None


def datetime_from_query(raw: str | None) -> datetime | None:
    """An ISO date-time query parameter in range, or None."""
    try:
        moment = datetime.fromisoformat(raw or "")
    except ValueError:
        return None
    return moment if in_date_range(moment.date()) else None
