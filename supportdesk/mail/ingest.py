"""One path for every inbound mail, whether it came by IMAP, SMTP or file.

`ingest_raw` stores the raw bytes and decides, in this order: over a limit
(quarantined), seen before (duplicate), a delivery failure (bounce), an
automatic mail (auto-reply), no usable sender (quarantined), the same mail
again and again from one sender (held: loop), a reply to a ticket (appended,
or held when the sender is not one of the ticket's people), else a new
ticket (created). The mail row and the ticket change commit together, so a
caller that sees `ingest_raw` return may flag or delete the mail at its
source; if it raises, nothing was stored and the source should retry.

Mail comes in batches (`ingest_many`; a single mail is a batch of one).
What a batch asks the database (seen before? who are the senders? the same
words lately? which tickets do the replies name? how much automatic mail
went to each sender?) is asked once for all its mails, and its mail rows,
outcomes and outbox rows are written with one statement each. A batch runs
without savepoints and, on PostgreSQL, down one pipeline (its statements
sent without waiting for each answer); should one mail fail to place, the
batch is rolled back and run again statement by statement with a savepoint
per mail, so that mail is quarantined and the others go in.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from supportdesk.accounts.access import is_customer_side
from supportdesk.accounts.models import Organization, User
from supportdesk.lib.fastsql import Inserter, Maker, Updater, default_db, pipelined
from supportdesk.mail import options as options_by_mail
from supportdesk.mail import outbound, refusals
from supportdesk.mail.addresses import (
    is_desk_address,
    ticket_of_message_id,
    ticket_pk_in_subject,
    ticket_pk_of_address,
)
from supportdesk.mail.autodetect import CALENDAR_REPLY
from supportdesk.mail.commands import SeverityCommand, severity_command
from supportdesk.mail.lookups import recent_mail, tickets_of_received
from supportdesk.mail.models import InboundMail, OutboundMail, Outcome, Review
from supportdesk.mail.parse import Limits, ParsedMail, parse_mail
from supportdesk.mail.senders import Directory, Sender, is_participant
from supportdesk.policies.active import active_policy
from supportdesk.remote import by_mail as remote_by_mail
from supportdesk.tickets import actions, rows
from supportdesk.tickets.actions import ActionError, Upload
from supportdesk.tickets.models import Channel, EventKind, Status, Ticket

log = logging.getLogger(__name__)

# The same words from the same sender this often within LOOP_WINDOW: the
# first is a ticket, the rest wait for staff (a desk-to-desk loop, or a
# script gone wrong). A person's mail is never dropped, only held.
LOOP_WINDOW = timedelta(hours=1)
NO_SUBJECT = "(no subject)"
# A long References chain names many mails; the nearest ones decide.
MAX_THREAD_IDS = 50
NO_TEXT = "(the mail has no text)"


# Every mail is one insert and one update (lib/fastsql: built once, not per mail).
_new_mail = Maker(InboundMail)
_insert_mail = Inserter(InboundMail)
_update_outcome = Updater(InboundMail, "outcome", "reason", "ticket", "ticket_message", "review")


@dataclass(frozen=True)
class IngestResult:
    outcome: str
    ticket: str | None
    mail_id: int
    reason: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "ticket": self.ticket,
            "mail": self.mail_id,
            "reason": self.reason,
        }


@dataclass
class _Placement:
    outcome: str
    ticket: Ticket | None = None
    reason: str = ""
    message_id: int | None = None
    review: str = ""


def limits() -> Limits:
    return Limits(max_bytes=int(settings.SUPPORTDESK_MAIL_MAX_BYTES))


def dedupe_key(parsed: ParsedMail) -> str:
    if parsed.message_id:
        return _received_key(parsed.message_id)
    return f"sha256:{parsed.raw_sha256}"


def content_hash(parsed: ParsedMail) -> str:
    words = " ".join(parsed.subject.lower().split()) + "\0" + " ".join(parsed.text.split())
    return hashlib.sha256(words.encode("utf-8", "replace")).hexdigest()


def ingest_raw(raw: bytes, source: str, *, now: datetime | None = None) -> IngestResult:
    """Store one mail and place it; see the module's docstring."""
    return ingest_many([(raw, source)], now=now)[0]


