"""Answering a request for remote access by replying to it (§2.3).

mail/ingest.py calls `answer_by_mail` for every reply it adds to a ticket,
after the reply is saved. A reply from the ticket's customer side whose
first line is "I grant remote access" or "I decline remote access"
(mail/commands.py) answers the request waiting on the ticket, through the
same actions as the portal. The reply stays on the ticket either way; an
answer that cannot be taken is told to its sender in one automatic mail and
to the working side in an internal note.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from supportdesk.accounts.access import is_customer_side
from supportdesk.accounts.models import User
from supportdesk.mail import refusals
from supportdesk.mail.commands import remote_access_command
from supportdesk.remote import actions, mails
from supportdesk.remote.models import RemoteAccess
from supportdesk.tickets.actions import ActionError
from supportdesk.tickets.models import Channel, Ticket

if TYPE_CHECKING:
    from supportdesk.mail.outbound import Outbox
    from supportdesk.mail.parse import ParsedMail
    from supportdesk.mail.senders import Sender


def answer_by_mail(
    ticket: Ticket,
    author: User,
    body: str,
    *,
    sender: Sender,
    parsed: ParsedMail,
    outbox: Outbox,
    now: datetime,
) -> None:
    command = remote_access_command(body)
    # Only the customer side answers: the working side asked.
    if command is None or not is_customer_side(author, ticket):
        return
    pending = RemoteAccess.objects.filter(ticket=ticket, state=RemoteAccess.State.REQUESTED).first()
    try:
        if pending is None:
            raise ActionError(
                "no request for remote access is waiting for an answer on this ticket", "conflict"
            )
        # The actions' atomic blocks are savepoints: a refusal, raised before
        # anything is written, leaves the batch's transaction as it was.
        if command.grant:
            actions.do_grant_remote_access(pending, acting_user=author, now=now, via=Channel.EMAIL)
        else:
            actions.do_decline_remote_access(
                pending, note=command.note, acting_user=author, now=now, via=Channel.EMAIL
            )
    except ActionError as exc:
        verb = "grant" if command.grant else "refusal"
        refusals.refuse(
            ticket,
            sender=sender,
            parsed=parsed,
            told=mails.refusal_text(
                ticket, name=sender.name, grant=command.grant, reason=exc.message
            ),
            headline=f"The remote access {verb} by mail from {sender.address} was not taken",
            reason=exc.message,
            now=now,
            outbox=outbox,
        )
