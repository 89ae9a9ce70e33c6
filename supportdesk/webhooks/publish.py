"""From a ticket's change to webhook deliveries.

Actions announce changes (tickets/notify.py); this subscriber turns each into
one delivery row per webhook that wants it, once the change commits, and
hands each to the worker. Opening a ticket is the desk's hottest path, so
which webhooks exist is read at most every HOOKS_TTL seconds per process: a
new webhook receives events within that time.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime
from typing import Any

from django.db import transaction
from django.tasks import task

from supportdesk.tickets.models import Ticket
from supportdesk.webhooks.models import Delivery, Webhook

HOOKS_TTL = 10.0

_lock = threading.Lock()
_cached: tuple[float, list[Webhook]] = (0.0, [])


def active_hooks() -> list[Webhook]:
    global _cached
    with _lock:
        read_at, hooks = _cached
        if time.monotonic() - read_at < HOOKS_TTL:
            return hooks
    hooks = list(Webhook.objects.filter(active=True))
    with _lock:
        _cached = (time.monotonic(), hooks)
    return hooks


def forget_hooks() -> None:
    """Read the webhooks afresh at the next change (after an admin's edit)."""
    global _cached
    with _lock:
        _cached = (0.0, [])


def on_change(event: str, ticket: Ticket, data: dict[str, Any], now: datetime) -> None:
    hooks = [h for h in active_hooks() if h.wants(event)]
    if not hooks:
        return
    payload = {
        "event": event,
        "occurred_at": now.isoformat(),
        "ticket": _ticket_json(ticket),
        "data": data,
    }
    transaction.on_commit(lambda: _queue(hooks, event, ticket.pk, payload), robust=True)


def _queue(hooks: list[Webhook], event: str, ticket_pk: int, payload: dict[str, Any]) -> None:
    deliveries = Delivery.objects.bulk_create(
        Delivery(webhook=hook, event=event, ticket_id=ticket_pk, payload=payload) for hook in hooks
    )
    for delivery in deliveries:
        deliver_webhook.enqueue(delivery.pk)


def _ticket_json(ticket: Ticket) -> dict[str, Any]:
    from supportdesk.api.schemas import ticket_out

    return dict(ticket_out(ticket).model_dump(mode="json"))


@task()
def deliver_webhook(delivery_pk: int) -> None:
    """The worker's first attempt; retries come from its sweep (send.retry_due)."""
    from supportdesk.webhooks.send import attempt

    attempt(delivery_pk)
