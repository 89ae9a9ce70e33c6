"""Escalation's writes (§1.8), part of the one write path
(tickets/actions.py): each step a person takes (`do_escalation_step`, from
the screens and the API), and what the worker's sweep records of the
communication plan: updates missed and reminders before they are due.
policy/escalation.py decides what may happen; tickets/escalations.py reads
the state from the history."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import transaction

from supportdesk.accounts.access import is_customer_side, works_on
from supportdesk.accounts.models import User
from supportdesk.policy import Policy
from supportdesk.policy import escalation as machine
from supportdesk.tickets import escalations, invites, notify, rows
from supportdesk.tickets.actions import (
    ActionError,
    _append,
    _locked,
    _policy,
    _refresh,
    _require,
    assign_to,
)
from supportdesk.tickets.models import Escalation, EventKind, Ticket, TicketEvent, Tier


def do_escalation_step(
    ticket: Ticket, *, step: str, fields: Mapping[str, Any], acting_user: User, now: datetime
) -> tuple[Escalation, machine.State]:
    """Take one step of the ticket's escalation: a request by the customer
    side, then the working side's evaluation, plan, updates, the checklist
    and the de-escalation (policy/escalation.py decides what may happen)."""
    with transaction.atomic():
        ticket = _locked(ticket)
        customer = is_customer_side(acting_user, ticket)
        _require(customer or works_on(acting_user, ticket), "you cannot act on this escalation")
        if ticket.tier != Tier.VENDOR:
            raise ActionError(
                "This ticket is with your support partner: escalations are the vendor's, "
                "once the ticket is forwarded (§1.8, §2.2).",
                "conflict",
            )
        history = rows.events_of(ticket)
        found = escalations.current(history)
        policy = _policy(ticket)
        try:
            made = escalations.make_step(step, fields, now, escalations.actor_of(acting_user))
            state = machine.compute(policy, found[1]) if found else None
            new = machine.apply(policy, state, made)
        except machine.Refused as exc:
            raise ActionError(exc.reason, exc.code) from None
        except ValueError as exc:
            raise ActionError(str(exc)) from None
        engineer = None
        if isinstance(made, machine.Evaluate) and made.accept:
            # The primary engineer is a person who can work the ticket, and
            # the ticket becomes theirs: reminders and alarms then reach them.
            engineer = escalations.engineer_named(ticket, made.primary_engineer or "")
            if engineer is None:
                raise ActionError(
                    "The primary engineer must be one of the vendor's engineers, by name or "
                    f"email; nobody here is called {made.primary_engineer!r}."
                )
            made = dataclasses.replace(made, primary_engineer=engineer.display_name)
            new = machine.apply(policy, state, made)
        seq = (found[0] if found else 0) + (1 if isinstance(made, machine.Request) else 0)
        _append(
            ticket,
            EventKind.ESCALATION,
            at=now,
            actor=acting_user,
            data={
                "escalation": seq,
                **escalations.step_data(made),
                "status": new.status.value,
                "level": new.level,
                "section": policy.escalation.source,
            },
        )
        if engineer is not None and engineer.pk != ticket.assignee_id:
            assign_to(
                ticket,
                engineer,
                acting_user=acting_user,
                now=now,
                reason=f"primary engineer of escalation {seq} ({policy.escalation.source})",
            )
            _refresh(ticket, now)
        else:
            ticket.updated_at = now
            rows.save_changes.update(ticket)
        row = _save_escalation(ticket, seq, new, now)
        invites.after_escalation_step(
            ticket, seq, made, new, history, policy=policy, actor=acting_user, now=now
        )
        notify.changed(
            f"escalation.{step}",
            ticket,
            {"escalation": seq, "status": new.status.value, "level": new.level},
            now,
        )
    return row, new


def do_record_missed_updates(escalation: Escalation, *, now: datetime) -> list[TicketEvent]:
    """Record, once each and at its own instant, every update the
    escalation's communication plan called for and nobody gave (the
    worker's sweep); the next deadline moves past `now`. No savepoint of its
    own, as `do_record_alarms`."""
    with transaction.atomic(savepoint=False):
        swept = _swept(escalation, "next_update_due")
        if swept is None:
            return []
        ticket, history, policy, state = swept
        done = escalations.recorded_misses(history, escalation.seq)
        recorded = []
        for missed in machine.missed_updates(state, now):
            due = missed.due_at.isoformat()
            if due in done:
                continue
            recorded.append(
                _append(
                    ticket,
                    EventKind.ESCALATION_UPDATE_MISSED,
                    at=missed.due_at,
                    actor=None,
                    data={
                        "escalation": escalation.seq,
                        "due": due,
                        "mode": missed.mode,
                        "section": policy.escalation.source,
                    },
                )
            )
        rows.save_chain_head.update(ticket)
        row = _save_escalation(ticket, escalation.seq, state, now, after=now)
        if recorded:
            notify.changed(
                "escalation.update-missed",
                ticket,
                {"escalation": row.seq, "missed": [e.data["due"] for e in recorded]},
                now,
            )
    return recorded


def do_remind_escalation_update(escalation: Escalation, *, now: datetime) -> list[TicketEvent]:
    """Remind, once per deadline, that an update of the escalation's
    communication plan is coming due (the worker's sweep, once `remind_at`
    has come), and move `remind_at` to the next deadline's reminder. A
    deadline already passed gets no reminder: the sweep of missed updates
    records it instead. No savepoint of its own, as `do_record_alarms`."""
    with transaction.atomic(savepoint=False):
        swept = _swept(escalation, "remind_at")
        if swept is None:
            return []
        ticket, history, policy, state = swept
        plan = state.active_plan
        # The first deadline not missed by now (a deadline equal to now is not).
        due = machine.next_deadline(state, after=now)
        remind = machine.reminder_at(policy, state, after=now)
        if plan is None or due is None or remind is None:
            Escalation.objects.filter(pk=escalation.pk).update(remind_at=None)
            return []
        recorded = []
        if remind <= now and due.isoformat() not in escalations.recorded_reminders(
            history, escalation.seq
        ):
            recorded.append(
                _append(
                    ticket,
                    EventKind.ESCALATION_REMINDER,
                    at=remind,
                    actor=None,
                    public=False,
                    data={
                        "escalation": escalation.seq,
                        "due": due.isoformat(),
                        "mode": plan.mode,
                        "recorded_at": now.isoformat(),
                        "section": policy.escalation.source,
                    },
                )
            )
            rows.save_chain_head.update(ticket)
            notify.changed(
                "escalation.update-due-soon",
                ticket,
                {"escalation": escalation.seq, "due": due.isoformat(), "mode": plan.mode},
                now,
            )
        if remind <= now:
            # This deadline's reminder is sent: the next is the following
            # deadline's, an interval on, so after `now` (the lead is at most
            # half the interval) and the sweep does not take the row again.
            remind = machine.reminder_at(policy, state, after=due + plan.every)
        Escalation.objects.filter(pk=escalation.pk).update(remind_at=remind)
    return recorded


def _swept(
    escalation: Escalation, column: str
) -> tuple[Ticket, list[TicketEvent], Policy, machine.State] | None:
    """What the worker's sweep reads of an escalation: its ticket (locked),
    the ticket's history, the policy and the escalation's state. None for an
    escalation a later one superseded: it owes nothing, and leaves the
    sweep's sight (`column` cleared)."""
    ticket = _locked(escalation.ticket)
    history = rows.events_of(ticket)
    found = escalations.current(history)
    if found is None or found[0] != escalation.seq:
        Escalation.objects.filter(pk=escalation.pk).update(**{column: None})
        return None
    policy = _policy(ticket)
    return ticket, history, policy, machine.compute(policy, found[1])


def _save_escalation(
    ticket: Ticket, seq: int, state: machine.State, now: datetime, *, after: datetime | None = None
) -> Escalation:
    row, _ = Escalation.objects.update_or_create(
        ticket=ticket,
        seq=seq,
        defaults={
            "status": state.status.value,
            "level": state.level,
            "reason": state.reason,
            "requested_at": state.requested_at,
            "primary_engineer": state.primary_engineer or "",
            "next_update_due": machine.next_deadline(state, after=after),
            # May be at or before `now` (a reminder not sent yet): the sweep
            # sends it, or moves past one already sent (`do_remind_escalation_update`).
            "remind_at": machine.reminder_at(_policy(ticket), state, after=after),
            "call_requested_at": state.call_requested_at,
            "updated_at": now,
        },
    )
    return row
