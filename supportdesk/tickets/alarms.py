"""The SLA clock's writes, part of the one write path (tickets/actions.py):
the warnings and breaches the worker's sweep records (tickets/clock.py),
each at the instant it happened, and the alert that a Severity 1 has nobody
on it (§1.6)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction

from supportdesk.policy import Policy
from supportdesk.policy.effort import due_alert
from supportdesk.policy.sla import SlaState
from supportdesk.tickets import notify, rows
from supportdesk.tickets.actions import _apply, _event, _policy
from supportdesk.tickets.adapters import (
    ALARM_KINDS,
    alarm_key,
    continuous_effort,
    last_alert_at,
    pending_alarms,
    sla_events,
)
from supportdesk.tickets.models import EventKind, TicketEvent

# An alarm recorded this long after its instant (the worker was down) is
# late: it completes the history, and the people are told in one summary
# instead of one mail per ticket (clock.sweep).
LATE_ALARM = timedelta(minutes=10)


def do_record_alarms(ticket_pk: int, *, now: datetime) -> list[TicketEvent]:
    """Record the SLA warnings and breaches due by `now` and not yet recorded
    (the worker's sweep, tickets/clock.py), each at the instant it happened,
    however late the sweep comes. An alarm recorded long after its instant,
    and a warning whose breach is recorded with it, are marked late. With
    them, the alert that a Severity 1 has nobody on it, if one is due
    (`_unassigned_alert`, §1.6).

    No savepoint of its own: the sweep runs a batch in one transaction, and
    a savepoint under the row lock would leave PostgreSQL unable to prune the
    index entries the update replaces (bench/sweep_bench.py)."""
    with transaction.atomic(savepoint=False):
        ticket = rows.locked_ticket(ticket_pk)
        history = rows.events_of(ticket)
        policy = _policy(ticket)
        state = policy.sla(sla_events(ticket, history), now=now)
        due = [a for a in pending_alarms(policy, state, history, ticket.status) if a.at <= now]
        overtaken = any(a.kind == "breach" for a in due)
        recorded = []
        for alarm in due:
            late = now - alarm.at > LATE_ALARM or (alarm.kind == "warning" and overtaken)
            event = _event(
                ALARM_KINDS[alarm.kind],
                at=alarm.at,
                actor=None,
                public=False,
                data={
                    "due": alarm_key(alarm.kind, alarm.due_at)[1],
                    "severity": alarm.severity,
                    "late": late,
                    "recorded_at": now.isoformat(),
                },
            )
            rows.chain(ticket, event)
            recorded.append(event)
        alert = _unassigned_alert(policy, state, history, now)
        if alert is not None:
            rows.chain(ticket, alert)
            recorded.append(alert)
        rows.insert_events.insert(*recorded)
        _apply(ticket, policy, state, [*history, *recorded], now)
        rows.save_changes.update(ticket)
        for event in recorded:
            name = _ANNOUNCED[EventKind(event.kind)]
            notify.changed(name, ticket, dict(event.data, at=event.at.isoformat()), now)
    return recorded


_ANNOUNCED = {
    EventKind.SLA_WARNING: notify.SLA_WARNING,
    EventKind.SLA_BREACHED: notify.SLA_BREACHED,
    EventKind.UNASSIGNED_ALERT: notify.SEV1_UNASSIGNED,
}


def _unassigned_alert(
    policy: Policy, state: SlaState, history: Sequence[TicketEvent], now: datetime
) -> TicketEvent | None:
    """The alert that a ticket owed continuous effort has nobody on it
    (§1.6, policy/effort.py), if one is due by `now`: only the latest one
    due, standing for any that fell due while no sweep ran (then marked
    late), so a worker that was down for hours records one alert per ticket,
    not a storm. It is keyed by its instant (`last_alert_at`), so it is
    recorded once."""
    owed = continuous_effort(policy, state, history)
    alert = due_alert(owed, now=now, after=last_alert_at(history))
    if alert is None:
        return None
    return _event(
        EventKind.UNASSIGNED_ALERT,
        at=alert.at,
        actor=None,
        public=False,
        data={
            "at": alert.at.isoformat(),
            "number": alert.number,
            "since": alert.since.isoformat(),
            "missed": alert.missed,
            "severity": state.severity,
            "every_minutes": int(owed.every.total_seconds() // 60),
            # Standing for alerts nobody recorded, or long past: the worker
            # was down, and the managers hear in the sweep's summary.
            "late": alert.missed > 0 or now - alert.at > LATE_ALARM,
            "recorded_at": now.isoformat(),
            "section": owed.source,
        },
    )
