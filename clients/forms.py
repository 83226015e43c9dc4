from datetime import date

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from phonenumber_field.formfields import PhoneNumberField

from clients.models import Client
from clients.registry import registry
from clients.selectors import user_location_ids
from locations.models import Location

OLDEST_PLAUSIBLE_AGE = 110


class ClientFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("active", "Active"), ("archived", "Archived"), ("all", "Active and archived")],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    show = forms.ChoiceField(
        label="Show",
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["show"].choices = [("", "All clients")] + [
            (f.key, f.label) for f in registry.list_filters.values()
        ]

    def filters(self) -> dict:
        if not self.is_valid():
            return {"q": "", "status": "active", "extra_filter": ""}
        data = self.cleaned_data
        return {
            "q": data["q"].strip(),
            "status": data["status"] or "active",
            "extra_filter": data["show"],
        }


class ClientForm(forms.ModelForm):
    phone = PhoneNumberField(
        label="Phone",
        required=False,
        help_text=(
            "International numbers welcome; without a country code the clinic's region is assumed."
        ),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    confirm_not_duplicate = forms.BooleanField(
        label="This is a different person: save a separate record",
        required=False,
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = Client
        fields = [
            "first_name",
            "last_name",
            "preferred_name",
            "date_of_birth",
            "sex",
            "pronouns",
            "email",
            "phone",
            "address",
            "home_location",
            "preferred_channel",
            "email_reminders",
            "marketing_consent",
            "notes",
        ]
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "address": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The user's own locations, and the client's current home even when it is not one of
        # them: a desk elsewhere editing a shared client's phone number keeps that home as
        # the selected choice instead of moving the client to the desk's own location.
        choices = Q(is_active=True)
        if not user.all_locations:
            choices &= Q(pk__in=user_location_ids(user))
        if self.instance.pk and self.instance.home_location_id:
            choices |= Q(pk=self.instance.home_location_id)
        home = self.fields["home_location"]
        home.queryset = Location.objects.filter(choices).order_by("name")
        home.empty_label = None
        home.error_messages["invalid_choice"] = (
            "Choose one of the locations you work at, or keep the client's current home."
        )
        self.fields["date_of_birth"].required = True
        self.fields["sex"].required = True
        self.fields["sex"].choices = self.fields["sex"].choices[1:]
        self.duplicates = None

    def clean_first_name(self) -> str:
        return " ".join(self.cleaned_data["first_name"].split())

    def clean_last_name(self) -> str:
        return " ".join(self.cleaned_data["last_name"].split())

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean_date_of_birth(self) -> date:
        born = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if born > today:
            raise forms.ValidationError("The date of birth is in the future.")
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        if age > OLDEST_PLAUSIBLE_AGE:
            raise forms.ValidationError(
                "That date of birth makes the client over 110: check the year."
            )
        if age < settings.CLIENT_MIN_AGE:
            raise forms.ValidationError(
                f"Clients must be at least {settings.CLIENT_MIN_AGE} years old (this one is {age})."
            )
        return born

    def clean(self):
        cleaned = super().clean()
        email = cleaned.get("email")
        phone = cleaned.get("phone")
        if "email" in cleaned and "phone" in cleaned and not email and not phone:
            raise forms.ValidationError("Give at least an email address or a phone number.")
        channel = cleaned.get("preferred_channel")
        if channel == Client.Channel.EMAIL and "email" in cleaned and not email:
            self.add_error("email", "Email is the preferred channel, so an address is needed.")
        if (
            channel in (Client.Channel.PHONE, Client.Channel.SMS)
            and "phone" in cleaned
            and not phone
        ):
            self.add_error("phone", "The preferred channel needs a phone number.")
        if cleaned.get("email_reminders") and "email" in cleaned and not email:
            self.add_error("email_reminders", "Email reminders need an email address.")
        if cleaned.get("marketing_consent") and "email" in cleaned and not email:
            self.add_error("marketing_consent", "Recalls by email need an email address.")
        return cleaned
