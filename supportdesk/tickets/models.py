"""Tickets, their history, messages and attachments (DESIGN.md §3).

A ticket is its history: `TicketEvent` rows are appended, never changed, and
hash-chained per ticket. The columns on `Ticket` (status, severity, due
time…) are derived from the events for fast queries and are written in the
same transaction as the event that changes them, by the actions in
`actions.py` only.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import JSONField, Q, Value
from django.utils import timezone

from supportdesk.accounts.models import Organization
from supportdesk.assets.models import Device

NUMBER_PREFIX = "SD-"


class Status(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    PENDING_CUSTOMER = "pending-customer", "Pending customer"
    ON_HOLD = "on-hold", "On hold"
    OUT_OF_SCOPE = "out-of-scope", "Out of scope"
    AWAITING_QUOTE = "awaiting-quote", "Awaiting quote"
    WORK_CEASED = "work-ceased", "Work ceased"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = tuple(s for s in Status if s not in (Status.RESOLVED, Status.CLOSED))


class Tier(models.TextChoices):
    PARTNER = "partner", "Partner"
    VENDOR = "vendor", "Vendor"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    PORTAL = "portal", "Web portal"
    API = "api", "API"
    CHAT = "chat", "Chat"
    PHONE = "phone", "Phone"


class Ticket(models.Model):
    subject = models.CharField(max_length=250)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="requested_tickets"
    )
    # company, partner and assignee lead the (…, status) indexes below, which
    # serve every lookup a single-column index would: one index less each to
    # keep up on every insert.
    company = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="tickets", db_index=False
    )
    # The partner in charge of first-level support, kept so scoping is one
    # indexed column (§2.2); null for direct customers.
    partner = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="partner_tickets",
        db_index=False,
    )
    product = models.CharField(max_length=80)
    device = models.ForeignKey(Device, null=True, blank=True, on_delete=models.SET_NULL)
    category = models.CharField(max_length=80, blank=True)
    coverage = models.CharField(max_length=20, blank=True)
    severity = models.PositiveSmallIntegerField()
    requested_severity = models.PositiveSmallIntegerField(null=True, blank=True)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    tier = models.CharField(max_length=16, choices=Tier.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
        db_index=False,
    )
    watchers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="watched_tickets"
    )
    # §1.6.1: the customer contact dedicated to a Severity 1 issue.
    dedicated_contact = models.CharField(max_length=200, blank=True)
    vendor_outage = models.BooleanField(default=False)
    policy_version = models.CharField(max_length=64)

    submitted_at = models.DateTimeField()
    # When the vendor's clock started: submission, or the partner's forward.
    clock_started_at = models.DateTimeField(null=True, blank=True)
    response_due_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    breached = models.BooleanField(default=False)
    # §1.6: when a workaround was recorded; continuous effort on a Severity 1
    # is owed until then (or a resolution, or a downgrade). Only a workaround
    # that still counts: recorded since the ticket last became its severity
    # or reached the vendor (policy/effort.py), so the column alone tells.
    workaround_at = models.DateTimeField(null=True, blank=True)
    # §3.3, §3.5: third-party software involved, by the policy's slugs or as
    # named (JSON list of strings).
    third_party = models.JSONField(default=list, blank=True, db_default=Value([], JSONField()))
    # §3.1, §3.4: why the issue lies outside the vendor's support, recorded
    # when the ticket is resolved or closed with it (a limitation's slug).
    resolution_cause = models.CharField(max_length=40, blank=True, default="", db_default="")
    # §2.1: answered with guidance (documentation, training), not hands-on work.
    guidance_only = models.BooleanField(default=False, db_default=False)
    # The next SLA warning or breach, or unassigned Severity 1 alert (§1.6),
    # the worker must record (tickets/clock.py).
    sla_next_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    # Head of the event hash chain, so appending needs no read of the tail.
    event_count = models.PositiveIntegerField(default=0)
    last_event_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering: ClassVar = ["-id"]
        indexes: ClassVar = [
            # The queues: open tickets of a tier by due time, then id, which is
            # the pages' ORDER BY (PostgreSQL sorts NULLs last ascending, as
            # the queues do), so a page reads 50 index entries, not the table.
            models.Index(
                fields=["tier", "response_due_at", "id"],
                name="ticket_open_due",
                condition=Q(status__in=OPEN_STATUSES),
            ),
            # The finance queue (§4.2.7) and its count: billing questions are
            # few, and finding them in the open index would read all of it.
            models.Index(
                fields=["tier", "response_due_at", "id"],
                name="ticket_open_finance",
                condition=Q(status__in=OPEN_STATUSES, coverage="finance"),
            ),
            # The API's list across tiers and statuses, in the same order.
            models.Index(fields=["response_due_at", "id"], name="ticket_due"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_status"),
            models.Index(fields=["company", "status"], name="ticket_company_status"),
            models.Index(fields=["partner", "status"], name="ticket_partner_status"),
            # The SLA sweep reads only the tickets with an alarm to come.
            models.Index(
                fields=["sla_next_at"],
                name="ticket_sla_next",
                condition=Q(sla_next_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def number(self) -> str:
        return f"{NUMBER_PREFIX}{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @staticmethod
    def pk_from_number(number: str) -> int | None:
        """The id in "SD-1234" (or "1234"); None for anything else."""
        text = number.strip().upper()
        text = text.removeprefix(NUMBER_PREFIX)
        if not text.isdigit() or len(text) > 18:
            return None
        return int(text)


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    MESSAGE = "message", "Message"
    CALL_LOGGED = "call-logged", "Call logged"
    SEVERITY_CHANGED = "severity-changed", "Severity changed"
    SEVERITY_REQUESTED = "severity-requested", "Higher severity requested"
    SEVERITY_REQUEST_ACCEPTED = "severity-request-accepted", "Severity request accepted"
    SEVERITY_REQUEST_DECLINED = "severity-request-declined", "Severity request declined"
    STATUS_CHANGED = "status-changed", "Status changed"
    ASSIGNED = "assigned", "Assigned"
    FORWARDED = "forwarded", "Forwarded to the vendor"
    WATCHER_ADDED = "watcher-added", "Watcher added"
    WATCHER_REMOVED = "watcher-removed", "Watcher removed"
    SLA_WARNING = "sla-warning", "Response target near"
    # A step of an escalation (§1.8); its fields are the event's data.
    ESCALATION = "escalation", "Escalation"
    ESCALATION_UPDATE_MISSED = "escalation-update-missed", "Escalation update missed"
    ESCALATION_REMINDER = "escalation-reminder", "Escalation update coming due"
    ESCALATION_INVITE = "escalation-invite", "Conference call invitation sent"
    # Severity 1 continuous effort (§1.6): an alert while nobody has the
    # ticket, and the workaround that ends what is owed.
    UNASSIGNED_ALERT = "unassigned-alert", "Unassigned Severity 1 alert"
    WORKAROUND = "workaround", "Workaround provided"
    # What the policy covers (§2–§4): the matrix at intake, quotes for work
    # done for a fee, third-party software, guidance instead of hands-on work,
    # reproduction, and the customer's consent to remote access.
    CATEGORY_SET = "category-set", "Product or category set"
    OUT_OF_SCOPE = "out-of-scope", "Answered as out of scope"
    SCOPE_OVERRIDDEN = "scope-overridden", "Out of scope overridden"
    QUOTE_OFFERED = "quote-offered", "Quote offered"
    QUOTE_ACCEPTED = "quote-accepted", "Quote accepted"
    QUOTE_DECLINED = "quote-declined", "Quote declined"
    QUOTE_WITHDRAWN = "quote-withdrawn", "Quote withdrawn"
    THIRD_PARTY = "third-party", "Third-party software recorded"
    THIRD_PARTY_OPTION = "third-party-option", "Option for unsupported software"
    GUIDANCE_ONLY = "guidance-only", "Answered as guidance"
    REPRODUCTION_REQUESTED = "reproduction-requested", "Reproduction steps requested"
    REMOTE_ACCESS_REQUESTED = "remote-access-requested", "Remote access requested"
    REMOTE_ACCESS_GRANTED = "remote-access-granted", "Remote access granted"
    REMOTE_ACCESS_DECLINED = "remote-access-declined", "Remote access declined"
    REMOTE_ACCESS_REVOKED = "remote-access-revoked", "Remote access revoked"
    SLA_BREACHED = "sla-breached", "Response target missed"
    # Mail that concerns the ticket but is not a message on it (mail issue).
    MAIL_BOUNCED = "mail-bounced", "Mail bounced"
    MAIL_AUTOMATIC = "mail-automatic", "Automatic reply received"
    MAIL_HELD = "mail-held", "Mail held for staff"


class TicketEvent(models.Model):
    """One entry of a ticket's history. Never updated or deleted."""

    # Led by the (ticket, seq) unique index, which serves its lookups.
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # Visible to the customer side (requester's company, partner staff).
    public = models.BooleanField(default=True)
    data = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering: ClassVar = ["ticket", "seq"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["ticket", "seq"], name="event_unique_seq")
        ]
        indexes: ClassVar = [
            # The missed-targets report reads breaches by when they happened.
            models.Index(fields=["at"], name="event_breach_at", condition=Q(kind="sla-breached")),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}#{self.seq} {self.kind}"

    def compute_hash(self) -> str:
        return chain_hash(
            self.prev_hash,
            seq=self.seq,
            kind=self.kind,
            # In UTC: the same instant must hash the same however it was written.
            at=self.at.astimezone(UTC).isoformat(),
            actor=self.actor_id,
            public=self.public,
            data=self.data,
        )


