from datetime import datetime, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from locations.models import Location, Room, time_zone_choices
from scheduling.models import AppointmentType, TimeOff
from scheduling.selectors import active_types, practitioners_at
from smp_clinic.lib.forms import CalendarDateField
from smp_clinic.lib.tz import NonexistentLocalTime, local_datetime

CANCEL_REASONS = [
    ("Client cancelled", "The client cancelled"),
    ("Client unwell", "The client is unwell"),
    ("Clinic rescheduled", "The clinic needs to move it"),
    ("Practitioner unavailable", "The practitioner is unavailable"),
    ("Other", "Other"),
]


class RoomChoiceField(forms.ModelChoiceField):
    """Rooms of one location: the room name alone is the label."""

    def label_from_instance(self, obj) -> str:
        return obj.name


def _select(**attrs) -> forms.Select:
    return forms.Select(attrs={"class": "form-select", **attrs})


class _SlotFieldsMixin(forms.Form):
    """Date and time on the location's clocks, turned into one aware ``start``."""

    date = CalendarDateField(
        label="Date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    time = forms.TimeField(
        label="Time", widget=forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M")
    )

    def location_for_clocks(self) -> Location | None:
        room = self.cleaned_data.get("room")
        return room.location if room else None

    def clean(self):
        cleaned = super().clean()
        location = self.location_for_clocks()
        if cleaned.get("date") and cleaned.get("time") and location is not None:
            try:
                cleaned["start"] = local_datetime(cleaned["date"], cleaned["time"], location.tz)
            except NonexistentLocalTime as error:
                self.add_error("time", str(error))
        return cleaned


