"""Celery tasks of the outbox: thin, they take ids and call aftercare.services.

The periodic ones are declared in settings.CELERY_BEAT_SCHEDULE (django-celery-beat syncs
them). Retries of a failed send are not Celery retries: the row goes back to ``pending``
with a later ``due_at``, so the database, not a countdown in the broker, holds the plan.
"""

from celery import shared_task

from aftercare.services import periodic, sending


@shared_task(name="aftercare.outbox_dispatch", ignore_result=True)
def outbox_dispatch() -> int:
    return sending.outbox_dispatch()


@shared_task(name="aftercare.outbox_send", ignore_result=True, acks_late=True)
def outbox_send(message_id: int, claim_token: str) -> str:
    return sending.outbox_send(message_id=message_id, claim_token=claim_token)


@shared_task(name="aftercare.outbox_scan_courses", ignore_result=True)
def outbox_scan_courses() -> dict:
    return {
        "nudges": periodic.outbox_scan_nudges(),
        "recalls": periodic.outbox_scan_recalls(),
    }
