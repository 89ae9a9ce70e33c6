"""Asking for a higher severity by mail (§1.7.2): a reply whose first line is
"Severity: 2" asks for it, the rest of the reply justifies it. The reply is
always a message on the ticket; a refused request is answered once, by an
automatic mail saying why, and noted for the working side."""

from __future__ import annotations

from datetime import timedelta

import pytest

from supportdesk.mail.ingest import ingest_many, ingest_raw
from supportdesk.mail.models import InboundMail, OutboundMail, Outcome
from supportdesk.mail.outbound import AUTOMATIC_PER_RECIPIENT
from supportdesk.tickets import actions
from supportdesk.tickets.models import EventKind, Message, Ticket, TicketEvent
from tests.mail.test_ingest import NOW, ack_of, mail, tenants, ticket_of
from tests.tenants import Tenants

__all__ = ["tenants"]  # the fixture, shared with test_ingest

pytestmark = pytest.mark.django_db
LATER = NOW + timedelta(minutes=20)
_replies = iter(range(1, 1000))


@pytest.fixture
def ticket(tenants: Tenants) -> Ticket:
    """Ivan's ticket, opened by mail at Severity 3."""
    return ticket_of(ingest_raw(mail(), "test", now=NOW).ticket)


def reply(ticket: Ticket, body: str, sender: str = "Ivan Initech <ivan@initech.example>") -> bytes:
    return mail(
        sender=sender,
        subject=f"Re: [{ticket.number}] Backups of FS01 fail",
        body=body,
        message_id=f"<reply{next(_replies)}@example.test>",
    )


def requests(ticket: Ticket) -> list[TicketEvent]:
    return list(ticket.events.filter(kind=EventKind.SEVERITY_REQUESTED).order_by("seq"))


def refusals(ticket: Ticket) -> list[OutboundMail]:
    return list(OutboundMail.objects.filter(ticket=ticket, kind=OutboundMail.Kind.REFUSAL))


def desk_notes(ticket: Ticket) -> list[Message]:
    return list(Message.objects.filter(ticket=ticket, author=None, visibility="internal"))


def last_reply(ticket: Ticket) -> Message:
    message = Message.objects.filter(ticket=ticket, visibility="public").order_by("pk").last()
    assert message is not None
    return message


def test_the_acknowledgement_shows_how_to_ask(ticket: Ticket) -> None:
    assert "reply with a first line 'Severity: 2'" in ack_of(ticket).body


def test_a_reply_starting_with_severity_asks_for_it(tenants: Tenants, ticket: Ticket) -> None:
    body = "Severity: 2\nPayroll cannot be restored; 40 people wait.\n\n-- \nIvan"
    result = ingest_raw(reply(ticket, body), "test", now=LATER)
    assert (result.outcome, result.ticket) == (Outcome.APPENDED, ticket.number)
    ticket.refresh_from_db()
    assert (ticket.severity, ticket.requested_severity) == (3, 2)
    [event] = requests(ticket)
    assert event.actor == tenants.people["initech_user"]
    assert event.at == LATER
    assert event.data == {
        "to": 2,
        "justification": "Payroll cannot be restored; 40 people wait.",
        "section": "§1.7.2",
    }
    # The mail is a message on the ticket as any reply is, command line included.
    assert last_reply(ticket).body == "Severity: 2\nPayroll cannot be restored; 40 people wait."
    assert refusals(ticket) == []
    assert desk_notes(ticket) == []


def test_an_engineer_accepts_it_as_any_request(tenants: Tenants, ticket: Ticket) -> None:
    ingest_raw(reply(ticket, "Sev 1 - Critical\nAll restores fail."), "test", now=LATER)
    actions.do_decide_severity_request(
        ticket, accept=True, acting_user=tenants.people["engineer"], now=LATER
    )
    ticket.refresh_from_db()
    assert (ticket.severity, ticket.requested_severity) == (1, None)


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("Severity: 2", "needs a justification"),
        ("Severity: 4\nIt is minor now.", "Severity 4 is not higher than the current Severity 3"),
        ("Severity: 9\nEverything.", "severity"),
    ],
)
def test_a_refused_request_keeps_the_mail_and_says_why(ticket: Ticket, body: str, why: str) -> None:
    result = ingest_raw(reply(ticket, body), "test", now=LATER)
    assert result.outcome == Outcome.APPENDED
    ticket.refresh_from_db()
    assert ticket.requested_severity is None
    assert requests(ticket) == []
    assert last_reply(ticket).body == body
    [refusal] = refusals(ticket)
    assert refusal.to == ["ivan@initech.example"]
    assert refusal.automatic
    assert refusal.subject == f"Re: [{ticket.number}] Backups of FS01 fail"
    assert refusal.in_reply_to == InboundMail.objects.get(pk=result.mail_id).message_id
    assert why in refusal.body
    assert "first line 'Severity: 2'" in refusal.body
    [note] = desk_notes(ticket)
    assert note.body.startswith("The request by mail from ivan@initech.example for Severity")
    assert why in note.body
    assert "They were told why by mail." in note.body


