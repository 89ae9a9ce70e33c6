"""Ticket rows and events as the policy core's values."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from supportdesk.policy import Policy, effort
from supportdesk.policy.sla import (
    Alarm,
    ClockResumed,
    ClockStopped,
    Explanation,
    Forwarded,
    Responded,
    ScopeChanged,
    SeverityChanged,
    SeverityRequestAccepted,
    SeverityRequestDeclined,
    SeverityRequested,
    SlaEvent,
    SlaState,
    Submitted,
    Waiver,
    alarms,
    explain,
)
from supportdesk.tickets.models import (
    OPEN_STATUSES,
    EventKind,
    Status,
    Ticket,
    TicketEvent,
    Tier,
)

ALARM_KINDS = {"warning": EventKind.SLA_WARNING, "breach": EventKind.SLA_BREACHED}
_ALARM_OF_KIND: dict[str, str] = {str(v): k for k, v in ALARM_KINDS.items()}

# Statuses under which the first-response clock stands still: work has ceased
# until the customer removes an unsupported application (§3.3); the ticket
# was answered as out of scope (§4) until an engineer overrides that.
CLOCK_STOPPED_STATUSES = frozenset({Status.WORK_CEASED, Status.OUT_OF_SCOPE})


def _waiver(data: object) -> Waiver | None:
    """A first-response target waived (§4.2.7), as an event's data records it."""
    if not isinstance(data, dict):
        return None
    return Waiver(str(data.get("reason", "")), str(data.get("source", "")))


def sla_events(ticket: Ticket, events: list[TicketEvent]) -> tuple[SlaEvent, ...]:
    """The events the first-response clock reads, in order."""
    out: list[SlaEvent] = []
    for event in events:
        data = event.data
        match event.kind:
            case EventKind.SUBMITTED:
                out.append(
                    Submitted(
                        event.at,
                        int(data["severity"]),
                        str(data["channel"]),
                        to_vendor=data["tier"] == "vendor",
                        dedicated_contact=bool(data.get("dedicated_contact")),
                        vendor_outage=bool(data.get("vendor_outage")),
                        no_target=_waiver(data.get("no_target")),
                    )
                )
            case EventKind.CATEGORY_SET:
                waiver = _waiver(data.get("no_target"))
                name = data.get("category_name") or "none"
                note = f"Category set to {name}: the response target counts from here"
                out.append(ScopeChanged(event.at, waiver, note, str(data.get("section") or "§4")))
            case EventKind.QUOTE_OFFERED if data.get("side") == "vendor":
                # A quote put to the customer answers them (§4): a first response.
                out.append(Responded(event.at))
            case EventKind.FORWARDED:
                out.append(Forwarded(event.at, data.get("severity")))
            case EventKind.SEVERITY_CHANGED:
                out.append(
                    SeverityChanged(
                        event.at,
                        int(data["to"]),
                        data.get("reason", ""),
                        misassigned=bool(data.get("misassigned")),
                    )
                )
            case EventKind.SEVERITY_REQUESTED:
                out.append(
                    SeverityRequested(event.at, int(data["to"]), data.get("justification", ""))
                )
            case EventKind.SEVERITY_REQUEST_ACCEPTED:
                out.append(SeverityRequestAccepted(event.at))
            case EventKind.SEVERITY_REQUEST_DECLINED:
                out.append(SeverityRequestDeclined(event.at, data.get("reason", "")))
            case EventKind.STATUS_CHANGED:
                stops = data.get("to") in CLOCK_STOPPED_STATUSES
                if stops and data.get("from") not in CLOCK_STOPPED_STATUSES:
                    reason, section = data.get("reason") or "", data.get("section") or "§3.3"
                    out.append(ClockStopped(event.at, str(reason), str(section)))
                elif not stops and data.get("from") in CLOCK_STOPPED_STATUSES:
                    out.append(ClockResumed(event.at))
            case EventKind.MESSAGE | EventKind.CALL_LOGGED:
                # A first response is a public reply by vendor staff on any
                # channel; internal notes and partner replies are not.
                if data.get("public") and data.get("side") == "vendor":
                    out.append(Responded(event.at))
            case _:
                pass
    return tuple(out)


def ticket_events(ticket: Ticket) -> list[TicketEvent]:
    return list(TicketEvent.objects.filter(ticket=ticket).order_by("seq"))


def sla_state(policy: Policy, ticket: Ticket, *, now: datetime | None = None) -> SlaState:
    return policy.sla(sla_events(ticket, ticket_events(ticket)), now=now)


def sla_explanation(
    policy: Policy,
    ticket: Ticket,
    *,
    now: datetime | None = None,
    history: list[TicketEvent] | None = None,
) -> Explanation:
    """The first-response clock in words; `history` when the caller has read it."""
    events = ticket_events(ticket) if history is None else history
    return explain(policy, sla_events(ticket, events), now=now)


