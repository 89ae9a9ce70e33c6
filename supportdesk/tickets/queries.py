"""The read side of the workspace: queues, and a ticket's merged timeline.

Everything starts from `access.visible_tickets` / `visible_events` /
`visible_messages`, so scoping is never written twice. A queue page costs a
fixed number of SQL queries whatever its length: the rows come with their
company and assignee joined, and the tab counts are one aggregate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import F, Prefetch, Q, QuerySet

from supportdesk.accounts.access import visible_events, visible_messages, visible_tickets
from supportdesk.accounts.models import User
from supportdesk.assets.adapters import DeviceVersion, ReleaseBook, policy_day
from supportdesk.policies.active import policy_for_version
from supportdesk.remote import history as remote_history
from supportdesk.tickets import escalations, limits_events, scope_history
from supportdesk.tickets.models import (
    OPEN_STATUSES,
    Attachment,
    EventKind,
    Message,
    Status,
    Ticket,
    TicketEvent,
    Tier,
)

PAGE_SIZE = 50
COUNT_CAP = 999
# "Breaching soon": the first response is due within this, or overdue.
BREACHING_WINDOW = timedelta(hours=2)


@dataclass(frozen=True)
class Queue:
    slug: str
    title: str


QUEUES = (
    Queue("mine", "Mine"),
    Queue("unassigned", "Unassigned"),
    Queue("severity", "By severity"),
    Queue("breaching", "Breaching soon"),
    Queue("open", "All open"),
    # §4.2.7: billing questions, answered by the finance team with no target.
    Queue("finance", "Finance"),
)
QUEUE_SLUGS = frozenset(q.slug for q in QUEUES)


@dataclass(frozen=True)
class QueueFilters:
    """What the filter bar asks for; empty strings mean "any"."""

    status: str = ""  # "" = open statuses, "all", or one status code
    severity: int | None = None
    tier: str = ""  # "" = the user's default, "any", or a tier code
    company: int | None = None
    product: str = ""
    q: str = ""


def default_tier(user: User) -> str:
    """Vendor staff work vendor-tier tickets; partner staff see both tiers of
    their companies (their own queue, and what they forwarded)."""
    return Tier.VENDOR if user.is_vendor_staff else "any"


def _working_tier(user: User) -> str:
    return Tier.VENDOR if user.is_vendor_staff else Tier.PARTNER


def default_queue(user: User) -> str:
    """The queue the workspace opens on: the finance team's own for its staff."""
    return "finance" if user.role == "finance" else "open"


# Billing questions go to the finance queue (§4.2.7), not to the queues
# engineers pick work from.
_TECHNICAL = ~Q(coverage="finance")


def _queue_q(queue: str, user: User, now: datetime) -> Q:
    match queue:
        case "mine":
            return Q(assignee_id=user.pk)
        case "unassigned":
            return Q(assignee__isnull=True, tier=_working_tier(user)) & _TECHNICAL
        case "severity":
            return _TECHNICAL
        case "finance":
            return Q(coverage="finance")
        case "breaching":
            return Q(
                response_due_at__lte=now + BREACHING_WINDOW,
                first_response_at__isnull=True,
                tier=Tier.VENDOR,
            )
        case _:
            return Q()


def _scope(user: User, tier: str) -> QuerySet[Ticket]:
    tickets = visible_tickets(user)
    tier = tier or default_tier(user)
    if tier in Tier.values:
        tickets = tickets.filter(tier=tier)
    return tickets


def queue_tickets(
    user: User, queue: str, filters: QueueFilters, *, now: datetime
) -> QuerySet[Ticket]:
    """The rows of a queue, ordered by first-response due time (nulls
    last), then id; not yet sliced."""
    tickets = _scope(user, filters.tier).filter(_queue_q(queue, user, now))
    if filters.status == "all":
        pass
    elif filters.status in Status.values:
        tickets = tickets.filter(status=filters.status)
    else:
        tickets = tickets.filter(status__in=OPEN_STATUSES)
    if queue == "breaching":
        tickets = tickets.filter(status__in=OPEN_STATUSES)
    if filters.severity is not None:
        tickets = tickets.filter(severity=filters.severity)
    if filters.company is not None:
        tickets = tickets.filter(company_id=filters.company)
    if filters.product:
        tickets = tickets.filter(product=filters.product)
    if filters.q:
        pk = Ticket.pk_from_number(filters.q)
        match = Q(subject__icontains=filters.q)
        if pk is not None:
            match |= Q(pk=pk)
        tickets = tickets.filter(match)
    order: list[Any] = [F("response_due_at").asc(nulls_last=True), "id"]
    if queue == "severity":
        order.insert(0, "severity")
    return tickets.select_related("company", "assignee", "device").order_by(*order)


