"""The clock between changes: the worker's sweep of SLA alarms and of the
updates escalations owe.

Every change keeps `Ticket.sla_next_at` at the next warning or breach the
ticket owes (actions.py). A sweep takes the tickets whose moment has come,
oldest first, through a partial index that holds only tickets with an alarm
to come, and records each alarm once (`do_record_alarms`), at the instant it
happened. Each batch locks its rows with SKIP LOCKED, so workers sweeping at
once share the work, and the recording moves `sla_next_at` past the alarm in
the same transaction, so no alarm is recorded twice.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import connection, transaction

from supportdesk.tickets import actions, rows
from supportdesk.tickets.models import OPEN_STATUSES, Escalation, Ticket

log = logging.getLogger(__name__)

BATCH = 200


def sweep(now: datetime, *, batch: int = BATCH) -> int:
    """Record every alarm due by `now`; how many were recorded."""
    recorded = 0
    while True:
        with transaction.atomic():
            due = _take_due(now, batch)
            for pk in due:
                ticket = rows.ticket_by_pk(pk)
                if ticket is not None:
                    recorded += len(actions.do_record_alarms(ticket, now=now))
        if len(due) < batch:
            return recorded


def _take_due(now: datetime, batch: int) -> list[int]:
    """Lock and name up to `batch` tickets whose next alarm has come; rows
    another sweep (or a change) holds are left to it."""
    due = Ticket.objects.filter(sla_next_at__lte=now).order_by("sla_next_at")
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True, of=("self",))
    return list(due.values_list("pk", flat=True)[:batch])


def backfill(now: datetime) -> int:
    """Give open tickets that owe alarms but have no `sla_next_at` (rows
    older than the column) one now, so the next sweep looks at them."""
    return Ticket.objects.filter(
        sla_next_at__isnull=True,
        status__in=OPEN_STATUSES,
        response_due_at__isnull=False,
        first_response_at__isnull=True,
        breached=False,
    ).update(sla_next_at=now)


def sweep_escalations(now: datetime, *, batch: int = 100) -> int:
    """Record every escalation update that was due by `now` and not given;
    how many were recorded."""
    recorded = 0
    while True:
        with transaction.atomic():
            due = Escalation.objects.filter(next_update_due__lte=now).order_by("next_update_due")
            if connection.features.has_select_for_update_skip_locked:
                due = due.select_for_update(skip_locked=True, of=("self",))
            rows_due = list(due.select_related("ticket")[:batch])
            for escalation in rows_due:
                recorded += len(actions.do_record_missed_updates(escalation, now=now))
        if len(rows_due) < batch:
            return recorded
