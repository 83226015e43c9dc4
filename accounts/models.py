import secrets
import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts.roles import CLINICAL, Role


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        extra.setdefault("full_name", email.split("@")[0])
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A staff member. Clients are not users: they reach the app through signed links."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150)
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    locations = models.ManyToManyField(
        "locations.Location",
        related_name="staff",
        blank=True,
        help_text="The locations whose calendars and clients this person works with.",
    )
    all_locations = models.BooleanField(
        default=False, help_text="Sees every location, present and future (for managers)."
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="May open the technical admin site (operators only)."
    )
    date_joined = models.DateTimeField(default=timezone.now)
    invited_at = models.DateTimeField(null=True, blank=True)
    invited_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deactivated_at = models.DateTimeField(null=True, blank=True)
    deactivated_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Secret part of the practitioner's calendar feed URL; regenerating it revokes the old one.
    feed_token = models.CharField(max_length=64, default=new_feed_token, unique=True)
    # Part of every session's signature: replacing it signs the person out everywhere.
    session_salt = models.CharField(max_length=64, default=new_feed_token, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def _get_session_auth_hash(self, secret=None):
        key_salt = "accounts.User.get_session_auth_hash"
        return salted_hmac(
            key_salt, self.password + self.session_salt, secret=secret, algorithm="sha256"
        ).hexdigest()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role else "No role"

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER

    @property
    def is_practitioner(self) -> bool:
        return self.role == Role.PRACTITIONER

    @property
    def is_front_desk(self) -> bool:
        return self.role == Role.FRONT_DESK

    @property
    def sees_clinical(self) -> bool:
        """Practitioners and managers see medical and clinical details; front desk never."""
        return self.role in CLINICAL

    @property
    def has_accepted_invite(self) -> bool:
        return self.has_usable_password()
