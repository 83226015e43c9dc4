"""No duplicate and no lost message when a worker dies mid-dispatch and Redis restarts.

Real components on loopback: PostgreSQL (the test database), a private redis-server, Celery
worker processes started from the project's venv, and an aiosmtpd server recording the
``X-SMP-Idempotency-Key`` of every message it accepted.

The kill is placed, not gambled: the SMTP server holds every sender inside DATA once 60
messages are in, and the worker group is SIGKILLed when all its pool processes are waiting
there. At that instant some rows are ``sending`` with their message not accepted, some
tasks are queued in Redis, some reserved by the dead worker. That is the crash the outbox
must recover from. A kill between the server's "250 OK" and the status commit is the one
window no SMTP client can close (see aftercare/services/sending.py); the test does not aim
there, because no design could pass it and the test must be reliable.

The worker runs under a minimal supervisor (``ensure_running``): Celery's worker may exit
when Redis disappears under it, and production runs it under one too.

The dispatcher runs in this process, called every half second, rather than from a beat
process: beat would only send the same task every minute (its schedule is in settings and
unit-tested), and calling it here keeps the test fast and its timing under control.
"""

import time

import pytest
from django.db import connection

from aftercare.models import OutboundMessage
from aftercare.services.sending import outbox_dispatch
from smp_clinic.celery import app as celery_app
from tests.aftercare.reliability_harness import (
    CeleryWorker,
    RecordingHandler,
    RedisServer,
    SmtpServer,
    make_due_messages,
    point_celery_at,
    worker_env,
)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("reliability")]

MESSAGES = 200
HOLD_AFTER = 60
STUCK_AFTER = 10  # seconds; production uses minutes
DEADLINE = 120


def wait_until(condition, *, timeout: float, what: str, worker: CeleryWorker) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}\n{worker.log_tail()}")
        time.sleep(0.02)


def open_rows() -> int:
    return OutboundMessage.objects.filter(status__in=OutboundMessage.OPEN).count()


@pytest.mark.django_db(transaction=True)
def test_every_message_arrives_exactly_once_through_a_worker_kill_and_a_redis_restart(settings):
    settings.OUTBOX_STUCK_AFTER_SECONDS = STUCK_AFTER
    keys = make_due_messages(MESSAGES)
    assert OutboundMessage.objects.filter(status="pending").count() == MESSAGES
    started = time.monotonic()
    handler = RecordingHandler(hold_after=HOLD_AFTER, delay=0.01)
    previous = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    with SmtpServer(handler) as smtp, RedisServer() as redis:
        env = worker_env(
            database_url=_database_url(),
            redis_url=redis.url,
            smtp_port=smtp.port,
            stuck_after=STUCK_AFTER,
        )
        point_celery_at(celery_app, redis.url, eager=False)
        worker = CeleryWorker(env, concurrency=2)
        try:
            worker.start()
            assert outbox_dispatch() == MESSAGES
            # Every pool process waits inside DATA for a reply that will not come.
            wait_until(
                lambda: handler.waiting == worker.concurrency,
                timeout=60,
                what="both worker processes to be held in DATA",
                worker=worker,
            )
            worker.kill()
            handler.release()
            accepted_at_kill = len(handler.keys)
            assert HOLD_AFTER <= accepted_at_kill < MESSAGES

            worker.start()  # picks up the tasks still queued in Redis
            wait_until(
                lambda: len(handler.keys) >= accepted_at_kill + 20,
                timeout=60,
                what="the restarted worker to send",
                worker=worker,
            )
            redis.restart()  # under the running worker: every queued task is lost
            accepted_at_restart = len(handler.keys)
            assert accepted_at_restart < MESSAGES, "Redis restarted after the last message"
            point_celery_at(celery_app, redis.url, eager=False)

            while open_rows():
                assert time.monotonic() - started < DEADLINE, (
                    f"{open_rows()} messages still open after {DEADLINE}s\n{worker.log_tail()}"
                )
                worker.ensure_running()
                outbox_dispatch()
                time.sleep(0.5)
        finally:
            worker.kill()
            point_celery_at(celery_app, previous[0], eager=previous[1])

    received = handler.counts()
    assert set(received) == keys, f"missing: {sorted(keys - set(received))[:5]}"
    duplicates = {key: n for key, n in received.items() if n > 1}
    assert duplicates == {}
    statuses = set(OutboundMessage.objects.values_list("status", flat=True))
    assert statuses == {"sent"}
    # The held and the lost sends were attempted again: proof that recovery did the work.
    assert OutboundMessage.objects.filter(attempts__gt=1).exists()
    worker.cleanup()


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
