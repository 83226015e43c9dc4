"""Real components on loopback for the outbox's reliability test and its benchmark: a
private redis-server, Celery worker processes, and an aiosmtpd server that records what it
accepted (and can hold every sender in DATA so a kill lands at a chosen point).

Nothing here touches the shared Redis on 6379 or any address off this machine.
"""

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from email import message_from_bytes
from pathlib import Path

from aiosmtpd.controller import Controller
from kombu import pools as kombu_pools

IDEMPOTENCY_HEADER = "X-SMP-Idempotency-Key"
REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


class RecordingHandler:
    """Accepts every message and records its idempotency key. With ``hold_after`` set, once
    that many are recorded every later DATA is held unanswered (not accepted, not recorded)
    until ``release()``, then refused with a 451: a sender killed meanwhile had not had its
    message accepted, exactly like a real server whose client vanished before the reply."""

    def __init__(self, hold_after: int | None = None, delay: float = 0.0):
        self.keys: list[str] = []
        # Seconds each message takes to be accepted, so that a test can act mid-stream.
        self.delay = delay
        self.hold_after = hold_after
        self.holding = False
        self.released = False
        self.waiting = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's name
        if self.holding:
            with self._lock:
                self.waiting += 1
            while not self.released:
                await asyncio.sleep(0.01)
            with self._lock:
                self.waiting -= 1
            return "451 4.3.0 Not accepted: the sender went away"
        if self.delay:
            await asyncio.sleep(self.delay)
        key = message_from_bytes(envelope.original_content or envelope.content)[IDEMPOTENCY_HEADER]
        with self._lock:
            self.keys.append(key)
            if self.hold_after is not None and len(self.keys) >= self.hold_after:
                self.holding = True
        return "250 2.0.0 OK"

    def release(self) -> None:
        """Answer the held senders (451) and accept everything from now on."""
        self.hold_after = None
        self.released = True
        self.holding = False

    def counts(self) -> Counter:
        with self._lock:
            return Counter(self.keys)


class SmtpServer:
    def __init__(self, handler: RecordingHandler):
        self.handler = handler
        self.port = free_port()
        self.controller = Controller(handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> "SmtpServer":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.handler.release()
        self.controller.stop()


class RedisServer:
    """A private redis-server without persistence: a restart loses every queued task."""

    def __init__(self):
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server must be installed (apt-get install redis-server)")
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def __enter__(self) -> "RedisServer":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def celery_binary() -> str:
    """The project venv's celery, beside the Python running the tests (CI's venv too)."""
    return str(Path(sys.executable).with_name("celery"))


def worker_env(*, database_url: str, redis_url: str, smtp_port: int, stuck_after: int) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "smp_clinic.settings",
            "SECRET_KEY": "reliability-test-" + os.urandom(8).hex(),
            "ENV_FILE": "/nonexistent",
            "DEBUG": "false",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "REDIS_CACHE_URL": redis_url,
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "EMAIL_TIMEOUT": "5",
            "VAR_DIR": tempfile.mkdtemp(prefix="smp-worker-"),
            "STATIC_MANIFEST": "false",
            "CELERY_TASK_TIME_LIMIT": str(max(stuck_after - 2, 5)),
            "CELERY_TASK_SOFT_TIME_LIMIT": str(max(stuck_after - 4, 5)),
            "CELERY_VISIBILITY_TIMEOUT": "60",
            "OUTBOX_STUCK_AFTER_SECONDS": str(stuck_after),
            "OUTBOX_RETRY_BASE_SECONDS": "1",
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


class CeleryWorker:
    """``celery -A smp_clinic worker`` in its own process group, so SIGKILL reaches the
    parent and its pool children at once, as when a machine dies."""

    def __init__(self, env: dict, *, concurrency: int = 2, log_dir: Path | None = None):
        self.env = env
        self.concurrency = concurrency
        self.log_dir = log_dir or Path(tempfile.mkdtemp(prefix="smp-worker-log-"))
        self.process: subprocess.Popen | None = None
        self.runs = 0
        self.crashes = 0

    @property
    def log_path(self) -> Path:
        return self.log_dir / f"worker-{self.runs}.log"

    def start(self) -> None:
        self.runs += 1
        log = open(self.log_path, "wb")  # noqa: SIM115 - closed by the child's exit
        self.process = subprocess.Popen(
            [
                celery_binary(),
                "-A",
                "smp_clinic",
                "worker",
                "--pool",
                "prefork",
                "--concurrency",
                str(self.concurrency),
                "--loglevel",
                os.environ.get("WORKER_LOGLEVEL", "WARNING"),
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"outbox-test-{os.getpid()}-{self.runs}@%h",
            ],
            cwd=REPO,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def kill(self) -> None:
        """SIGKILL the whole process group: no clean shutdown, no acks, no final commits."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def ensure_running(self) -> bool:
        """Start the worker again if it exited on its own, as a supervisor (systemd's
        Restart=always, a container restart policy) does in production; True if it had to.

        Celery's worker can stop with "Unrecoverable error" when Redis vanishes under it
        (kombu's Redis transport loses its connection object while acknowledging)."""
        if self.process is not None and self.process.poll() is None:
            return False
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)  # orphaned pool processes
        self.crashes += 1
        self.start()
        return True

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def cleanup(self) -> None:
        """Remove the logs and the worker's VAR_DIR (kept when a test fails, to read)."""
        for folder in (self.log_dir, self.env.get("VAR_DIR")):
            if folder:
                shutil.rmtree(folder, ignore_errors=True)

    def __enter__(self) -> "CeleryWorker":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.kill()


def point_celery_at(app, broker_url: str, *, eager: bool) -> None:
    """Send this process's tasks to ``broker_url``; drop cached connections to the old one."""
    app.conf.broker_url = broker_url
    app.conf.task_always_eager = eager
    # kombu keeps connection and producer pools in a process-wide registry: empty it, and
    # the app's references to it, so the next publish connects afresh.
    kombu_pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


def make_due_messages(count: int, *, due_in: float = -60, per_client: int = 10) -> set[str]:
    """``count`` next-session nudges (care messages the clients receive), due ``due_in``
    seconds from now, with quiet hours off so that the time of day does not matter."""
    from datetime import time as clock_time
    from datetime import timedelta

    from django.utils import timezone

    from aftercare.kinds import Kind
    from aftercare.models import MessageSettings
    from aftercare.services.outbox import message_schedule
    from scheduling.models import Course
    from tests.factories import LocationFactory, make_client

    MessageSettings.objects.update_or_create(
        pk=1, defaults={"quiet_start": clock_time(0), "quiet_end": clock_time(0)}
    )
    location = LocationFactory()
    due = timezone.now() + timedelta(seconds=due_in)
    keys = set()
    for _ in range(-(-count // per_client)):
        client = make_client(location=location, marketing_consent=True)
        # A course waiting for its next session: its nudges need no appointment records.
        course = Course.objects.create(client=client, planned_sessions=2)
        for number in range(1, min(per_client, count - len(keys)) + 1):
            message = message_schedule(
                kind=Kind.NEXT_SESSION_NUDGE,
                client=client,
                course=course,
                step=f"after-{number}",
                due_at=due,
            )
            keys.add(message.idempotency_key)
    return keys