def test_a_second_request_waits_for_the_first(ticket: Ticket) -> None:
    ingest_raw(reply(ticket, "Severity: 2\nPayroll is down."), "test", now=LATER)
    ingest_raw(reply(ticket, "Severity: 1\nNow everything is down."), "test", now=LATER)
    ticket.refresh_from_db()
    assert ticket.requested_severity == 2
    assert len(requests(ticket)) == 1
    [refusal] = refusals(ticket)
    assert "a request for Severity 2 is already waiting" in refusal.body
    assert len(desk_notes(ticket)) == 1


def test_staff_replying_with_the_line_is_no_command(tenants: Tenants, ticket: Ticket) -> None:
    staff = "Erin Engineer <erin@infrascale.example>"
    result = ingest_raw(reply(ticket, "Severity: 1\nWe see it too.", staff), "test", now=LATER)
    assert result.outcome == Outcome.APPENDED
    ticket.refresh_from_db()
    assert ticket.requested_severity is None
    assert requests(ticket) == []
    assert refusals(ticket) == []
    assert desk_notes(ticket) == []


def test_an_ordinary_reply_is_untouched(ticket: Ticket) -> None:
    before = ticket.events.count()
    body = "Severity of this is low for us now, but please keep looking."
    result = ingest_raw(reply(ticket, body), "test", now=LATER)
    assert result.outcome == Outcome.APPENDED
    ticket.refresh_from_db()
    assert ticket.requested_severity is None
    assert ticket.events.count() == before + 1  # the message
    assert last_reply(ticket).body == body
    assert refusals(ticket) == []
    assert desk_notes(ticket) == []


def test_in_one_batch_each_mail_gets_its_own_answer(ticket: Ticket) -> None:
    results = ingest_many(
        [
            (reply(ticket, "Severity: 2"), "batch"),
            (reply(ticket, "Logs attached later."), "batch"),
            (reply(ticket, "Severity: 2\nThe payroll run is blocked."), "batch"),
        ],
        now=LATER,
    )
    assert [r.outcome for r in results] == [Outcome.APPENDED] * 3
    ticket.refresh_from_db()
    assert ticket.requested_severity == 2
    assert len(refusals(ticket)) == 1
    assert len(desk_notes(ticket)) == 1
    assert Message.objects.filter(ticket=ticket, visibility="public").count() == 4


def test_past_the_cap_on_automatic_mail_the_note_says_nobody_was_told(ticket: Ticket) -> None:
    for n in range(AUTOMATIC_PER_RECIPIENT):
        OutboundMail.objects.create(
            kind=OutboundMail.Kind.ACKNOWLEDGEMENT,
            message_id=f"cap{n}@desk.example",
            from_address="support@desk.example",
            to=["ivan@initech.example"],
            recipient="ivan@initech.example",
            subject="Earlier",
            body="Earlier.",
            automatic=True,
            created_at=LATER,
        )
    ingest_raw(reply(ticket, "Severity: 2"), "test", now=LATER)
    assert refusals(ticket) == []
    [note] = desk_notes(ticket)
    assert "No mail told them why" in note.body


def test_a_reply_to_a_closed_ticket_opens_a_new_one_at_the_usual_severity(
    tenants: Tenants, ticket: Ticket
) -> None:
    actions.do_change_status(
        ticket, status="closed", acting_user=tenants.people["initech_user"], now=LATER
    )
    result = ingest_raw(reply(ticket, "Severity: 1\nIt is back."), "test", now=LATER)
    assert result.outcome == Outcome.CREATED
    new = ticket_of(result.ticket)
    assert (new.severity, new.requested_severity) == (3, None)
