"""Writes on locations, their opening hours and rooms (managers only, through the views)."""

from datetime import time

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from locations.models import Location, OpeningHours, Room


@transaction.atomic
def location_save(
    *, location: Location | None, data: dict, hours: dict[int, tuple[time, time] | None]
) -> Location:
    location = location or Location()
    for name in ("name", "time_zone", "address", "phone", "email", "is_active"):
        if name in data:
            setattr(location, name, data[name])
    location.name = " ".join(location.name.split())
    clash = Location.objects.filter(name__iexact=location.name).exclude(pk=location.pk)
    if clash.exists():
        raise ValidationError({"name": "Another location already has this name."})
    location.full_clean()
    location.save()
    for weekday, span in hours.items():
        if span is None:
            OpeningHours.objects.filter(location=location, weekday=weekday).delete()
            continue
        opens, closes = span
        if opens >= closes:
            raise ValidationError(
                f"{OpeningHours.Weekday(weekday).label}: opening must be before closing."
            )
        OpeningHours.objects.update_or_create(
            location=location, weekday=weekday, defaults={"opens": opens, "closes": closes}
        )
    return location


@transaction.atomic
def room_save(*, room: Room | None, location: Location, name: str, is_active: bool = True) -> Room:
    room = room or Room(location=location)
    room.name = " ".join(name.split())
    room.is_active = is_active
    if not room.name:
        raise ValidationError({"name": "Give the room a name."})
    try:
        with transaction.atomic():
            room.save()
    except IntegrityError:
        raise ValidationError(
            {"name": f"{location.name} already has a room called {room.name}."}
        ) from None
    return room
