"""What `make run` relies on: with no DATABASE_URL or REDIS_URL the app runs on embedded
defaults (SQLite and a filesystem broker under VAR_DIR), migrates, loads the demo clinic and
lets a demo login in. Run in a separate process with a clean environment, as a new
developer's machine would."""

import json
import os
import runpy
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
    "debug": settings.DEBUG,
    "engine": settings.DATABASES["default"]["ENGINE"],
    "broker": settings.CELERY_BROKER_URL,
    "email": settings.EMAIL_BACKEND,
    "login": signed_in.status_code,
    "today": today.status_code,
    "today_has_nav": "main-nav" in today.content.decode(),
}))
"""


def make_run_env_file(folder: Path) -> Path:
    """The .env that `make run` writes on first start (scripts/write_env.py): it turns
    DEBUG on, which seed_demo needs."""
    template = runpy.run_path(str(ROOT / "scripts" / "write_env.py"))["TEMPLATE"]
    env_file = folder / ".env"
    env_file.write_text(template.format(secret="a-throwaway-key-for-this-test-only-" + "x" * 30))
    return env_file


@pytest.mark.slow
def test_a_fresh_checkout_runs_on_sqlite_and_the_filesystem_broker(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "REDIS_", "EMAIL_", "DJANGO_", "CELERY_"))
        # The test run's own values; here the .env speaks, as on a new machine.
        and key not in {"DEBUG", "SECRET_KEY", "STATIC_MANIFEST"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="smp_clinic.settings",
        VAR_DIR=str(tmp_path / "var"),
        ENV_FILE=str(make_run_env_file(tmp_path)),
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
    assert facts["debug"] is True
    assert facts["engine"] == "django.db.backends.sqlite3"
    assert facts["broker"].startswith("filesystem://")
    assert facts["email"] == "django.core.mail.backends.filebased.EmailBackend"
    assert (facts["login"], facts["today"], facts["today_has_nav"]) == (302, 200, True)
    assert (tmp_path / "var" / "db.sqlite3").is_file()


PUBLISH = """
import json
import django
django.setup()
from django.conf import settings
from smp_clinic.celery import app
app.send_task("aftercare.outbox_dispatch")
print(json.dumps(settings.CELERY_BROKER_TRANSPORT_OPTIONS))
"""


def test_the_filesystem_broker_keeps_all_its_folders_under_var_dir(tmp_path):
    """kombu's exchange tables default to a control/ folder in the working directory: `make
    run` starts Celery from the checkout, so they must be pointed under VAR_DIR. Run from an
    empty folder standing in for the checkout."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "REDIS_", "DJANGO_", "CELERY_"))
    }
    workdir = tmp_path / "checkout"
    workdir.mkdir()
    var = tmp_path / "var"
    env.update(
        DJANGO_SETTINGS_MODULE="smp_clinic.settings",
        PYTHONPATH=str(ROOT),
        VAR_DIR=str(var),
        SECRET_KEY="a-throwaway-key-for-this-test-only-0123456789-abcdefghijklmnop",
        ENV_FILE="/nonexistent",
    )
    result = subprocess.run(
        [sys.executable, "-c", PUBLISH],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    options = json.loads(result.stdout.strip().splitlines()[-1])
    folders = {key: Path(value) for key, value in options.items() if key.endswith("_folder")}
    assert folders["control_folder"] == var / "broker" / "control"
    assert all(folder.is_relative_to(var) for folder in folders.values()), folders
    assert list(workdir.iterdir()) == []
    assert list((var / "broker" / "control").glob("*.exchange")), "the task's exchange table"
    assert len(list((var / "broker" / "queue").iterdir())) == 1
