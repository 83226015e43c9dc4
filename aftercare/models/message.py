import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from aftercare.kinds import Kind, message_label


class OutboundMessage(models.Model):
    """One message to a client: the outbox row is the truth about what is due and what was
    sent; the broker only carries the id of a row that the dispatcher claimed.

    Lifecycle: pending → sending (claimed by the dispatcher) → sent; or back to pending (SMTP
    error with backoff, quiet hours, recovery of a stuck claim); or failed (attempts used up,
    template broken), cancelled (an event or staff), skipped (send-time rules: consent, no
    email address, archived client).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"
        SKIPPED = "skipped", "Skipped"

    class Reason(models.TextChoices):
        """Why a message was cancelled or skipped (shown to staff; drives re-activation)."""

        NONE = "", "—"
        OPTED_OUT = "opted_out", "The client opted out"
        NO_EMAIL = "no_email", "No email address"
        ARCHIVED = "archived", "The client is archived"
        SOURCE_CHANGED = "source_changed", "The appointment or course changed"
        TOO_LATE = "too_late", "Its time passed"
        STAFF = "staff", "Cancelled by staff"
        NOT_NEEDED = "not_needed", "No longer needed"

    OPEN = (Status.PENDING, Status.SENDING)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=40, choices=Kind.choices)
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="outbound_messages"
    )
    # The records the message is about: those its kind names in aftercare.kinds (an
    # aftercare step, say, has its appointment and its course).
    appointment = models.ForeignKey(
        "scheduling.Appointment",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbound_messages",
    )
    course = models.ForeignKey(
        "scheduling.Course",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbound_messages",
    )
    consultation = models.ForeignKey(
        "consultations.Consultation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbound_messages",
    )
    aftercare_step = models.ForeignKey(
        "aftercare.AftercareStep",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    step = models.CharField(max_length=60, blank=True)
    # Facts of the moment the row was made that the source no longer holds (the old start
    # of a moved appointment, a recall's number); plain JSON values only.
    data = models.JSONField(default=dict, blank=True)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(max_length=20, choices=Reason.choices, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Staff requeues of a message that was never delivered (failed, cancelled, skipped):
    # part of the Message-ID so a deliberate resend is not merged by the recipient's mail
    # program with an earlier copy.
    resends = models.PositiveSmallIntegerField(default=0)
    # A sent message that staff send again is copied into a new row with its own key
    # (``<key of the original>:resend-<n>``), so every key is still sent once at most.
    resend_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resent_as",
    )
    idempotency_key = models.CharField(max_length=200, unique=True)
    # What was sent, kept for the record (rendered at send time).
    to_email = models.EmailField(blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-due_at", "-pk"]
        indexes = [
            # The dispatcher's scan: pending rows by due time, nothing else in the index.
            models.Index(
                fields=["due_at", "id"],
                condition=Q(status="pending"),
                name="outbox_pending_due",
            ),
            # Recovery of stuck claims.
            models.Index(
                fields=["claimed_at"], condition=Q(status="sending"), name="outbox_sending_claim"
            ),
            models.Index(fields=["status", "due_at"], name="outbox_status_due"),
            # The outbox page's "upcoming" tab, in due order, stopping after one page.
            models.Index(
                fields=["due_at", "id"],
                condition=Q(status__in=["pending", "sending"]),
                name="outbox_open_due",
            ),
            # Per-tab counts scoped to a location's clients, from the index alone.
            models.Index(fields=["status", "client"], name="outbox_status_client"),
            models.Index(fields=["client", "due_at"], name="outbox_client_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=["pending", "sending", "sent", "failed", "cancelled", "skipped"]
                ),
                name="outbox_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="outbox_sent_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="sending")
                | Q(claim_token__isnull=False, claimed_at__isnull=False),
                name="outbox_sending_is_claimed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.step or '-'}) for client {self.client_id}"

    def get_absolute_url(self) -> str:
        return reverse("aftercare:message", args=[self.public_id])

    @property
    def label(self) -> str:
        """ "Booking confirmation", "Reminder, 24 hours before", "Aftercare step, day 4"."""
        return message_label(self.kind, self.step)

    @property
    def can_cancel(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def can_resend(self) -> bool:
        return self.status in (
            self.Status.SENT,
            self.Status.FAILED,
            self.Status.CANCELLED,
            self.Status.SKIPPED,
        )
