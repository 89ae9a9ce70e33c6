"""Mail in and out, kept whole.

Every inbound mail is stored raw with what became of it (`InboundMail`), so
nothing is ever lost: a mail that could not be placed waits in the quarantine
until staff re-process it, attach it to a ticket or discard it with a reason.
Every mail we send is recorded before it leaves (`OutboundMail`): the outbox
staff read, and the Message-IDs replies thread on.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from supportdesk.tickets.models import Message, Ticket


class Outcome(models.TextChoices):
    CREATED = "created", "New ticket"
    APPENDED = "appended", "Added to a ticket"
    DUPLICATE = "duplicate", "Duplicate delivery"
    BOUNCE = "bounce", "Delivery failure"
    AUTO_REPLY = "auto-reply", "Automatic mail"
    HELD = "held", "Held for staff"
    QUARANTINED = "quarantined", "Quarantined"


class Review(models.TextChoices):
    """Where a held or quarantined mail stands with staff."""

    NONE = "", "Nothing to review"
    WAITING = "waiting", "Waiting for staff"
    ATTACHED = "attached", "Attached to a ticket"
    REPROCESSED = "reprocessed", "Processed again"
    DISCARDED = "discarded", "Discarded"


class InboundMail(models.Model):
    received_at = models.DateTimeField(default=timezone.now)
    # Where it came from: "smtp:127.0.0.1", "imap:support@…/INBOX", "file:…".
    source = models.CharField(max_length=300)
    raw = models.BinaryField()
    size = models.PositiveIntegerField()
    # The Message-ID, or "sha256:" and the hash of the bytes when there is
    # none: one live row per key makes a second delivery a duplicate.
    dedupe_key = models.CharField(max_length=300)
    message_id = models.CharField(max_length=998, blank=True)
    sender = models.CharField(max_length=320, blank=True)
    subject = models.CharField(max_length=500, blank=True)
    # Subject and text, whitespace folded: the same words again are a loop.
    content_hash = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    # Why, in words for staff, when held or quarantined (or what it was).
    reason = models.CharField(max_length=500, blank=True)
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_mail"
    )
    # The message it became on the ticket, when appended or created.
    ticket_message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_mail"
    )
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review = models.CharField(max_length=16, choices=Review.choices, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering: ClassVar = ["-received_at", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=~Q(outcome="duplicate"),
                name="inbound_mail_once",
            )
        ]
        indexes: ClassVar = [
            models.Index(fields=["review", "-received_at"], name="inbound_review"),
            # The loop guard: the same words from the same sender lately.
            models.Index(
                fields=["sender", "content_hash", "received_at"], name="inbound_loop_guard"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.outcome}: {self.subject or '(no subject)'} from {self.sender or '?'}"

    @property
    def waiting(self) -> bool:
        return self.review == Review.WAITING


class OutboundMail(models.Model):
    class Kind(models.TextChoices):
        ACKNOWLEDGEMENT = "acknowledgement", "Acknowledgement"
        REPLY = "reply", "Reply"
        NOTIFICATION = "notification", "Notification"
        REFUSAL = "refusal", "Refusal"

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    created_at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="outbound_mail"
    )
    # The reply a staff member wrote, for a reply sent by mail.
    ticket_message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="outbound_mail"
    )
    message_id = models.CharField(max_length=300, unique=True)
    in_reply_to = models.CharField(max_length=998, blank=True)
    references = models.TextField(blank=True)
    from_address = models.CharField(max_length=320)
    reply_to = models.CharField(max_length=320, blank=True)
    to = models.JSONField(default=list)
    # The first of `to`, for the cap on automatic mail to one address.
    recipient = models.CharField(max_length=320, blank=True)
    cc = models.JSONField(default=list)
    subject = models.CharField(max_length=500)
    body = models.TextField()
    # An iCalendar object sent beside the text (a conference-call invitation
    # or its cancellation, tickets/invites.py); empty for every other mail.
    calendar = models.TextField(blank=True, default="")
    automatic = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["ticket", "created_at"], name="outbound_ticket"),
            # The auto-reply cap: automatic mail to one address lately.
            models.Index(
                fields=["recipient", "automatic", "created_at"], name="outbound_recipient_recent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.subject}"