def ingest_many(
    mails: Sequence[tuple[bytes, str]], *, now: datetime | None = None
) -> list[IngestResult]:
    """Several mails in one transaction, so one commit: what a file batch, a
    bulk import and each transport's mail use. A mail that cannot be placed
    is quarantined, the others go on; if the database fails, none is stored
    and the whole batch may be retried (what was stored before is recognised
    as duplicate)."""
    now = now or timezone.now()
    parsed = [parse_mail(raw, limits()) for raw, _ in mails]
    actions.remember_active_policy_once()
    try:
        with transaction.atomic():
            return _Batch(now, savepoints=False).ingest(mails, parsed)
    except Exception:
        # Without savepoints one mail's failure takes the batch with it, and
        # down PostgreSQL's pipeline a failure can show as the pipeline's
        # abort (an OperationalError). Once more, one statement at a time
        # with a savepoint per mail: what fails now is a mail's own doing
        # (quarantined) or the database's (raised, the source retries).
        with transaction.atomic():
            return _Batch(now, savepoints=True).ingest(mails, parsed)


def reprocess(mail: InboundMail, *, now: datetime | None = None) -> IngestResult:
    """Place a held or quarantined mail again, after staff fixed what stopped
    it (a user or a company domain added, a ticket reopened). Staff asked for
    it, so the loop guard does not apply."""
    now = now or timezone.now()
    parsed = parse_mail(bytes(mail.raw), limits())
    with transaction.atomic():
        mail = InboundMail.objects.select_for_update().get(pk=mail.pk)
        batch = _Batch(now, savepoints=True, reviewed=True)
        batch.prefetch([(mail, parsed)])
        placement = batch.place_safely(mail, parsed)
        review = Review.WAITING if placement.review == Review.WAITING else Review.REPROCESSED
        result = _record(mail, placement, review)
        _update_outcome.update(mail)
        batch.outbox.flush()
        return result


def _record(mail: InboundMail, placement: _Placement, review: str) -> IngestResult:
    """The placement on the mail's row, in memory (the batch writes it)."""
    mail.outcome = placement.outcome
    mail.reason = placement.reason[:500]
    mail.ticket = placement.ticket
    mail.ticket_message_id = placement.message_id
    mail.review = review
    ticket = placement.ticket
    return IngestResult(
        placement.outcome, ticket.number if ticket else None, mail.pk, placement.reason
    )


def _row(raw: bytes, source: str, parsed: ParsedMail, now: datetime) -> InboundMail:
    """A mail's row, quarantined until placed."""
    return _new_mail(
        received_at=now,
        source=source[:300],
        raw=raw,
        size=len(raw),
        dedupe_key=dedupe_key(parsed),
        message_id=parsed.message_id[:998],
        sender=parsed.sender.email[:320] if parsed.sender else "",
        subject=parsed.subject[:500],
        content_hash=content_hash(parsed),
        outcome=Outcome.QUARANTINED,
    )


def _duplicate(mail: InboundMail, first: InboundMail | None) -> IngestResult:
    """A second delivery: recorded (without its bytes) against the first,
    which is stored already or is earlier in this batch."""
    if first is None:
        first = InboundMail.objects.exclude(outcome=Outcome.DUPLICATE).get(
            dedupe_key=mail.dedupe_key
        )
    dup = InboundMail.objects.create(
        received_at=mail.received_at,
        source=mail.source,
        raw=b"",
        size=mail.size,
        dedupe_key=mail.dedupe_key,
        message_id=mail.message_id,
        sender=mail.sender,
        subject=mail.subject,
        content_hash=mail.content_hash,
        outcome=Outcome.DUPLICATE,
        reason=f"first delivered {first.received_at:%Y-%m-%d %H:%M:%S} UTC",
        ticket_id=first.ticket_id,
        duplicate_of=first,
    )
    number = first.ticket.number if first.ticket_id and first.ticket else None
    return IngestResult(Outcome.DUPLICATE, number, dup.pk, dup.reason)


