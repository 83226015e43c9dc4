import json
import re
from datetime import time, timedelta
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import GROUP_NAMES, Role
from clients.models import Client
from dashboard.management.commands.seed_demo import DEMO_STAFF
from locations.models import Location
from scheduling.models import Appointment
from smp_clinic.lib.tz import local_datetime

# The story's appointments with eight clients: eight visits, a course's second session, and
# (when its consultation is over) the three sessions of the plan booked from it.
DEMO_APPOINTMENTS_OF_8_CLIENTS = (9, 12)


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
    assert Appointment.objects.count() in DEMO_APPOINTMENTS_OF_8_CLIENTS
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


# --- The small demo's clinic day -----------------------------------------------------------

DEMO_PRACTITIONER = "practitioner@demo.smp-clinic.test"
DEMO_MANAGER = "manager@demo.smp-clinic.test"
DEMO_DESK = "frontdesk@demo.smp-clinic.test"


def seed_at(weekday: int, at: time):
    """Seed the default demo at ``at`` on a coming ``weekday`` (0 = Monday), London time;
    returns the frozen clock, still running at that moment, for the pages to be read at."""
    from tests.factories import next_weekday

    moment = local_datetime(next_weekday(weekday), at, ZoneInfo(settings.TIME_ZONE))
    traveller = time_machine.travel(moment, tick=False)
    traveller.start()
    run_seed("--quiet-logins")
    return traveller


@pytest.fixture
def evening(db):
    """Seeded on a Wednesday at 21:30: the day's work is all done."""
    traveller = seed_at(2, time(21, 30))
    yield
    traveller.stop()


def signed_in(client, email):
    client.force_login(User.objects.get(email=email))
    return client


def still_to_arrive(page) -> int:
    match = re.search(r"Still to arrive</div><div[^>]*>(\d+)<", page.content.decode())
    assert match, "the Today page shows how many are still to arrive"
    return int(match.group(1))


