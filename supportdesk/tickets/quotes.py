"""Quotes: a price for work the policy does only for a fee, put to the
customer before any of that work (§4 `fee` rows; support beside a
non-supported application, §3.3).

The working side offers one quote at a time, and may withdraw it while it
waits; the customer side accepts or declines it once. Accepted, the ticket
goes to work (open); declined, a fee row's ticket is resolved, and a
third-party one's work ceases until the software is removed (§3.3); the
outcome is in its history. Each step is an event carrying the amount, the
currency and the section the quote rests on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, QuerySet, Subquery

from supportdesk.accounts.access import is_customer_side, side_of, works_on
from supportdesk.accounts.models import User
from supportdesk.policies.active import policy_for_version
from supportdesk.policy.matrix import THIRD_PARTY_FEE_SECTION, ScopeError, quote_section
from supportdesk.tickets import actions
from supportdesk.tickets.actions import ActionError, clean_text
from supportdesk.tickets.models import Channel, EventKind, Quote, Status, Ticket

MAX_DESCRIPTION = 4000
# A Quote.amount holds 12 digits, 2 of them after the point.
MAX_AMOUNT = Decimal("9999999999.99")
_CURRENCY = re.compile(r"[A-Z]{3}")


def _amount(value: Decimal | int | str) -> Decimal:
    """A positive amount in the currency's units, to the cent."""
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ActionError(f"amount must be a number, such as 450.00 (not {value!r})") from None
    if not amount.is_finite() or amount <= 0:
        raise ActionError("amount must be more than 0")
    if amount > MAX_AMOUNT:
        raise ActionError(f"amount must be at most {MAX_AMOUNT}")
    if amount != amount.quantize(Decimal("0.01")):
        raise ActionError("amount has at most 2 decimal places")
    return amount.quantize(Decimal("0.01"))


def _currency(value: str) -> str:
    code = (value or "").strip().upper()
    if not _CURRENCY.fullmatch(code):
        raise ActionError(f"currency must be a 3-letter code such as USD (not {value!r})")
    return code


def offer_text(quote: Quote, section: str) -> str:
    """The reply that puts a quote to the customer side."""
    return (
        f"This work is done for a fee ({section}). Our quote: {quote.amount} {quote.currency}.\n\n"
        f"{quote.description}\n\n"
        "Nothing is done until you accept it: open the ticket in the support portal and choose "
        "Accept or Decline."
    )


def section_of(quote: Quote, ticket: Ticket) -> str:
    """The section a quote rests on, as the ticket stands now."""
    if quote.reason == Quote.Reason.THIRD_PARTY:
        return THIRD_PARTY_FEE_SECTION
    try:
        policy = policy_for_version(ticket.policy_version)
        return quote_section(policy, quote.reason, ticket.product, ticket.category)
    except ScopeError:
        return "§4"


def _data(quote: Quote, section: str, acting_user: User) -> dict[str, object]:
    return {
        "quote": quote.pk,
        "amount": str(quote.amount),
        "currency": quote.currency,
        "description": quote.description,
        "reason": quote.reason,
        "section": section,
        "side": side_of(acting_user),
    }


