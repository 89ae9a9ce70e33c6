"""Mail we send: recorded in the outbox first, delivered once the change
that caused it commits.

Every mail carries a signed Message-ID, In-Reply-To and References to the
mail it answers, a Reply-To that names the ticket, and the ticket token in
the subject, so a reply threads however the client quotes it. Automatic
mail (acknowledgements, refusals) says `Auto-Submitted: auto-generated`
(RFC 3834), is never sent in answer to automatic mail, and is capped per
recipient so two desks cannot keep each other busy.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from email.message import MIMEPart
from functools import cache
from typing import Any

from django.core.mail import EmailMessage, mailers
from django.db import connection, transaction
from django.db.models import F
from django.tasks import task
from django.utils import timezone

from supportdesk.lib.fastsql import Inserter, Maker, any_of, default_db, list_param
from supportdesk.mail.addresses import desk_address, new_message_id, reply_address
from supportdesk.mail.models import InboundMail, OutboundMail
from supportdesk.policies.active import active_policy, policy_for_version
from supportdesk.tickets.models import Message, Ticket, Tier

log = logging.getLogger(__name__)

# At most this many automatic mails to one address in AUTOMATIC_WINDOW: enough
# for a person opening several tickets, too few for a mail loop to matter.
AUTOMATIC_PER_RECIPIENT = 20
AUTOMATIC_WINDOW = timedelta(hours=1)
MAX_REFERENCES = 20


def subject_for(ticket: Ticket, *, reply: bool = False) -> str:
    return f"{'Re: ' if reply else ''}[{ticket.number}] {ticket.subject}"


def due_in_words(ticket: Ticket) -> str:
    """When the first response is due, in the policy's business-hours zone:
    "Monday 30 November, 01:00 EST"."""
    if ticket.response_due_at is None:
        return ""
    policy = policy_for_version(ticket.policy_version)
    target = policy.target(ticket.severity, ticket.channel)
    local = ticket.response_due_at.astimezone(policy.calendar(target.calendar).zone)
    return f"{local:%A} {local.day} {local:%B}, {local:%H:%M %Z}"


def acknowledgement_text(ticket: Ticket, *, name: str) -> str:
    policy = policy_for_version(ticket.policy_version)
    severity = policy.severity(ticket.severity)
    if ticket.tier == Tier.PARTNER and ticket.partner is not None:
        target = (
            f"{ticket.partner.name}, your support partner, has your ticket and will respond to it."
        )
    elif ticket.first_response_at is not None:
        target = "An engineer has already responded to it."
    else:
        target = f"An engineer will respond by {due_in_words(ticket)}."
    phones = "; ".join(f"{c.region} {c.label} {c.number}" for c in policy.contacts)
    return "\n".join(
        [
            f"Hello {name or 'there'},",
            "",
            f"Thank you for contacting {policy.meta.vendor} Support. Your request is logged as "
            f"ticket {ticket.number}: {ticket.subject}",
            "",
            target,
            "",
            f"It is open at Severity {severity.level} ({severity.name}). A mail never opens a "
            "ticket at Severity 1, whatever its subject says: for a Critical issue, call us "
            f"({phones}) so an engineer starts at once. To ask for a higher severity, reply "
            "with a first line 'Severity: 2' (the level you need) followed by the reason: the "
            "current impact on your production (§1.7.2). Or use the portal.",
            "",
            f"To add anything, reply to this mail and keep [{ticket.number}] in the subject.",
            "",
            f"{policy.meta.vendor} Support",
        ]
    )


def refusal_text(name: str) -> str:
    return "\n".join(
        [
            f"Hello {name or 'there'},",
            "",
            "This desk takes mail from the customers and partners it supports, and we could not "
            "match your address to one of them. Your mail is kept: our staff will look at it. "
            "If you are a customer, please write from the address your company registered with "
            "us, or ask your administrator to add yours.",
        ]
    )


class Outbox:
    """The outbox rows a piece of work queues, written in one statement when
    it ends (`flush`, inside its transaction), with the cap on automatic mail
    read once for all its recipients and counting what it queues itself."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.pending: list[OutboundMail] = []
        self._automatic: dict[str, int] = {}

    def prefetch(self, addresses: Iterable[str]) -> None:
        """Read the automatic mail each address got within the window."""
        wanted = {a.lower() for a in addresses} - self._automatic.keys()
        if not wanted:
            return
        db = default_db()
        with db.cursor() as cursor:
            cursor.execute(
                _automatic_sql(db.vendor),
                [
                    list_param(db, wanted),
                    db.ops.adapt_datetimefield_value(self.now - AUTOMATIC_WINDOW),
                ],
            )
            counts = dict(cursor.fetchall())
        for address in wanted:
            self._automatic[address] = int(counts.get(address, 0))

    def automatic_allowed(self, address: str) -> bool:
        address = address.lower()
        if address not in self._automatic:
            self.prefetch([address])
        return self._automatic[address] < AUTOMATIC_PER_RECIPIENT

    def add(self, mail: OutboundMail) -> None:
        self.pending.append(mail)
        if mail.automatic and mail.recipient:
            self._automatic[mail.recipient] = self._automatic.get(mail.recipient, 0) + 1

    def mark(self) -> int:
        return len(self.pending)

    def rewind(self, mark: int) -> None:
        """Forget what was added since `mark` (its change was rolled back)."""
        for mail in self.pending[mark:]:
            if mail.automatic and mail.recipient in self._automatic:
                self._automatic[mail.recipient] -= 1
        del self.pending[mark:]

    def flush(self) -> None:
        """Write the pending rows; they are delivered once the transaction commits."""
        if not self.pending:
            return
        _insert.insert(*self.pending)
        _queued().extend(m.pk for m in self.pending)
        self.pending.clear()
        transaction.on_commit(deliver_queued, robust=True)


