"""Who is acting, from where: set per request by the middleware, read by the capture code.

A context variable (not a thread-local) so it is right under threads and async alike.
Celery tasks and management commands run with no request: their events say "system".
"""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    label: str
    ip_address: str | None
    user_agent: str
    path: str


_current: ContextVar[Actor | None] = ContextVar("smp_audit_actor", default=None)


def current_actor() -> Actor | None:
    return _current.get()


def set_actor(actor: Actor | None):
    return _current.set(actor)


def reset_actor(token) -> None:
    _current.reset(token)
