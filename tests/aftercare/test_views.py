"""Staff pages: the clinic outbox, the client's Messages tab, cancel and resend."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aftercare.kinds import Kind
from aftercare.models import OutboundMessage
from tests.factories import LocationFactory, make_client

Status = OutboundMessage.Status


def add_messages(client_obj, count: int, *, status=Status.PENDING, kind=Kind.TOUCH_UP_RECALL):
    from scheduling.models import Course

    course = Course.objects.create(client=client_obj, planned_sessions=1, status="completed")
    now = timezone.now()
    extra = {"sent_at": now} if status == Status.SENT else {}
    OutboundMessage.objects.bulk_create(
        OutboundMessage(
            kind=kind,
            client=client_obj,
            course=course,
            step=f"s{n}",
            due_at=now + timedelta(hours=n),
            status=status,
            last_error="SMTPServerDisconnected: gone" if status == Status.FAILED else "",
            idempotency_key=f"{client_obj.pk}:{course.pk}:{status}:{n}",
            **extra,
        )
        for n in range(count)
    )


@pytest.fixture
def desk(client, front_desk):
    client.force_login(front_desk)
    return client


def test_the_outbox_lists_upcoming_messages_with_the_failed_error_on_its_tab(desk, smp_client):
    add_messages(smp_client, 2)
    add_messages(smp_client, 1, status=Status.FAILED)
    upcoming = desk.get(reverse("aftercare:outbox"))
    assert upcoming.status_code == 200
    assert len(upcoming.context["page_obj"].object_list) == 2
    assert upcoming.context["counts"] == {"upcoming": 2, "sent": 0, "failed": 1, "cancelled": 0}
    failed = desk.get(reverse("aftercare:outbox"), {"view": "failed"})
    assert "SMTPServerDisconnected: gone" in failed.content.decode()


def test_the_outbox_filters_by_kind_and_ignores_nonsense(desk, smp_client):
    add_messages(smp_client, 2)
    add_messages(smp_client, 3, kind=Kind.NEXT_SESSION_NUDGE)
    nudges = desk.get(reverse("aftercare:outbox"), {"kind": "next_session_nudge"})
    assert len(nudges.context["page_obj"].object_list) == 3
    nonsense = desk.get(
        reverse("aftercare:outbox"), {"view": "<script>", "kind": "x", "page": "zz"}
    )
    assert nonsense.status_code == 200
    assert len(nonsense.context["page_obj"].object_list) == 5


def test_the_outbox_shows_only_clients_of_the_staff_members_locations(desk, smp_client):
    elsewhere = make_client(location=LocationFactory(name="Far Away"))
    add_messages(elsewhere, 3)
    add_messages(smp_client, 1)
    response = desk.get(reverse("aftercare:outbox"))
    assert [m.client for m in response.context["page_obj"].object_list] == [smp_client]
    message = OutboundMessage.objects.filter(client=elsewhere).first()
    assert desk.get(reverse("aftercare:message", args=[message.public_id])).status_code == 404


@pytest.mark.parametrize("extra", [1, 30])
def test_the_outbox_query_count_is_constant(
    desk, smp_client, location, extra, django_assert_num_queries
):
    for _ in range(extra):
        add_messages(make_client(location=location), 2)
    # session, user, location ids, the tab counts, page rows: under the count cap the tab's
    # own count is the paginator's, so the page is not counted twice
    with django_assert_num_queries(5):
        response = desk.get(reverse("aftercare:outbox"))
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 2 * extra


@pytest.mark.parametrize("extra", [0, 40])
def test_a_tab_of_more_messages_than_the_cap_counts_its_pages_once_more(
    desk, location, extra, django_assert_num_queries
):
    from aftercare.selectors import COUNT_CAP, OUTBOX_PAGE_SIZE

    add_messages(make_client(location=location), COUNT_CAP + extra)
    with django_assert_num_queries(6):  # ... and the tab's exact count for the pages
        response = desk.get(reverse("aftercare:outbox"))
    html = response.content.decode()
    assert f"{COUNT_CAP}+</span>" in html
    assert f"1–{OUTBOX_PAGE_SIZE} of {COUNT_CAP + extra}" in html


def test_a_kind_filter_counts_its_own_pages(desk, location):
    """The tab counts are of every kind; a page of one kind is counted for itself."""
    add_messages(make_client(location=location), 30)
    add_messages(make_client(location=location), 3, kind=Kind.NEXT_SESSION_NUDGE)
    response = desk.get(reverse("aftercare:outbox"), {"kind": Kind.NEXT_SESSION_NUDGE})
    assert response.context["page_obj"].paginator.count == 3
    assert 'Upcoming <span class="badge text-bg-light border">33</span>' in (
        response.content.decode()
    )


def test_the_messages_tab_query_count_is_constant(desk, smp_client):
    url = reverse("clients:section", args=[smp_client.public_id, "messages"])

    def queries_for_page() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = desk.get(url)
        assert response.status_code == 200
        return len(queries)

    add_messages(smp_client, 1)
    add_messages(smp_client, 1, status=Status.SENT)
    few = queries_for_page()
    add_messages(smp_client, 30)
    add_messages(smp_client, 30, status=Status.FAILED)
    many = queries_for_page()
    assert few == many


def test_the_messages_tab_pages_through_the_whole_history(desk, smp_client):
    from aftercare.selectors import CLIENT_HISTORY_PAGE_SIZE

    add_messages(smp_client, CLIENT_HISTORY_PAGE_SIZE + 3, status=Status.SENT)
    url = reverse("clients:section", args=[smp_client.public_id, "messages"])

    first = desk.get(url)
    rows = first.context["outbox"].history
    assert len(rows.object_list) == CLIENT_HISTORY_PAGE_SIZE
    body = first.content.decode()
    assert f"1–{CLIENT_HISTORY_PAGE_SIZE} of {CLIENT_HISTORY_PAGE_SIZE + 3}" in body
    assert 'href="?page=2"' in body

    second = desk.get(url, {"page": 2})
    older = second.context["outbox"].history.object_list
    assert len(older) == 3
    # Newest first: the second page holds the three earliest messages.
    shown = {m.pk for m in rows.object_list} | {m.pk for m in older}
    assert len(shown) == CLIENT_HISTORY_PAGE_SIZE + 3
    assert max(m.due_at for m in older) < min(m.due_at for m in rows.object_list)
    # A page past the end shows the last page rather than an error.
    assert desk.get(url, {"page": 99}).context["outbox"].history.number == 2
    assert desk.get(url, {"page": "x"}).status_code == 200


def test_the_messages_tab_says_when_more_messages_are_due_than_it_lists(desk, smp_client):
    from aftercare.selectors import CLIENT_UPCOMING_LIMIT

    url = reverse("clients:section", args=[smp_client.public_id, "messages"])
    add_messages(smp_client, CLIENT_UPCOMING_LIMIT)
    response = desk.get(url)
    assert len(response.context["outbox"].upcoming) == CLIENT_UPCOMING_LIMIT
    assert 'data-testid="more-upcoming"' not in response.content.decode()

    add_messages(smp_client, 1)
    response = desk.get(url)
    assert len(response.context["outbox"].upcoming) == CLIENT_UPCOMING_LIMIT
    assert 'data-testid="more-upcoming"' in response.content.decode()


def test_front_desk_cancels_a_pending_message_after_confirming(desk, smp_client, front_desk):
    add_messages(smp_client, 1)
    message = OutboundMessage.objects.get()
    url = reverse("aftercare:message_cancel", args=[message.public_id])
    confirm = desk.get(url)
    assert confirm.status_code == 200
    assert "Cancel the message" in confirm.content.decode()
    message.refresh_from_db()
    assert message.status == Status.PENDING
    response = desk.post(url, {"next": reverse("aftercare:outbox")})
    assert response.status_code == 302
    assert response.url == reverse("aftercare:outbox")
    message.refresh_from_db()
    assert (message.status, message.reason, message.updated_by) == (
        Status.CANCELLED,
        "staff",
        front_desk,
    )


def test_cancelling_a_message_that_is_not_pending_says_why(desk, smp_client):
    add_messages(smp_client, 1, status=Status.SENT)
    message = OutboundMessage.objects.get()
    url = reverse("aftercare:message_cancel", args=[message.public_id])
    assert "Only a pending message can be cancelled." in desk.get(url).content.decode()
    response = desk.post(url, follow=True)
    assert "only a pending message can be cancelled" in response.content.decode()
    message.refresh_from_db()
    assert message.status == Status.SENT


def test_a_failed_message_is_resent(desk, smp_client):
    add_messages(smp_client, 1, status=Status.FAILED)
    message = OutboundMessage.objects.get()
    response = desk.post(reverse("aftercare:message_resend", args=[message.public_id]))
    assert response.status_code == 302
    message.refresh_from_db()
    assert (message.status, message.attempts, message.resends) == (Status.PENDING, 0, 1)


def test_an_unsafe_next_is_ignored(desk, smp_client):
    add_messages(smp_client, 1, status=Status.FAILED)
    message = OutboundMessage.objects.get()
    response = desk.post(
        reverse("aftercare:message_resend", args=[message.public_id]),
        {"next": "https://evil.example/"},
    )
    assert response.url == reverse("aftercare:message", args=[message.public_id])


def test_a_practitioner_sees_the_messages_tab_but_no_actions(client, practitioner, smp_client):
    add_messages(smp_client, 1)
    client.force_login(practitioner)
    response = client.get(reverse("clients:section", args=[smp_client.public_id, "messages"]))
    assert response.status_code == 200
    assert "Cancel</a>" not in response.content.decode()


def test_the_message_page_shows_what_was_sent(desk, smp_client):
    add_messages(smp_client, 1, status=Status.SENT)
    OutboundMessage.objects.update(subject="Is it time for a touch-up?", body_text="Hi Sam")
    message = OutboundMessage.objects.get()
    content = desk.get(reverse("aftercare:message", args=[message.public_id])).content.decode()
    assert "Is it time for a touch-up?" in content
    assert "Hi Sam" in content


def test_the_navigation_has_the_outbox_for_front_desk_and_managers(client, people):
    for role, expected in (("front_desk", True), ("manager", True), ("practitioner", False)):
        client.force_login(people[role])
        labels = [
            item["label"] for item in client.get(reverse("dashboard:today")).context["nav_items"]
        ]
        assert ("Outbox" in labels) is expected, role
    client.force_login(people["manager"])
    items = client.get(reverse("dashboard:today")).context["nav_items"]
    manage = next(item for item in items if item.get("children"))
    assert "Messages" in [child["label"] for child in manage["children"]]


def test_the_outbox_tab_counts_stop_at_the_cap_and_say_so(desk, smp_client, monkeypatch):
    from aftercare import selectors

    monkeypatch.setattr(selectors, "COUNT_CAP", 3)
    add_messages(smp_client, 5)
    add_messages(smp_client, 2, status=Status.FAILED)
    response = desk.get(reverse("aftercare:outbox"))
    assert response.context["counts"] == {"upcoming": 3, "sent": 0, "failed": 2, "cancelled": 0}
    assert "3+</span>" in response.content.decode()
    assert len(response.context["page_obj"].object_list) == 5


def test_a_manager_of_every_location_sees_every_clients_messages(client, manager, smp_client):
    elsewhere = make_client(location=LocationFactory(name="Far Away"))
    add_messages(elsewhere, 2)
    add_messages(smp_client, 1)
    client.force_login(manager)
    assert client.get(reverse("aftercare:outbox")).context["counts"]["upcoming"] == 1
    manager.all_locations = True
    manager.save(update_fields=["all_locations"])
    client.force_login(manager)
    assert client.get(reverse("aftercare:outbox")).context["counts"]["upcoming"] == 3


def test_a_sent_message_is_sent_again_from_the_outbox_as_a_new_linked_message(desk, smp_client):
    add_messages(smp_client, 1, status=Status.SENT)
    original = OutboundMessage.objects.get()
    sent_tab = desk.get(reverse("aftercare:outbox"), {"view": "sent"}).content.decode()
    resend_url = reverse("aftercare:message_resend", args=[original.public_id])
    assert resend_url in sent_tab
    confirm = desk.get(resend_url).content.decode()
    assert "A new copy is sent" in confirm
    response = desk.post(resend_url)
    copy = OutboundMessage.objects.get(resend_of=original)
    assert response.url == reverse("aftercare:message", args=[copy.public_id])
    original.refresh_from_db()
    assert (original.status, copy.status) == (Status.SENT, Status.PENDING)
    copy_page = desk.get(response.url).content.decode()
    assert 'data-testid="resend-of"' in copy_page
    original_page = desk.get(reverse("aftercare:message", args=[original.public_id]))
    assert 'data-testid="resent-as"' in original_page.content.decode()
    upcoming = desk.get(reverse("aftercare:outbox")).content.decode()
    assert "sent again</span>" in upcoming
    # A second click while the copy waits says so instead of queueing another.
    again = desk.post(resend_url, follow=True).content.decode()
    assert "already being sent again" in again
    assert OutboundMessage.objects.filter(resend_of=original).count() == 1


def test_staff_cancel_and_resend_are_written_to_the_audit_trail(desk, smp_client, front_desk):
    from audit.models import AuditEvent

    add_messages(smp_client, 1)
    add_messages(smp_client, 1, status=Status.SENT)
    pending = OutboundMessage.objects.get(status=Status.PENDING)
    sent = OutboundMessage.objects.get(status=Status.SENT)
    desk.post(reverse("aftercare:message_cancel", args=[pending.public_id]))
    desk.post(reverse("aftercare:message_resend", args=[pending.public_id]))
    desk.post(reverse("aftercare:message_resend", args=[sent.public_id]))
    copy = OutboundMessage.objects.get(resend_of=sent)
    events = list(AuditEvent.objects.filter(object_type="aftercare.OutboundMessage").order_by("pk"))
    assert [(e.action, e.object_id, e.actor, e.client_public_id) for e in events] == [
        ("update", str(pending.public_id), front_desk, smp_client.public_id),
        ("update", str(pending.public_id), front_desk, smp_client.public_id),
        ("create", str(copy.public_id), front_desk, smp_client.public_id),
    ]
    assert events[0].changes == {"status": {"before": "pending", "after": "cancelled"}}
    assert events[1].changes == {
        "status": {"before": "cancelled", "after": "pending"},
        "resends": {"before": 0, "after": 1},
    }
    assert events[2].changes == {"after": {"resend_of": str(sent.public_id), "copy": 1}}
    # The trail names the kind of message, never its subject or the client.
    assert all(smp_client.last_name not in e.object_label for e in events)
    assert events[0].path == reverse("aftercare:message_cancel", args=[pending.public_id])


def test_a_refused_cancel_writes_nothing_to_the_audit_trail(desk, smp_client):
    from audit.models import AuditEvent

    add_messages(smp_client, 1, status=Status.FAILED)
    message = OutboundMessage.objects.get()
    desk.post(reverse("aftercare:message_cancel", args=[message.public_id]))
    assert not AuditEvent.objects.filter(object_type="aftercare.OutboundMessage").exists()


def test_outbox_rows_and_the_message_page_name_the_message_in_words(
    desk, smp_client, practitioner, room
):
    from tests.factories import make_appointment

    appointment = make_appointment(
        client=smp_client,
        practitioner=practitioner,
        room=room,
        day=timezone.localdate() + timedelta(days=7),
    )
    content = desk.get(reverse("aftercare:outbox")).content.decode()
    for label in ("Booking confirmation", "Reminder, 48 hours before", "Reminder, 24 hours before"):
        assert f">{label}</a>" in content
    assert "booked</span>" not in content
    assert "24h</span>" not in content
    reminder = OutboundMessage.objects.get(appointment=appointment, step="24h")
    page = desk.get(reverse("aftercare:message", args=[reminder.public_id])).content.decode()
    assert '<h1 class="h3">Reminder, 24 hours before</h1>' in page
