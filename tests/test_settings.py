"""Settings read the environment strictly: no secret in code, no silent typo."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_settings(**env_overrides) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE"}
    }
    env.update({"ENV_FILE": "/nonexistent", "DJANGO_SETTINGS_MODULE": "smp_clinic.settings"})
    env.update(env_overrides)
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_production_settings_refuse_to_start_without_secret_key():
    result = run_settings()
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_is_off_unless_set():
    result = run_settings(SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_a_mistyped_boolean_stops_the_process():
    result = run_settings(SECRET_KEY="x" * 50, DEBUG="ture")
    assert result.returncode != 0
    assert "DEBUG='ture' is not a boolean" in result.stderr


def test_an_unknown_time_zone_stops_the_process():
    result = run_settings(SECRET_KEY="x" * 50, TIME_ZONE="Mars/Olympus")
    assert result.returncode != 0
    assert "is not an IANA time zone" in result.stderr


def test_a_currency_that_is_not_iso_4217_stops_the_process():
    result = run_settings(SECRET_KEY="x" * 50, CLINIC_CURRENCY="EURO")
    assert result.returncode != 0
    assert "CLINIC_CURRENCY='EURO' is not an ISO 4217 currency code" in result.stderr
    assert run_settings(SECRET_KEY="x" * 50, CLINIC_CURRENCY="EUR").returncode == 0


def test_role_groups_exist_with_permissions(db):
    from django.contrib.auth.models import Group

    groups = {g.name: g for g in Group.objects.prefetch_related("permissions")}
    assert set(groups) >= {"Front desk", "Practitioner", "Manager"}
    manager_perms = {p.codename for p in groups["Manager"].permissions.all()}
    assert "change_user" in manager_perms
    front_desk_perms = {p.codename for p in groups["Front desk"].permissions.all()}
    assert "change_user" not in front_desk_perms


def _example_env() -> dict[str, str]:
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key] = value
    return values


def test_env_example_as_shipped_starts_once_a_secret_key_is_given():
    env = _example_env()
    env["SECRET_KEY"] = "y" * 50
    result = run_settings(**env)
    assert result.returncode == 0, result.stderr


def test_every_variable_settings_read_is_documented_in_env_example():
    import re

    source = (ROOT / "smp_clinic" / "settings.py").read_text()
    read = set(re.findall(r'env(?:_str|_bool|_int|_list|\.str)\(\s*"([A-Z_]+)"', source))
    documented = set(_example_env())
    commented = set(re.findall(r"^# ?([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert read - documented - commented == set()
