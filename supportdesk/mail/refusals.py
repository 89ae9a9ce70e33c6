"""What a reply asked by its first line (a higher severity, an answer to a
request for remote access) and the desk could not do. The reply itself is
on the ticket already and stays there; its sender is told why in one
automatic mail (capped, like every automatic mail), and the side working
the ticket in an internal note signed by the desk."""

from __future__ import annotations

from datetime import datetime

from supportdesk.mail import outbound
from supportdesk.mail.parse import ParsedMail
from supportdesk.mail.senders import Sender
from supportdesk.policies.active import policy_for_version
from supportdesk.tickets import actions
from supportdesk.tickets.models import Channel, Ticket


def told(ticket: Ticket, *, name: str, what: str, reason: str, how: str) -> str:
    """The mail that tells a sender their reply is on the ticket but could
    not be taken as `what`, why, and `how` to ask again."""
    policy = policy_for_version(ticket.policy_version)
    return "\n".join(
        [
            f"Hello {name or 'there'},",
            "",
            f"Your reply is added to ticket {ticket.number}, but we could not take it as "
            f"{what}: {reason}.",
            "",
            how,
            "",
            f"{policy.meta.vendor} Support",
        ]
    )


def severity_refusal_text(ticket: Ticket, *, name: str, severity: int, reason: str) -> str:
    return told(
        ticket,
        name=name,
        what=f"a request for Severity {severity}",
        reason=reason,
        how="To ask again, reply with a first line 'Severity: 2' (the level you need) followed "
        "by the reason: the current impact on your production (§1.7.2).",
    )


def refuse(
    ticket: Ticket,
    *,
    sender: Sender,
    parsed: ParsedMail,
    told: str,
    headline: str,
    reason: str,
    now: datetime,
    outbox: outbound.Outbox,
) -> None:
    """`told` is the mail to the sender; `headline` opens the staff's note
    ("The request by mail from … was refused")."""
    mailed = outbound.refuse_by_mail(
        ticket,
        to=sender.address,
        body=told,
        in_reply_to=parsed.message_id,
        references=list(parsed.references),
        now=now,
        outbox=outbox,
    )
    answer = (
        "They were told why by mail."
        if mailed is not None
        else "No mail told them why: the cap on automatic mail to that address is reached."
    )
    actions.do_note_by_desk(
        ticket,
        body=f"{headline}: {reason}. Their mail is on the ticket as a reply. {answer}",
        via=Channel.EMAIL,
        now=now,
    )