@cache
def _automatic_sql(vendor: str) -> str:
    table = connection.ops.quote_name(OutboundMail._meta.db_table)
    return (
        f"SELECT recipient, COUNT(*) FROM {table} WHERE recipient {any_of(connection)} "
        "AND automatic AND created_at >= %s GROUP BY recipient"
    )


def queue_mail(
    *,
    kind: str,
    ticket: Ticket | None,
    to: Sequence[str],
    subject: str,
    body: str,
    automatic: bool,
    in_reply_to: str = "",
    references: Sequence[str] = (),
    message: Message | None = None,
    cc: Sequence[str] = (),
    calendar: str = "",
    now: datetime | None = None,
    outbox: Outbox | None = None,
) -> OutboundMail:
    """Record a mail in the outbox (now, or when `outbox` is flushed); it is
    delivered once the transaction commits."""
    mail = _new(
        created_at=now or timezone.now(),
        kind=kind,
        ticket=ticket,
        ticket_message=message,
        message_id=new_message_id(ticket.pk if ticket is not None else 0),
        in_reply_to=in_reply_to,
        references=" ".join(references[-MAX_REFERENCES:]),
        from_address=desk_address(),
        reply_to=reply_address(ticket.number) if ticket is not None else "",
        to=list(to),
        recipient=to[0].lower() if to else "",
        cc=list(cc),
        subject=subject[:500],
        body=body,
        calendar=calendar,
        automatic=automatic,
    )
    if outbox is not None:
        outbox.add(mail)
    else:
        _insert.insert(mail)
        _queued().append(mail.pk)
        transaction.on_commit(deliver_queued, robust=True)
    return mail


_new = Maker(OutboundMail)
_insert = Inserter(OutboundMail)
_thread = threading.local()


def _queued() -> list[int]:
    if not hasattr(_thread, "queued"):
        _thread.queued = []
    queued: list[int] = _thread.queued
    return queued


def take_queued() -> list[int]:
    """The outbox mail this thread queued and has not delivered, now no longer
    queued for delivery (the demo's past, which was "sent" when it happened)."""
    queued = _queued()
    taken = list(queued)
    queued.clear()
    return taken


def deliver_queued() -> None:
    """After a commit: hand everything this thread queued to the worker, as
    one task (one mail connection). The first of a transaction's hooks does
    it all; the others find nothing left. Rows a rollback removed are simply
    not found."""
    queued = _queued()
    if queued:
        pks = list(queued)
        queued.clear()
        deliver_outbox.enqueue(pks)


# A mail still queued this long after it was written lost its delivery task
# (the enqueue failed after the commit, or the queue was cleared): long
# enough that a busy worker is not racing a task it has yet to run.
STRANDED_AFTER = timedelta(minutes=10)
_DELIVERY_CHUNK = 100


def redeliver_stranded(now: datetime | None = None) -> int:
    """Queue delivery again for outbox mail that lost its task; how many."""
    before = (now or timezone.now()) - STRANDED_AFTER
    pks = list(
        OutboundMail.objects.filter(state=OutboundMail.State.QUEUED, created_at__lt=before)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(pks), _DELIVERY_CHUNK):
        deliver_outbox.enqueue(pks[start : start + _DELIVERY_CHUNK])
    return len(pks)


