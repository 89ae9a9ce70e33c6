"""Answering a request for remote access by mail (§2.3): the request goes to
the requester, and a reply whose first line is "I grant remote access" or
"I decline remote access" answers it. The reply is always a message on the
ticket; an answer that cannot be taken is told to its sender once, by an
automatic mail, and noted for the working side."""

from __future__ import annotations

from datetime import timedelta

import pytest

from supportdesk.mail.commands import RemoteAccessCommand, remote_access_command
from supportdesk.mail.ingest import ingest_raw
from supportdesk.mail.models import OutboundMail, Outcome
from supportdesk.remote import actions
from supportdesk.remote.models import RemoteAccess
from supportdesk.tickets.models import EventKind, Message, Ticket
from tests.mail.test_ingest import NOW, mail, tenants, ticket_of
from tests.tenants import Tenants

__all__ = ["tenants"]  # the fixture, shared with test_ingest

pytestmark = pytest.mark.django_db
ASKED = NOW + timedelta(minutes=10)
LATER = NOW + timedelta(minutes=20)


# -- the parser: pure, no database --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("I grant remote access", RemoteAccessCommand(True, "")),
        ("i grant remote access.", RemoteAccessCommand(True, "")),
        ("Yes, I grant remote access!", RemoteAccessCommand(True, "")),
        ("  Grant remote-access  ", RemoteAccessCommand(True, "")),
        ("I grant remote access to you", RemoteAccessCommand(True, "")),
        (
            "\n\nI GRANT REMOTE ACCESS\nAfter 6pm please",
            RemoteAccessCommand(True, "After 6pm please"),
        ),
        ("I decline remote access", RemoteAccessCommand(False, "")),
        (
            "No - I decline remote access\nNot during surgery.",
            RemoteAccessCommand(False, "Not during surgery."),
        ),
        ("I refuse remote access", RemoteAccessCommand(False, "")),
        ("I deny remote access for this ticket", RemoteAccessCommand(False, "")),
        # Sentences, negations and mixed answers are ordinary replies.
        ("I do not grant remote access", None),
        ("I don't grant remote access", None),
        ("No, I grant remote access", None),
        ("I grant remote access tomorrow, not now", None),
        ("Can I grant remote access?", None),
        ("Thanks.\nI grant remote access", None),
        ("Severity: 2\nAll down", None),
        ("", None),
    ],
)
def test_the_first_line_is_the_answer(text: str, command: RemoteAccessCommand | None) -> None:
    assert remote_access_command(text) == command


# -- through ingest_raw -------------------------------------------------------------------


@pytest.fixture
def ticket(tenants: Tenants) -> Ticket:
    """Ivan's ticket, opened by mail."""
    return ticket_of(ingest_raw(mail(), "test", now=NOW).ticket)


@pytest.fixture
def request_mail(tenants: Tenants, ticket: Ticket) -> OutboundMail:
    """Erin asks for access; the request mailed to Ivan."""
    actions.do_request_remote_access(
        ticket,
        purpose="Check the VSS writers on FS01",
        tool="ScreenConnect",
        minutes=60,
        acting_user=tenants.people["engineer"],
        now=ASKED,
    )
    return OutboundMail.objects.get(ticket=ticket, kind=OutboundMail.Kind.NOTIFICATION)


def reply_to(
    request: OutboundMail, first_line: str, *, sender: str = "ivan@initech.example", n: int = 1
) -> bytes:
    """A reply as Outlook writes it: the answer on top, our mail quoted below."""
    return (
        f"From: Ivan Initech <{sender}>\r\n"
        f"To: {request.reply_to}\r\n"
        f"Subject: RE: {request.subject.removeprefix('Re: ')}\r\n"
        f"Message-ID: <answer{n}@initech.example>\r\n"
        f"In-Reply-To: <{request.message_id}>\r\n"
        f"References: <{request.message_id}>\r\n"
        "Date: Mon, 30 Nov 2026 09:20:00 -0500\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: text/plain; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: 8bit\r\n"
        "\r\n"
        f"{first_line}\r\n"
        "\r\n"
        "-----Original Message-----\r\n"
        "From: Infrascale Support <support@desk.example>\r\n"
        "Sent: Monday, November 30, 2026 9:10 AM\r\n"
        f"Subject: {request.subject}\r\n"
        "\r\n"
        "Hello Ivan Initech,\r\n"
        "Erin Engineer of Infrascale Support asks for remote access to the Service\r\n"
    ).encode()


def last_reply(ticket: Ticket) -> Message:
    message = Message.objects.filter(ticket=ticket, visibility="public").order_by("pk").last()
    assert message is not None
    return message


def refusals(ticket: Ticket) -> list[OutboundMail]:
    return list(OutboundMail.objects.filter(ticket=ticket, kind=OutboundMail.Kind.REFUSAL))


