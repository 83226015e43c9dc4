"""A fingerprint of every row the clinic keeps, to tell which rows a request changed or
added. One query: each row's text form, hashed by PostgreSQL."""

from django.apps import apps
from django.db import connection

PROJECT_APPS = (
    "accounts",
    "locations",
    "clients",
    "scheduling",
    "consultations",
    "sessions_app",
    "aftercare",
    "audit",
)


def _tables() -> list[tuple[str, str]]:
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in PROJECT_APPS and not model._meta.proxy:
            found.append((model._meta.label, model._meta.db_table))
    return sorted(set(found))


def snapshot() -> dict[tuple[str, str], str]:
    """(model label, primary key) → a hash of the whole row."""
    quote = connection.ops.quote_name
    parts = [
        f"SELECT %s, t.id::text, md5(t::text) FROM {quote(table)} t"  # noqa: S608
        for _, table in _tables()
    ]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), [label for label, _ in _tables()])
        return {(label, pk): digest for label, pk, digest in cursor.fetchall()}


def changed(before: dict, after: dict) -> dict[str, list[str]]:
    """The rows of ``before`` that ``after`` no longer has as they were, by model."""
    found: dict[str, list[str]] = {}
    for key, digest in before.items():
        if after.get(key) != digest:
            found.setdefault(key[0], []).append(key[1])
    return found


def added(before: dict, after: dict) -> dict[str, list[str]]:
    """The rows of ``after`` that ``before`` did not have, by model."""
    found: dict[str, list[str]] = {}
    for key in after.keys() - before.keys():
        found.setdefault(key[0], []).append(key[1])
    return found