def test_the_demo_consultation_has_photos_and_an_approved_design_the_editor_shows(evening, client):
    from consultations.models import Consultation

    consultation = Consultation.objects.get(designs__isnull=False)
    assert consultation.status == "completed"
    assert consultation.appointment.status == "completed"
    assert consultation.photo_links.count() == 3
    plan = consultation.designs.get()
    assert plan.is_approved
    assert consultation.plan.course.appointments.count() == 3
    page = signed_in(client, DEMO_PRACTITIONER).get(
        reverse("consultations:design", args=[consultation.public_id])
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="design-form"' in html
    assert 'data-testid="design-refusal"' not in html
    assert 'data-testid="design-approved"' in html


def test_the_demo_session_log_shows_its_passes_and_the_course_has_its_next_session(evening, client):
    from aftercare.models import OutboundMessage
    from sessions_app.models import PigmentationSession

    session = PigmentationSession.objects.get(status="signed_off")
    assert session.appointment.status == "completed"
    assert session.passes.count() == 3
    assert set(session.photo_links.values_list("stage", flat=True)) == {"before", "after"}
    upcoming = session.course.appointments.exclude(pk=session.appointment_id).get()
    assert (upcoming.status, upcoming.course_position) == ("booked", 2)
    assert OutboundMessage.objects.filter(client=session.client, kind__startswith="aftercare")
    page = signed_in(client, DEMO_PRACTITIONER).get(
        reverse("sessions_app:session", args=[session.public_id])
    )
    assert page.content.decode().count('data-testid="pass-row"') == 3

    progress = client.get(reverse("sessions_app:progress", args=[session.client.public_id]))
    html = progress.content.decode()
    assert 'data-testid="shade-ladder"' in html
    assert 'data-testid="progress-photo"' in html


def test_the_demo_inventory_lists_lots_and_warns_of_low_stock(evening, client):
    from sessions_app.models import LayeringPass, PigmentLot

    page = signed_in(client, DEMO_MANAGER).get(reverse("sessions_app:inventory"))
    html = page.content.decode()
    assert "No pigment products yet" not in html
    for lot in PigmentLot.objects.all():
        assert lot.lot_number in html
    assert 'data-testid="low-stock"' in html
    assert html.count('data-testid="needle"') == 3
    # The passes took their pigment from the stock.
    used = PigmentLot.objects.get(lot_number="SI1-2503")
    assert used.volume_remaining_ml == 30 - sum(
        p.pigment_ml for p in LayeringPass.objects.filter(pigment_lot=used)
    )


def test_the_demo_front_desk_sees_an_open_blocking_flag_and_a_cleared_one(evening):
    from clients.intake.selectors import client_session_block_reason
    from clients.models import IntakeFlag

    today = timezone.localdate()
    open_block = IntakeFlag.objects.get(code="blood_thinners", clearance__isnull=True)
    assert client_session_block_reason(client=open_block.intake.client, on=today)
    cleared = IntakeFlag.objects.get(code="isotretinoin_steroids")
    assert cleared.clearance.cleared_by.email == DEMO_PRACTITIONER
    assert client_session_block_reason(client=cleared.intake.client, on=today) is None
    assert IntakeFlag.objects.filter(code="diabetes", severity="warn").exists()


def test_seeded_in_the_evening_nothing_of_today_is_still_to_arrive(evening, client):
    desk = signed_in(client, DEMO_DESK)
    today = timezone.localdate()
    todays = Appointment.objects.filter(start__date=today)
    assert todays.count() == 3
    assert set(todays.values_list("status", flat=True)) == {"completed"}
    assert still_to_arrive(desk.get(reverse("dashboard:today"))) == 0
    # The next working day has its bookings ahead.
    assert Appointment.objects.filter(start__date=today + timedelta(days=1), status="booked")


def test_seeded_in_the_morning_the_whole_day_is_still_to_arrive(db, client):
    traveller = seed_at(2, time(8))
    try:
        today = timezone.localdate()
        todays = Appointment.objects.filter(start__date=today)
        assert set(todays.values_list("status", flat=True)) == {"booked"}
        page = signed_in(client, DEMO_DESK).get(reverse("dashboard:today"))
        assert still_to_arrive(page) == todays.count() == 3
        # Nothing was done before its time: no session log, no consultation record.
        assert not todays.filter(pigmentation_session__isnull=False).exists()
        assert not todays.filter(consultation__isnull=False).exists()
    finally:
        traveller.stop()


def test_seeded_early_on_a_monday_the_story_happened_on_the_saturday_before(db):
    """Whatever the time of the seed, the last working day holds the signed-off session and
    the designed consultation, recorded on the clock of that day."""
    from audit.models import AuditEvent
    from consultations.models import Consultation
    from sessions_app.models import PigmentationSession

    traveller = seed_at(0, time(0, 30))
    try:
        tz = ZoneInfo(settings.TIME_ZONE)
        saturday = timezone.localdate() - timedelta(days=2)
        session = PigmentationSession.objects.get(status="signed_off")
        start = timezone.localtime(session.appointment.start, tz)
        signed_off = timezone.localtime(session.signed_off_at, tz)
        assert start.date() == saturday
        assert (session.appointment.status, session.passes.count()) == ("completed", 3)
        # Signed off at the end of the appointment, on its day, not when the seed ran.
        assert signed_off.date() == saturday
        assert start < signed_off <= timezone.localtime(session.appointment.end, tz)
        consultation = Consultation.objects.get(designs__isnull=False)
        assert timezone.localtime(consultation.appointment.start, tz).date() == saturday
        assert consultation.status == "completed"
        changes = AuditEvent.objects.filter(
            object_id=str(session.appointment.public_id), changes__has_key="status"
        )
        checked_in = [e.at for e in changes if "checked_in" in str(e.changes["status"])]
        assert checked_in, "the check-in is in the audit trail"
        assert {timezone.localtime(t, tz).date() for t in checked_in} == {saturday}
    finally:
        traveller.stop()


def test_seeded_at_midday_the_morning_is_done_and_the_afternoon_to_come(db, client):
    from sessions_app.models import PigmentationSession

    traveller = seed_at(2, time(12, 30))
    try:
        today = timezone.localdate()
        by_time = {
            timezone.localtime(a.start).time(): a.status
            for a in Appointment.objects.filter(start__date=today)
        }
        assert by_time == {time(10): "completed", time(14): "booked", time(16): "booked"}
        # The course's first session was yesterday, and signed off.
        session = PigmentationSession.objects.get()
        assert (session.status, session.passes.count()) == ("signed_off", 3)
        page = signed_in(client, DEMO_DESK).get(reverse("dashboard:today"))
        assert still_to_arrive(page) == 2
    finally:
        traveller.stop()


def test_a_second_run_of_the_demo_adds_nothing_and_sends_no_email(evening, mailoutbox):
    from aftercare.models import OutboundMessage
    from clients.models import MedicalIntake, Photo, SignedConsent
    from sessions_app.models import LayeringPass, PigmentLot

    models = [
        Appointment,
        Client,
        SignedConsent,
        MedicalIntake,
        Photo,
        LayeringPass,
        PigmentLot,
        OutboundMessage,
    ]
    before = {model: model.objects.count() for model in models}
    assert all(before.values())
    run_seed("--quiet-logins")
    assert {model: model.objects.count() for model in models} == before
    assert mailoutbox == []
