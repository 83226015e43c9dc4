"""The intake form is built from a questionnaire version, so a new version needs no form
change. Field names follow the question codes (``<code>``, ``<code>__detail``,
``<code>__date``), the same keys the questionnaire's validation reports errors under."""

from django import forms
from django.utils import timezone

from clients.intake.documents import DOCUMENT_REQUIRED, document_check
from clients.intake.questionnaire import (
    ANSWER_REQUIRED,
    DATE_INVALID,
    DETAIL_MAX_LENGTH,
    NO,
    TEXT_MAX_LENGTH,
    YES,
    Kind,
    Questionnaire,
    date_field,
    detail_field,
)
from smp_clinic.lib.forms import CalendarDateField

NOTE_MAX_LENGTH = 2000


class YesNoWidget(forms.RadioSelect):
    """Two large toggle buttons; the template draws them, the widget names the group."""

    def id_for_label(self, id_, index=None):
        # The error summary links to the whole question, not to its first radio button.
        return id_


class IntakeForm(forms.Form):
    filled_by_client = forms.BooleanField(required=False, widget=forms.HiddenInput)
    notes = forms.CharField(
        label="Staff notes",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Anything the practitioner should know about how these answers were given.",
    )
    confirm = forms.BooleanField(
        label="The answers are complete and correct to the best of the client's knowledge",
        error_messages={"required": "Confirm the answers before saving."},
    )

    def __init__(self, *args, questionnaire: Questionnaire, tablet: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.questionnaire = questionnaire
        self.tablet = tablet
        if tablet:
            confirm = "My answers are complete and correct to the best of my knowledge"
            self.fields["confirm"].label = confirm
        for number, question in questionnaire.numbered():
            label = f"Question {number}"
            if question.kind == Kind.TEXT:
                self.fields[question.code] = forms.CharField(
                    label=label,
                    required=False,
                    max_length=TEXT_MAX_LENGTH,
                    widget=forms.Textarea(
                        attrs={"rows": 3, "class": "form-control form-control-lg"}
                    ),
                )
                continue
            self.fields[question.code] = forms.ChoiceField(
                label=label,
                choices=[(YES, "Yes"), (NO, "No")],
                widget=YesNoWidget,
                error_messages={"required": ANSWER_REQUIRED, "invalid_choice": ANSWER_REQUIRED},
            )
            self.fields[detail_field(question.code)] = forms.CharField(
                label=f"{label}, details",
                required=False,
                max_length=DETAIL_MAX_LENGTH,
                widget=forms.TextInput(
                    attrs={"autocomplete": "off", "class": "form-control form-control-lg"}
                ),
            )
            if question.kind == Kind.YES_NO_DATE:
                self.fields[date_field(question.code)] = CalendarDateField(
                    label=f"{label}, date",
                    required=False,
                    widget=forms.DateInput(
                        attrs={
                            "type": "date",
                            "max": timezone.localdate().isoformat(),
                            "class": "form-control form-control-lg",
                        },
                        format="%Y-%m-%d",
                    ),
                    error_messages={"invalid": DATE_INVALID},
                )

        # The questions come first, so the error summary lists problems in page order.
        for name in ("notes", "confirm"):
            self.fields[name] = self.fields.pop(name)

    def question_fields(self) -> list[dict]:
        """The questions in groups, each with its bound fields, for the template."""
        groups = []
        for group, questions in self.questionnaire.groups():
            items = []
            for number, question in questions:
                items.append(
                    {
                        "number": number,
                        "question": question,
                        "field": self[question.code],
                        "detail": self[detail_field(question.code)] if question.is_yes_no else None,
                        "date": (
                            self[date_field(question.code)]
                            if question.kind == Kind.YES_NO_DATE
                            else None
                        ),
                    }
                )
            groups.append({"title": group, "items": items})
        return groups

    def answers(self) -> dict[str, dict]:
        """The answers in the shape ``intake_submit`` takes (after ``is_valid``)."""
        data = self.cleaned_data
        answers = {}
        for question in self.questionnaire.questions:
            if question.kind == Kind.TEXT:
                answers[question.code] = {"text": data.get(question.code, "")}
                continue
            entry = {
                "answer": data.get(question.code),
                "detail": data.get(detail_field(question.code), ""),
            }
            if question.kind == Kind.YES_NO_DATE:
                entry["date"] = data.get(date_field(question.code))
            answers[question.code] = entry
        return answers

    def clean(self):
        cleaned = super().clean()
        # Field errors (unanswered, unreadable date) are already reported; the questionnaire
        # adds the rules across fields (a date when "yes", not in the future).
        _, errors = self.questionnaire.validate(self.answers(), today=timezone.localdate())
        for name, messages in errors.items():
            if name != "__all__" and name not in self.errors:
                for message in messages:
                    self.add_error(name, message)
        return cleaned


class FlagClearanceForm(forms.Form):
    note = forms.CharField(
        label="Why this flag can be cleared",
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why the flag can be cleared."},
    )
    document = forms.FileField(
        label="GP letter",
        required=False,
        widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
        help_text="A PDF, JPEG or PNG of at most 10 MB; it is stored privately.",
    )

    def __init__(self, *args, requires_document: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.requires_document = requires_document
        if requires_document:
            self.fields["document"].label = "GP letter (required)"
        else:
            self.fields["document"].label = "Supporting document (optional)"

    def clean_document(self):
        # The service checks again; checking here reports every problem in one round trip.
        document = self.cleaned_data.get("document")
        if document:
            document_check(document)
        elif self.requires_document:
            raise forms.ValidationError(DOCUMENT_REQUIRED)
        return document
