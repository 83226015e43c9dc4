"""Readiness checks for /healthz: the database and the Celery broker."""

import os
from pathlib import Path

from django.conf import settings
from django.db import connection

from smp_clinic.celery import app as celery_app

BROKER_TIMEOUT_SECONDS = 2.0


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure means "not ready"
        return False, type(error).__name__
    return True, connection.vendor


def check_broker() -> tuple[bool, str]:
    if settings.BROKER_IS_FILESYSTEM:
        folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_out"])
        if folder.is_dir() and os.access(folder, os.W_OK):
            return True, "filesystem"
        return False, "filesystem queue folder missing or read-only"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT_SECONDS
            )
    except Exception as error:  # noqa: BLE001
        return False, type(error).__name__
    return True, "redis"
