"""The support matrix (§4) over the API: set a ticket's product and category,
override "out of scope", and offer, accept or decline a quote.

Each operation answers with the ticket, its `scope` and its latest `quote`.
A change the rules refuse answers 400 (bad input), 409 (not in the
ticket's current state: a quote already waiting or already decided, a
ticket not out of scope) or 404 (not yours to make: the same answer as a
ticket you cannot see).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router
from ninja import Status as WithStatus

from supportdesk.accounts.access import access_ticket_by_number
from supportdesk.api.auth import acting_user
from supportdesk.api.schemas import (
    CategoryChange,
    QuoteCreate,
    QuoteWithdrawal,
    ScopeOverride,
    TicketOut,
    ticket_out,
)
from supportdesk.api.tickets import ERRORS
from supportdesk.tickets import actions, quotes

router = Router(tags=["support matrix"])


@router.post(
    "/tickets/{number}/category",
    response={200: TicketOut, **ERRORS},
    summary="Set the product and support category (working side); the matrix applies (§4)",
    description=(
        "A `not-supported` category answers the customer with the policy's text and leaves "
        "the ticket out of scope; a `fee` one waits for a quote; `finance` goes to the "
        "finance team with no response target (§4.2.7). A category that does not apply to "
        "the product answers 400."
    ),
)
def set_category(request: HttpRequest, number: str, payload: CategoryChange) -> TicketOut:
    user = acting_user(request)
    ticket = access_ticket_by_number(user, number)
    ticket = actions.do_set_category(
        ticket,
        product=payload.product if payload.product is not None else ticket.product,
        category=payload.category or "",
        acting_user=user,
        now=timezone.now(),
    )
    return ticket_out(ticket)


@router.post(
    "/tickets/{number}/scope-override",
    response={200: TicketOut, **ERRORS},
    summary="Take on a ticket answered as out of scope, with a reason (working side)",
)
def override_scope(request: HttpRequest, number: str, payload: ScopeOverride) -> TicketOut:
    user = acting_user(request)
    ticket = access_ticket_by_number(user, number)
    ticket = actions.do_override_scope(
        ticket, reason=payload.reason, acting_user=user, now=timezone.now()
    )
    return ticket_out(ticket)


@router.post(
    "/tickets/{number}/quote",
    response={201: TicketOut, **ERRORS},
    summary="Offer a quote for work done for a fee (working side)",
    description="One quote waits at a time: another while one waits answers 409.",
)
def offer_quote(request: HttpRequest, number: str, payload: QuoteCreate) -> WithStatus[TicketOut]:
    user = acting_user(request)
    ticket = access_ticket_by_number(user, number)
    quotes.do_offer_quote(
        ticket,
        amount=payload.amount,
        currency=payload.currency,
        description=payload.description,
        reason=payload.reason,
        acting_user=user,
        now=timezone.now(),
    )
    return WithStatus(201, ticket_out(access_ticket_by_number(user, number)))


def _decide(request: HttpRequest, number: str, *, accept: bool) -> TicketOut:
    user = acting_user(request)
    ticket = access_ticket_by_number(user, number)
    quotes.do_decide_quote(ticket, accept=accept, acting_user=user, now=timezone.now())
    return ticket_out(access_ticket_by_number(user, number))


@router.post(
    "/tickets/{number}/quote/accept",
    response={200: TicketOut, **ERRORS},
    summary="Accept the quote waiting (customer side): the work may start",
    description="A quote is decided once: accepting or declining it again answers 409.",
)
def accept_quote(request: HttpRequest, number: str) -> TicketOut:
    return _decide(request, number, accept=True)


@router.post(
    "/tickets/{number}/quote/decline",
    response={200: TicketOut, **ERRORS},
    summary="Decline the quote waiting (customer side): the ticket is resolved, no work done",
    description="A quote is decided once: accepting or declining it again answers 409.",
)
def decline_quote(request: HttpRequest, number: str) -> TicketOut:
    return _decide(request, number, accept=False)


@router.post(
    "/tickets/{number}/quote/withdraw",
    response={200: TicketOut, **ERRORS},
    summary="Withdraw the quote waiting, with a reason (working side)",
    description="The customer is told in a public reply; another quote may then be offered. "
    "With no quote waiting: 409.",
)
def withdraw_quote(request: HttpRequest, number: str, payload: QuoteWithdrawal) -> TicketOut:
    user = acting_user(request)
    ticket = access_ticket_by_number(user, number)
    quotes.do_withdraw_quote(ticket, reason=payload.reason, acting_user=user, now=timezone.now())
    return ticket_out(access_ticket_by_number(user, number))
