"""Who hears of what: the SLA clock's warnings and breaches go to the
engineer on the ticket, and to the support managers when nobody is on it
or the target is missed; escalation requests, reports of insufficient
progress, missed escalation updates and a Severity 1 that nobody has taken
(§1.6) go to the managers; the reminder that an escalation update is coming
due goes to the engineer on the ticket. Each becomes a
notification in the workspace and a mail, written in the transaction that
records what happened (so never without it, nor twice); the worker sends
the mail after the commit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from supportdesk.accounts.models import Role, User
from supportdesk.mail.models import OutboundMail
from supportdesk.mail.outbound import queue_mail
from supportdesk.notifications.models import Notification
from supportdesk.policies.active import policy_for_version
from supportdesk.tickets import notify
from supportdesk.tickets.models import Ticket


def on_change(event: str, ticket: Ticket, data: dict[str, Any], now: datetime) -> None:
    late_ones = (notify.SLA_WARNING, notify.SLA_BREACHED, notify.SEV1_UNASSIGNED)
    if event in late_ones and data.get("late"):
        return  # told in the sweep's summary (caught_up), not once per ticket
    if event == notify.SLA_WARNING:
        people = [ticket.assignee] if ticket.assignee_id else managers()
        title = f"{ticket.number} is due soon: first response by {_when(ticket, data)}"
    elif event == notify.SLA_BREACHED:
        people = [*([ticket.assignee] if ticket.assignee_id else []), *managers()]
        title = f"{ticket.number} missed its first-response target ({_when(ticket, data)})"
    elif event == notify.SEV1_UNASSIGNED:
        # Continuous effort (§1.6): the managers hear at once, and again at
        # the policy's interval, until someone takes the ticket.
        people = managers()
        title = (
            f"{ticket.number}: Severity {data.get('severity', ticket.severity)} and nobody "
            f"has it — alert {data.get('number')} ({data.get('section', '§1.6')})"
        )
    elif event in ESCALATION_TITLES:
        # The managers run escalations (§1.8): each request lands with them,
        # and so does a report of insufficient progress (they owe a call)
        # and an update the communication plan called for and nobody gave.
        people = managers()
        title = ESCALATION_TITLES[event].format(number=ticket.number, level=data.get("level"))
    elif event == "escalation.update-due-soon":
        # The primary engineer owes the update, and is the ticket's assignee
        # once a manager accepts the escalation; failing one, the managers.
        people = [ticket.assignee] if ticket.assignee_id else managers()
        mode = str(data.get("mode", "")).replace("-", " ")
        title = f"{ticket.number}: escalation update due by {_when(ticket, data)} ({mode})"
    else:
        return
    tell([p for p in people if p is not None], ticket, event, title, now)


ESCALATION_TITLES = {
    "escalation.request": "{number}: the customer asks for an escalation (§1.8)",
    "escalation.insufficient-progress": (
        "{number}: insufficient progress reported, escalation level {level}: schedule a call"
    ),
    "escalation.update-missed": "{number}: an escalation update was due and not given",
}


def managers() -> list[User]:
    return list(User.objects.filter(role=Role.MANAGER, is_active=True).order_by("pk"))


def tell(
    people: list[User], ticket: Ticket | None, event: str, title: str, now: datetime, body: str = ""
) -> None:
    """A notification and a mail for each of `people` (once each)."""
    unique = list({p.pk: p for p in people if p.is_active}.values())
    if ticket is not None:
        body = body or f"{title}\n\n{ticket.number}: {ticket.subject}\nSeverity {ticket.severity}."
        title_line = f"[{ticket.number}] {title}"
    else:
        title_line = title
    Notification.objects.bulk_create(
        Notification(user=p, ticket=ticket, event=event, title=title, body=body, created_at=now)
        for p in unique
    )
    for person in unique:
        queue_mail(
            kind=OutboundMail.Kind.NOTIFICATION,
            ticket=ticket,
            to=[person.email],
            subject=title_line[:500],
            body=body,
            automatic=True,
            now=now,
        )


def _when(ticket: Ticket, data: dict[str, Any]) -> str:
    """The due time in the policy's business-hours zone."""
    due = datetime.fromisoformat(str(data.get("due")))
    policy = policy_for_version(ticket.policy_version)
    zone = policy.calendar(policy.target(ticket.severity, ticket.channel).calendar).zone
    local = due.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b} {local:%H:%M %Z}"


def caught_up(late_breaches: int, now: datetime, late_alerts: int = 0) -> None:
    """The clock recorded breaches, or alerts that a Severity 1 had nobody
    on it, long after they happened (the worker was down): the managers
    hear of them once, not in a mail per ticket."""
    parts = []
    if late_breaches:
        parts.append(
            f"{late_breaches} first-response target{'s were' if late_breaches != 1 else ' was'} "
            "missed meanwhile"
        )
    if late_alerts:
        many = late_alerts != 1
        parts.append(
            f"{late_alerts} Severity 1 ticket{'s have' if many else ' has'} "
            f"nobody on {'them' if many else 'it'} (§1.6)"
        )
    title = f"The SLA clock caught up after a pause: {'; '.join(parts)}"
    body = (
        f"{title}.\n\nThe workspace's breaching and unassigned queues list them; each "
        "ticket's history has the exact time."
    )
    tell(managers(), None, "sla.caught-up", title, now, body)
