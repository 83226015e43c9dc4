import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import User
from accounts.roles import GROUP_NAMES, Role
from clients.models import Client
from dashboard.management.commands.seed_demo import DEMO_STAFF
from locations.models import Location
from scheduling.models import Appointment


def run_seed(*args) -> str:
    # DEBUG is off under test settings; --force is what a benchmark passes.
    out = StringIO()
    call_command("seed_demo", "--force", *args, stdout=out)
    return out.getvalue()


def demo_logins() -> dict[str, str]:
    return json.loads((Path(settings.VAR_DIR) / "demo-logins.json").read_text())


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


def test_seed_demo_refuses_to_run_with_debug_off_unless_forced(db):
    with pytest.raises(CommandError, match="runs only with DEBUG=true") as refused:
        call_command("seed_demo", stdout=StringIO())
    assert "Pass --force" in str(refused.value)
    assert not User.objects.exists()


def test_seed_demo_runs_without_force_when_debug_is_on(db, settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("seed_demo", "--clients", "1", stdout=out)
    assert "Demo clinic ready" in out.getvalue()
    assert User.objects.filter(email__endswith="@demo.smp-clinic.test").count() == 3


def test_seed_demo_ends_with_the_logins_in_a_block_that_says_where_they_are_kept(db):
    lines = run_seed("--clients", "1").rstrip("\n").splitlines()
    rule = "=" * 78
    assert lines[-7] == lines[-1] == rule
    assert lines[-6].startswith("Demo clinic ready. Sign in at ")
    assert [line.split()[-3] for line in lines[-5:-2]] == [email for email, _, _ in DEMO_STAFF]
    assert lines[-2] == f"These logins are kept in {Path(settings.VAR_DIR) / 'demo-logins.json'}."


def test_a_second_run_puts_every_demo_account_back_so_each_printed_login_works(
    db, client, other_location
):
    from accounts.two_factor import is_enabled, setup_device

    run_seed("--clients", "1", "--quiet-logins")
    logins = demo_logins()
    demo = {role: User.objects.get(email=email) for email, _, role in DEMO_STAFF}
    # Everything a manager or a curious tester could do to the demo accounts meanwhile.
    User.objects.filter(pk=demo[Role.PRACTITIONER].pk).update(is_active=False)
    User.objects.filter(pk=demo[Role.MANAGER].pk).update(role=Role.FRONT_DESK, full_name="X")
    demo[Role.MANAGER].groups.clear()
    demo[Role.FRONT_DESK].locations.set([other_location])
    demo[Role.MANAGER].set_password("changed by someone")
    demo[Role.MANAGER].save(update_fields=["password"])
    desk_email = demo[Role.FRONT_DESK].email
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": desk_email, "password": "wrong"})
    device = setup_device(demo[Role.PRACTITIONER])
    device.confirmed = True
    device.save(update_fields=["confirmed"])

    out = run_seed("--clients", "1")

    central = Location.objects.get(name="Central Clinic")
    for email, name, role in DEMO_STAFF:
        user = User.objects.get(email=email)
        assert (user.is_active, user.role, user.full_name) == (True, role, name)
        assert list(user.locations.all()) == [central]
        assert list(user.groups.values_list("name", flat=True)) == [GROUP_NAMES[role]]
        assert not is_enabled(user)
        assert f"password: {logins[email]}" in out
        signed_in = client.post(
            reverse("accounts:login"), {"username": email, "password": logins[email]}
        )
        assert signed_in.status_code == 302, email
        assert client.get(reverse("dashboard:today")).status_code == 200, email
        client.logout()