@task()
def deliver_outbox(pks: list[int]) -> None:
    """The worker's half of `deliver_queued`: send these outbox rows (those
    still queued)."""
    deliver(*pks)


def acknowledge(
    ticket: Ticket,
    *,
    to: str,
    name: str,
    in_reply_to: str,
    references: Sequence[str],
    now: datetime,
    outbox: Outbox | None = None,
) -> OutboundMail | None:
    """The acknowledgement of a ticket opened by mail, unless the cap on
    automatic mail to this address is reached."""
    mail = _queue_automatic(
        outbox,
        now,
        to=to,
        kind=OutboundMail.Kind.ACKNOWLEDGEMENT,
        ticket=ticket,
        subject=subject_for(ticket),
        body=acknowledgement_text(ticket, name=name),
        in_reply_to=in_reply_to,
        references=[*references, in_reply_to] if in_reply_to else list(references),
    )
    if mail is None:
        log.warning("acknowledgement of %s to %s skipped: automatic-mail cap", ticket, to)
    return mail


def refuse(
    *,
    to: str,
    name: str,
    subject: str,
    in_reply_to: str,
    now: datetime,
    outbox: Outbox | None = None,
) -> None:
    _queue_automatic(
        outbox,
        now,
        to=to,
        kind=OutboundMail.Kind.REFUSAL,
        ticket=None,
        subject=f"Re: {subject}"[:500] if subject else "Your mail to support",
        body=refusal_text(name),
        in_reply_to=in_reply_to,
        references=[in_reply_to] if in_reply_to else [],
    )


def refuse_by_mail(
    ticket: Ticket,
    *,
    to: str,
    body: str,
    in_reply_to: str,
    references: Sequence[str],
    now: datetime,
    outbox: Outbox | None = None,
) -> OutboundMail | None:
    """Why something a reply asked was not done, to its sender, in its
    thread, unless the cap on automatic mail to this address is reached."""
    return _queue_automatic(
        outbox,
        now,
        to=to,
        kind=OutboundMail.Kind.REFUSAL,
        ticket=ticket,
        subject=subject_for(ticket, reply=True),
        body=body,
        in_reply_to=in_reply_to,
        references=[*references, in_reply_to] if in_reply_to else list(references),
    )


def _queue_automatic(
    outbox: Outbox | None, now: datetime, *, to: str, **fields: Any
) -> OutboundMail | None:
    """An automatic mail to `to` unless the cap on automatic mail to that
    address is reached: into a batch's `outbox`, or written at once."""
    batch = outbox or Outbox(now)
    if not batch.automatic_allowed(to):
        return None
    mail = queue_mail(to=[to], automatic=True, now=now, outbox=batch, **fields)
    if outbox is None:
        batch.flush()
    return mail


def mail_reply(ticket: Ticket, message: Message, *, now: datetime) -> OutboundMail | None:
    """A public reply by the working side, to the requester and watchers."""
    recipients = [ticket.requester.email]
    recipients += [w.email for w in ticket.watchers.all() if w.email not in recipients]
    author = message.author
    recipients = [r for r in recipients if r and (author is None or r != author.email)]
    if not recipients:
        return None
    thread, answers = thread_ids(ticket)
    signature = f"{author.display_name}, " if author is not None else ""
    body = f"{message.body}\n\n-- \n{signature}{policy_vendor(ticket)} Support"
    return queue_mail(
        kind=OutboundMail.Kind.REPLY,
        ticket=ticket,
        message=message,
        to=recipients[:1],
        cc=recipients[1:],
        subject=subject_for(ticket, reply=True),
        body=body,
        automatic=False,
        in_reply_to=answers,
        references=thread,
        now=now,
    )


def policy_vendor(ticket: Ticket) -> str:
    return policy_for_version(ticket.policy_version).meta.vendor


def thread_ids(ticket: Ticket) -> tuple[list[str], str]:
    """The ticket's mail so far, oldest first (what References lists), and
    the one a reply answers: the customer's latest mail, else ours."""
    ours = OutboundMail.objects.filter(ticket=ticket).values_list("created_at", "message_id")
    theirs = list(
        InboundMail.objects.filter(ticket=ticket)
        .exclude(message_id="")
        .exclude(outcome__in=("duplicate", "bounce", "auto-reply"))
        .values_list("received_at", "message_id")
    )
    # At the same instant their mail comes first: our acknowledgement answers it.
    ordered = sorted([(at, 0, m) for at, m in theirs] + [(at, 1, m) for at, m in ours])
    ids = [m for _, _, m in ordered][-MAX_REFERENCES:]
    answers = max(theirs)[1] if theirs else (ids[-1] if ids else "")
    return ids, answers


