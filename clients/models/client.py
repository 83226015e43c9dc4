import uuid
from datetime import date

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField


class Client(models.Model):
    """A person who comes to the clinic. Clients never log in; they get signed links."""

    class Sex(models.TextChoices):
        MALE = "male", "Male"
        FEMALE = "female", "Female"
        OTHER = "other", "Other / prefer not to say"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone call"
        SMS = "sms", "Text message"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ARCHIVED = "archived", "Archived"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)
    phone = PhoneNumberField(blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(
        "sex (for hair-loss grading)", max_length=10, choices=Sex.choices, blank=True
    )
    pronouns = models.CharField(max_length=30, blank=True)
    address = models.TextField(blank=True)
    home_location = models.ForeignKey(
        "locations.Location", on_delete=models.PROTECT, related_name="home_clients"
    )
    # Every location the client is known at (home, and wherever they have been booked):
    # staff see the clients of their own locations.
    locations = models.ManyToManyField(
        "locations.Location", through="ClientLocation", related_name="clients"
    )
    preferred_channel = models.CharField(
        max_length=10, choices=Channel.choices, default=Channel.EMAIL
    )
    email_reminders = models.BooleanField(
        "appointment reminders and aftercare by email", default=True
    )
    marketing_consent = models.BooleanField("touch-up recalls and offers by email", default=False)
    marketing_consent_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(
        "front-desk notes",
        blank=True,
        help_text=(
            "Practical notes only (parking, preferred times). Medical details go in the intake."
        ),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    archived_at = models.DateTimeField(null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Erasure on request (GDPR): identifiers removed, clinical and lot records kept anonymous.
    erased_at = models.DateTimeField(null=True, blank=True)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    # Lower-cased names, email and phone digits, written by clients.services; the trigram
    # index on it makes partial, case-insensitive search fast at 100,000 clients.
    search_text = models.TextField(default="", editable=False)

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            GinIndex(OpClass("search_text", name="gin_trgm_ops"), name="client_search_trgm"),
            models.Index(Upper("email"), name="client_email_upper"),
            models.Index(fields=["phone"], name="client_phone"),
            models.Index(fields=["status", "last_name", "first_name"], name="client_status_name"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def display_name(self) -> str:
        if self.preferred_name and self.preferred_name != self.first_name:
            return f"{self.full_name} ({self.preferred_name})"
        return self.full_name

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def is_archived(self) -> bool:
        return self.status == self.Status.ARCHIVED

    @property
    def age(self) -> int | None:
        return self.age_on(timezone.localdate())

    def age_on(self, day: date) -> int | None:
        if self.date_of_birth is None:
            return None
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class ClientLocation(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="location_links")
    location = models.ForeignKey("locations.Location", on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "location"], name="client_location_unique"),
        ]

    def __str__(self) -> str:
        return f"client {self.client_id} at location {self.location_id}"
