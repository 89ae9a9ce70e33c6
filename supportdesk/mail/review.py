"""What staff do with mail that waits for them: place it again, attach it
to a ticket, or discard it with a reason. The mail itself is never deleted."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from supportdesk.accounts.access import may_review_mail
from supportdesk.accounts.models import User
from supportdesk.mail.ingest import IngestResult, limits, reprocess, text_of, uploads_of
from supportdesk.mail.models import InboundMail, Review
from supportdesk.mail.parse import parse_mail
from supportdesk.tickets import actions
from supportdesk.tickets.actions import ActionError
from supportdesk.tickets.models import Channel, Message, Ticket


def _check(mail: InboundMail, user: User) -> None:
    if not may_review_mail(user):
        raise ActionError(
            "held and quarantined mail is for the vendor's support staff", "forbidden"
        )
    if mail.review != Review.WAITING:
        raise ActionError("this mail is not waiting for review", "conflict")


def do_reprocess(mail: InboundMail, *, acting_user: User, now: datetime) -> IngestResult:
    _check(mail, acting_user)
    result = reprocess(mail, now=now)
    InboundMail.objects.filter(pk=mail.pk).update(reviewed_by=acting_user, reviewed_at=now)
    return result


def do_attach(
    mail: InboundMail, ticket: Ticket, *, public: bool, acting_user: User, now: datetime
) -> Message:
    """The mail's text and files on `ticket`, written by the staff member who
    vouches for it (the mail's own sender is named, never impersonated)."""
    _check(mail, acting_user)
    parsed = parse_mail(bytes(mail.raw), limits())
    sender = parsed.sender.email if parsed.sender else "an unknown sender"
    body = f"Mail from {sender}, subject “{parsed.subject}”:\n\n{text_of(parsed)}"
    with transaction.atomic():
        message = actions.do_reply(
            ticket,
            body=body[: actions.MAX_BODY],
            public=public,
            via=Channel.EMAIL,
            uploads=uploads_of(parsed),
            acting_user=acting_user,
            now=now,
        )
        InboundMail.objects.filter(pk=mail.pk).update(
            review=Review.ATTACHED,
            ticket=ticket,
            ticket_message=message,
            reviewed_by=acting_user,
            reviewed_at=now,
            review_note=f"attached to {ticket.number}",
        )
    return message


def do_discard(mail: InboundMail, *, reason: str, acting_user: User, now: datetime) -> None:
    _check(mail, acting_user)
    reason = " ".join(reason.split())
    if not reason:
        raise ActionError("say why the mail is discarded")
    InboundMail.objects.filter(pk=mail.pk).update(
        review=Review.DISCARDED,
        reviewed_by=acting_user,
        reviewed_at=now,
        review_note=reason[:1000],
    )
