"""Who hears of what: the SLA clock's warnings and breaches go to the
engineer on the ticket, and to the support managers when nobody is on it
or the target is missed; escalation requests, reports of insufficient
progress and missed escalation updates go to the managers. Each becomes a
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
    if event in (notify.SLA_WARNING, notify.SLA_BREACHED) and data.get("late"):
        return  # told in the sweep's summary (caught_up), not once per ticket
    if event == notify.SLA_WARNING:
        people = [ticket.assignee] if ticket.assignee_id else managers()
        title = f"{ticket.number} is due soon: first response by {_when(ticket, data)}"
    elif event == notify.SLA_BREACHED:
        people = [*([ticket.assignee] if ticket.assignee_id else []), *managers()]
        title = f"{ticket.number} missed its first-response target ({_when(ticket, data)})"
    elif event in ESCALATION_TITLES:
        # The managers run escalations (§1.8): each request lands with them,
        # and so does a report of insufficient progress (they owe a call)
        # and an update the communication plan called for and nobody gave.
        people = managers()
        title = ESCALATION_TITLES[event].format(number=ticket.number, level=data.get("level"))
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


def caught_up(late_breaches: int, now: datetime) -> None:
    """The clock recorded breaches long after they happened (the worker was
    down): the managers hear of them once, not in a mail per ticket."""
    title = (
        f"The SLA clock caught up after a pause: {late_breaches} first-response "
        f"target{'s were' if late_breaches != 1 else ' was'} missed meanwhile"
    )
    body = (
        f"{title}.\n\nThe workspace's breaching queue lists them; each ticket's "
        "history has the exact time."
    )
    tell(managers(), None, "sla.caught-up", title, now, body)
