"""One path for every inbound mail, whether it came by IMAP, SMTP or file.

`ingest_raw` stores the raw bytes and decides, in this order: over a limit
(quarantined), seen before (duplicate), a delivery failure (bounce), an
automatic mail (auto-reply), no usable sender (quarantined), the same mail
again and again from one sender (held: loop), a reply to a ticket (appended,
or held when the sender is not one of the ticket's people), else a new
ticket (created). The mail row and the ticket change commit together, so a
caller that sees `ingest_raw` return may flag or delete the mail at its
source; if it raises, nothing was stored and the source should retry.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from supportdesk.accounts.models import Organization, User
from supportdesk.lib.fastsql import Inserter, Updater
from supportdesk.mail import outbound
from supportdesk.mail.addresses import (
    is_desk_address,
    ticket_of_message_id,
    ticket_pk_in_subject,
    ticket_pk_of_address,
)
from supportdesk.mail.lookups import sent_lately
from supportdesk.mail.models import InboundMail, OutboundMail, Outcome, Review
from supportdesk.mail.parse import Limits, ParsedMail, parse_mail
from supportdesk.mail.senders import (
    Sender,
    catch_all_company,
    customer_for,
    identify,
    is_participant,
)
from supportdesk.policies.active import active_policy
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
        return f"id:{parsed.message_id[:290]}"
    return f"sha256:{parsed.raw_sha256}"


def content_hash(parsed: ParsedMail) -> str:
    words = " ".join(parsed.subject.lower().split()) + "\0" + " ".join(parsed.text.split())
    return hashlib.sha256(words.encode("utf-8", "replace")).hexdigest()


def ingest_raw(raw: bytes, source: str, *, now: datetime | None = None) -> IngestResult:
    """Store one mail and place it; see the module's docstring."""
    now = now or timezone.now()
    parsed = parse_mail(raw, limits())
    key = dedupe_key(parsed)
    actions.remember_active_policy_once()
    # Inside a batch (ingest_many) this needs no savepoint of its own: a
    # failure here fails the batch, which is retried whole.
    with transaction.atomic(savepoint=False):
        mail = InboundMail(
            received_at=now,
            source=source[:300],
            raw=raw,
            size=len(raw),
            dedupe_key=key,
            message_id=parsed.message_id[:998],
            sender=parsed.sender.email[:320] if parsed.sender else "",
            subject=parsed.subject[:500],
            content_hash=content_hash(parsed),
            outcome=Outcome.QUARANTINED,
        )
        if not _insert_mail.insert_new(mail):
            return _duplicate(mail, key, source)
        placement = _place_safely(mail, parsed, now)
        return _record(mail, placement, placement.review)


def ingest_many(
    mails: Sequence[tuple[bytes, str]], *, now: datetime | None = None
) -> list[IngestResult]:
    """Several mails in one transaction, so one commit: what a file batch or
    a bulk import uses. Each mail's placement still has its own savepoint
    (a mail that cannot be placed is quarantined, the others go on); if the
    database fails, none is stored and the whole batch may be retried
    (what was stored before is recognised as duplicate)."""
    with transaction.atomic():
        return [ingest_raw(raw, source, now=now) for raw, source in mails]


def reprocess(mail: InboundMail, *, now: datetime | None = None) -> IngestResult:
    """Place a held or quarantined mail again, after staff fixed what stopped
    it (a user or a company domain added, a ticket reopened). Staff asked for
    it, so the loop guard does not apply."""
    now = now or timezone.now()
    parsed = parse_mail(bytes(mail.raw), limits())
    with transaction.atomic():
        mail = InboundMail.objects.select_for_update().get(pk=mail.pk)
        placement = _place_safely(mail, parsed, now, reviewed=True)
        review = Review.WAITING if placement.review == Review.WAITING else Review.REPROCESSED
        return _record(mail, placement, review)


def _record(mail: InboundMail, placement: _Placement, review: str) -> IngestResult:
    mail.outcome = placement.outcome
    mail.reason = placement.reason[:500]
    mail.ticket = placement.ticket
    mail.ticket_message_id = placement.message_id
    mail.review = review
    _update_outcome.update(mail)
    ticket = placement.ticket
    return IngestResult(
        placement.outcome, ticket.number if ticket else None, mail.pk, placement.reason
    )


