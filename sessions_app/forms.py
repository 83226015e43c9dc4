from decimal import Decimal

from django import forms

from clients.models.photo import PhotoAngle
from clients.photos.forms import MultipleFileField, MultipleFileInput
from sessions_app.models import (
    HealingCheck,
    LayeringPass,
    Needle,
    PigmentationSession,
    PigmentLot,
    PigmentProduct,
    SessionPhoto,
    StockAdjustment,
)
from sessions_app.services import (
    AMENDABLE_PASS_FIELDS,
    AMENDABLE_SESSION_FIELDS,
    NOTE_FIELDS,
    PASS_FIELDS,
)
from sessions_app.zones import ZONES
from smp_clinic.lib.forms import CalendarDateField


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProductForm(forms.ModelForm):
    class Meta:
        model = PigmentProduct
        fields = ["brand", "name", "shade", "low_stock_ml", "is_active"]
        labels = {"is_active": "In use"}


class NeedleForm(forms.ModelForm):
    class Meta:
        model = Needle
        fields = ["low_stock_quantity", "is_active"]
        labels = {
            "low_stock_quantity": "Warn when fewer usable cartridges remain",
            "is_active": "In use",
        }
        help_texts = {
            "low_stock_quantity": (
                "Counted over every usable lot of this needle (brand, configuration and "
                "diameter), and set for all of them."
            ),
            "is_active": "Only this lot: a lot out of use is no longer offered for a pass.",
        }


class LotReceiveForm(forms.Form):
    lot_number = forms.CharField(max_length=60)
    expiry_date = CalendarDateField(widget=_date_input())
    received_on = CalendarDateField(
        widget=_date_input(), required=False, help_text="Today if empty."
    )
    volume_ml = forms.DecimalField(
        label="Volume (ml)", max_digits=8, decimal_places=2, min_value=Decimal("0.1")
    )


