"""Forms of the consent pages. They check presence and length; the services check the rest
(the name against the record, the signature image, the text still being current) and the
views put those errors back on the form."""

from django import forms

from clients.consent.services import (
    BODY_MAX_LENGTH,
    BODY_REQUIRED,
    CHANGE_NOTE_MAX_LENGTH,
    NAME_REQUIRED,
    REASON_MAX_LENGTH,
    REASON_REQUIRED,
    TYPED_NAME_MAX_LENGTH,
)
from clients.signatures import MAX_SIGNATURE_BYTES, SIGNATURE_MISSING

# A data URL is the PNG in base64 (a third larger) plus its prefix.
SIGNATURE_FIELD_MAX_LENGTH = MAX_SIGNATURE_BYTES * 4 // 3 + 100


class ConsentSignForm(forms.Form):
    version = forms.UUIDField(widget=forms.HiddenInput)
    typed_name = forms.CharField(
        label="Your full name",
        max_length=TYPED_NAME_MAX_LENGTH,
        error_messages={"required": NAME_REQUIRED},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "words",
                "spellcheck": "false",
                "class": "form-control form-control-lg",
            }
        ),
    )
    agree = forms.BooleanField(
        label="I have read the text above and I agree to it",
        error_messages={"required": "Tick the box to confirm that you agree to the text."},
    )
    signature = forms.CharField(
        label="Signature",
        max_length=SIGNATURE_FIELD_MAX_LENGTH,
        error_messages={"required": SIGNATURE_MISSING},
        widget=forms.HiddenInput,
    )


class ConsentWithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why the consent is withdrawn",
        max_length=REASON_MAX_LENGTH,
        error_messages={"required": REASON_REQUIRED},
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: “The client asked by phone on 3 May”. Kept with the record.",
    )
    confirm = forms.BooleanField(
        label="The client has withdrawn this consent",
        error_messages={"required": "Confirm that the client has withdrawn the consent."},
    )


class ConsentVersionForm(forms.Form):
    based_on = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    body = forms.CharField(
        label="Consent text",
        max_length=BODY_MAX_LENGTH,
        error_messages={"required": BODY_REQUIRED},
        strip=False,
        widget=forms.Textarea(attrs={"rows": 22, "class": "font-monospace"}),
        help_text=(
            "Plain text. Leave an empty line between paragraphs; start a line with “- ” for "
            "a bullet point. Clients who signed earlier versions keep their own text."
        ),
    )
    change_note = forms.CharField(
        label="What changed",
        required=False,
        max_length=CHANGE_NOTE_MAX_LENGTH,
        help_text="For the staff: a line on why this version exists.",
    )
