"""The one way a row of the audit trail is written.

Every event says who (the acting account and a label that outlives it), when (the row's
own timestamp), what (action, object, whose record, what changed) and from where (address,
user agent and path of the request, when there is one). The row is written on the caller's
connection and inside the caller's transaction, so a change and its record commit or roll
back together.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from audit.context import Actor, current_actor
from audit.models import AuditEvent

if TYPE_CHECKING:
    from uuid import UUID

    from accounts.models import User

FIELD_LIMIT = 300
LABEL_LIMIT = 200
SYSTEM_LABEL = "system"


def actor_label(user: User) -> str:
    """How the trail names a person, so it still reads right once the account is gone."""
    return f"{user.full_name} <{user.email}>"


def event_record(
    *,
    action: str,
    object_type: str,
    object_id: str = "",
    object_label: str = "",
    client_public_id: UUID | str | None = None,
    changes: dict | None = None,
    by: User | None = None,
    actor: Actor | None = None,
) -> AuditEvent:
    """Write one event. ``actor`` is who is acting and from where; it defaults to the one
    the request set (none in Celery tasks and commands: the event then says "system").
    ``by`` names the account when the caller knows it; the request's address, user agent
    and path are kept either way."""
    if actor is None:
        actor = current_actor()
    if by is not None:
        user_id = by.pk
        label = actor.label if actor and actor.user_id == by.pk else actor_label(by)
    elif actor is not None:
        user_id, label = actor.user_id, actor.label
    else:
        user_id, label = None, SYSTEM_LABEL
    return AuditEvent.objects.create(
        actor_id=user_id,
        actor_label=label[:LABEL_LIMIT],
        action=action,
        object_type=object_type[:80],
        object_id=str(object_id or "")[:64],
        object_label=object_label[:LABEL_LIMIT],
        client_public_id=client_public_id or None,
        changes=changes or {},
        ip_address=actor.ip_address if actor else None,
        user_agent=actor.user_agent[:FIELD_LIMIT] if actor else "",
        path=actor.path[:FIELD_LIMIT] if actor else "",
    )
