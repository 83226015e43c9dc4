"""Load a demo clinic: a location with rooms and opening hours, one login per role, clients.

Idempotent: running it again keeps what exists and prints the same logins. Passwords are
random, made on first run and kept in var/demo-logins.json (git-ignored, owner-only), so a
demo never ships a password written in code.
"""

import json
import secrets
from datetime import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_create_with_password
from locations.models import Location, OpeningHours, Room

DEMO_STAFF = [
    ("frontdesk@demo.smp-clinic.test", "Fran Desk", Role.FRONT_DESK),
    ("practitioner@demo.smp-clinic.test", "Priya Patel", Role.PRACTITIONER),
    ("manager@demo.smp-clinic.test", "Morgan Manager", Role.MANAGER),
]


class Command(BaseCommand):
    help = "Create (or complete) the demo clinic and print one login per role."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print passwords.")

    def handle(self, *args, **options):
        logins_file = Path(settings.VAR_DIR) / "demo-logins.json"
        with transaction.atomic():
            location = self._location()
            passwords = self._staff(location, logins_file)
        if not options["quiet_logins"]:
            self._print_logins(passwords)

    def _location(self) -> Location:
        location, created = Location.objects.get_or_create(
            name="Central Clinic",
            defaults={
                "time_zone": settings.TIME_ZONE,
                "address": "12 Example Street\nLondon",
                "phone": "+44 20 7946 0000",
                "email": "hello@demo.smp-clinic.test",
            },
        )
        if created:
            for weekday in range(6):  # Monday to Saturday
                OpeningHours.objects.create(
                    location=location, weekday=weekday, opens=time(9), closes=time(18)
                )
        for name in ("Consultation room", "Treatment room 1", "Treatment room 2"):
            Room.objects.get_or_create(location=location, name=name)
        return location

    def _staff(self, location: Location, logins_file: Path) -> dict[str, str]:
        stored: dict[str, str] = {}
        if logins_file.is_file():
            stored = json.loads(logins_file.read_text())
        passwords: dict[str, str] = {}
        for email, name, role in DEMO_STAFF:
            user = User.objects.filter(email=email).first()
            password = stored.get(email)
            if user is None:
                password = secrets.token_urlsafe(9)
                user_create_with_password(
                    email=email, full_name=name, role=role, password=password, locations=[location]
                )
            elif password is None or not user.check_password(password):
                # The stored login was lost or changed: issue a fresh one so it can be printed.
                password = secrets.token_urlsafe(9)
                user.set_password(password)
                user.save(update_fields=["password"])
            passwords[email] = password
        logins_file.parent.mkdir(parents=True, exist_ok=True)
        logins_file.write_text(json.dumps(passwords, indent=2))
        logins_file.chmod(0o600)
        return passwords

    def _print_logins(self, passwords: dict[str, str]) -> None:
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Demo clinic ready. Sign in at " + settings.SITE_URL))
        for email, _name, role in DEMO_STAFF:
            self.stdout.write(f"  {role.label:<13} {email:<36} password: {passwords[email]}")
        self.stdout.write("")
