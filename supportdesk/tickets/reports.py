"""Read-side reports over the tickets' recorded history.

The breach report (§1.7.3): the first-response targets missed in a period,
split into the vendor's own and those under a severity the customer
mis-assigned. A breach is what the worker's sweep recorded (an
`sla-breached` event at the instant the target ran out); it stays recorded
whatever happens after it, and a later downgrade marked mis-assigned moves
it to the second list, never off the report (DESIGN.md §2). Which list is
decided by the policy core (policy/breaches.py) from the ticket's severity
changes as the SLA core folds them.

Scoped by `accounts.access.visible_tickets`, like every read.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from django.db.models import QuerySet

from supportdesk.accounts.access import visible_tickets
from supportdesk.accounts.models import User
from supportdesk.policies.active import active_policy, policy_for_version
from supportdesk.policy.breaches import misassigned_by
from supportdesk.policy.sla import Change
from supportdesk.tickets.adapters import sla_events
from supportdesk.tickets.models import EventKind, Ticket, TicketEvent

DEFAULT_DAYS = 30
MAX_DAYS = 366


class BadPeriod(ValueError):
    """A period the report cannot use; the message says which end and why."""


@dataclass(frozen=True)
class Period:
    since: datetime  # inclusive
    until: datetime  # exclusive


def report_period(since: str | None, until: str | None, *, now: datetime, zone: tzinfo) -> Period:
    """The period asked for. Each end is a date (2026-11-30, a whole day in
    `zone`: `since` from its start, `until` to its end) or an instant with
    its offset (2026-11-30T14:00:00Z). Without `until`, up to `now`; without
    `since`, the DEFAULT_DAYS before `until`. At most MAX_DAYS long."""
    end = _end("until", until, zone) if until else now
    start = _end("since", since, zone, start=True) if since else end - timedelta(days=DEFAULT_DAYS)
    if start >= end:
        raise BadPeriod("since: must be before until")
    if end - start > timedelta(days=MAX_DAYS):
        raise BadPeriod(f"since, until: a report covers at most {MAX_DAYS} days")
    return Period(start, end)


def _end(name: str, text: str, zone: tzinfo, *, start: bool = False) -> datetime:
    text = text.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day if start else day + timedelta(days=1), time(), zone)
        at = datetime.fromisoformat(text)
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        raise BadPeriod(
            f"{name}: give a date (2026-11-30) or an instant with its offset "
            f"(2026-11-30T14:00:00Z), not {text[:40]!r}"
        )
    return at


@dataclass(frozen=True)
class BreachRow:
    """One missed first-response target: the ticket, the instant it ran out
    and the severity it was counted under; for one under a mis-assigned
    severity, the downgrade that said so."""

    ticket: Ticket
    due_at: datetime
    severity: int
    downgrade: Change | None = None


@dataclass(frozen=True)
class BreachGroup:
    rows: list[BreachRow] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def by_severity(self) -> list[tuple[int, int]]:
        """(severity, how many), most severe first; only severities with any."""
        counts = Counter(row.severity for row in self.rows)
        return sorted(counts.items())


@dataclass(frozen=True)
class BreachReport:
    period: Period
    vendor: BreachGroup
    misassigned: BreachGroup


def breach_report(user: User, period: Period) -> BreachReport:
    """The breaches recorded in `period` on the tickets `user` may see,
    oldest first, the vendor's own apart from those under a severity the
    customer mis-assigned (§1.7.3). Three queries whatever the size: the
    breaches, which of their tickets have a mis-assigned downgrade, and the
    histories of those tickets alone."""
    found = TicketEvent.objects.filter(
        kind=EventKind.SLA_BREACHED,
        at__gte=period.since,
        at__lt=period.until,
        ticket__in=visible_tickets(user),
    )
    breaches = list(
        found.select_related("ticket", "ticket__company").order_by("at", "ticket_id", "seq")
    )
    tickets = {event.ticket_id: event.ticket for event in breaches}
    changes = _changes_of_marked(tickets, found.values("ticket_id")) if breaches else {}
    vendor, misassigned = BreachGroup(), BreachGroup()
    for event in breaches:
        severity = int(event.data.get("severity") or event.ticket.severity)
        downgrade = misassigned_by(changes.get(event.ticket_id, ()), event.at)
        row = BreachRow(event.ticket, event.at, severity, downgrade)
        (misassigned if downgrade is not None else vendor).rows.append(row)
    return BreachReport(period, vendor, misassigned)


def _changes_of_marked(
    tickets: dict[int, Ticket], ticket_ids: QuerySet[TicketEvent, Any]
) -> dict[int, tuple[Change, ...]]:
    """The severity changes, as the SLA core folds them, of those `tickets`
    (their ids, a subquery) with a downgrade marked mis-assigned; the
    others' breaches are the vendor's whatever their changes."""
    marked = set(
        TicketEvent.objects.filter(
            ticket_id__in=ticket_ids, kind=EventKind.SEVERITY_CHANGED, data__misassigned=True
        ).values_list("ticket_id", flat=True)
    )
    if not marked:
        return {}
    histories: dict[int, list[TicketEvent]] = defaultdict(list)
    for event in TicketEvent.objects.filter(ticket_id__in=marked).order_by("ticket_id", "seq"):
        histories[event.ticket_id].append(event)
    out = {}
    for pk, history in histories.items():
        ticket = tickets[pk]
        policy = policy_for_version(ticket.policy_version)
        out[pk] = policy.sla(sla_events(ticket, history)).changes
    return out


# -- resolution causes (§3.1, §3.4) --------------------------------------------------------


@dataclass(frozen=True)
class CauseCount:
    cause: str
    title: str
    section: str
    count: int


@dataclass(frozen=True)
class CauseReport:
    period: Period
    causes: list[CauseCount]

    @property
    def total(self) -> int:
        return sum(c.count for c in self.causes)


def resolution_cause_report(user: User, period: Period) -> CauseReport:
    """How many tickets `user` may see were resolved or closed in `period`
    with each resolution cause (§3.1, §3.4), with its section. A ticket
    counts once, under the cause it was last given in the period. Every
    cause of the active policy is listed, most of them perhaps with 0, in
    the policy's order; a cause only an older version knows follows, with
    the title and section its history recorded. One query."""
    found = (
        TicketEvent.objects.filter(
            kind=EventKind.STATUS_CHANGED,
            at__gte=period.since,
            at__lt=period.until,
            ticket__in=visible_tickets(user),
            data__has_key="cause",
        )
        .order_by("ticket_id", "seq")
        .values_list("ticket_id", "data")
    )
    last: dict[int, dict[str, Any]] = {}
    for ticket_id, data in found:
        if data.get("cause"):
            last[ticket_id] = data
    counts = Counter(str(d["cause"]) for d in last.values())
    recorded = {str(d["cause"]): d for d in last.values()}
    rows = [
        CauseCount(c.slug, c.title, c.source, counts.pop(c.slug, 0))
        for c in active_policy().limitations
    ]
    for slug in sorted(counts):
        data = recorded[slug]
        title, section = str(data.get("cause_title") or slug), str(data.get("section") or "")
        rows.append(CauseCount(slug, title, section, counts[slug]))
    return CauseReport(period, rows)
