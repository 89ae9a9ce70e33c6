"""Who else hears of a change to a ticket.

Actions announce what happened here; other apps subscribe when they load
(mail sends the reply by mail; chat and webhooks come later), so the tickets
app never imports them. Subscribers run inside the action's transaction and
defer anything that leaves the process to `transaction.on_commit`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from supportdesk.tickets.models import Message, Ticket

ReplySubscriber = Callable[[Ticket, Message, datetime], None]
ChangeSubscriber = Callable[[str, Ticket, dict[str, Any], datetime], None]

_on_public_reply: list[ReplySubscriber] = []
_on_change: list[ChangeSubscriber] = []
# (late breaches, now, late unassigned alerts)
CaughtUpSubscriber = Callable[[int, datetime, int], None]
_on_caught_up: list[CaughtUpSubscriber] = []

# What `changed` announces (and webhooks carry).
TICKET_CREATED = "ticket.created"
TICKET_UPDATED = "ticket.updated"
SLA_WARNING = "sla.warning"
SLA_BREACHED = "sla.breached"
EVENTS = (TICKET_CREATED, TICKET_UPDATED, SLA_WARNING, SLA_BREACHED)
# A ticket owed continuous effort (a Severity 1, §1.6) that nobody has taken.
# Not in EVENTS, which the webhook admin's help text lists: announced all the same.
SEV1_UNASSIGNED = "sev1.unassigned"


def on_public_reply(subscriber: ReplySubscriber) -> ReplySubscriber:
    """Call `subscriber` for every public reply by the side working the ticket."""
    if subscriber not in _on_public_reply:
        _on_public_reply.append(subscriber)
    return subscriber


def public_reply(ticket: Ticket, message: Message, now: datetime) -> None:
    for subscriber in _on_public_reply:
        subscriber(ticket, message, now)


def on_change(subscriber: ChangeSubscriber) -> ChangeSubscriber:
    """Call `subscriber` for every announced change (one of EVENTS)."""
    if subscriber not in _on_change:
        _on_change.append(subscriber)
    return subscriber


def changed(event: str, ticket: Ticket, data: dict[str, Any], now: datetime) -> None:
    for subscriber in _on_change:
        subscriber(event, ticket, data, now)


def on_caught_up(subscriber: CaughtUpSubscriber) -> CaughtUpSubscriber:
    """Call `subscriber` when the clock records breaches or unassigned
    Severity 1 alerts late (the worker was down), with how many of each:
    one summary rather than a mail per ticket."""
    if subscriber not in _on_caught_up:
        _on_caught_up.append(subscriber)
    return subscriber


def caught_up(late_breaches: int, now: datetime, *, late_alerts: int = 0) -> None:
    for subscriber in _on_caught_up:
        subscriber(late_breaches, now, late_alerts)


# -- calendar invitations ---------------------------------------------------------

# Called as subscriber(ticket, to=[…], subject=…, body=…, calendar=…, now=…).
InviteSubscriber = Callable[..., object]
_on_invite: list[InviteSubscriber] = []


def on_invite(subscriber: InviteSubscriber) -> InviteSubscriber:
    """Call `subscriber` for every calendar invitation (or cancellation) to
    mail: an escalation's conference call (tickets/invites.py, §1.8)."""
    if subscriber not in _on_invite:
        _on_invite.append(subscriber)
    return subscriber


def invite(
    ticket: Ticket, *, to: list[str], subject: str, body: str, calendar: str, now: datetime
) -> None:
    """Mail `body` with `calendar` (an iCalendar object, REQUEST or CANCEL) to `to`."""
    for subscriber in _on_invite:
        subscriber(ticket, to=to, subject=subject, body=body, calendar=calendar, now=now)