@dataclass(frozen=True)
class Page:
    tickets: list[Ticket]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def page_of(tickets: QuerySet[Ticket], number: int) -> Page:
    """One page by offset; one row past the page tells whether there is a
    next one, so no COUNT query is needed."""
    number = max(1, number)
    start = (number - 1) * PAGE_SIZE
    rows = list(tickets[start : start + PAGE_SIZE + 1])
    return Page(rows[:PAGE_SIZE], number, len(rows) > PAGE_SIZE)


def device_versions(tickets: list[Ticket], *, now: datetime) -> dict[int, DeviceVersion]:
    """Each ticket's device version support (§3.2) by ticket id, for rows
    with their devices joined: one query for the page's releases, none per row."""
    releases = ReleaseBook.for_devices(t.device for t in tickets)
    out: dict[int, DeviceVersion] = {}
    for ticket in tickets:
        policy = policy_for_version(ticket.policy_version)
        judged = releases.judge(policy, ticket.device, policy_day(policy, now))
        if judged is not None:
            out[ticket.pk] = judged
    return out


def queue_counts(user: User, tier: str, *, now: datetime) -> dict[str, str]:
    """How many open tickets each queue holds, shown as "1,000+" past
    COUNT_CAP, in one query.

    Counting every open ticket on each page view cost half a second at a
    million tickets (bench/desk_bench.py); a count that stops at the cap
    reads at most COUNT_CAP + 1 index entries per queue.
    """
    tickets = _scope(user, tier).filter(status__in=OPEN_STATUSES).order_by()
    parts: list[str] = []
    params: list[Any] = []
    slugs = [q.slug for q in QUEUES]
    for index, slug in enumerate(slugs):
        limited = tickets.filter(_queue_q(slug, user, now)).values("id")[: COUNT_CAP + 1]
        sql, sql_params = limited.query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS q{index})")
        params.extend(sql_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return {
        slug: f"{COUNT_CAP:,}+" if n > COUNT_CAP else f"{n:,}"
        for slug, n in zip(slugs, row, strict=True)
    }


# -- the ticket page ----------------------------------------------------------------


@dataclass
class Entry:
    """One line of the timeline: a message, or an event told in words."""

    at: datetime
    key: tuple[datetime, int]
    kind: str
    actor: User | None
    message: Message | None = None
    text: str = ""
    detail: str = ""
    internal: bool = False
    attachments: list[Attachment] = field(default_factory=list)


def timeline(user: User, ticket: Ticket) -> list[Entry]:
    """Events and messages `user` may see, oldest first. Messages appear
    once, in place of their "message" event."""
    events = list(visible_events(user, ticket).order_by("seq"))
    messages = list(
        visible_messages(user, ticket)
        .order_by("created_at", "id")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
    )
    seq_of_message: dict[int, int] = {}
    watcher_ids: set[int] = set()
    for event in events:
        if event.kind in (EventKind.MESSAGE, EventKind.CALL_LOGGED) and "message" in event.data:
            seq_of_message[int(event.data["message"])] = event.seq
        if event.kind in (EventKind.WATCHER_ADDED, EventKind.WATCHER_REMOVED):
            watcher_ids.add(int(event.data.get("user", 0)))
    names = (
        {u.pk: u.display_name for u in User.objects.filter(pk__in=watcher_ids)}
        if watcher_ids
        else {}
    )
    policy = policy_for_version(ticket.policy_version)

    entries: list[Entry] = []
    for message in messages:
        seq = seq_of_message.get(message.pk, 1 << 30)
        entries.append(
            Entry(
                at=message.created_at,
                key=(message.created_at, seq),
                kind="call" if message.kind == Message.Kind.CALL else "message",
                actor=message.author,
                message=message,
                internal=not message.is_public,
                attachments=list(message.attachments.all()),
            )
        )
    for event in events:
        if event.kind in (EventKind.MESSAGE, EventKind.CALL_LOGGED):
            continue
        text, detail = describe(event, names, policy_severity_names(policy))
        entries.append(
            Entry(
                at=event.at,
                key=(event.at, event.seq),
                kind=event.kind,
                actor=event.actor,
                text=text,
                detail=detail,
                internal=not event.public,
            )
        )
    entries.sort(key=lambda e: e.key)
    return entries


def policy_severity_names(policy: Any) -> dict[int, str]:
    return {s.level: s.name for s in policy.severities}


def _sev(level: Any, names: dict[int, str]) -> str:
    try:
        n = int(level)
    except (TypeError, ValueError):
        return "Severity ?"
    name = names.get(n)
    return f"Severity {n} ({name})" if name else f"Severity {n}"


def describe(
    event: TicketEvent, users: dict[int, str], severities: dict[int, str]
) -> tuple[str, str]:
    """An event in words: a headline, and the reason or note that came with it."""
    data = event.data
    match event.kind:
        case EventKind.SUBMITTED:
            asked = _sev(data.get("severity"), severities)
            text = f"Submitted by {data.get('channel', '?')} at {asked}"
            if data.get("opened_at_severity") not in (None, data.get("severity")):
                text += f"; opened at {_sev(data['opened_at_severity'], severities)}"
            note = str(data.get("severity_note") or "")
            if note and data.get("source"):
                note = f"{note} ({data['source']})."
            return text, note
        case EventKind.SEVERITY_CHANGED:
            text = f"Severity changed from {data.get('from')} to {_sev(data.get('to'), severities)}"
            if data.get("misassigned"):
                text += f": mis-assigned by the customer ({data.get('section', '§1.7.3')})"
            else:
                text += _section(data)
            return text, str(data.get("reason", ""))
        case EventKind.SEVERITY_REQUESTED:
            return (
                f"Requested {_sev(data.get('to'), severities)}{_section(data)}",
                str(data.get("justification", "")),
            )
        case EventKind.SEVERITY_REQUEST_ACCEPTED:
            return (
                f"Accepted the request for {_sev(data.get('to'), severities)}{_section(data)}",
                str(data.get("reason", "")),
            )
        case EventKind.SEVERITY_REQUEST_DECLINED:
            return (
                f"Declined the request for {_sev(data.get('to'), severities)}{_section(data)}",
                str(data.get("reason", "")),
            )
        case EventKind.STATUS_CHANGED:
            # §3.1, §3.4: resolved or closed with a cause, or a cause given later.
            cause = limits_events.cause_words(data)
            if cause and data.get("from") == data.get("to"):
                return f"Resolution cause recorded: {cause}", str(data.get("reason", ""))
            return (
                f"Status changed from {_status(data.get('from'))} to {_status(data.get('to'))}"
                + (f"; cause: {cause}" if cause else ""),
                str(data.get("reason", "")),
            )
        case EventKind.ASSIGNED:
            name = data.get("to_name") or "nobody"
            return f"Assigned to {name}", ""
        case EventKind.FORWARDED:
            who = "Forwarded automatically" if data.get("automatic") else "Forwarded"
            return (
                f"{who} to the vendor at {_sev(data.get('severity'), severities)}",
                str(data.get("note", "")) if not data.get("automatic") else "",
            )
        case EventKind.WATCHER_ADDED:
            return f"Added watcher {users.get(int(data.get('user', 0)), 'a former user')}", ""
        case EventKind.WATCHER_REMOVED:
            return f"Removed watcher {users.get(int(data.get('user', 0)), 'a former user')}", ""
        case EventKind.SLA_WARNING:
            late = " (recorded late, with the breach)" if data.get("late") else ""
            return (
                f"First response due soon, at {_sev(data.get('severity'), severities)}{late}",
                f"due {data.get('due', '')}",
            )
        case EventKind.SLA_BREACHED:
            return (
                f"First-response target missed at {_sev(data.get('severity'), severities)}",
                f"it was due {data.get('due', '')}",
            )
        case EventKind.WORKAROUND:
            return f"Workaround provided ({data.get('section', '§1.6')})", str(data.get("note", ""))
        case EventKind.UNASSIGNED_ALERT:
            missed = int(data.get("missed") or 0)
            detail = f"nobody has had it since {data.get('since', '?')}"
            if missed:
                detail += (
                    f"; {missed} earlier alert{'s' if missed != 1 else ''} fell due while the "
                    "desk's clock was paused"
                )
            section = data.get("section", "§1.6")
            return (
                f"{_sev(data.get('severity'), severities)} and nobody has it: alert "
                f"{data.get('number', '?')} to the support managers ({section})",
                detail,
            )
        case EventKind.ESCALATION:
            return escalations.describe(data)
        case EventKind.ESCALATION_UPDATE_MISSED:
            return (
                f"Escalation update not given by its due time ({data.get('section', '§1.8')})",
                f"it was due {data.get('due', '')} ({str(data.get('mode', '')).replace('-', ' ')})",
            )
        case EventKind.ESCALATION_REMINDER:
            return (
                f"Reminder: an escalation update is coming due ({data.get('section', '§1.8')})",
                f"due {data.get('due', '')} ({str(data.get('mode', '')).replace('-', ' ')})",
            )
        case EventKind.ESCALATION_INVITE:
            cancel = data.get("method") == "CANCEL"
            mailed = ", ".join(data.get("cancelled" if cancel else "invited") or []) or "nobody"
            details = []
            if data.get("not_mailed"):
                details.append(f"Not mailed (no address known): {', '.join(data['not_mailed'])}")
            if not cancel and data.get("cancelled"):
                details.append(f"Cancelled for: {', '.join(data['cancelled'])}")
            return (
                f"Conference call {'cancelled for' if cancel else 'invitation sent to'} {mailed} "
                f"({data.get('section', '§1.8')})",
                "\n".join(details),
            )
        case EventKind.MAIL_BOUNCED:
            recipients = ", ".join(data.get("recipients") or []) or "a recipient"
            return (
                f"Our mail to {recipients} bounced",
                " ".join(str(data.get(k) or "") for k in ("status", "diagnostic")).strip(),
            )
        case EventKind.MAIL_AUTOMATIC if data.get("calendar"):
            return (
                f"{data.get('from') or 'An unknown sender'} {data['calendar']} the conference "
                "call invitation (§1.8)",
                str(data.get("subject", "")),
            )
        case EventKind.MAIL_AUTOMATIC:
            return (
                f"Automatic reply from {data.get('from') or 'an unknown sender'}",
                f"{data.get('subject', '')} ({data.get('why', '')})",
            )
        case EventKind.MAIL_HELD:
            return (
                f"A mail from {data.get('from') or 'an unknown sender'} is held for staff",
                "The sender is not one of this ticket's people; see Mail, waiting for staff.",
            )
        case kind if kind in limits_events.KINDS:
            return limits_events.describe(kind, data)
        case kind if kind in scope_history.KINDS:
            return scope_history.describe(kind, data)
        case kind if kind in remote_history.KINDS:
            return remote_history.describe(kind, data)
        case EventKind.GUIDANCE_ONLY:
            return _guidance(data)
        case _:
            return EventKind(event.kind).label if event.kind in EventKind.values else event.kind, ""


def _guidance(data: dict[str, Any]) -> tuple[str, str]:
    """§2.1: answered as guidance after the partner's vendor-led month, or no
    longer (the category changed)."""
    section = data.get("section") or "§2.1"
    if not data.get("guidance"):
        return f"No longer answered as guidance only ({section})", ""
    text = f"Answered as guidance ({section}): {data.get('text', '')}".rstrip(": ")
    return text, (
        f"First implementation {data.get('first_implementation_on')}; installation and "
        f"implementation were the partner's from {data.get('hands_over_on')}."
        if data.get("hands_over_on")
        else ""
    )


def _section(data: dict[str, Any]) -> str:
    """ " (§1.7.1)": the policy section an event cites (older events cite none)."""
    return f" ({data['section']})" if data.get("section") else ""


def _status(code: Any) -> str:
    return Status(code).label if code in Status.values else str(code)


def ticket_attachments(user: User, ticket: Ticket) -> list[Attachment]:
    """Files on messages `user` may see (and any not tied to a message)."""
    return list(
        Attachment.objects.filter(ticket=ticket)
        .filter(Q(message__isnull=True) | Q(message__in=visible_messages(user, ticket)))
        .order_by("id")
    )


def watcher_candidates(user: User, ticket: Ticket) -> QuerySet[User]:
    """People who can see the ticket and whom `user` may add as watchers:
    vendor staff choose among everyone who can see it; the partner and the
    customer among their own organization and the ticket's company."""
    from supportdesk.accounts.models import PARTNER_ROLES, VENDOR_ROLES, Role

    can_see = Q(organization_id=ticket.company_id, role=Role.CUSTOMER)
    if ticket.partner_id is not None:
        can_see |= Q(organization_id=ticket.partner_id, role__in=PARTNER_ROLES)
    can_see |= Q(role__in=VENDOR_ROLES)
    users = User.objects.filter(can_see, is_active=True).select_related("organization")
    if user.is_vendor_staff:
        return users.order_by("organization__name", "email")
    return users.filter(
        Q(organization_id=user.organization_id) | Q(organization_id=ticket.company_id)
    ).order_by("organization__name", "email")