@dataclass
class _Batch:
    """One batch's mails placed in order, with what they ask of the database
    read up front (see the module's docstring)."""

    now: datetime
    savepoints: bool
    reviewed: bool = False
    people: Directory = field(default_factory=Directory)
    outbox: outbound.Outbox = field(init=False)
    # (sender, content hash) -> ids of their mail within the loop window.
    recent: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    # Dedupe key -> ticket, for mail received earlier (or earlier in this batch).
    received: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.outbox = outbound.Outbox(self.now)

    def ingest(
        self, mails: Sequence[tuple[bytes, str]], parsed: Sequence[ParsedMail]
    ) -> list[IngestResult]:
        rows = [
            _row(raw, source, p, self.now) for (raw, source), p in zip(mails, parsed, strict=True)
        ]
        # The first of each key in the batch is inserted; a unique constraint
        # turns away the ones stored before (or by a concurrent batch).
        firsts: dict[str, InboundMail] = {}
        for row in rows:
            firsts.setdefault(row.dedupe_key, row)
        unique = list(firsts.values())
        stored = _insert_mail.insert_new_many(unique, key="dedupe_key")
        new = {id(row) for row, fresh in zip(unique, stored, strict=True) if fresh}
        self.prefetch([(r, p) for r, p in zip(rows, parsed, strict=True) if id(r) in new])
        results: list[IngestResult] = []
        placed: list[InboundMail] = []
        with self._pipeline(len(new)):
            for row, p in zip(rows, parsed, strict=True):
                if id(row) not in new:
                    first = firsts[row.dedupe_key]
                    results.append(_duplicate(row, first if id(first) in new else None))
                    continue
                placement = self.place_safely(row, p)
                results.append(_record(row, placement, placement.review))
                if placement.outcome in (Outcome.CREATED, Outcome.APPENDED) and placement.ticket:
                    self.received[row.dedupe_key] = placement.ticket.pk
                placed.append(row)
        _update_outcome.update_many(placed)
        self.outbox.flush()
        return results

    def _pipeline(self, mails: int) -> AbstractContextManager[None]:
        """Several mails without savepoints go down PostgreSQL's pipeline
        (lib/fastsql.pipelined), with ids in hand for the tickets they may
        open, so opening one waits for no answer: from 494-520 to 565-571
        mails/s on the benchmark's mixed stream (bench/mail_bench.py). A
        failure fails the batch, which then runs again without either."""
        if self.savepoints or mails < 2:
            return nullcontext()
        rows.reserve_ticket_ids(mails)
        return pipelined(default_db())

    def prefetch(self, mails: list[tuple[InboundMail, ParsedMail]]) -> None:
        senders = [p.sender.email.lower() for _, p in mails if p.sender is not None]
        self.people.prefetch(senders)
        self.outbox.prefetch(senders)
        if not self.reviewed:
            self.recent = recent_mail(
                {(r.sender, r.content_hash) for r, _ in mails if r.sender}, self.now - LOOP_WINDOW
            )
        keys = {_received_key(i) for _, p in mails for i in _ids_of(p)[:MAX_THREAD_IDS] if i}
        self.received = tickets_of_received(keys)

    def place_safely(self, mail: InboundMail, parsed: ParsedMail) -> _Placement:
        """Place the mail; without savepoints any failure fails the batch (run
        again with them). With them, anything unexpected quarantines the mail
        rather than losing it, except a database that is away, which the
        source should retry."""
        if not self.savepoints:
            return self._place(mail, parsed)
        marks = self.outbox.mark(), self.people.mark()
        try:
            with transaction.atomic():
                return self._place(mail, parsed)
        except (OperationalError, InterfaceError):
            raise
        except Exception as exc:
            self.outbox.rewind(marks[0])
            self.people.rewind(marks[1])
            if isinstance(exc, ActionError):
                return _Placement(
                    Outcome.QUARANTINED,
                    reason=f"not accepted: {exc.message}",
                    review=Review.WAITING,
                )
            log.exception("mail %s could not be placed", mail.pk)
            return _Placement(
                Outcome.QUARANTINED,
                reason=f"could not be processed ({type(exc).__name__}: {exc})"[:500],
                review=Review.WAITING,
            )

    def _place(self, mail: InboundMail, parsed: ParsedMail) -> _Placement:
        now = self.now
        if parsed.over_limit:
            return _Placement(
                Outcome.QUARANTINED,
                reason=f"over a limit: {parsed.over_limit}",
                review=Review.WAITING,
            )
        if parsed.bounce is not None:
            return _bounce(mail, parsed, now)
        if parsed.automatic:
            return _automatic(mail, parsed, self._thread(parsed), now)
        if parsed.sender is None or "@" not in parsed.sender.email:
            return _Placement(
                Outcome.QUARANTINED,
                reason="no usable sender address (From is missing or unreadable)",
                review=Review.WAITING,
            )
        if is_desk_address(parsed.sender.email):
            return _Placement(
                Outcome.HELD,
                reason=f"sender is the desk's own address ({parsed.sender.email}): a loop",
                review=Review.WAITING,
            )
        if not self.reviewed and self._repeated(mail):
            return _Placement(
                Outcome.HELD,
                reason="loop: the same mail from this sender again within the hour",
                review=Review.WAITING,
            )
        sender = self.people.identify(parsed.sender.email, parsed.sender.name)
        ticket = self._thread(parsed)
        if ticket is not None and ticket.status != Status.CLOSED:
            return self._append(mail, parsed, sender, ticket)
        return self._create(parsed, sender)

    def _repeated(self, mail: InboundMail) -> bool:
        """The same words from the same sender, received before this mail
        within the loop window (this batch's earlier mail included)."""
        earlier = self.recent.get((mail.sender, mail.content_hash), ())
        return any(pk < mail.pk for pk in earlier)

    def _thread(self, parsed: ParsedMail) -> Ticket | None:
        """The ticket a mail answers: by an id we issued, else by the id of a
        mail we received and placed on a ticket (a customer answering their
        own earlier mail, often in the same batch), else the subject's [SD-n]
        token, else our per-ticket reply address among its recipients."""
        ids = _ids_of(parsed)
        ticket = _ticket_of_ids(ids)
        if ticket is not None:
            return ticket
        for message_id in ids[:MAX_THREAD_IDS]:  # the nearest reference first
            pk = self.received.get(_received_key(message_id)) if message_id else None
            if pk is not None and (ticket := _ticket(pk)) is not None:
                return ticket
        pk = ticket_pk_in_subject(parsed.subject)
        if pk is not None and (ticket := _ticket(pk)) is not None:
            return ticket
        for address in [*(a.email for a in (*parsed.to, *parsed.cc)), *parsed.delivered_to]:
            pk = ticket_pk_of_address(address)
            if pk is not None and (ticket := _ticket(pk)) is not None:
                return ticket
        return None

    def _append(
        self, mail: InboundMail, parsed: ParsedMail, sender: Sender, ticket: Ticket
    ) -> _Placement:
        now = self.now
        if not is_participant(ticket, sender) or (sender.user and not sender.user.is_active):
            actions.do_note_mail(
                ticket,
                kind=EventKind.MAIL_HELD,
                data={"mail": mail.pk, "from": sender.address, "subject": parsed.subject[:200]},
                now=now,
            )
            return _Placement(
                Outcome.HELD,
                ticket,
                reason=f"sender {sender.address} is not one of this ticket's people "
                f"({ticket.company.name}, its partner or the vendor)",
                review=Review.WAITING,
            )
        author = self.people.customer_for(sender, ticket.company)
        body = text_of(parsed)
        try:
            message = actions.do_reply(
                ticket,
                body=body,
                public=True,
                via=Channel.EMAIL,
                uploads=uploads_of(parsed),
                acting_user=author,
                now=now,
                already_locked=True,
            )
        except ActionError as exc:
            if exc.code != "forbidden":
                raise
            return _Placement(
                Outcome.HELD,
                ticket,
                reason=f"sender {sender.address}: {exc.message}",
                review=Review.WAITING,
            )
        command = severity_command(body)
        # A command only from the customer side: staff change severities themselves.
        if command is not None and is_customer_side(author, ticket):
            self._request_severity(parsed, sender, author, ticket, command)
        # §2.3: "I grant remote access" as the first line answers the request.
        remote_by_mail.answer_by_mail(
            ticket, author, body, sender=sender, parsed=parsed, outbox=self.outbox, now=now
        )
        # §3.3: "Option (ii)" or "For fee" as the first line answers the offer.
        options_by_mail.answer_by_mail(
            ticket, author, body, sender=sender, parsed=parsed, outbox=self.outbox, now=now
        )
        return _Placement(Outcome.APPENDED, ticket, message_id=message.pk)

    def _request_severity(
        self,
        parsed: ParsedMail,
        sender: Sender,
        author: User,
        ticket: Ticket,
        command: SeverityCommand,
    ) -> None:
        """Ask for a higher severity as the reply's first line says (§1.7.2).
        The reply is on the ticket already and stays there; a refusal is
        told to the sender in one automatic mail and to the working side in
        an internal note."""
        try:
            # The action's own atomic block is a savepoint: a refusal, raised
            # before it writes, leaves the batch's transaction as it was.
            actions.do_request_severity(
                ticket,
                severity=command.severity,
                justification=command.justification,
                acting_user=author,
                now=self.now,
            )
        except ActionError as exc:
            refusals.refuse(
                ticket,
                sender=sender,
                parsed=parsed,
                told=refusals.severity_refusal_text(
                    ticket, name=sender.name, severity=command.severity, reason=exc.message
                ),
                headline=f"The request by mail from {sender.address} for Severity "
                f"{command.severity} was refused",
                reason=exc.message,
                now=self.now,
                outbox=self.outbox,
            )

    def _create(self, parsed: ParsedMail, sender: Sender) -> _Placement:
        assert parsed.sender is not None
        now = self.now
        user = sender.user
        if user is not None and not user.is_active:
            return _Placement(
                Outcome.HELD,
                reason=f"sender {sender.address} is deactivated",
                review=Review.WAITING,
            )
        if user is not None and user.is_partner_staff:
            return self._create_for_partner(parsed, sender, user)
        if user is not None and not user.is_customer:
            # Vendor staff write to the desk about a ticket; without one, which
            # company a new ticket is for is theirs to say.
            return _Placement(
                Outcome.HELD,
                reason=f"sender {sender.address} is staff and the mail names no ticket",
                review=Review.WAITING,
            )
        company = sender.company
        if company is None:
            if settings.SUPPORTDESK_MAIL_UNKNOWN_SENDERS == "refuse":
                outbound.refuse(
                    to=sender.address,
                    name=sender.name,
                    subject=parsed.subject,
                    in_reply_to=parsed.message_id,
                    now=now,
                    outbox=self.outbox,
                )
                return _Placement(
                    Outcome.HELD,
                    reason=f"unknown sender {sender.address} (unknown senders are refused)",
                    review=Review.WAITING,
                )
            company = self.people.catch_all_company()
        requester = self.people.customer_for(sender, company)
        ticket = actions.do_submit_ticket(
            company=company,
            requester=requester,
            subject=parsed.subject.strip() or NO_SUBJECT,
            body=text_of(parsed),
            product="",
            severity=_opening_severity(company),
            channel=Channel.EMAIL,
            uploads=uploads_of(parsed),
            acting_user=requester,
            now=now,
        )
        self._acknowledge(ticket, parsed, sender)
        return _Placement(Outcome.CREATED, ticket)

    def _create_for_partner(self, parsed: ParsedMail, sender: Sender, user: User) -> _Placement:
        """Partner staff mail the vendor a new ticket for one of their companies:
        the only one they have, or the one the subject names."""
        companies = list(
            Organization.objects.filter(
                kind=Organization.Kind.COMPANY, parent_id=user.organization_id
            )
        )
        named = [c for c in companies if c.name.lower() in parsed.subject.lower()]
        choice = companies if len(companies) == 1 else named
        if len(choice) != 1:
            return _Placement(
                Outcome.HELD,
                reason=f"partner staff {sender.address}: the mail names none of the partner's "
                "companies in its subject",
                review=Review.WAITING,
            )
        ticket = actions.do_submit_ticket(
            company=choice[0],
            requester=user,
            subject=parsed.subject.strip() or NO_SUBJECT,
            body=text_of(parsed),
            product="",
            severity=_opening_severity(choice[0]),
            channel=Channel.EMAIL,
            to_vendor=True,
            uploads=uploads_of(parsed),
            acting_user=user,
            now=self.now,
        )
        self._acknowledge(ticket, parsed, sender)
        return _Placement(Outcome.CREATED, ticket)

    def _acknowledge(self, ticket: Ticket, parsed: ParsedMail, sender: Sender) -> None:
        outbound.acknowledge(
            ticket,
            to=sender.address,
            name=sender.name,
            in_reply_to=parsed.message_id,
            references=list(parsed.references),
            now=self.now,
            outbox=self.outbox,
        )