def _duplicate(mail: InboundMail, key: str, source: str) -> IngestResult:
    """A second delivery: recorded (without its bytes) against the first."""
    first = InboundMail.objects.exclude(outcome=Outcome.DUPLICATE).get(dedupe_key=key)
    dup = InboundMail.objects.create(
        received_at=mail.received_at,
        source=source[:300],
        raw=b"",
        size=mail.size,
        dedupe_key=key,
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


def _place_safely(
    mail: InboundMail, parsed: ParsedMail, now: datetime, *, reviewed: bool = False
) -> _Placement:
    """Place the mail; anything unexpected quarantines it rather than losing
    it, except a database that is away, which the source should retry."""
    try:
        with transaction.atomic():
            return _place(mail, parsed, now, reviewed=reviewed)
    except (OperationalError, InterfaceError):
        raise
    except ActionError as exc:
        return _Placement(
            Outcome.QUARANTINED, reason=f"not accepted: {exc.message}", review=Review.WAITING
        )
    except Exception as exc:
        log.exception("mail %s could not be placed", mail.pk)
        return _Placement(
            Outcome.QUARANTINED,
            reason=f"could not be processed ({type(exc).__name__}: {exc})"[:500],
            review=Review.WAITING,
        )


def _place(
    mail: InboundMail, parsed: ParsedMail, now: datetime, *, reviewed: bool = False
) -> _Placement:
    if parsed.over_limit:
        return _Placement(
            Outcome.QUARANTINED, reason=f"over a limit: {parsed.over_limit}", review=Review.WAITING
        )
    if parsed.bounce is not None:
        return _bounce(mail, parsed, now)
    if parsed.automatic:
        return _automatic(mail, parsed, now)
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
    if not reviewed and _repeated(mail, now):
        return _Placement(
            Outcome.HELD,
            reason="loop: the same mail from this sender again within the hour",
            review=Review.WAITING,
        )
    sender = identify(parsed.sender.email, parsed.sender.name)
    ticket = _thread(parsed)
    if ticket is not None and ticket.status != Status.CLOSED:
        return _append(mail, parsed, sender, ticket, now)
    return _create(mail, parsed, sender, now)


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


def _automatic(mail: InboundMail, parsed: ParsedMail, now: datetime) -> _Placement:
    ticket = _thread(parsed)
    if ticket is not None:
        actions.do_note_mail(
            ticket,
            kind=EventKind.MAIL_AUTOMATIC,
            data={
                "mail": mail.pk,
                "from": parsed.sender.email if parsed.sender else "",
                "subject": parsed.subject[:200],
                "why": parsed.automatic,
            },
            now=now,
        )
    return _Placement(Outcome.AUTO_REPLY, ticket, reason=parsed.automatic)


def _repeated(mail: InboundMail, now: datetime) -> bool:
    if not mail.sender:
        return False
    return sent_lately(mail.sender, mail.content_hash, now - LOOP_WINDOW, mail.pk)


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


def _ticket_of_received(ids: list[str]) -> Ticket | None:
    keys = [f"id:{i[:290]}" for i in ids if i][:MAX_THREAD_IDS]
    if not keys:
        return None
    placed = (
        InboundMail.objects.filter(
            dedupe_key__in=keys,
            outcome__in=(Outcome.CREATED, Outcome.APPENDED),
            ticket__isnull=False,
        )
        .values_list("dedupe_key", "ticket_id")
        .order_by()
    )
    found = dict(placed)
    for key in keys:  # the nearest reference first, as _ids_of orders them
        if key in found:
            return _ticket(found[key])
    return None


def _ticket(pk: int) -> Ticket | None:
    return rows.ticket_by_pk(pk)


def _thread(parsed: ParsedMail) -> Ticket | None:
    """The ticket a mail answers: by an id we issued, else by the id of a
    mail we received and placed on a ticket (a customer answering their own
    earlier mail, often in the same batch), else the subject's [SD-n] token,
    else our per-ticket reply address among its recipients."""
    ids = _ids_of(parsed)
    ticket = _ticket_of_ids(ids)
    if ticket is not None:
        return ticket
    ticket = _ticket_of_received(ids)
    if ticket is not None:
        return ticket
    pk = ticket_pk_in_subject(parsed.subject)
    if pk is not None and (ticket := _ticket(pk)) is not None:
        return ticket
    for address in [*(a.email for a in (*parsed.to, *parsed.cc)), *parsed.delivered_to]:
        pk = ticket_pk_of_address(address)
        if pk is not None and (ticket := _ticket(pk)) is not None:
            return ticket
    return None


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


def _append(
    mail: InboundMail, parsed: ParsedMail, sender: Sender, ticket: Ticket, now: datetime
) -> _Placement:
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
    author = sender.user or customer_for(sender, ticket.company)
    try:
        message = actions.do_reply(
            ticket,
            body=text_of(parsed),
            public=True,
            via=Channel.EMAIL,
            uploads=uploads_of(parsed),
            acting_user=author,
            now=now,
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
    return _Placement(Outcome.APPENDED, ticket, message_id=message.pk)


def _create(mail: InboundMail, parsed: ParsedMail, sender: Sender, now: datetime) -> _Placement:
    assert parsed.sender is not None
    user = sender.user
    if user is not None and not user.is_active:
        return _Placement(
            Outcome.HELD, reason=f"sender {sender.address} is deactivated", review=Review.WAITING
        )
    if user is not None and user.is_partner_staff:
        return _create_for_partner(parsed, sender, user, now)
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
            )
            return _Placement(
                Outcome.HELD,
                reason=f"unknown sender {sender.address} (unknown senders are refused)",
                review=Review.WAITING,
            )
        company = catch_all_company()
    requester = customer_for(sender, company)
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
    _acknowledge(ticket, parsed, sender, now)
    return _Placement(Outcome.CREATED, ticket)


def _create_for_partner(
    parsed: ParsedMail, sender: Sender, user: User, now: datetime
) -> _Placement:
    """Partner staff mail the vendor a new ticket for one of their companies:
    the only one they have, or the one the subject names."""
    companies = list(
        Organization.objects.filter(kind=Organization.Kind.COMPANY, parent_id=user.organization_id)
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
        now=now,
    )
    _acknowledge(ticket, parsed, sender, now)
    return _Placement(Outcome.CREATED, ticket)


def _acknowledge(ticket: Ticket, parsed: ParsedMail, sender: Sender, now: datetime) -> None:
    outbound.acknowledge(
        ticket,
        to=sender.address,
        name=sender.name,
        in_reply_to=parsed.message_id,
        references=list(parsed.references),
        now=now,
    )


def _opening_severity(company: Organization) -> int:
    """The company's default severity or Sev3, never what the subject shouts."""
    policy = active_policy()
    levels = {s.level for s in policy.severities}
    wanted = company.default_severity
    return wanted if wanted in levels else 3


def reviewer_may_act(user: User) -> bool:
    return user.is_vendor_staff and user.is_active