class NeedleReceiveForm(forms.Form):
    brand = forms.CharField(max_length=80)
    configuration = forms.ChoiceField(
        choices=Needle.Configuration.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    diameter_mm = forms.DecimalField(
        label="Diameter (mm)",
        max_digits=3,
        decimal_places=2,
        min_value=Decimal("0.15"),
        max_value=Decimal("0.40"),
    )
    lot_number = forms.CharField(max_length=60)
    expiry_date = CalendarDateField(widget=_date_input())
    quantity = forms.IntegerField(label="Cartridges", min_value=1, max_value=10000)


class StockAdjustForm(forms.Form):
    kind = forms.ChoiceField(
        label="What happened", choices=StockAdjustment.Kind.choices, widget=forms.RadioSelect
    )
    ml = forms.DecimalField(
        label="Volume (ml)",
        max_digits=8,
        decimal_places=2,
        min_value=Decimal("0"),
        help_text="A count: what the bottle holds now. A discard: how much was thrown away.",
    )
    reason = forms.CharField(label="Why", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    # The stock the page showed: a count is made against it (inventory.lot_adjust_stock).
    seen_ml = forms.DecimalField(
        max_digits=8, decimal_places=2, required=False, widget=forms.HiddenInput
    )


class RecallForm(forms.Form):
    reason = forms.CharField(
        label="Why is this lot recalled?",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class LotChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        product = obj.product
        return (
            f"{product.brand} {product.name} · shade {product.shade} · lot {obj.lot_number} "
            f"(exp. {obj.expiry_date:%m/%Y})"
        )


class NeedleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.label} · {obj.brand} lot {obj.lot_number}"


class PassForm(forms.ModelForm):
    zones = forms.MultipleChoiceField(choices=ZONES, widget=forms.CheckboxSelectMultiple)
    pigment_lot = LotChoiceField(
        queryset=None,
        label="Pigment lot",
        to_field_name="public_id",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    needle = NeedleChoiceField(
        queryset=None,
        label="Needle",
        to_field_name="public_id",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    # One per rendered form (PassFormToken); optional, so a page rendered before the token
    # existed still logs its pass.
    form_token = forms.UUIDField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = LayeringPass
        fields = list(PASS_FIELDS)
        widgets = {"density": forms.RadioSelect}

    def __init__(self, *args, lots, needles, **kwargs):
        super().__init__(*args, **kwargs)
        # Any lot or needle is accepted here so that one which expired or was recalled while
        # the page was open reaches the service, whose refusal says exactly why; the lists
        # offer only the usable ones.
        self.fields["pigment_lot"].queryset = PigmentLot.objects.select_related("product")
        self.fields["needle"].queryset = Needle.objects.all()
        self.fields["pigment_lot"].widget.choices = [("", "---------")] + [
            (lot.public_id, self.fields["pigment_lot"].label_from_instance(lot)) for lot in lots
        ]
        self.fields["needle"].widget.choices = [("", "---------")] + [
            (needle.public_id, self.fields["needle"].label_from_instance(needle))
            for needle in needles
        ]
        self.fields["density"].choices = [c for c in self.fields["density"].choices if c[0]]
        self.fields["duration_minutes"].widget.attrs.update(min=1, max=300, inputmode="numeric")
        self.fields["pigment_ml"].widget.attrs.update(
            step="0.05", min=0, max=10, inputmode="decimal"
        )


class NotesForm(forms.ModelForm):
    pain = forms.TypedChoiceField(
        label="Pain (0 = none, 10 = worst)",
        choices=[(n, str(n)) for n in range(11)],
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = PigmentationSession
        fields = list(NOTE_FIELDS)
        widgets = {
            "skin_reaction": forms.RadioSelect,
            "bleeding": forms.RadioSelect,
            "next_session_advice": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        field_classes = {"checked_on": CalendarDateField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("skin_reaction", "bleeding"):
            self.fields[name].choices = [c for c in self.fields[name].choices if c[0]]
            self.fields[name].required = False


class OverrideForm(forms.Form):
    reason = forms.CharField(
        label="Why may this session go ahead?",
        min_length=10,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": "Write why the session may go ahead despite the failed checks.",
            "min_length": (
                "Write a little more (at least 10 characters): the reason stays on the record."
            ),
        },
    )


class AbandonForm(forms.Form):
    reason = forms.CharField(
        label="Why did the session not go ahead?",
        min_length=5,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": "Say why the session did not go ahead.",
            "min_length": "Say why the session did not go ahead (a few words at least).",
        },
    )


class AmendmentForm(forms.Form):
    target = forms.ChoiceField(
        label="What is corrected", widget=forms.Select(attrs={"class": "form-select"})
    )
    new_value = forms.CharField(label="Correct value", max_length=500, required=False)
    corrected_lot = LotChoiceField(
        queryset=None,
        required=False,
        label="Correct lot (for a lot correction)",
        to_field_name="public_id",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    reason = forms.CharField(label="Why", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, session, lots, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            (f"session:{f}", f"Session: {f.replace('_', ' ')}") for f in AMENDABLE_SESSION_FIELDS
        ]
        for layering_pass in session.passes.all():
            choices += [
                (
                    f"pass:{layering_pass.number}:{f}",
                    f"Pass {layering_pass.number}: {f.replace('_', ' ')}",
                )
                for f in AMENDABLE_PASS_FIELDS
            ]
        self.fields["target"].choices = choices
        self.fields["corrected_lot"].queryset = lots


class HealingCheckForm(forms.ModelForm):
    class Meta:
        model = HealingCheck
        fields = ["checked_on", "rating", "healed_shade", "coverage", "notes"]
        widgets = {
            "checked_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "healed_shade": forms.RadioSelect,
            "coverage": forms.RadioSelect,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }


class SessionPhotoForm(forms.Form):
    """Before/after photos of one angle, straight from the tablet camera or files."""

    files = MultipleFileField(
        label="Photos",
        error_messages={"required": "Take a photo or choose at least one file."},
        widget=MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    stage = forms.ChoiceField(
        label="When", choices=SessionPhoto.STAFF_STAGES, widget=forms.RadioSelect
    )
    angle = forms.ChoiceField(
        label="Angle",
        choices=PhotoAngle.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
