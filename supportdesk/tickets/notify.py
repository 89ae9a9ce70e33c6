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
_on_caught_up: list[Callable[[int, datetime], None]] = []

# What `changed` announces (and webhooks carry).
TICKET_CREATED = "ticket.created"
TICKET_UPDATED = "ticket.updated"
SLA_WARNING = "sla.warning"
SLA_BREACHED = "sla.breached"
EVENTS = (TICKET_CREATED, TICKET_UPDATED, SLA_WARNING, SLA_BREACHED)


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


def on_caught_up(subscriber: Callable[[int, datetime], None]) -> Callable[[int, datetime], None]:
    """Call `subscriber` when the clock records breaches late (the worker
    was down), with how many: one summary rather than a mail per ticket."""
    if subscriber not in _on_caught_up:
        _on_caught_up.append(subscriber)
    return subscriber


def caught_up(late_breaches: int, now: datetime) -> None:
    for subscriber in _on_caught_up:
        subscriber(late_breaches, now)
