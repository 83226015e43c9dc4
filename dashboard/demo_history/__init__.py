"""Years of clinic history at scale, for load tests and for trying the app on a full database.

``seed_demo --clients N --years Y`` calls ``history_seed``: several locations, each with a
consultation room and practitioner and a team of session practitioners with their own
treatment rooms; every client gets a consultation, about half go on to a course of two to
four sessions (each logged with passes, pigment lots and a healing check), some come back
for a touch-up; messages of every kind and state. Rows are written with ``bulk_create`` in
batches of clients, in the shapes the services write them, so it finishes in minutes where
the services (audit entries, one transaction per booking) would take hours.

Appointments sit on a fixed grid per practitioner and room (consultations hourly 09:00 to
17:00, sessions at 09:15 and 14:00), so the exclusion constraints against double booking
hold by construction.
"""

import random

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from aftercare.models import OutboundMessage
from clients.models import Client, ClientLocation
from consultations.models import Consultation
from dashboard.demo_history.clinic import _inventory, _teams
from dashboard.demo_history.rows import HISTORY_EMAIL_DOMAIN, Calendar, Stats, _Batch, _client
from locations.models import Location
from scheduling.models import Appointment, AppointmentType, Course
from sessions_app.models import HealingCheck, LayeringPass, PigmentationSession

CLIENTS_PER_LOCATION = 8500
BATCH_CLIENTS = 1000
PHOTO_SESSIONS = 6
LOCATION_COUNT_LIMIT = 24


def _backdate() -> None:
    """bulk_create stamps ``auto_now_add`` fields with now; history wants its own times."""
    tables = {
        "appointment": Appointment._meta.db_table,
        "client": Client._meta.db_table,
        "consultation": Consultation._meta.db_table,
        "session": PigmentationSession._meta.db_table,
        "course": Course._meta.db_table,
        "lp": LayeringPass._meta.db_table,
        "hc": HealingCheck._meta.db_table,
        "msg": OutboundMessage._meta.db_table,
    }
    statements = [
        "UPDATE {appointment} SET booked_at = start - interval '14 days'",
        "UPDATE {consultation} c SET started_at = a.start, updated_at = a.end "
        "FROM {appointment} a WHERE a.id = c.appointment_id",
        "UPDATE {session} s SET created_at = a.start FROM {appointment} a "
        "WHERE a.id = s.appointment_id",
        "UPDATE {lp} p SET created_at = s.started_at FROM {session} s WHERE s.id = p.session_id",
        "UPDATE {hc} SET recorded_at = checked_on + time '12:00'",
        "UPDATE {course} c SET created_at = f.first - interval '20 days' FROM "
        "(SELECT course_id, min(start) AS first FROM {appointment} "
        "WHERE course_id IS NOT NULL GROUP BY course_id) f WHERE f.course_id = c.id",
        "UPDATE {client} c SET created_at = f.first - interval '10 days', "
        "updated_at = f.first - interval '10 days' FROM "
        "(SELECT client_id, min(start) AS first FROM {appointment} GROUP BY client_id) f "
        "WHERE f.client_id = c.id",
        "UPDATE {msg} SET created_at = LEAST(due_at, now()) - interval '1 day', "
        "updated_at = COALESCE(sent_at, LEAST(due_at, now()))",
    ]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement.format(**tables))
        # As autovacuum would soon: fresh statistics, and a visibility map so that counts
        # can be answered from indexes (VACUUM cannot run inside a transaction, as in tests).
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")


def history_seed(*, clients: int, years: int, central: Location, log=print, seed: int = 8) -> Stats:
    """Make ``clients`` clients with ``years`` of history; returns what was made."""
    stats = Stats()
    if Client.objects.filter(email__endswith="@" + HISTORY_EMAIL_DOMAIN).exists():
        log("History already seeded; nothing to do.")
        return stats
    rng = random.Random(seed)
    now = timezone.now()
    cal = Calendar(years=years, today=timezone.localdate())
    locations = max(1, min(LOCATION_COUNT_LIMIT, round(clients / CLIENTS_PER_LOCATION)))
    with transaction.atomic():
        teams = _teams(central, locations, rng)
        lots, needles = _inventory()
    for team in teams:
        team.consultations_used = [0] * len(cal.days)
        team.sessions_used = [0] * len(cal.days)
    # The demo front desk stays at Central Clinic; each other location has its own.
    desk = User.objects.get(email="frontdesk@demo.smp-clinic.test")
    types = {t.kind: t for t in AppointmentType.objects.all()}
    photo_budget = [PHOTO_SESSIONS]
    for first in range(0, clients, BATCH_CLIENTS):
        with transaction.atomic():
            batch = _Batch(
                rng=rng,
                cal=cal,
                teams=teams,
                lots=lots,
                needles=needles,
                types=types,
                desk=desk,
                stats=stats,
                now=now,
            )
            members = [
                (_client(rng, n, teams[n % len(teams)], desk), teams[n % len(teams)])
                for n in range(first, min(clients, first + BATCH_CLIENTS))
            ]
            Client.objects.bulk_create([c for c, _ in members])
            ClientLocation.objects.bulk_create(
                ClientLocation(client=c, location=t.location) for c, t in members
            )
            stats.clients += len(members)
            for client, team in members:
                batch.client_story(client, team)
            batch.write(photo_budget)
        log(f"  {stats.clients} clients, {stats.appointments} appointments")
    _backdate()
    return stats