# -- noise ------------------------------------------------------------------------------


def _bounce(mail: InboundMail, parsed: ParsedMail, now: datetime) -> _Placement:
    bounce = parsed.bounce
    assert bounce is not None
    ids = [bounce.original_message_id, *bounce.original_references, *_ids_of(parsed)]
    ticket = _ticket_of_ids(ids)
    if bounce.original_message_id:
        OutboundMail.objects.filter(message_id=bounce.original_message_id.lower()).update(
            state=OutboundMail.State.FAILED,
            error=f"bounced: {bounce.status} {bounce.diagnostic}".strip()[:1000],
        )
    if ticket is not None:
        actions.do_note_mail(
            ticket,
            kind=EventKind.MAIL_BOUNCED,
            data={
                "mail": mail.pk,
                "recipients": list(bounce.recipients)[:20],
                "action": bounce.action,
                "status": bounce.status,
                "diagnostic": bounce.diagnostic[:500],
            },
            now=now,
        )
    recipients = ", ".join(bounce.recipients[:5]) or "unknown recipients"
    return _Placement(Outcome.BOUNCE, ticket, reason=f"delivery to {recipients} failed")


def _automatic(
    mail: InboundMail, parsed: ParsedMail, ticket: Ticket | None, now: datetime
) -> _Placement:
    if ticket is not None:
        data = {
            "mail": mail.pk,
            "from": parsed.sender.email if parsed.sender else "",
            "subject": parsed.subject[:200],
            "why": parsed.automatic,
        }
        # An answer to an escalation's conference-call invitation (§1.8):
        # noted as such, never a message that would reopen the ticket.
        answer = parsed.automatic.removeprefix(f"{CALENDAR_REPLY}: ")
        if answer != parsed.automatic:
            data["calendar"] = answer
        actions.do_note_mail(ticket, kind=EventKind.MAIL_AUTOMATIC, data=data, now=now)
    return _Placement(Outcome.AUTO_REPLY, ticket, reason=parsed.automatic)


