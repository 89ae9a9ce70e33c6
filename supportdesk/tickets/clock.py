"""The clock between changes: the worker's sweep of SLA alarms and of the
updates escalations owe.

Every change keeps `Ticket.sla_next_at` at the next warning or breach the
ticket owes, or the next alert that a Severity 1 has nobody on it (§1.6,
policy/effort.py), whichever comes first (actions.py). A sweep takes the
tickets whose moment has come, oldest first, through a partial index that
holds only tickets with an alarm to come, and records each alarm once
(`do_record_alarms`), at the instant it happened. Each batch locks its rows
with SKIP LOCKED, so workers sweeping at once share the work, and the
recording moves `sla_next_at` past the alarm in the same transaction, so no
alarm is recorded twice. Escalations' update
deadlines (`next_update_due`) and the reminders before them (`remind_at`)
are swept the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Q, QuerySet

from supportdesk.policies.active import active_policy
from supportdesk.tickets import alarms, escalation_actions, notify
from supportdesk.tickets.models import (
    OPEN_STATUSES,
    Escalation,
    EventKind,
    Ticket,
    TicketEvent,
    Tier,
)

log = logging.getLogger(__name__)

BATCH = 200


def sweep(now: datetime, *, batch: int = BATCH) -> int:
    """Record every alarm due by `now`; how many were recorded. Breaches
    and unassigned Severity 1 alerts recorded late are announced once, in a
    summary."""
    events = _sweep(now, batch, _take_due, alarms.do_record_alarms)
    late = sum(1 for e in events if e.kind == EventKind.SLA_BREACHED and e.data.get("late"))
    alerts = sum(1 for e in events if e.kind == EventKind.UNASSIGNED_ALERT and e.data.get("late"))
    if late or alerts:
        with transaction.atomic():
            notify.caught_up(late, now, late_alerts=alerts)
    return len(events)


def _take_due(now: datetime, batch: int, skip: Collection[int]) -> list[int]:
    """Lock and name up to `batch` tickets whose next alarm has come; rows
    another sweep (or a change) holds are left to it."""
    due = Ticket.objects.filter(sla_next_at__lte=now).exclude(pk__in=skip)
    return _locked_pks(due.order_by("sla_next_at"), batch)


def sweep_escalations(now: datetime, *, batch: int = 100) -> int:
    """Record every escalation update that was due by `now` and not given;
    how many were recorded. Then send the reminders of updates coming due
    (`sweep_reminders`): after the misses, so a reminder whose deadline
    passed while the worker was down is already overtaken by its miss."""
    missed = len(_sweep(now, batch, _take_due_escalations, _record_missed))
    sweep_reminders(now, batch=batch)
    return missed


def sweep_reminders(now: datetime, *, batch: int = 100) -> int:
    """Remind of every escalation update coming due whose reminder time has
    come by `now`, once per deadline; how many reminders were recorded. Its
    own query, so each of the two partial indexes serves its column."""
    return len(_sweep(now, batch, _take_due_reminders, _remind))


def _take_due_escalations(now: datetime, batch: int, skip: Collection[int]) -> list[int]:
    due = Escalation.objects.filter(next_update_due__lte=now).exclude(pk__in=skip)
    return _locked_pks(due.order_by("next_update_due"), batch)


def _record_missed(pk: int, *, now: datetime) -> list[TicketEvent]:
    escalation = Escalation.objects.select_related("ticket").get(pk=pk)
    return escalation_actions.do_record_missed_updates(escalation, now=now)


def _take_due_reminders(now: datetime, batch: int, skip: Collection[int]) -> list[int]:
    due = Escalation.objects.filter(remind_at__lte=now).exclude(pk__in=skip)
    return _locked_pks(due.order_by("remind_at"), batch)


def _remind(pk: int, *, now: datetime) -> list[TicketEvent]:
    escalation = Escalation.objects.select_related("ticket").get(pk=pk)
    return escalation_actions.do_remind_escalation_update(escalation, now=now)


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
    older than the column) one now, so the next sweep looks at them: those
    whose first response is to come, and those at a severity owed
    continuous effort that nobody has (§1.6; rows older than its alerts)."""
    effort_levels = [s.level for s in active_policy().severities if s.continuous_effort]
    return (
        Ticket.objects.filter(sla_next_at__isnull=True, status__in=OPEN_STATUSES)
        .filter(
            Q(response_due_at__isnull=False, first_response_at__isnull=True, breached=False)
            | Q(
                tier=Tier.VENDOR,
                severity__in=effort_levels,
                assignee__isnull=True,
                workaround_at__isnull=True,
            )
        )
        .update(sla_next_at=now)
    )