def do_offer_quote(
    ticket: Ticket,
    *,
    amount: Decimal,
    currency: str,
    description: str,
    reason: str,
    acting_user: User,
    now: datetime,
) -> Quote:
    """The working side puts a price to the customer. `reason` is "matrix"
    (a `fee` row of the support matrix, §4) or "third-party" (support beside
    a non-supported application, §3.3). One quote waits at a time. The
    ticket waits for the customer's answer (awaiting-quote), unless work on
    it has ceased (§3.3), where it stays as it is."""
    price = _amount(amount)
    code = _currency(currency)
    text = clean_text(description, limit=MAX_DESCRIPTION, what="description")
    if reason not in Quote.Reason.values:
        raise ActionError(f"reason must be one of {', '.join(Quote.Reason.values)}")
    with transaction.atomic():
        ticket = actions.locked(ticket)
        if not works_on(acting_user, ticket):
            raise ActionError("only the working side offers quotes", "forbidden")
        if not ticket.is_open:
            raise ActionError("the ticket is no longer open", "conflict")
        policy = policy_for_version(ticket.policy_version)
        try:
            section = quote_section(policy, reason, ticket.product, ticket.category)
        except ScopeError as exc:
            raise ActionError(exc.message, "conflict") from None
        waiting = Quote.objects.filter(ticket=ticket, state=Quote.State.OFFERED).first()
        if waiting is not None:
            raise ActionError(
                f"a quote of {waiting.amount} {waiting.currency} is already waiting for the "
                "customer to accept or decline it",
                "conflict",
            )
        try:
            # The constraint `quote_one_offered` settles a race the lock let through.
            with transaction.atomic():
                quote = Quote.objects.create(
                    ticket=ticket,
                    reason=reason,
                    amount=price,
                    currency=code,
                    description=text,
                    offered_at=now,
                    offered_by=acting_user,
                )
        except IntegrityError:
            raise ActionError("a quote is already waiting for the customer", "conflict") from None
        actions.append_event(
            ticket,
            EventKind.QUOTE_OFFERED,
            at=now,
            actor=acting_user,
            data=_data(quote, section, acting_user),
        )
        # The customer side hears of it where they follow the ticket: a
        # public reply, mailed like any other, saying how to answer.
        actions.add_message(
            ticket, body=offer_text(quote, section), via=Channel.PORTAL, author=acting_user, now=now
        )
        if ticket.status not in (Status.AWAITING_QUOTE, Status.WORK_CEASED):
            actions.set_status_citing(
                ticket,
                Status.AWAITING_QUOTE,
                acting_user,
                now,
                f"quote of {quote.amount} {quote.currency} offered",
                section,
            )
        actions.refresh(ticket, now)
    return quote


def do_decide_quote(ticket: Ticket, *, accept: bool, acting_user: User, now: datetime) -> Quote:
    """The customer side accepts or declines the quote waiting, once.
    Accepted, the work may start (open); declined, no work is done: the
    ticket is resolved, or for a third-party quote work ceases (§3.3)."""
    with transaction.atomic():
        ticket = actions.locked(ticket)
        if not is_customer_side(acting_user, ticket):
            raise ActionError("only the customer side accepts or declines a quote", "forbidden")
        quote = latest_quote(ticket)
        if quote is None:
            raise ActionError("no quote has been offered on this ticket", "conflict")
        if quote.state != Quote.State.OFFERED:
            when = f" on {quote.decided_at:%Y-%m-%d}" if quote.decided_at else ""
            raise ActionError(f"the quote was already {quote.state}{when}", "conflict")
        if not ticket.is_open:
            raise ActionError("the ticket is no longer open", "conflict")
        state = Quote.State.ACCEPTED if accept else Quote.State.DECLINED
        decided = Quote.objects.filter(pk=quote.pk, state=Quote.State.OFFERED).update(
            state=state, decided_at=now, decided_by=acting_user
        )
        if decided != 1:
            raise ActionError("the quote was already decided", "conflict")
        quote.state, quote.decided_at, quote.decided_by = state, now, acting_user
        section = section_of(quote, ticket)
        actions.append_event(
            ticket,
            EventKind.QUOTE_ACCEPTED if accept else EventKind.QUOTE_DECLINED,
            at=now,
            actor=acting_user,
            data=_data(quote, section, acting_user),
        )
        price = f"{quote.amount} {quote.currency}"
        if accept:
            status, why = Status.OPEN, f"quote of {price} accepted: the work may start"
        elif quote.reason == Quote.Reason.THIRD_PARTY:
            # §3.3: without paid work beside it, the unsupported application
            # stays the obstacle; work ceases until it is removed, and the
            # customer may still take option (i) or (ii).
            status = Status.WORK_CEASED
            why = (
                f"quote of {price} declined: work ceased until the unsupported software is removed"
            )
        else:
            status, why = Status.RESOLVED, f"quote of {price} declined: no work is done"
        actions.set_status_citing(ticket, status, acting_user, now, why, section)
        actions.refresh(ticket, now)
    return quote


