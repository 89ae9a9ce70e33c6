"""Tamper detection: each ticket's events form a SHA-256 chain (DESIGN.md §3)."""

from __future__ import annotations

from supportdesk.tickets.models import Ticket, TicketEvent


def verify_ticket_chains(ticket_id: int | None = None) -> tuple[int, list[str]]:
    """(tickets checked, problems found), reading events in chain order."""
    tickets = Ticket.objects.order_by("pk")
    if ticket_id is not None:
        tickets = tickets.filter(pk=ticket_id)
    problems: list[str] = []
    checked = 0
    for ticket in tickets.only("pk", "event_count", "last_event_hash").iterator(chunk_size=500):
        checked += 1
        prev, seq = "", 0
        for event in TicketEvent.objects.filter(ticket_id=ticket.pk).order_by("seq").iterator():
            seq += 1
            where = f"{ticket.number} event {event.seq} ({event.kind})"
            if event.seq != seq:
                problems.append(f"{where}: expected event {seq}; one is missing or renumbered")
                seq = event.seq
            if event.prev_hash != prev:
                problems.append(f"{where}: does not follow the event before it")
            if event.compute_hash() != event.hash:
                problems.append(f"{where}: its content does not match its hash")
            prev = event.hash
        if seq != ticket.event_count or prev != ticket.last_event_hash:
            problems.append(f"{ticket.number}: the chain's head does not match the ticket")
    return checked, problems
