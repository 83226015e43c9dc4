from django import forms

from clients.models import PhotoAngle, PhotoKind
from clients.photos.forms import MultipleFileField, MultipleFileInput
from consultations.design import DesignField
from consultations.models import Consultation, TreatmentPlan
from consultations.services import ASSESSMENT_FIELDS
from smp_clinic.lib.forms import CalendarDateField


def _select() -> forms.Select:
    return forms.Select(attrs={"class": "form-select"})


class ConsultationForm(forms.ModelForm):
    """Every field is optional while drafting; completion checks the whole assessment."""

    class Meta:
        model = Consultation
        fields = list(ASSESSMENT_FIELDS)
        widgets = {
            "concern": forms.RadioSelect,
            "decision": forms.RadioSelect,
            "desired_outcome": forms.RadioSelect,
            "recommended_density": forms.RadioSelect,
            "follow_up_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "not_suitable_reason": forms.Textarea(attrs={"rows": 2}),
        }
        field_classes = {"follow_up_on": CalendarDateField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.required = False
            if isinstance(field.widget, forms.RadioSelect):
                field.choices = [c for c in field.choices if c[0] != ""]
            if name in ("scar_length_mm", "scar_width_mm"):
                field.widget.attrs.update(min=1, max=500)

    def clean_scar_length_mm(self):
        return self._plausible_mm("scar_length_mm")

    def clean_scar_width_mm(self):
        return self._plausible_mm("scar_width_mm")

    def _plausible_mm(self, name: str):
        value = self.cleaned_data.get(name)
        if value is not None and not 1 <= value <= 500:
            raise forms.ValidationError("Between 1 and 500 mm.")
        return value


class PlanForm(forms.ModelForm):
    class Meta:
        model = TreatmentPlan
        fields = [
            "sessions",
            "min_interval_days",
            "max_interval_days",
            "starting_shade",
            "starting_dilution",
            "price",
            "notes",
        ]
        labels = {
            "min_interval_days": "At least (days between sessions)",
            "max_interval_days": "At most (days between sessions)",
            "price": "Price of the course",
        }
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sessions"].widget.attrs.update(min=1, max=4)
        self.fields["min_interval_days"].widget.attrs.update(min=7, max=90)
        self.fields["max_interval_days"].widget.attrs.update(min=7, max=120)

    def clean_sessions(self) -> int:
        value = self.cleaned_data["sessions"]
        if not 1 <= value <= 4:
            raise forms.ValidationError(
                "A course has 1 to 4 sessions (usually 2–3, a 4th optional)."
            )
        return value

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_interval_days"), cleaned.get("max_interval_days")
        if low is not None and low < 7:
            self.add_error(
                "min_interval_days", "Sessions are at least 7 days apart so the skin can heal."
            )
        if low is not None and high is not None and high < low:
            self.add_error(
                "max_interval_days", "The longest interval must be at least the shortest."
            )
        return cleaned


class SessionGoalForm(forms.Form):
    goal = forms.CharField(max_length=300, required=False, widget=forms.TextInput)
    shade = forms.CharField(max_length=60, required=False)
    dilution = forms.CharField(max_length=60, required=False)


SessionGoalFormSet = forms.formset_factory(SessionGoalForm, extra=0, max_num=4, validate_max=True)


class ConsultationPhotoForm(forms.Form):
    """Photos taken at the consultation: straight from the tablet camera or from files, of
    one angle; a baseline unless the practitioner says otherwise."""

    files = MultipleFileField(
        label="Photos",
        error_messages={"required": "Take a photo or choose at least one file."},
        widget=MultipleFileInput(attrs={"accept": "image/*"}),
        help_text="JPEG, PNG or HEIC, up to 15 MB each. Location data is removed on upload.",
    )
    angle = forms.ChoiceField(
        label="Angle",
        choices=[("", "Choose the angle…"), *PhotoAngle.choices],
        error_messages={"required": "Choose the angle the photos show."},
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    kind = forms.ChoiceField(
        label="Kind",
        choices=PhotoKind.choices,
        initial=PhotoKind.BASELINE,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class PhotoChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.get_angle_display()} · {obj.get_kind_display()} · {obj.taken_at:%d %b %Y}"


class DesignForm(forms.Form):
    photo = PhotoChoiceField(
        queryset=None,
        to_field_name="public_id",
        label="Photo to draw on",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    design = DesignField(
        error_messages={
            "required": "The drawing did not reach the server: drawing needs JavaScript."
        }
    )

    def __init__(self, *args, photos, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photo"].queryset = photos


class DesignApprovalForm(forms.Form):
    typed_name = forms.CharField(label="Client's full name", max_length=150)
    signature = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_signature(self) -> str:
        value = self.cleaned_data["signature"]
        if not value:
            raise forms.ValidationError("The client has not signed yet.")
        return value