def do_withdraw_quote(ticket: Ticket, *, reason: str, acting_user: User, now: datetime) -> Quote:
    """The working side takes back the quote waiting, with a reason (a wrong
    amount, work no longer needed), before the customer answers it; another
    may then be offered. The customer side is told in a public reply. A
    third-party quote's ticket goes back to work (§3.3: nobody asks a fee to
    go on); a matrix quote's still waits for one (§4: the work is done only
    for a fee)."""
    why = clean_text(reason, limit=MAX_DESCRIPTION, what="reason")
    with transaction.atomic():
        ticket = actions.locked(ticket)
        if not works_on(acting_user, ticket):
            raise ActionError("only the working side withdraws a quote", "forbidden")
        quote = latest_quote(ticket)
        if quote is None or quote.state != Quote.State.OFFERED:
            raise ActionError("no quote is waiting for the customer", "conflict")
        withdrawn = Quote.objects.filter(pk=quote.pk, state=Quote.State.OFFERED).update(
            state=Quote.State.WITHDRAWN, decided_at=now, decided_by=acting_user
        )
        if withdrawn != 1:
            raise ActionError("the quote was decided meanwhile", "conflict")
        quote.state, quote.decided_at, quote.decided_by = Quote.State.WITHDRAWN, now, acting_user
        section = section_of(quote, ticket)
        price = f"{quote.amount} {quote.currency}"
        actions.append_event(
            ticket,
            EventKind.QUOTE_WITHDRAWN,
            at=now,
            actor=acting_user,
            data={**_data(quote, section, acting_user), "why": why},
        )
        actions.add_message(
            ticket,
            body=f"We have withdrawn our quote of {price}: {why}\n\nYou need not answer it.",
            via=Channel.PORTAL,
            author=acting_user,
            now=now,
        )
        if quote.reason == Quote.Reason.THIRD_PARTY and ticket.status == Status.AWAITING_QUOTE:
            actions.set_status_citing(
                ticket, Status.OPEN, acting_user, now, f"quote of {price} withdrawn", section
            )
        actions.refresh(ticket, now)
    return quote


# -- reading ------------------------------------------------------------------------------


def latest_quote(ticket: Ticket) -> Quote | None:
    """The ticket's most recent quote, whatever its state."""
    return Quote.objects.filter(ticket=ticket).order_by("-offered_at", "-id").first()


_CACHE = "_latest_quote"


def cached_latest_quote(ticket: Ticket) -> Quote | None:
    """`latest_quote`, read once per ticket object: a page asks several
    times (what it offers, what it shows). Actions read afresh."""
    if _CACHE not in ticket.__dict__:
        ticket.__dict__[_CACHE] = latest_quote(ticket)
    quote: Quote | None = ticket.__dict__[_CACHE]
    return quote


def with_latest_quote(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """The tickets, each with `latest_quote_id` (None for most), so a page
    reads its quotes in one query, or none (`QuoteBook.for_page`)."""
    latest = Quote.objects.filter(ticket=OuterRef("pk")).order_by("-offered_at", "-id")
    return tickets.annotate(latest_quote_id=Subquery(latest.values("pk")[:1]))


class QuoteBook:
    """The latest quote of each ticket on hand, read at once."""

    def __init__(self, by_ticket: dict[int, Quote], *, complete: bool) -> None:
        self._by_ticket = by_ticket
        # Whether every ticket asked about is in the book (else: read it).
        self._complete = complete

    @classmethod
    def for_page(cls, tickets: Iterable[Ticket]) -> QuoteBook:
        """From the `latest_quote_id` of tickets read `with_latest_quote`:
        one query, none when no ticket on the page has a quote."""
        wanted = {pk: t.pk for t in tickets if (pk := getattr(t, "latest_quote_id", None))}
        quotes = Quote.objects.in_bulk(list(wanted)) if wanted else {}
        return cls({wanted[pk]: quote for pk, quote in quotes.items()}, complete=True)

    def latest(self, ticket: Ticket) -> Quote | None:
        if self._complete:
            return self._by_ticket.get(ticket.pk)
        return latest_quote(ticket)


# A ticket just opened has no quote: its answer needs no query.
NO_QUOTES = QuoteBook({}, complete=True)
# Read each ticket's quote when asked.
LOOK_UP = QuoteBook({}, complete=False)
