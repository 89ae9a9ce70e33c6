"""The mail that asks the customer for remote access (§2.3), and the one
that says why an answer by mail was not taken."""

from __future__ import annotations

from datetime import datetime

from supportdesk.mail import outbound, refusals
from supportdesk.mail.models import OutboundMail
from supportdesk.policies.active import policy_for_version
from supportdesk.policy.remote_access import in_words
from supportdesk.remote.models import RemoteAccess
from supportdesk.tickets.models import Ticket

GRANT_LINE = "I grant remote access"
DECLINE_LINE = "I decline remote access"


def request_text(ticket: Ticket, access: RemoteAccess) -> str:
    policy = policy_for_version(ticket.policy_version)
    rule = policy.remote_access
    requester = ticket.requester
    engineer = access.requested_by.display_name if access.requested_by else "An engineer"
    tool = f" with {access.tool}" if access.tool else ""
    lines = [
        f"Hello {requester.display_name if requester else 'there'},",
        "",
        f"{engineer} of {policy.meta.vendor} Support asks for remote access to the Service{tool} "
        f"for ticket {ticket.number}, for {in_words(access.duration)} from when you grant it:",
        "",
        access.purpose,
        "",
    ]
    if rule.text:
        lines += [f"{rule.source}: {rule.text}", ""]
    if rule.consent:
        lines += [rule.consent, ""]
    lines += [
        "To answer by mail, reply with one of these as the first line (a reason may follow "
        "on the next lines):",
        "",
        f"    {GRANT_LINE}",
        f"    {DECLINE_LINE}",
        "",
        "Or answer on the ticket's page in the portal, where you can also revoke a grant at any "
        "time.",
        "",
        f"{policy.meta.vendor} Support",
    ]
    return "\n".join(lines)


def mail_request(ticket: Ticket, access: RemoteAccess, *, now: datetime) -> OutboundMail | None:
    """The request, to the ticket's requester (not when they asked themselves),
    threaded with the ticket's mail; delivered once the action commits."""
    requester = ticket.requester
    if not requester.email or not requester.is_active or requester.pk == access.requested_by_id:
        return None
    thread, answers = outbound.thread_ids(ticket)
    return outbound.queue_mail(
        kind=OutboundMail.Kind.NOTIFICATION,
        ticket=ticket,
        to=[requester.email],
        subject=outbound.subject_for(ticket, reply=True),
        body=request_text(ticket, access),
        automatic=False,
        in_reply_to=answers,
        references=thread,
        now=now,
    )


def refusal_text(ticket: Ticket, *, name: str, grant: bool, reason: str) -> str:
    source = policy_for_version(ticket.policy_version).remote_access.source
    return refusals.told(
        ticket,
        name=name,
        what=f"{'a grant' if grant else 'a refusal'} of remote access",
        reason=reason,
        how=f"To answer a request for remote access, reply to it with '{GRANT_LINE}' or "
        f"'{DECLINE_LINE}' as the first line ({source}).",
    )
