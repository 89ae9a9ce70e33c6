"""The history of the limits of support (§3): third-party software and the
options for software the vendor does not support (§3.3, §3.5), requests for
reproduction steps (§3.2) and resolution causes (§3.1, §3.4). Their events
are built, read back and told in words here; the actions that append them
are in `limitations.py` (and `do_submit_ticket`, `do_change_status`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from supportdesk.policy import Policy
from supportdesk.policy import thirdparty as tp
from supportdesk.tickets.models import EventKind, Ticket, TicketEvent

KINDS = frozenset(
    {EventKind.THIRD_PARTY, EventKind.THIRD_PARTY_OPTION, EventKind.REPRODUCTION_REQUESTED}
)


def software_data(
    policy: Policy, software: tp.Software, before: Sequence[str], *, offered: bool
) -> dict[str, Any]:
    """A THIRD_PARTY event's data: what is recorded now and what changed,
    which of it the vendor supports (§3.5), and whether the options of §3.3
    were offered with it."""
    was = {p.casefold() for p in before}
    now = {p.casefold() for p in software.products}
    return {
        "products": list(software.products),
        "names": [tp.display_name(policy, p) for p in software.products],
        "added": [p for p in software.products if p.casefold() not in was],
        "removed": [p for p in before if p.casefold() not in now],
        "supported": list(software.supported),
        "unsupported": list(software.unsupported),
        "offered": offered,
        "section": policy.third_party.source,
        "options_section": policy.third_party.options_section,
    }


def workflow(events: Iterable[TicketEvent]) -> tp.Workflow:
    """The non-supported-application workflow of a ticket's history."""
    steps: list[tp.Step] = []
    for event in events:
        data = event.data
        if event.kind == EventKind.THIRD_PARTY:
            unsupported = tuple(str(n) for n in data.get("unsupported") or ())
            steps.append(tp.SoftwareRecorded(event.at, unsupported, bool(data.get("offered"))))
        elif event.kind == EventKind.THIRD_PARTY_OPTION:
            steps.append(tp.OptionChosen(event.at, str(data.get("option") or "")))
    return tp.fold(steps)


def workflow_of(ticket: Ticket) -> tp.Workflow:
    """Where the workflow stands, for the ticket pages: one query, none for
    a ticket with no third-party software on record (no offer can be open;
    the actions fold the whole history)."""
    if not ticket.third_party:
        return tp.Workflow()
    events = TicketEvent.objects.filter(
        ticket=ticket, kind__in=(EventKind.THIRD_PARTY, EventKind.THIRD_PARTY_OPTION)
    ).order_by("seq")
    return workflow(events)


# -- in words, for the ticket's history (tickets/queries.py) ------------------------------


def describe(kind: str, data: dict[str, Any]) -> tuple[str, str]:
    """A headline and the words that came with it."""
    section = f" ({data['section']})" if data.get("section") else ""
    match kind:
        case EventKind.THIRD_PARTY:
            names = ", ".join(str(n) for n in data.get("names") or data.get("products") or ())
            if not names:
                return f"Third-party software cleared{section}", ""
            details = []
            if data.get("unsupported"):
                details.append(f"Not supported: {', '.join(data['unsupported'])}.")
            if data.get("offered"):
                details.append(
                    f"The options of {data.get('options_section') or '§3.3'} were offered."
                )
            return f"Third-party software recorded: {names}{section}", " ".join(details)
        case EventKind.THIRD_PARTY_OPTION:
            if data.get("option") == tp.FOR_FEE:
                return (
                    f"Asked to continue under a for-fee agreement{section}",
                    str(data.get("text") or ""),
                )
            return (
                f"Chose option ({data.get('option', '?')}) for the unsupported software{section}",
                str(data.get("text") or ""),
            )
        case _:
            return (
                f"Could not reproduce the issue: reproduction steps requested{section}",
                str(data.get("note") or ""),
            )


def cause_words(data: dict[str, Any]) -> str:
    """ "Server settings (§3.4(c))" for a status change with a resolution
    cause, else ""."""
    if not data.get("cause"):
        return ""
    title = data.get("cause_title") or data["cause"]
    section = f" ({data['section']})" if data.get("section") else ""
    return f"{title}{section}"
