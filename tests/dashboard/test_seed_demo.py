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
