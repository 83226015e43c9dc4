"""What `make run` relies on: with no DATABASE_URL or REDIS_URL the app runs on embedded
defaults (SQLite and a filesystem broker under VAR_DIR), migrates, loads the demo clinic and
lets a demo login in. Run in a separate process with a clean environment, as a new
developer's machine would."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

CHECK = """
import json
from django.conf import settings
from django.test import Client
logins = json.loads((settings.VAR_DIR / "demo-logins.json").read_text())
client = Client()
email = "frontdesk@demo.smp-clinic.test"
signed_in = client.post("/accounts/login/", {"username": email, "password": logins[email]})
today = client.get("/")
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "broker": settings.CELERY_BROKER_URL,
    "email": settings.EMAIL_BACKEND,
    "login": signed_in.status_code,
    "today": today.status_code,
    "today_has_nav": "main-nav" in today.content.decode(),
}))
"""


@pytest.mark.slow
def test_a_fresh_checkout_runs_on_sqlite_and_the_filesystem_broker(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "REDIS_", "EMAIL_", "DJANGO_", "CELERY_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="smp_clinic.settings",
        VAR_DIR=str(tmp_path / "var"),
        SECRET_KEY="a-throwaway-key-for-this-test-only-0123456789-abcdefghijklmnop",
        ENV_FILE="/nonexistent",
        ALLOWED_HOSTS="testserver",
    )

    def manage(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    manage("migrate", "--noinput")
    seeded = manage("seed_demo", "--clients", "3")
    assert "Demo clinic ready" in seeded
    assert seeded.count("password: ") == 3
    facts = json.loads(manage("shell", "-c", CHECK).strip().splitlines()[-1])
    assert facts["engine"] == "django.db.backends.sqlite3"
    assert facts["broker"].startswith("filesystem://")
    assert facts["email"] == "django.core.mail.backends.filebased.EmailBackend"
    assert (facts["login"], facts["today"], facts["today_has_nav"]) == (302, 200, True)
    assert (tmp_path / "var" / "db.sqlite3").is_file()
