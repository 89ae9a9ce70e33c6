"""Choosing an option of §3.3 by replying to the offer.

When unsupported third-party software is recorded on a ticket, the desk
offers the customer the options of §3.3 in a public reply
(`tickets/limitations.py`). mail/ingest.py calls `answer_by_mail` for every
reply it adds to a ticket, after the reply is saved: a reply from the
ticket's customer side whose first line is "Option (ii)" or "For fee"
(mail/commands.py) answers the offer through the same action as the portal.
The reply stays on the ticket either way; a choice that cannot be taken
is told to its sender in one automatic mail and to the working side in an
internal note.
"""

from __future__ import annotations

from datetime import datetime

from supportdesk.accounts.access import is_customer_side
from supportdesk.accounts.models import User
from supportdesk.mail import outbound, refusals
from supportdesk.mail.commands import option_command
from supportdesk.mail.parse import ParsedMail
from supportdesk.mail.senders import Sender
from supportdesk.policies.active import policy_for_version
from supportdesk.policy.thirdparty import FOR_FEE
from supportdesk.tickets import limitations
from supportdesk.tickets.actions import ActionError
from supportdesk.tickets.models import Ticket


def answer_by_mail(
    ticket: Ticket,
    author: User,
    body: str,
    *,
    sender: Sender,
    parsed: ParsedMail,
    outbox: outbound.Outbox,
    now: datetime,
) -> None:
    choice = option_command(body)
    # Only the customer side chooses: the working side offered.
    if choice is None or not is_customer_side(author, ticket):
        return
    try:
        # The action's atomic block is a savepoint: a refusal, raised before
        # anything is written, leaves the batch's transaction as it was.
        limitations.do_choose_third_party_option(ticket, option=choice, acting_user=author, now=now)
    except ActionError as exc:
        what = "the for-fee request" if choice == FOR_FEE else f"option ({choice})"
        refusals.refuse(
            ticket,
            sender=sender,
            parsed=parsed,
            told=refusals.told(
                ticket,
                name=sender.name,
                what=what,
                reason=exc.message,
                how="To choose, reply with a first line such as 'Option (ii)', or 'For fee' to "
                "ask to continue under a separate for-fee agreement "
                f"({policy_for_version(ticket.policy_version).third_party.options_section}).",
            ),
            headline=f"The choice of {what} by mail from {sender.address} was not taken",
            reason=exc.message,
            now=now,
            outbox=outbox,
        )
