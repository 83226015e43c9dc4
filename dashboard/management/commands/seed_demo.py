"""Load a demo clinic: a location with rooms and opening hours, one login per role, clients.

Idempotent: running it again keeps what exists and prints the same logins, and puts the
three demo accounts back as they were made (active, their role and location, their
password, no lockout, no two-factor), so a printed login always works. Passwords are
random, made on first run and kept in var/demo-logins.json (git-ignored, owner-only), so a
demo never ships a password written in code.

It runs only with DEBUG on (the .env that `make run` writes turns it on), or with
--force: on a real clinic's database it would open three accounts with known roles.
"""

import json
import random
import secrets
from datetime import date, time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import two_factor
from accounts.models import User
from accounts.roles import Role
from accounts.services import user_create_with_password, user_restore_with_password
from clients.models import Client
from clients.services import client_create
from dashboard.demo_clinic import demo_clinic_seed
from dashboard.demo_history import history_seed
from dashboard.demo_history.names import FEMALE_FIRST_NAMES, LAST_NAMES
from dashboard.demo_history.names import FIRST_NAMES as MALE_FIRST_NAMES
from locations.models import Location, OpeningHours, Room
from scheduling.models import Appointment, WorkingHours

# The same made-up names as the history seed (dashboard.demo_history).
FIRST_NAMES = [*MALE_FIRST_NAMES, *FEMALE_FIRST_NAMES]
FEMALE_NAMES = set(FEMALE_FIRST_NAMES)

DEMO_STAFF = [
    ("frontdesk@demo.smp-clinic.test", "Fran Desk", Role.FRONT_DESK),
    ("practitioner@demo.smp-clinic.test", "Priya Patel", Role.PRACTITIONER),
    ("manager@demo.smp-clinic.test", "Morgan Manager", Role.MANAGER),
]


class Command(BaseCommand):
    help = "Create (or complete) the demo clinic and print one login per role."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print passwords.")
        parser.add_argument(
            "--force",
            action="store_true",
            help=(
                "Run with DEBUG off too (benchmarks): it opens demo accounts with known roles "
                "and passwords, so never on a real clinic's database."
            ),
        )
        parser.add_argument(
            "--clients", type=int, default=12, help="How many demo clients (default 12)."
        )
        parser.add_argument(
            "--years",
            type=int,
            help=(
                "Instead of the small demo, make --clients clients with this many years of "
                "history over several locations (bulk inserts, for load tests)."
            ),
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_demo opens demo accounts with known roles and passwords, so it runs only "
                "with DEBUG=true (a development machine; `make run` writes it into .env). "
                "Pass --force to run it with DEBUG off anyway."
            )
        logins_file = Path(settings.VAR_DIR) / "demo-logins.json"
        with transaction.atomic():
            location = self._location()
            passwords = self._staff(location, logins_file)
            self._rota(location)
            if options["years"] is None:
                created = self._clients(location, options["clients"])
                if created:
                    self._clinic_day(location)
        if options["years"] is not None:
            stats = history_seed(
                clients=options["clients"],
                years=options["years"],
                central=location,
                log=self.stdout.write,
            )
            self.stdout.write(
                f"History: {stats.clients} clients, {stats.appointments} appointments, "
                f"{stats.consultations} consultations, {stats.courses} courses, "
                f"{stats.sessions} sessions, {stats.passes} passes, {stats.photos} photos, "
                f"{stats.messages} messages."
            )
        if not options["quiet_logins"]:
            self._print_logins(passwords, logins_file)

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
            # A login lost from the file gets a fresh password, so there is one to print.
            password = stored.get(email) or secrets.token_urlsafe(9)
            if user is None:
                user_create_with_password(
                    email=email, full_name=name, role=role, password=password, locations=[location]
                )
            else:
                user_restore_with_password(
                    user=user, full_name=name, role=role, password=password, locations=[location]
                )
                if two_factor.is_enabled(user):
                    # The printed password alone must sign in.
                    two_factor.devices_remove(user=user, by=user)
            passwords[email] = password
        logins_file.parent.mkdir(parents=True, exist_ok=True)
        logins_file.write_text(json.dumps(passwords, indent=2))
        logins_file.chmod(0o600)
        return passwords

    def _rota(self, location: Location) -> None:
        for email in ("practitioner@demo.smp-clinic.test", "manager@demo.smp-clinic.test"):
            person = User.objects.get(email=email)
            for weekday in range(6):
                WorkingHours.objects.get_or_create(
                    practitioner=person,
                    location=location,
                    weekday=weekday,
                    defaults={"start": time(9), "end": time(18)},
                )

    def _clients(self, location: Location, count: int) -> int:
        """Top the demo clients up to ``count``; returns how many were added."""
        existing = Client.objects.filter(email__endswith="@demo-client.test").count()
        desk = User.objects.get(email="frontdesk@demo.smp-clinic.test")
        rng = random.Random(existing)  # stable names for the same run order
        added = 0
        for n in range(existing, count):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            client_create(
                by=desk,
                data={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{first}.{last}.{n}@demo-client.test".lower(),
                    "phone": f"+4479{rng.randrange(10**7, 10**8)}",
                    "date_of_birth": date(
                        rng.randrange(1960, 2000), rng.randrange(1, 13), rng.randrange(1, 28)
                    ),
                    "sex": "female" if first in FEMALE_NAMES else "male",
                    "home_location": location,
                    "preferred_channel": "email",
                    "email_reminders": True,
                    "marketing_consent": rng.random() < 0.5,
                },
            )
            added += 1
        return added

    def _clinic_day(self, location: Location) -> None:
        """Stock, consents, intakes and a believable fortnight (dashboard.demo_clinic), once:
        a location that already has appointments keeps them as they are."""
        if Appointment.objects.filter(location=location).exists():
            return
        clients = list(Client.objects.filter(email__endswith="@demo-client.test").order_by("pk"))
        demo_clinic_seed(location=location, clients=clients)

    def _print_logins(self, passwords: dict[str, str], logins_file: Path) -> None:
        rule = "=" * 78
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(rule))
        self.stdout.write(self.style.SUCCESS("Demo clinic ready. Sign in at " + settings.SITE_URL))
        for email, _name, role in DEMO_STAFF:
            self.stdout.write(f"  {role.label:<13} {email:<36} password: {passwords[email]}")
        self.stdout.write(f"These logins are kept in {logins_file}.")
        self.stdout.write(self.style.SUCCESS(rule))
        self.stdout.write("")
