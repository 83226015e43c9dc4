from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

from accounts.models import User
from accounts.roles import Role
from accounts.two_factor import normalise_code
from locations.models import Location


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": (
            "That email and password do not match a staff account. Check both and try again."
        ),
        "inactive": (
            "This account has been deactivated. Ask a clinic manager if you need access again."
        ),
    }


class SiteURLPasswordResetForm(PasswordResetForm):
    """The emailed link starts with SITE_URL, like an invitation's. Built from the request,
    it would start with whatever Host header the asker sent, and a forged one would mail
    the account's owner a link to the forger's site that carries a valid reset token."""

    def save(self, **kwargs) -> None:
        site = urlsplit(settings.SITE_URL)
        kwargs.update(domain_override=site.netloc, use_https=site.scheme == "https")
        super().save(**kwargs)


class StaffFilterForm(forms.Form):
    STATUS_CHOICES = [
        ("", "Any status"),
        ("active", "Active"),
        ("invited", "Invited, not yet joined"),
        ("deactivated", "Deactivated"),
    ]
    q = forms.CharField(label="Search", required=False, max_length=100)
    role = forms.ChoiceField(
        label="Role",
        required=False,
        choices=[("", "Any role"), *Role.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=STATUS_CHOICES,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class _StaffFieldsMixin(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=150)
    role = forms.ChoiceField(label="Role", choices=Role.choices)
    locations = forms.ModelMultipleChoiceField(
        label="Locations",
        queryset=Location.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    all_locations = forms.BooleanField(
        label="Works at every location (including future ones)", required=False
    )

    def __init__(self, *args, manager: User, **kwargs):
        super().__init__(*args, **kwargs)
        if not manager.all_locations:
            # A manager of some locations hands out only those.
            self.fields["locations"].queryset = manager.locations.filter(is_active=True)
            self.fields["all_locations"].disabled = True
            self.fields[
                "all_locations"
            ].help_text = "Only a manager of every location can give every location."

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError("Enter the person's name.")
        return name

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("all_locations") and not cleaned.get("locations"):
            self.add_error("locations", "Choose at least one location, or every location.")
        return cleaned


class StaffInviteForm(_StaffFieldsMixin):
    email = forms.EmailField(label="Email", max_length=254)
    field_order = ["email", "full_name", "role", "locations", "all_locations"]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("There is already a staff account with this email.")
        return email


class StaffEditForm(_StaffFieldsMixin):
    pass


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        help_text="The six digits your authenticator app shows now, or one recovery code.",
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "spellcheck": "false",
            }
        ),
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if not code.isalnum():
            raise forms.ValidationError("A code has only digits and letters.")
        return code


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password