# -- threading --------------------------------------------------------------------------


def _ids_of(parsed: ParsedMail) -> list[str]:
    return [*parsed.in_reply_to, *reversed(parsed.references)]


def _ticket_of_ids(ids: list[str]) -> Ticket | None:
    for message_id in ids:
        pk = ticket_of_message_id(message_id) if message_id else None
        if pk is not None:
            ticket = _ticket(pk)
            if ticket is not None:
                return ticket
    return None


def _received_key(message_id: str) -> str:
    return f"id:{message_id[:290]}"


def _ticket(pk: int) -> Ticket | None:
    # Under its row lock: a mail placed on a ticket changes it, and a reply
    # goes on without reading the ticket again (do_reply's already_locked).
    return rows.ticket_by_pk(pk, lock=True)


# -- people's mail ----------------------------------------------------------------------


def uploads_of(parsed: ParsedMail) -> list[Upload]:
    """The mail's files, as the actions take them."""
    return [
        Upload(
            filename=part.filename or "attachment",
            content=part.content,
            inline=part.inline,
            content_id=part.content_id,
        )
        for part in parsed.parts
    ]


def text_of(parsed: ParsedMail) -> str:
    """What a message shows of a mail: its text less quoted history and
    signature (the original stays downloadable)."""
    text = parsed.display_text.strip() or parsed.text.strip()
    return text[: actions.MAX_BODY] if text else NO_TEXT


def _opening_severity(company: Organization) -> int:
    """The company's default severity or Sev3, never what the subject shouts."""
    policy = active_policy()
    levels = {s.level for s in policy.severities}
    wanted = company.default_severity
    return wanted if wanted in levels else 3


def reviewer_may_act(user: User) -> bool:
    return user.is_vendor_staff and user.is_active