def chain_hash(prev_hash: str, **fields: Any) -> str:
    """SHA-256 over the previous hash and the event's canonical JSON."""
    body = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


class Message(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public reply"
        INTERNAL = "internal", "Internal note"

    class Kind(models.TextChoices):
        REPLY = "reply", "Reply"
        CALL = "call", "Call"

    # Led by the (ticket, created_at) index, which serves its lookups.
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The organization the author spoke for, so internal notes stay with it.
    author_org = models.ForeignKey(Organization, null=True, on_delete=models.SET_NULL)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.REPLY)
    visibility = models.CharField(max_length=8, choices=Visibility.choices)
    via = models.CharField(max_length=16, choices=Channel.choices)
    body = models.TextField()
    # For a logged call: inbound or outbound, and how long it took.
    call_direction = models.CharField(max_length=8, blank=True)
    call_minutes = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["created_at", "id"]
        indexes: ClassVar = [models.Index(fields=["ticket", "created_at"])]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.visibility}"

    @property
    def is_public(self) -> bool:
        return self.visibility == self.Visibility.PUBLIC


class Attachment(models.Model):
    """A file on a ticket, stored outside the web root under a generated
    name and served only through a view that checks access."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    filename = models.CharField(max_length=255)
    # An image shown inside an HTML mail (`cid:` reference), not a file sent.
    inline = models.BooleanField(default=False)
    content_id = models.CharField(max_length=255, blank=True)
    stored_name = models.CharField(max_length=100, unique=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.filename


class SavedReply(models.Model):
    """A canned answer staff insert into a reply; owned by an organization
    (the vendor or a partner), optionally private to one person."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE
    )
    title = models.CharField(max_length=200)
    body = models.TextField()

    class Meta:
        ordering: ClassVar = ["title"]

    def __str__(self) -> str:
        return self.title


