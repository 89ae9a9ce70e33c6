"""Ticket rows and events as the policy core's values."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from supportdesk.policy import Policy
from supportdesk.policy.sla import (
    Alarm,
    Explanation,
    Forwarded,
    Responded,
    SeverityChanged,
    SeverityRequestAccepted,
    SeverityRequestDeclined,
    SeverityRequested,
    SlaEvent,
    SlaState,
    Submitted,
    alarms,
    explain,
)
from supportdesk.tickets.models import OPEN_STATUSES, EventKind, Ticket, TicketEvent

ALARM_KINDS = {"warning": EventKind.SLA_WARNING, "breach": EventKind.SLA_BREACHED}
_ALARM_OF_KIND: dict[str, str] = {str(v): k for k, v in ALARM_KINDS.items()}


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
                    )
                )
            case EventKind.FORWARDED:
                out.append(Forwarded(event.at, data.get("severity")))
            case EventKind.SEVERITY_CHANGED:
                out.append(SeverityChanged(event.at, int(data["to"]), data.get("reason", "")))
            case EventKind.SEVERITY_REQUESTED:
                out.append(
                    SeverityRequested(event.at, int(data["to"]), data.get("justification", ""))
                )
            case EventKind.SEVERITY_REQUEST_ACCEPTED:
                out.append(SeverityRequestAccepted(event.at))
            case EventKind.SEVERITY_REQUEST_DECLINED:
                out.append(SeverityRequestDeclined(event.at, data.get("reason", "")))
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


def sla_explanation(policy: Policy, ticket: Ticket, *, now: datetime | None = None) -> Explanation:
    return explain(policy, sla_events(ticket, ticket_events(ticket)), now=now)


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