def alarm_key(kind: str, due_at: datetime) -> tuple[str, str]:
    """What identifies an alarm in the history: its kind and the due time it
    is about (a due time that moves calls for alarms of its own)."""
    return kind, due_at.astimezone(UTC).isoformat()


def recorded_alarms(events: Iterable[TicketEvent]) -> set[tuple[str, str]]:
    kinds: dict[str, str] = {str(v): k for k, v in ALARM_KINDS.items()}
    return {(kinds[e.kind], str(e.data.get("due", ""))) for e in events if e.kind in kinds}


def pending_alarms(
    policy: Policy, state: SlaState, events: Iterable[TicketEvent], status: str
) -> list[Alarm]:
    """The alarms the ticket still owes, in time order: none once it is
    resolved or closed."""
    if status not in OPEN_STATUSES:
        return []
    done = recorded_alarms(events)
    return [a for a in alarms(policy, state) if alarm_key(a.kind, a.due_at) not in done]


# -- Severity 1 continuous effort (§1.6, policy/effort.py) ------------------------------

# Open statuses under which effort is owed: while work has ceased until an
# unsupported application is removed (§3.3), the vendor owes none; nor while
# a ticket stands out of scope, or waits for a quote before any work (§4).
EFFORT_STATUSES = frozenset(OPEN_STATUSES) - {
    Status.WORK_CEASED,
    Status.OUT_OF_SCOPE,
    Status.AWAITING_QUOTE,
}


def effort_facts(state: SlaState, history: Iterable[TicketEvent]) -> list[effort.Fact]:
    """What the continuous-effort rules read: when the ticket reached the
    vendor and at which severity, its severity changes there, who had it,
    its workarounds and whether it was open. The severities come from the
    SLA fold, which already applies §1.6.1 and the partner's forward."""
    facts: list[effort.Fact] = []
    if state.clock_started_at is not None:
        # A change made once the vendor's clock ran carries the due time
        # before it; one made at the partner's tier has none.
        at_vendor = [c for c in state.changes if c.due_before is not None]
        first = at_vendor[0].old if at_vendor else state.severity
        facts.append(effort.ReachedVendor(state.clock_started_at, first))
        facts += [effort.SeverityIs(c.at, c.new) for c in at_vendor]
    for event in history:
        match event.kind:
            case EventKind.ASSIGNED:
                facts.append(effort.AssigneeIs(event.at, event.data.get("to") is not None))
            case EventKind.FORWARDED:
                # The forward unassigns the partner's technician (do_forward_to_vendor).
                facts.append(effort.AssigneeIs(event.at, False))
            case EventKind.STATUS_CHANGED:
                facts.append(effort.OpenIs(event.at, event.data.get("to") in EFFORT_STATUSES))
            case EventKind.WORKAROUND:
                facts.append(effort.WorkaroundRecorded(event.at))
            case _:
                pass
    return facts


def continuous_effort(
    policy: Policy, state: SlaState, history: Sequence[TicketEvent]
) -> effort.Effort:
    """What the ticket owes under §1.6. Only a ticket at a severity that
    owes effort, or with a workaround on record, needs the fold; for every
    other ticket (the most) the answer is "nothing", at no cost."""
    if effort.owes_any(policy) and (
        (
            state.tier == Tier.VENDOR
            and state.waiver is None  # a billing question owes no effort (§4.2.7)
            and policy.severity(state.severity).continuous_effort
        )
        or any(e.kind == EventKind.WORKAROUND for e in history)
    ):
        return effort.compute(policy, effort_facts(state, history))
    return effort.compute(policy, ())


def last_alert_at(history: Iterable[TicketEvent]) -> datetime | None:
    """The instant of the last unassigned alert recorded: the next one comes
    after it (alerts are keyed by their instant, so each is recorded once)."""
    instants = [e.at for e in history if e.kind == EventKind.UNASSIGNED_ALERT]
    return max(instants) if instants else None


def next_alert_at(owed: effort.Effort, history: Iterable[TicketEvent]) -> datetime | None:
    """When the clock must next look at the ticket for an unassigned alert."""
    alert = effort.next_alert(owed, after=last_alert_at(history))
    return alert.at if alert is not None else None


def effort_owed(policy: Policy, ticket: Ticket) -> bool:
    """Whether continuous effort is owed now, from the ticket's columns
    alone (the list pages and the API read no history for it):
    `workaround_at` holds only a workaround that still counts."""
    return effort.is_owed(
        policy,
        severity=ticket.severity,
        at_vendor=ticket.tier == Tier.VENDOR,
        # A billing question (§4.2.7) owes no effort at any severity.
        is_open=ticket.status in EFFORT_STATUSES and ticket.coverage != "finance",
        workaround=ticket.workaround_at is not None,
    )