def desk_notes(ticket: Ticket) -> list[Message]:
    return list(Message.objects.filter(ticket=ticket, author=None, visibility="internal"))


def test_the_request_is_mailed_to_the_requester_in_the_tickets_thread(
    ticket: Ticket, request_mail: OutboundMail
) -> None:
    assert request_mail.to == ["ivan@initech.example"]
    assert request_mail.subject == f"Re: [{ticket.number}] Backups of FS01 fail"
    assert request_mail.in_reply_to == "m1@initech.example"
    assert request_mail.reply_to == f"support+{ticket.number}@desk.example"
    assert "Erin Engineer of Infrascale Support asks for remote access to the Service with " in (
        request_mail.body
    )
    assert "    I grant remote access\n" in request_mail.body


def test_a_reply_granting_access_grants_it(
    tenants: Tenants, ticket: Ticket, request_mail: OutboundMail
) -> None:
    result = ingest_raw(reply_to(request_mail, "I grant remote access."), "test", now=LATER)
    assert (result.outcome, result.ticket) == (Outcome.APPENDED, ticket.number)
    access = RemoteAccess.objects.get(ticket=ticket)
    assert access.state == RemoteAccess.State.GRANTED
    assert (access.granted_by, access.granted_at) == (tenants.people["initech_user"], LATER)
    assert access.expires_at == LATER + timedelta(hours=1)
    event = ticket.events.filter(kind=EventKind.REMOTE_ACCESS_GRANTED).get()
    assert (event.data["via"], event.data["section"]) == ("email", "§2.3")
    assert event.data["expires_at"] == "2026-11-30T15:20:00+00:00"
    # The mail is on the ticket as any reply is; its quoted history is not.
    assert last_reply(ticket).body == "I grant remote access."
    assert refusals(ticket) == []
    assert desk_notes(ticket) == []


def test_a_reply_declining_access_declines_it_with_the_reason(
    ticket: Ticket, request_mail: OutboundMail
) -> None:
    raw = reply_to(request_mail, "I decline remote access\r\nNot during surgery hours.")
    ingest_raw(raw, "test", now=LATER)
    access = RemoteAccess.objects.get(ticket=ticket)
    assert (access.state, access.note) == (RemoteAccess.State.DECLINED, "Not during surgery hours.")


def test_an_ordinary_reply_answers_nothing(ticket: Ticket, request_mail: OutboundMail) -> None:
    ingest_raw(reply_to(request_mail, "I do not grant remote access yet."), "test", now=LATER)
    assert RemoteAccess.objects.get(ticket=ticket).state == RemoteAccess.State.REQUESTED
    assert last_reply(ticket).body == "I do not grant remote access yet."
    assert refusals(ticket) == []


def test_a_grant_with_nothing_to_grant_is_told_why(
    ticket: Ticket, request_mail: OutboundMail
) -> None:
    ingest_raw(reply_to(request_mail, "I grant remote access"), "test", now=LATER)
    # Again (in other words: the same words within the hour are held as a
    # loop): the request is granted already.
    raw = reply_to(request_mail, "Yes, I grant remote access", n=2)
    result = ingest_raw(raw, "test", now=LATER)
    assert result.outcome == Outcome.APPENDED
    [refusal] = refusals(ticket)
    assert refusal.to == ["ivan@initech.example"]
    assert refusal.automatic
    assert refusal.in_reply_to == "answer2@initech.example"
    assert "no request for remote access is waiting for an answer on this ticket" in refusal.body
    assert "reply to it with 'I grant remote access'" in refusal.body
    [note] = desk_notes(ticket)
    assert note.body.startswith("The remote access grant by mail from ivan@initech.example was not")
    assert "They were told why by mail." in note.body
    assert ticket.events.filter(kind=EventKind.REMOTE_ACCESS_GRANTED).count() == 1


def test_the_working_side_cannot_grant_by_mail(
    tenants: Tenants, ticket: Ticket, request_mail: OutboundMail
) -> None:
    raw = reply_to(request_mail, "I grant remote access", sender="erin@infrascale.example")
    ingest_raw(raw, "test", now=LATER)
    assert RemoteAccess.objects.get(ticket=ticket).state == RemoteAccess.State.REQUESTED
    assert refusals(ticket) == []


def test_a_stranger_cannot_grant_by_mail(ticket: Ticket, request_mail: OutboundMail) -> None:
    raw = reply_to(request_mail, "I grant remote access", sender="mallory@elsewhere.example")
    result = ingest_raw(raw, "test", now=LATER)
    assert result.outcome == Outcome.HELD
    assert RemoteAccess.objects.get(ticket=ticket).state == RemoteAccess.State.REQUESTED
