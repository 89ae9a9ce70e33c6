"""The clock between changes: the worker's sweep of SLA alarms and of the
updates escalations owe.

Every change keeps `Ticket.sla_next_at` at the next warning or breach the
ticket owes (actions.py). A sweep takes the tickets whose moment has come,
oldest first, through a partial index that holds only tickets with an alarm
to come, and records each alarm once (`do_record_alarms`), at the instant it
happened. Each batch locks its rows with SKIP LOCKED, so workers sweeping at
once share the work, and the recording moves `sla_next_at` past the alarm in
the same transaction, so no alarm is recorded twice. Escalations' update
deadlines are swept the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import QuerySet

from supportdesk.tickets import actions, notify
from supportdesk.tickets.models import OPEN_STATUSES, Escalation, EventKind, Ticket, TicketEvent

log = logging.getLogger(__name__)

BATCH = 200


def sweep(now: datetime, *, batch: int = BATCH) -> int:
    """Record every alarm due by `now`; how many were recorded. Breaches
    recorded late are announced once, in a summary."""
    events = _sweep(now, batch, _take_due, actions.do_record_alarms)
    late = sum(1 for e in events if e.kind == EventKind.SLA_BREACHED and e.data.get("late"))
    if late:
        with transaction.atomic():
            notify.caught_up(late, now)
    return len(events)


def _take_due(now: datetime, batch: int, skip: Collection[int]) -> list[int]:
    """Lock and name up to `batch` tickets whose next alarm has come; rows
    another sweep (or a change) holds are left to it."""
    due = Ticket.objects.filter(sla_next_at__lte=now).exclude(pk__in=skip)
    return _locked_pks(due.order_by("sla_next_at"), batch)


def sweep_escalations(now: datetime, *, batch: int = 100) -> int:
    """Record every escalation update that was due by `now` and not given;
    how many were recorded."""
    return len(_sweep(now, batch, _take_due_escalations, _record_missed))


def _take_due_escalations(now: datetime, batch: int, skip: Collection[int]) -> list[int]:
    due = Escalation.objects.filter(next_update_due__lte=now).exclude(pk__in=skip)
    return _locked_pks(due.order_by("next_update_due"), batch)


def _record_missed(pk: int, *, now: datetime) -> list[TicketEvent]:
    escalation = Escalation.objects.select_related("ticket").get(pk=pk)
    return actions.do_record_missed_updates(escalation, now=now)


def _locked_pks(due: QuerySet[Any], batch: int) -> list[int]:
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True, of=("self",))
    return list(due.values_list("pk", flat=True)[:batch])


def _sweep(
    now: datetime,
    batch: int,
    take: Callable[[datetime, int, Collection[int]], list[int]],
    record: Callable[..., list[TicketEvent]],
) -> list[TicketEvent]:
    """Batches of due rows, each in one transaction without savepoints. If
    one row fails, its batch is rolled back and run again with a savepoint
    per row, so the others are recorded; the failing row is logged and left
    for the next sweep."""
    recorded: list[TicketEvent] = []
    failed: set[int] = set()
    while True:
        try:
            with transaction.atomic():
                due = take(now, batch, failed)
                done = [event for pk in due for event in record(pk, now=now)]
        except (OperationalError, InterfaceError):
            raise
        except Exception:
            with transaction.atomic():
                due = take(now, batch, failed)
                done = []
                for pk in due:
                    try:
                        with transaction.atomic():
                            done += record(pk, now=now)
                    except (OperationalError, InterfaceError):
                        raise
                    except Exception:
                        log.exception("the clock could not record what %s owes", pk)
                        failed.add(pk)
        recorded += done
        if len(due) < batch:
            return recorded


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
