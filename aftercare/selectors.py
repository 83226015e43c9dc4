"""Shaped reads of the outbox, scoped to the clients the staff member may see; each runs a
constant number of queries whatever the number of messages."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from aftercare.kinds import Kind
from aftercare.models import OutboundMessage
from clients.selectors import visible_client_condition

Status = OutboundMessage.Status
# As the staff list: a page a person reads without scrolling far, and renders quickly.
OUTBOX_PAGE_SIZE = 25
# The client's Messages tab: the next messages due (rarely more than a course's aftercare),
# and the history a page at a time.
CLIENT_UPCOMING_LIMIT = 100
CLIENT_HISTORY_PAGE_SIZE = 25
# Tab counts stop here ("100+"): the sent and cancelled tabs grow with the clinic's history,
# and counting years of rows on every visit would make the page slower every month. A
# hundred is already "a lot" at a glance, and counting it costs a tenth of a thousand.
COUNT_CAP = 100
RELATED = ("client", "appointment__appointment_type", "course", "consultation")
# What a row of a message list shows (includes/message_row.html): no course or consultation,
# and not the sent text, which can be kilobytes per message.
ROW_RELATED = ("client", "appointment__appointment_type")
ROW_DEFERRED = ("body_text", "body_html", "data")

# The outbox page's tabs: what each shows and in which order.
VIEWS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "upcoming": ((Status.PENDING, Status.SENDING), ("due_at", "pk")),
    "sent": ((Status.SENT,), ("-sent_at", "-pk")),
    "failed": ((Status.FAILED,), ("-updated_at", "-pk")),
    "cancelled": ((Status.CANCELLED, Status.SKIPPED), ("-updated_at", "-pk")),
}


def messages_visible_to(user: User) -> QuerySet[OutboundMessage]:
    return OutboundMessage.objects.filter(visible_client_condition(user))


def message_get_for_user(*, user: User, public_id) -> OutboundMessage:
    try:
        return (
            messages_visible_to(user).select_related(*RELATED, "resend_of").get(public_id=public_id)
        )
    except (OutboundMessage.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such message") from None


def message_copies(*, message: OutboundMessage) -> list[OutboundMessage]:
    """The copies staff sent of a sent message, oldest first (copies are the client's, so
    whoever sees the message sees them)."""
    return list(message.resent_as.order_by("created_at", "pk"))


class _CountedPaginator(Paginator):
    """A paginator told its count, when the caller has already counted the same rows."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self) -> int:
        return self._known_count


def outbox_page(
    *, user: User, view: str, kind: str, page, counts: dict[str, int] | None = None
) -> Page:
    """One page of a tab. ``counts`` (outbox_counts) spares counting the tab again when
    it holds fewer than COUNT_CAP messages and no kind is chosen."""
    view = view if view in VIEWS else "upcoming"
    statuses, order = VIEWS[view]
    messages = messages_visible_to(user).filter(status__in=statuses)
    filtered = kind in Kind.values
    if filtered:
        messages = messages.filter(kind=kind)
    messages = messages.select_related(*ROW_RELATED).defer(*ROW_DEFERRED).order_by(*order)
    known = None if counts is None or filtered else counts[view]
    if known is not None and known < COUNT_CAP:
        return _CountedPaginator(messages, OUTBOX_PAGE_SIZE, count=known).get_page(page)
    return Paginator(messages, OUTBOX_PAGE_SIZE).get_page(page)


def outbox_counts(*, user: User) -> dict[str, int]:
    """Per tab, how many messages, counting at most COUNT_CAP of each: one query."""
    parts, params = [], []
    for statuses, _order in VIEWS.values():
        scoped = messages_visible_to(user).filter(status__in=statuses)
        # No order: the count may stop at the first COUNT_CAP rows it meets.
        scoped = scoped.order_by().values("pk")[:COUNT_CAP]
        sql, sql_params = scoped.query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS capped)")  # noqa: S608 - Django's SQL
        params.extend(sql_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        counts = cursor.fetchone()
    return dict(zip(VIEWS, counts, strict=True))


@dataclass
class ClientMessages:
    upcoming: list[OutboundMessage]
    # True when more open messages are due after the last one in ``upcoming``.
    more_upcoming: bool
    history: Page


def client_messages(*, client, page=None) -> ClientMessages:
    """The client's open messages (the next CLIENT_UPCOMING_LIMIT) and one page of the sent
    and closed ones, newest first."""
    base = (
        OutboundMessage.objects.filter(client=client)
        .select_related(*ROW_RELATED)
        .defer(*ROW_DEFERRED)
    )
    upcoming = list(
        base.filter(status__in=OutboundMessage.OPEN).order_by("due_at", "pk")[
            : CLIENT_UPCOMING_LIMIT + 1
        ]
    )
    closed = base.exclude(status__in=OutboundMessage.OPEN).order_by("-due_at", "-pk")
    return ClientMessages(
        upcoming=upcoming[:CLIENT_UPCOMING_LIMIT],
        more_upcoming=len(upcoming) > CLIENT_UPCOMING_LIMIT,
        history=Paginator(closed, CLIENT_HISTORY_PAGE_SIZE).get_page(page),
    )