def deliver(*pks: int) -> None:
    """Send outbox mail through Django's mail backend, one connection for all;
    a failure is kept on its row for staff (and a retry) rather than raised
    at whoever caused the mail."""
    mails = list(
        OutboundMail.objects.filter(pk__in=pks, state=OutboundMail.State.QUEUED)
        .select_related("ticket")
        .order_by("pk")
    )
    if not mails:
        return
    sent: list[int] = []
    failed: dict[int, str] = {}
    mailer = mailers.default
    try:
        mailer.open()
    except Exception as exc:  # the backend's own errors vary (SMTP, socket, OS)
        failed = {m.pk: str(exc)[:1000] for m in mails}
    else:
        try:
            for mail in mails:
                try:
                    mailer.send_messages([_message(mail)])
                except Exception as exc:
                    log.warning("outbound mail %s failed: %s", mail.pk, exc)
                    failed[mail.pk] = str(exc)[:1000]
                else:
                    sent.append(mail.pk)
        finally:
            mailer.close()
    now = timezone.now()
    OutboundMail.objects.filter(pk__in=sent).update(
        state=OutboundMail.State.SENT, sent_at=now, error="", attempts=F("attempts") + 1
    )
    for pk, error in failed.items():
        OutboundMail.objects.filter(pk=pk).update(
            state=OutboundMail.State.FAILED, error=error, attempts=F("attempts") + 1
        )


def _message(mail: OutboundMail) -> EmailMessage:
    headers = {"Message-ID": f"<{mail.message_id}>"}
    if mail.in_reply_to:
        headers["In-Reply-To"] = f"<{mail.in_reply_to}>"
    if mail.references:
        headers["References"] = " ".join(f"<{r}>" for r in mail.references.split())
    if mail.automatic:
        headers["Auto-Submitted"] = "auto-generated"
        # Asks Exchange not to answer it with an out-of-office reply.
        headers["X-Auto-Response-Suppress"] = "All"
    # Mail about no ticket (the clock's summary) speaks for the policy in force.
    vendor = policy_vendor(mail.ticket) if mail.ticket is not None else active_policy().meta.vendor
    message = EmailMessage(
        subject=mail.subject,
        body=mail.body,
        from_email=f"{vendor} Support <{mail.from_address}>",
        to=mail.to,
        cc=mail.cc,
        reply_to=[mail.reply_to] if mail.reply_to else None,
        headers=headers,
    )
    if mail.calendar:
        _with_calendar_parts(message, mail.body, mail.calendar)
    return message


def mail_invite(
    ticket: Ticket, *, to: list[str], subject: str, body: str, calendar: str, now: datetime
) -> OutboundMail:
    """A calendar invitation or its cancellation (notify.invite)."""
    return queue_mail(
        kind=OutboundMail.Kind.NOTIFICATION,
        ticket=ticket,
        to=to,
        subject=subject,
        body=body,
        calendar=calendar,
        automatic=True,
        now=now,
    )


_METHOD = re.compile(r"^METHOD:([A-Z-]+)\r?$", re.MULTILINE)


def _with_calendar_parts(message: EmailMessage, text: str, calendar: str) -> None:
    """The text and the calendar as alternatives, the calendar's METHOD in
    its Content-Type (Outlook and Gmail act on an invitation only then),
    and the calendar again as invite.ics for clients that show only files."""
    method = _METHOD.search(calendar)
    parts = MIMEPart()
    parts.set_content(text, charset="utf-8")
    parts.add_alternative(
        calendar,
        subtype="calendar",
        charset="utf-8",
        params={"method": method[1] if method else "PUBLISH"},
    )
    message.body = ""
    # Set by the body's part, which this message no longer has.
    message.extra_headers["MIME-Version"] = "1.0"
    message.attach(parts)
    message.attach("invite.ics", calendar, "application/ics")


def on_public_reply(ticket: Ticket, message: Message, now: datetime) -> None:
    """A reply written in the workspace (or by mail) goes to the requester
    and watchers by mail."""
    mail_reply(ticket, message, now=now)
