"""Ticket rows and events as the policy core's values."""

from __future__ import annotations

from datetime import datetime

from supportdesk.policy import Policy
from supportdesk.policy.sla import (
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
    explain,
)
from supportdesk.tickets.models import EventKind, Ticket, TicketEvent


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