class IdempotencyKey(models.Model):
    """The first response to an API create, replayed when a client retries
    with the same `Idempotency-Key` header."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    # The exact JSON text: PostgreSQL's jsonb would reorder the keys.
    response = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique_key")
        ]


class Quote(models.Model):
    """A price for work the policy does for a fee (§4 `fee` rows, or going
    on beside unsupported third-party software, §3.3), offered before any
    of that work, and accepted or declined by the customer side once."""

    class State(models.TextChoices):
        OFFERED = "offered", "Offered"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Reason(models.TextChoices):
        MATRIX = "matrix", "Work the support matrix offers for a fee (§4)"
        THIRD_PARTY = "third-party", "Work beside unsupported software (§3.3)"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="quotes")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD")
    description = models.TextField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.OFFERED)
    offered_at = models.DateTimeField()
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["ticket", "offered_at", "id"]
        constraints: ClassVar = [
            # One quote waiting for the customer at a time.
            models.UniqueConstraint(
                fields=["ticket"], name="quote_one_offered", condition=Q(state="offered")
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket.number} quote {self.amount} {self.currency} ({self.state})"


class Escalation(models.Model):
    """One escalation of a ticket (§1.8). Its steps are the ticket's
    `escalation` events, folded by the policy core (policy/escalation.py);
    this row keeps what the managers' queue and the worker ask of it."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="escalations")
    seq = models.PositiveSmallIntegerField()  # the ticket's first, second, … escalation
    status = models.CharField(max_length=16)
    level = models.PositiveSmallIntegerField(default=1)
    reason = models.CharField(max_length=64)
    requested_at = models.DateTimeField()
    primary_engineer = models.CharField(max_length=200, blank=True)
    next_update_due = models.DateTimeField(null=True, blank=True)
    # When to remind the primary engineer that the next update is coming due.
    remind_at = models.DateTimeField(null=True, blank=True)
    call_requested_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["-requested_at", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["ticket", "seq"], name="escalation_once_per_seq")
        ]
        indexes: ClassVar = [
            # The managers' queue: escalations waiting or running.
            models.Index(
                fields=["status", "requested_at"],
                name="escalation_open",
                condition=Q(status__in=("requested", "active")),
            ),
            # The worker's sweep: running escalations with an update to come.
            models.Index(
                fields=["next_update_due"],
                name="escalation_update_due",
                condition=Q(next_update_due__isnull=False),
            ),
            # The worker's reminders before an update is due.
            models.Index(
                fields=["remind_at"],
                name="escalation_remind",
                condition=Q(remind_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket.number} escalation {self.seq} ({self.status}, level {self.level})"
