"""Strict readers for environment variables that settings.py cannot leave to django-environ.

django-environ turns any unknown word into False for a boolean; a typo such as
``DEBUG=ture`` must stop the process instead of silently switching a feature off.
"""

import os

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def parse_bool(name: str, raw: str) -> bool:
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean; use one of true/false, yes/no, on/off, 1/0."
    )


def env_bool(name: str, *, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return parse_bool(name, raw)


def env_int(name: str, *, default: int, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below its minimum of {minimum}.")
    return value


def env_list(name: str) -> list[str]:
    """Comma-separated words; empty items (``A=`` or ``a,,b``) are dropped."""
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def env_str(name: str, *, default: str) -> str:
    """A string where an empty value means "use the default", as in .env.example."""
    value = os.environ.get(name, "").strip()
    return value or default
