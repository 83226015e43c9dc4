"""Readiness checks for /healthz: the database and the Celery broker.

Each check gives up after about two seconds, so a load balancer hears "not ready" well
before its own probe times out.

The database check opens a connection of its own instead of borrowing one from this
process's pool. The trade-off: a pool with every connection in use (requests queuing for
one) still reports ready, since the server answers; a probe that waited on the pool would
instead hold the load balancer for the pool's whole timeout whenever the server is gone.
The pool's own figures (``database_pool``) are reported beside it, read from memory, so a
busy process shows as busy without the probe waiting or failing on it.
"""

import os
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import connection

from smp_clinic.celery import app as celery_app

BROKER_TIMEOUT_SECONDS = 2.0
# libpq's shortest connect timeout.
DATABASE_TIMEOUT_SECONDS = 2


def _check_postgresql() -> None:
    # A connection of its own rather than one from the pool: with the server gone, the
    # pool would wait its whole timeout (10 s by default) for a connection that never comes.
    params = {**connection.get_connection_params(), "connect_timeout": DATABASE_TIMEOUT_SECONDS}
    with psycopg.connect(**params) as conn:
        conn.execute("SELECT 1").fetchone()


def check_database() -> tuple[bool, str]:
    try:
        if connection.vendor == "postgresql":
            _check_postgresql()
        else:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure means "not ready"
        return False, type(error).__name__
    return True, connection.vendor


def database_pool() -> dict[str, int] | None:
    """This process's connection pool: its size, limit, idle and checked-out connections,
    and the requests waiting for one. None without a pool (SQLite, DATABASE_POOL=false)."""
    pool = connection.pool if connection.vendor == "postgresql" else None
    if pool is None:
        return None
    stats = pool.get_stats()
    return {
        "size": stats["pool_size"],
        "max": stats["pool_max"],
        "available": stats["pool_available"],
        "in_use": stats["pool_size"] - stats["pool_available"],
        "waiting": stats.get("requests_waiting", 0),
    }


def check_broker() -> tuple[bool, str]:
    if settings.BROKER_IS_FILESYSTEM:
        folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_out"])
        if folder.is_dir() and os.access(folder, os.W_OK):
            return True, "filesystem"
        return False, "filesystem queue folder missing or read-only"
    try:
        # Socket timeouts of its own: a Redis that accepts the connection but never answers
        # would otherwise hold the probe for as long as the operating system waits.
        timeouts = {
            "socket_connect_timeout": BROKER_TIMEOUT_SECONDS,
            "socket_timeout": BROKER_TIMEOUT_SECONDS,
        }
        with celery_app.connection_for_write(transport_options=timeouts) as conn:
            conn.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT_SECONDS
            )
    except Exception as error:  # noqa: BLE001
        return False, type(error).__name__
    return True, "redis"
