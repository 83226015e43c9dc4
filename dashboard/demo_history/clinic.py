"""The locations of a seeded history: rooms, a consultant and session practitioners with
their rota each, pigment lots and needles."""

import random
import secrets
from dataclasses import dataclass, field
from datetime import time, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_create_with_password
from dashboard.demo_history.names import (
    FIRST_NAMES,
    LAST_NAMES,
    LOCATION_NAMES,
)
from locations.models import Location, OpeningHours, Room
from scheduling.models import WorkingHours
from sessions_app.models import (
    Needle,
    PigmentLot,
    PigmentProduct,
)

STAFF_EMAIL_DOMAIN = "staff.demo-clinic.test"
SESSION_PRACTITIONERS = 7


@dataclass
class Team:
    """One location's people and rooms, and how full each working day already is."""

    location: Location
    consultant: User
    consultation_room: Room
    practitioners: list[User]
    rooms: list[Room]
    consultations_used: list[int] = field(default_factory=list)
    sessions_used: list[int] = field(default_factory=list)


def _staff(location: Location, key: str, role: Role, name: str) -> User:
    email = f"{key}@{STAFF_EMAIL_DOMAIN}"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = user_create_with_password(
            email=email,
            full_name=name,
            role=role,
            password=secrets.token_urlsafe(16),
            locations=[location],
        )
    return user


def _teams(central: Location, count: int, rng: random.Random) -> list[Team]:
    demo_practitioner = User.objects.get(email="practitioner@demo.smp-clinic.test")
    teams = []
    for index in range(count):
        if index == 0:
            location = central
        else:
            location, created = Location.objects.get_or_create(
                name=LOCATION_NAMES[index % len(LOCATION_NAMES)]
                + ("" if index < len(LOCATION_NAMES) else f" {index}"),
                defaults={"time_zone": central.time_zone, "address": f"{index} High Street"},
            )
            if created:
                OpeningHours.objects.bulk_create(
                    OpeningHours(location=location, weekday=w, opens=time(9), closes=time(18))
                    for w in range(6)
                )
        consultation_room, _ = Room.objects.get_or_create(
            location=location, name="Consultation room"
        )
        rooms = [
            Room.objects.get_or_create(location=location, name=f"Treatment room {n + 1}")[0]
            for n in range(SESSION_PRACTITIONERS)
        ]
        consultant = _staff(
            location,
            f"consultant-{index}",
            Role.PRACTITIONER,
            f"{rng.choice(FIRST_NAMES)} Consultant {index}",
        )
        practitioners = [
            demo_practitioner
            if index == 0 and n == 0
            else _staff(
                location,
                f"practitioner-{index}-{n}",
                Role.PRACTITIONER,
                f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            )
            for n in range(SESSION_PRACTITIONERS)
        ]
        if index:
            _staff(location, f"desk-{index}", Role.FRONT_DESK, f"{rng.choice(FIRST_NAMES)} Desk")
        for person in [consultant, *practitioners]:
            for weekday in range(6):
                WorkingHours.objects.get_or_create(
                    practitioner=person,
                    location=location,
                    weekday=weekday,
                    defaults={"start": time(9), "end": time(18, 30)},
                )
        teams.append(Team(location, consultant, consultation_room, practitioners, rooms))
    return teams


def _inventory() -> tuple[list[PigmentLot], list[Needle]]:
    far = timezone.localdate() + timedelta(days=5 * 365)
    lots = []
    for n, (brand, name, shade) in enumerate(
        [("Scalp Ink", "Shadow", "1"), ("Scalp Ink", "Shadow", "2"), ("Dermis Pro", "Jet", "3")]
    ):
        product, _ = PigmentProduct.objects.get_or_create(brand=brand, name=name, shade=shade)
        for suffix in ("A", "B"):
            lot, _ = PigmentLot.objects.get_or_create(
                product=product,
                lot_number=f"H{n}{suffix}-2024",
                defaults={
                    "expiry_date": far,
                    "volume_received_ml": Decimal("500"),
                    "volume_remaining_ml": Decimal("120"),
                },
            )
            lots.append(lot)
    needles = [
        Needle.objects.get_or_create(
            brand="Kwadron",
            configuration=config,
            lot_number=f"HN-{config}",
            defaults={
                "diameter_mm": Decimal(diameter),
                "expiry_date": far,
                "quantity_received": 5000,
                "quantity_remaining": 800,
            },
        )[0]
        for config, diameter in (("1RL", "0.25"), ("3RL", "0.30"), ("1RL", "0.18"))
    ]
    return lots, needles
