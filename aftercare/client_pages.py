"""The Messages tab of the client page: every staff role (the front desk handles
communication; message bodies hold no medical details beyond aftercare instructions)."""

from accounts.roles import STAFF, Role
from clients.registry import ClientSection, register_section

# Who may cancel and resend messages: the front desk and managers.
OUTBOX_ACTORS = (Role.FRONT_DESK, Role.MANAGER)


def _messages_context(*, client, user, query) -> dict:
    from aftercare.selectors import client_messages

    return {
        "outbox": client_messages(client=client, page=query.get("page")),
        "can_act": user.role in OUTBOX_ACTORS,
    }


def register() -> None:
    register_section(
        ClientSection(
            key="messages",
            label="Messages",
            template="aftercare/client_section.html",
            roles=frozenset(STAFF),
            context=_messages_context,
            order=60,
            icon="envelope",
            uses_query=True,
        )
    )
