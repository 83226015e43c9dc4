import json
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from accounts.models import User
from accounts.roles import Role
from clients.models import Client
from scheduling.models import Appointment


def run_seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_seed_demo_prints_one_working_login_per_role_and_is_idempotent(db, client):
    first = run_seed("--clients", "8")
    second = run_seed("--clients", "8")
    assert first.splitlines()[-4:] == second.splitlines()[-4:]
    logins = json.loads((Path(settings.VAR_DIR) / "demo-logins.json").read_text())
    for role in Role:
        user = User.objects.get(role=role, email__endswith="@demo.smp-clinic.test")
        assert f"{user.email}" in first
        assert f"password: {logins[user.email]}" in first
        signed_in = client.post(
            "/accounts/login/", {"username": user.email, "password": logins[user.email]}
        )
        assert signed_in.status_code == 302
        client.logout()
    assert Client.objects.count() == 8
    assert Appointment.objects.count() == 6
    assert User.objects.filter(email__endswith="@demo.smp-clinic.test").count() == 3


def test_seed_demo_tops_clients_up_to_the_number_asked(db):
    run_seed("--clients", "3", "--quiet-logins")
    run_seed("--clients", "10", "--quiet-logins")
    assert Client.objects.count() == 10


def test_seed_demo_with_years_makes_a_clinic_history_of_every_kind(db, monkeypatch):
    from aftercare.models import OutboundMessage
    from clients.models import ClientLocation, Photo
    from consultations.models import Consultation
    from locations.models import Location
    from scheduling.models import Course
    from sessions_app.models import HealingCheck, LayeringPass, PigmentationSession

    # Two locations' worth of clients, so the teams of several locations are made too.
    monkeypatch.setattr("dashboard.demo_history.CLIENTS_PER_LOCATION", 100)
    out = run_seed("--clients", "200", "--years", "1", "--quiet-logins")
    assert "History: 200 clients" in out
    assert Client.objects.count() == 200
    assert ClientLocation.objects.count() == 200
    assert Location.objects.count() == 2
    statuses = set(Appointment.objects.values_list("status", flat=True))
    assert {"completed", "booked"} <= statuses
    assert Appointment.objects.filter(appointment_type__kind="consultation").count() > 150
    assert Consultation.objects.filter(status="completed").count() > 100
    assert Course.objects.exists()
    assert PigmentationSession.objects.filter(status="signed_off").count() > 50
    assert LayeringPass.objects.count() >= 2 * PigmentationSession.objects.count()
    assert HealingCheck.objects.exists()
    assert Photo.objects.filter(session_links__isnull=False).exists()
    message_states = set(OutboundMessage.objects.values_list("status", flat=True))
    assert {"sent", "pending", "skipped"} <= message_states
    # Found by the search the client list uses.
    assert Client.objects.exclude(search_text="").count() == 200
    # A second run keeps the history as it is.
    run_seed("--clients", "200", "--years", "1", "--quiet-logins")
    assert Client.objects.count() == 200
