"""Choosing an option of §3.3 by mail: when unsupported software is recorded
on a ticket, the desk offers the options in a public reply, which is mailed;
a reply whose first line is "Option (ii)" or "For fee" answers it, as the
portal does. The reply is always a message on the ticket; a choice that
cannot be taken is told to its sender by an automatic mail, and noted for
the working side."""

from __future__ import annotations

from datetime import timedelta

import pytest

from supportdesk.mail.commands import option_command
from supportdesk.mail.ingest import ingest_raw
from supportdesk.mail.models import OutboundMail, Outcome
from supportdesk.tickets.limitations import do_record_third_party
from supportdesk.tickets.models import EventKind, Message, Status, Ticket
from tests.mail.test_ingest import NOW, mail, tenants, ticket_of
from tests.tenants import Tenants

__all__ = ["tenants"]  # the fixture, shared with test_ingest

pytestmark = pytest.mark.django_db
RECORDED = NOW + timedelta(minutes=10)


# -- the parser: pure, no database --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "choice"),
    [
        ("Option (ii)", "ii"),
        ("option ii.", "ii"),
        ("I choose option (i)", "i"),
        ("We choose option II!", "ii"),
        ("Option: i\nPlease go ahead and remove it.", "i"),
        ("\n\nOption (i)", "i"),
        ("Option 2", "2"),
        ("For fee", "for-fee"),
        ("for-fee", "for-fee"),
        ("Continue for a fee", "for-fee"),
        ("I request a separate for-fee agreement.", "for-fee"),
        # Sentences about the options are ordinary replies.
        ("Option (ii) sounds bad", None),
        ("Which option is cheaper?", None),
        ("Thanks.\nOption (ii)", None),
        ("No fee, please", None),
        ("I grant remote access", None),
        ("", None),
    ],
)
def test_the_first_line_is_the_choice(text: str, choice: str | None) -> None:
    assert option_command(text) == choice


# -- through ingest_raw -------------------------------------------------------------------


@pytest.fixture
def offered(tenants: Tenants) -> tuple[Ticket, OutboundMail]:
    """Ivan's ticket, opened by mail; Erin records Acronis on it (not a
    supported product, §3.5), and the desk's offer of the options is mailed."""
    ticket = ticket_of(ingest_raw(mail(), "test", now=NOW).ticket)
    do_record_third_party(
        ticket, products=["Acronis"], acting_user=tenants.people["engineer"], now=RECORDED
    )
    offer = OutboundMail.objects.filter(ticket=ticket).exclude(kind="acknowledgement").get()
    return ticket, offer


def answer(offer: OutboundMail, first_line: str, n: int = 1) -> bytes:
    return (
        "From: Ivan Initech <ivan@initech.example>\r\n"
        f"To: {offer.reply_to}\r\n"
        f"Subject: RE: {offer.subject.removeprefix('Re: ')}\r\n"
        f"Message-ID: <option{n}@initech.example>\r\n"
        f"In-Reply-To: <{offer.message_id}>\r\n"
        'Content-Type: text/plain; charset="utf-8"\r\n'
        "\r\n"
        f"{first_line}\r\n"
        "\r\n"
        "> The options (§3.3):\r\n"
    ).encode()


def test_the_offer_says_how_to_answer_by_mail(offered: tuple[Ticket, OutboundMail]) -> None:
    _, offer = offered
    assert offer.to == ["ivan@initech.example"]
    assert "(ii)" in offer.body
    assert "reply to this message with a first line such as 'Option (ii)'" in offer.body


def test_option_ii_by_mail_ceases_work(offered: tuple[Ticket, OutboundMail]) -> None:
    ticket, offer = offered
    result = ingest_raw(answer(offer, "Option (ii)"), "test", now=RECORDED + timedelta(hours=1))
    assert (result.outcome, result.ticket) == (Outcome.APPENDED, ticket.number)
    ticket.refresh_from_db()
    assert ticket.status == Status.WORK_CEASED
    chosen = ticket.events.get(kind=EventKind.THIRD_PARTY_OPTION)
    assert chosen.data["option"] == "ii"
    assert chosen.actor is not None
    assert chosen.actor.email == "ivan@initech.example"
    # The reply itself is on the ticket too.
    assert Message.objects.filter(ticket=ticket, body__startswith="Option (ii)").exists()


def test_a_second_choice_by_mail_is_refused_and_told(offered: tuple[Ticket, OutboundMail]) -> None:
    ticket, offer = offered
    ingest_raw(answer(offer, "Option (i)"), "test", now=RECORDED + timedelta(hours=1))
    ingest_raw(answer(offer, "Option (ii)", n=2), "test", now=RECORDED + timedelta(hours=2))
    assert ticket.events.filter(kind=EventKind.THIRD_PARTY_OPTION).count() == 1
    [told] = OutboundMail.objects.filter(ticket=ticket, kind=OutboundMail.Kind.REFUSAL)
    assert told.to == ["ivan@initech.example"]
    assert "could not take it as option (ii)" in told.body
    assert "option (i) was already chosen" in told.body
    [note] = Message.objects.filter(ticket=ticket, author=None, visibility="internal")
    assert "The choice of option (ii) by mail from ivan@initech.example was not taken" in (
        note.body
    )


def test_a_choice_without_an_offer_is_refused(tenants: Tenants) -> None:
    ticket = ticket_of(ingest_raw(mail(), "test", now=NOW).ticket)
    ack = OutboundMail.objects.get(ticket=ticket)
    ingest_raw(answer(ack, "For fee"), "test", now=RECORDED)
    [told] = OutboundMail.objects.filter(ticket=ticket, kind=OutboundMail.Kind.REFUSAL)
    assert "no options are waiting for an answer on this ticket" in told.body
    assert not ticket.events.filter(kind=EventKind.THIRD_PARTY_OPTION).exists()