class BookingForm(_SlotFieldsMixin):
    appointment_type = forms.ModelChoiceField(
        label="Type", queryset=AppointmentType.objects.none(), widget=_select()
    )
    practitioner = forms.ModelChoiceField(
        label="Practitioner", queryset=None, widget=_select(), to_field_name="public_id"
    )
    room = RoomChoiceField(
        label="Room", queryset=Room.objects.none(), widget=_select(), to_field_name="public_id"
    )
    course = forms.ChoiceField(label="Course", required=False, widget=_select())
    planned_sessions = forms.IntegerField(
        label="Sessions in the new course", min_value=1, max_value=6, initial=3, required=False
    )
    notes = forms.CharField(
        label="Notes for the team",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
    field_order = [
        "appointment_type",
        "date",
        "time",
        "practitioner",
        "room",
        "course",
        "planned_sessions",
        "notes",
    ]

    def __init__(self, *args, location: Location, client=None, courses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.location = location
        self.client = client
        self.fields["appointment_type"].queryset = active_types()
        self.fields["practitioner"].queryset = practitioners_at(location)
        self.fields["room"].queryset = Room.objects.filter(
            location=location, is_active=True
        ).order_by("name")
        self.fields["course"].choices = [
            ("", "Not part of a course"),
            ("new", "Start a new course"),
            *[
                (
                    str(c.public_id),
                    f"Course started {c.created_at:%d %b %Y} ({c.planned_sessions} sessions)",
                )
                for c in courses
            ],
        ]
        self.courses = {str(c.public_id): c for c in courses}

    def clean(self):
        cleaned = super().clean()
        appointment_type = cleaned.get("appointment_type")
        course = cleaned.get("course")
        if course and appointment_type and not appointment_type.is_pigmentation:
            self.add_error("course", "Only pigmentation sessions and touch-ups belong to a course.")
        if course == "new" and not cleaned.get("planned_sessions"):
            self.add_error("planned_sessions", "How many sessions does the new course plan?")
        cleaned["course_obj"] = self.courses.get(course) if course not in ("", "new") else None
        return cleaned


class RescheduleForm(_SlotFieldsMixin):
    practitioner = forms.ModelChoiceField(
        label="Practitioner", queryset=None, widget=_select(), to_field_name="public_id"
    )
    room = RoomChoiceField(
        label="Room", queryset=Room.objects.none(), widget=_select(), to_field_name="public_id"
    )
    reason = forms.CharField(label="Why is it moving?", required=False, max_length=300)

    def __init__(self, *args, location: Location, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].queryset = practitioners_at(location)
        self.fields["room"].queryset = Room.objects.filter(
            location=location, is_active=True
        ).order_by("name")


class CancelForm(forms.Form):
    reason_choice = forms.ChoiceField(
        label="Reason", choices=CANCEL_REASONS, widget=forms.RadioSelect
    )
    details = forms.CharField(
        label="Details", required=False, max_length=250, widget=forms.TextInput
    )

    def clean(self):
        cleaned = super().clean()
        choice = cleaned.get("reason_choice")
        details = " ".join(cleaned.get("details", "").split())
        if choice == "Other" and not details:
            self.add_error("details", "Say what the reason is.")
        cleaned["reason"] = f"{choice}: {details}" if choice and details else (choice or "")
        return cleaned


class SlotSearchForm(forms.Form):
    appointment_type = forms.ModelChoiceField(
        label="Type", queryset=AppointmentType.objects.none(), widget=_select()
    )
    practitioner = forms.ModelChoiceField(
        label="Practitioner",
        queryset=None,
        required=False,
        empty_label="Anyone",
        widget=_select(),
        to_field_name="public_id",
    )
    date_from = CalendarDateField(
        label="From", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = CalendarDateField(
        label="To", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, location: Location, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["appointment_type"].queryset = active_types()
        self.fields["practitioner"].queryset = practitioners_at(location)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end:
            if end < start:
                self.add_error("date_to", "The end of the range is before its start.")
            elif (end - start).days > 120:
                self.add_error("date_to", "Search at most 120 days at a time.")
        return cleaned


class CoursePlanForm(forms.Form):
    appointment_type = forms.ModelChoiceField(
        label="Type", queryset=AppointmentType.objects.none(), widget=_select()
    )
    sessions = forms.IntegerField(label="Sessions", min_value=1, max_value=6, initial=3)
    min_interval_days = forms.IntegerField(
        label="At least (days apart)", min_value=1, max_value=365, initial=10
    )
    max_interval_days = forms.IntegerField(
        label="At most (days apart)", min_value=1, max_value=365, initial=30
    )
    first_from = CalendarDateField(
        label="First session from",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    preferred_time = forms.TimeField(
        label="Preferred time",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M"),
    )
    practitioner = forms.ModelChoiceField(
        label="Practitioner",
        queryset=None,
        required=False,
        empty_label="Anyone",
        widget=_select(),
        to_field_name="public_id",
    )

    def __init__(self, *args, location: Location, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["appointment_type"].queryset = active_types().filter(
            kind__in=AppointmentType.CLINICAL_KINDS
        )
        self.fields["practitioner"].queryset = practitioners_at(location)

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_interval_days"), cleaned.get("max_interval_days")
        if low and high and low > high:
            self.add_error(
                "max_interval_days", "The longest interval must be at least the shortest."
            )
        first = cleaned.get("first_from")
        if first and first < timezone.localdate():
            self.add_error("first_from", "Start from today or later.")
        return cleaned


class TimeOffForm(forms.Form):
    practitioner = forms.ModelChoiceField(
        label="Who", queryset=None, widget=_select(), to_field_name="public_id"
    )
    kind = forms.ChoiceField(label="Kind", choices=TimeOff.Kind.choices, widget=_select())
    start_date = CalendarDateField(
        label="From", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    start_time = forms.TimeField(
        label="at",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="Leave empty for the whole day.",
    )
    end_date = CalendarDateField(
        label="Until", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end_time = forms.TimeField(
        label="at",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="Leave empty for the end of that day.",
    )
    note = forms.CharField(label="Note", required=False, max_length=200)

    def __init__(self, *args, location: Location, **kwargs):
        super().__init__(*args, **kwargs)
        self.location = location
        self.fields["practitioner"].queryset = practitioners_at(location)

    def clean(self):
        cleaned = super().clean()
        tz = self.location.tz
        if cleaned.get("start_date") and cleaned.get("end_date"):
            try:
                start = local_datetime(
                    cleaned["start_date"], cleaned.get("start_time") or datetime.min.time(), tz
                )
                if cleaned.get("end_time"):
                    end = local_datetime(cleaned["end_date"], cleaned["end_time"], tz)
                else:
                    end = local_datetime(
                        cleaned["end_date"] + timedelta(days=1), datetime.min.time(), tz
                    )
            except NonexistentLocalTime as error:
                raise forms.ValidationError(str(error)) from None
            if end <= start:
                self.add_error("end_date", "The time off must end after it starts.")
            cleaned["start"], cleaned["end"] = start, end
        return cleaned


class AppointmentTypeForm(forms.ModelForm):
    class Meta:
        model = AppointmentType
        fields = [
            "name",
            "duration_minutes",
            "buffer_before_minutes",
            "buffer_after_minutes",
            "is_active",
        ]
        labels = {
            "duration_minutes": "Duration (minutes)",
            "buffer_before_minutes": "Preparation before (minutes)",
            "buffer_after_minutes": "Cleaning after (minutes)",
            "is_active": "Offered for booking",
        }

    def clean_duration_minutes(self) -> int:
        value = self.cleaned_data["duration_minutes"]
        if not 5 <= value <= 600:
            raise forms.ValidationError("Between 5 minutes and 10 hours.")
        return value

    def clean(self):
        cleaned = super().clean()
        for name in ("buffer_before_minutes", "buffer_after_minutes"):
            if cleaned.get(name) is not None and cleaned[name] > 120:
                self.add_error(name, "At most 120 minutes.")
        return cleaned


WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M")


class WeeklyHoursForm(forms.Form):
    """Seven rows of up to two shifts (or opening hours with ``shifts=1``)."""

    def __init__(self, *args, shifts: int = 2, **kwargs):
        super().__init__(*args, **kwargs)
        self.shifts = shifts
        for day in range(7):
            for n in range(1, shifts + 1):
                self.fields[f"d{day}_start{n}"] = forms.TimeField(
                    label=f"{WEEKDAYS[day]} start", required=False, widget=_time_input()
                )
                self.fields[f"d{day}_end{n}"] = forms.TimeField(
                    label=f"{WEEKDAYS[day]} end", required=False, widget=_time_input()
                )

    def rows(self):
        for day in range(7):
            yield (
                WEEKDAYS[day],
                [
                    (self[f"d{day}_start{n}"], self[f"d{day}_end{n}"])
                    for n in range(1, self.shifts + 1)
                ],
            )

    def clean(self):
        cleaned = super().clean()
        result: dict[int, list] = {}
        for day in range(7):
            spans = []
            for n in range(1, self.shifts + 1):
                start, end = cleaned.get(f"d{day}_start{n}"), cleaned.get(f"d{day}_end{n}")
                if start is None and end is None:
                    continue
                if start is None or end is None:
                    self.add_error(
                        f"d{day}_start{n}", f"{WEEKDAYS[day]}: give both a start and an end."
                    )
                elif start >= end:
                    self.add_error(
                        f"d{day}_end{n}", f"{WEEKDAYS[day]}: the end must be after the start."
                    )
                else:
                    spans.append((start, end))
            spans.sort()
            for (_, first_end), (second_start, _) in zip(spans, spans[1:], strict=False):
                if second_start < first_end:
                    self.add_error(f"d{day}_start2", f"{WEEKDAYS[day]}: the two shifts overlap.")
            result[day] = spans
        cleaned["week"] = result
        return cleaned


class LocationForm(forms.ModelForm):
    class Meta:
        model = Location
        fields = ["name", "time_zone", "address", "phone", "email", "is_active"]
        widgets = {"address": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"] = forms.ChoiceField(
            label="Time zone",
            choices=time_zone_choices(),
            widget=_select(),
            initial=self.instance.time_zone if self.instance.pk else "Europe/London",
        )


class RoomForm(forms.Form):
    name = forms.CharField(label="Room name", max_length=80)
    is_active = forms.BooleanField(label="In use", required=False, initial=True)


def parse_course_sessions(request, location) -> list[tuple]:
    """The proposal rows the front desk confirmed: start|practitioner|room per session."""
    chosen = []
    practitioners = {str(p.public_id): p for p in practitioners_at(location)}
    rooms = {str(r.public_id): r for r in Room.objects.filter(location=location, is_active=True)}
    for raw in request.POST.getlist("session"):
        try:
            start_raw, practitioner_id, room_id = raw.split("|")
            start = datetime.fromisoformat(start_raw)
        except ValueError:
            raise ValidationError(
                "The proposed sessions could not be read; plan the course again."
            ) from None
        if timezone.is_naive(start) or practitioner_id not in practitioners or room_id not in rooms:
            raise ValidationError("A proposed session is no longer valid; plan the course again.")
        chosen.append((start, practitioners[practitioner_id], rooms[room_id]))
    return chosen
