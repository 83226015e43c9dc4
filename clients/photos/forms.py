"""Forms of the photo pages. The files themselves are checked one by one by the service, so
one unreadable file never costs the good ones."""

from django import forms
from django.utils import timezone

from clients.models import PhotoAngle, PhotoKind
from clients.photos.services import NOTE_MAX_LENGTH
from smp_clinic.lib.forms import CalendarDateTimeField

MAX_FILES_PER_UPLOAD = 20
DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Every file chosen in the field's inputs, as a list; each is checked by the service."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(files) > MAX_FILES_PER_UPLOAD:
            raise forms.ValidationError(
                f"Choose at most {MAX_FILES_PER_UPLOAD} photos at a time.", code="too_many"
            )
        return files


def _angle_field(**kwargs) -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Angle",
        choices=PhotoAngle.choices,
        error_messages={"required": "Choose the angle the photo shows."},
        **kwargs,
    )


def _kind_field(**kwargs) -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Kind",
        choices=PhotoKind.choices,
        error_messages={"required": "Choose what the photo records."},
        **kwargs,
    )


def _taken_at_field(help_text: str) -> CalendarDateTimeField:
    return CalendarDateTimeField(
        label="Taken at",
        required=False,
        input_formats=DATETIME_INPUT_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": "Enter a date and time, for example 14/03/2025 10:30."},
        help_text=help_text,
    )


def _note_field() -> forms.CharField:
    return forms.CharField(
        label="Note",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PhotoUploadForm(forms.Form):
    files = MultipleFileField(
        label="Photos",
        error_messages={"required": "Take a photo or choose at least one file."},
        widget=MultipleFileInput(attrs={"accept": "image/*"}),
        help_text="JPEG, PNG or HEIC, up to 15 MB each. Location data is removed on upload.",
    )
    angle = _angle_field()
    kind = _kind_field()
    taken_at = _taken_at_field(
        "Leave empty to use the time the camera recorded, or now for a photo just taken."
    )
    note = _note_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["taken_at"].widget.attrs["max"] = (
            timezone.localtime().replace(second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M")
        )


class PhotoDetailsForm(forms.Form):
    """What can be corrected about one photo: on the review step and on its page."""

    angle = _angle_field(widget=forms.Select(attrs={"class": "form-select"}))
    kind = _kind_field(widget=forms.Select(attrs={"class": "form-select"}))
    taken_at = _taken_at_field("")
    note = _note_field()


class PhotoReviewForm(PhotoDetailsForm):
    photo = forms.UUIDField(widget=forms.HiddenInput)


PhotoReviewFormSet = forms.formset_factory(PhotoReviewForm, extra=0, max_num=30)
