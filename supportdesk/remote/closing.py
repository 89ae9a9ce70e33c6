"""Remote access ends with the work (§2.3): once a ticket is resolved or
closed, its running grant is revoked and a request still waiting is
withdrawn, by the desk, in the ticket's history.

It runs after the change that resolved the ticket commits, in a transaction
of its own: the action that changed the status holds the ticket and appends
to it, and must not find its history moved under it."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from django.db import transaction

from supportdesk.policies.active import policy_for_version
from supportdesk.remote.actions import event_data, open_access
from supportdesk.remote.models import RemoteAccess
from supportdesk.tickets import actions, notify
from supportdesk.tickets.models import EventKind, Status, Ticket

ENDED = frozenset({Status.RESOLVED, Status.CLOSED})


def on_change(event: str, ticket: Ticket, data: dict[str, Any], now: datetime) -> None:
    """notify subscriber: a status change to resolved or closed ends access
    once it commits."""
    if event != notify.TICKET_UPDATED or data.get("event") != EventKind.STATUS_CHANGED:
        return
    if ticket.status in ENDED:
        transaction.on_commit(partial(end_with_ticket, ticket.pk, now), robust=True)


def end_with_ticket(ticket_pk: int, now: datetime) -> RemoteAccess | None:
    """Revoke the ticket's running grant, or withdraw its waiting request,
    if the ticket is still resolved or closed; the row ended, or None."""
    with transaction.atomic():
        ticket = actions.locked(Ticket(pk=ticket_pk))
        if ticket.status not in ENDED:
            return None  # reopened meanwhile: the work goes on
        row = open_access(ticket, now)
        if row is None:
            return None
        withdrawn = row.state == RemoteAccess.State.REQUESTED
        note = f"the ticket was {Status(ticket.status).label.lower()}"
        row.state = RemoteAccess.State.REVOKED
        row.revoked_by, row.revoked_at, row.note = None, now, note
        row.save()
        rule = policy_for_version(ticket.policy_version).remote_access
        actions.append_event(
            ticket,
            EventKind.REMOTE_ACCESS_REVOKED,
            at=now,
            actor=None,
            data=event_data(row, rule.source, side="desk", via="", note=note, withdrawn=withdrawn),
        )
        actions.refresh(ticket, now)
    return row
