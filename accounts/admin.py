from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """For operators (superusers); managers manage staff in the app itself."""

    ordering = ["email"]
    list_display = ["email", "full_name", "role", "is_active", "is_staff"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    # The role and its group are written together by accounts.services only.
    readonly_fields = [
        "role",
        "groups",
        "public_id",
        "date_joined",
        "last_login",
        "invited_at",
        "deactivated_at",
    ]
    fieldsets = [
        (None, {"fields": ["email", "password", "full_name", "public_id"]}),
        ("Role", {"fields": ["role", "groups", "locations", "all_locations"]}),
        (
            "Status",
            {
                "fields": [
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "date_joined",
                    "last_login",
                    "invited_at",
                    "deactivated_at",
                ]
            },
        ),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})
    ]
    filter_horizontal = ["locations"]


# django-otp's admin shows each authenticator's secret as a QR code: not for the admin site.
# A lost phone is handled by a manager's reset on the Staff page.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
