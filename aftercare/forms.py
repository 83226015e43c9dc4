from django import forms
from django.core.exceptions import ValidationError

from aftercare.kinds import Kind
from aftercare.models import AftercareStep, MessageSettings, MessageTemplate
from aftercare.models.content import parse_reminder_hours
from aftercare.selectors import VIEWS


class OutboxFilterForm(forms.Form):
    view = forms.ChoiceField(
        choices=[(name, name.title()) for name in VIEWS], required=False, initial="upcoming"
    )
    kind = forms.ChoiceField(choices=[("", "All kinds"), *Kind.choices], required=False)


class MessageTemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ["subject", "body_text", "body_html"]
        widgets = {
            "body_text": forms.Textarea(attrs={"rows": 12, "class": "font-monospace"}),
            "body_html": forms.Textarea(attrs={"rows": 8, "class": "font-monospace"}),
        }


class AftercareStepForm(forms.ModelForm):
    class Meta:
        model = AftercareStep
        fields = ["day_offset", "send_time", "subject", "body"]
        widgets = {
            "send_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "body": forms.Textarea(attrs={"rows": 8}),
        }


class MessageSettingsForm(forms.ModelForm):
    class Meta:
        model = MessageSettings
        fields = [
            "reminder_hours",
            "nudge_days",
            "recall_first_months",
            "recall_repeat_months",
            "recall_max",
            "no_show_delay_hours",
            "healing_check_days",
            "quiet_start",
            "quiet_end",
            "day_send_time",
        ]
        widgets = {
            name: forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
            for name in ("quiet_start", "quiet_end", "day_send_time")
        }

    def clean_reminder_hours(self) -> str:
        hours = parse_reminder_hours(self.cleaned_data["reminder_hours"])
        return ", ".join(str(h) for h in hours)

    def clean(self):
        cleaned = super().clean()
        start, end, at = (cleaned.get(k) for k in ("quiet_start", "quiet_end", "day_send_time"))
        if start and end and at:
            quiet = (start <= at < end) if start < end else (at >= start or at < end)
            if start != end and quiet:
                raise ValidationError(
                    {"day_send_time": "This time falls in the quiet hours; choose a daytime."}
                )
        return cleaned


class PreferencesForm(forms.Form):
    care = forms.BooleanField(
        label="Appointment confirmations, reminders and aftercare instructions",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    marketing = forms.BooleanField(
        label="Follow-ups (after a consultation or a missed appointment) and touch-up invitations",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


HEALING_ANGLES = [
    ("front", "The front (hairline)"),
    ("top", "The top"),
    ("crown", "The crown"),
    ("back", "The back"),
    ("scar", "The scar"),
]


class HealingPhotoForm(forms.Form):
    photo = forms.FileField(
        label="Your photo",
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
        error_messages={"required": "Choose or take a photo first."},
    )
    angle = forms.ChoiceField(
        label="Which part of your scalp is it?",
        choices=HEALING_ANGLES,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    note = forms.CharField(
        label="Anything you want to tell us (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
