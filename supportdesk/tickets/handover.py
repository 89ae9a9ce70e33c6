"""Implementation hand-over on tickets (§2.1): a partner's `implementation`
and `agent-installation` tickets dated after the vendor-led month are
answered as guidance, and the ticket says so.

The rule itself is `policy/handover.py`; here it reads the ticket and its
partner, sets `Ticket.guidance_only` and writes the public GUIDANCE_ONLY
event that cites the section. Submission is the API's hot path: a ticket the
rule does not concern (no partner, another category) costs nothing here,
and one it does reads the partner row already loaded with the ticket.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from supportdesk.assets.adapters import policy_day
from supportdesk.policy import Policy
from supportdesk.policy import handover as rule
from supportdesk.tickets import rows
from supportdesk.tickets.models import EventKind, Ticket, TicketEvent


def decision(policy: Policy, ticket: Ticket) -> rule.HandoverDecision | None:
    """The rule's answer for the ticket as it stands; None when the rule
    does not concern it (a direct customer's ticket, another category)."""
    if ticket.partner_id is None or not rule.concerns(policy, ticket.category):
        return None
    partner = ticket.partner
    assert partner is not None
    return rule.decide(
        policy,
        category=ticket.category,
        first_implementation_on=partner.first_implementation_on,
        # The ticket's own date: when it was raised, not when staff read it.
        on=policy_day(policy, ticket.submitted_at),
    )


def guidance_event(policy: Policy, ticket: Ticket) -> TicketEvent | None:
    """At submission: mark a new ticket as answered with guidance and
    return its event, not yet in the chain; None when it is worked hands-on."""
    found = decision(policy, ticket)
    if found is None or not found.guidance:
        return None
    ticket.guidance_only = True
    return _event(ticket, found, at=ticket.submitted_at)


def apply(policy: Policy, ticket: Ticket, *, now: datetime) -> TicketEvent | None:
    """After a locked ticket's product or category changed: set
    `guidance_only` from the rule and, when that changed, append the event
    that says why. The caller saves the ticket (`rows.save_changes`)."""
    found = decision(policy, ticket)
    guidance = found is not None and found.guidance
    if guidance == ticket.guidance_only:
        return None
    ticket.guidance_only = guidance
    event = _event(ticket, found, at=now)
    rows.chain(ticket, event)
    rows.insert_events.insert(event)
    return event


def _event(ticket: Ticket, found: rule.HandoverDecision | None, *, at: datetime) -> TicketEvent:
    data: dict[str, Any] = {"guidance": ticket.guidance_only, "category": ticket.category}
    if found is not None:
        data |= {
            "section": found.source,
            "text": found.text,
            "first_implementation_on": _day(found.first_implementation_on),
            "hands_over_on": _day(found.hands_over_on),
        }
    return TicketEvent(kind=EventKind.GUIDANCE_ONLY, at=at, actor=None, public=True, data=data)


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None
