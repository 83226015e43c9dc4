import uuid
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            "%(value)s is not a time zone name such as Europe/London.", params={"value": value}
        ) from None


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class Location(models.Model):
    """A clinic site. Appointments are shown in their location's time zone."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=120)
    time_zone = models.CharField(
        max_length=64, validators=[validate_time_zone], default="Europe/London"
    )
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="location_name_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class OpeningHours(models.Model):
    """When a location is open on a weekday (0 = Monday). No row: closed that day."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.UniqueConstraint(
                fields=["location", "weekday"], name="opening_hours_one_per_day"
            ),
            models.CheckConstraint(
                condition=models.Q(opens__lt=models.F("closes")),
                name="opening_hours_opens_before_closes",
            ),
            models.CheckConstraint(
                condition=models.Q(weekday__gte=0, weekday__lte=6),
                name="opening_hours_weekday_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Room(models.Model):
    """A treatment or consultation room; the calendar refuses two live bookings in one."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(max_length=80)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["location__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["location", "name"], name="room_name_unique_per_location"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.location.name})" if self.location_id else self.name
