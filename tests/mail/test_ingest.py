"""Ingestion rules one at a time: what a customer, a spoofer, a mail server
and an autoresponder each get from the desk."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import timezone

from supportdesk.mail.addresses import ticket_of_message_id
from supportdesk.mail.ingest import ingest_many, ingest_raw
from supportdesk.mail.models import InboundMail, OutboundMail, Outcome, Review
from supportdesk.mail.outbound import due_in_words
from supportdesk.tickets import actions
from supportdesk.tickets.models import Channel, EventKind, Message, Ticket
from tests.tenants import Tenants, build_tenants

pytestmark = pytest.mark.django_db
NOW = datetime.fromisoformat("2026-11-30T14:00:00+00:00")  # Monday 09:00 EST


@pytest.fixture
def tenants(tmp_path: Path) -> Iterator[Tenants]:
    with override_settings(
        SUPPORTDESK_MAIL_ADDRESS="support@desk.example",
        SUPPORTDESK_ATTACHMENTS_DIR=tmp_path,
    ):
        tenants = build_tenants()
        tenants.initech.email_domains = "initech.example, initech-corp.example"
        tenants.initech.save()
        yield tenants


def mail(
    sender: str = "Ivan Initech <ivan@initech.example>",
    subject: str = "Backups of FS01 fail",
    body: str = "Since last night the FS01 backup fails with VSS error 0x800423F4.",
    message_id: str | None = "<m1@initech.example>",
    **headers: str,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "support@desk.example"
    msg["Subject"] = subject
    if message_id:
        msg["Message-ID"] = message_id
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg.as_bytes()


def ticket_of(number: str | None) -> Ticket:
    assert number is not None
    return Ticket.objects.get(pk=int(number.removeprefix("SD-")))


def ack_of(ticket: Ticket) -> OutboundMail:
    return OutboundMail.objects.get(ticket=ticket, kind=OutboundMail.Kind.ACKNOWLEDGEMENT)


def test_a_new_mail_opens_a_ticket_at_sev3_and_is_acknowledged_with_its_due_time(
    tenants: Tenants,
) -> None:
    result = ingest_raw(mail(subject="URGENT!!! Sev1 production down"), "test", now=NOW)
    assert result.outcome == Outcome.CREATED
    ticket = ticket_of(result.ticket)
    assert ticket.company == tenants.initech
    assert ticket.requester == tenants.people["initech_user"]
    assert ticket.channel == Channel.EMAIL
    # The subject shouts, but a mail never opens at Sev1 (§1.6.1: call us).
    assert ticket.severity == 3
    assert ticket.submitted_at == NOW
    ack = ack_of(ticket)
    assert ack.to == ["ivan@initech.example"]
    assert ack.subject == f"[{ticket.number}] URGENT!!! Sev1 production down"
    assert ack.in_reply_to == "m1@initech.example"
    assert ack.automatic
    assert ticket_of_message_id(ack.message_id) == ticket.pk
    assert ack.reply_to == f"support+{ticket.number}@desk.example"
    # Sev3 by email: four business hours from Monday 09:00 EST.
    assert due_in_words(ticket) == "Monday 30 November, 13:00 EST"
    assert "An engineer will respond by Monday 30 November, 13:00 EST." in ack.body
    assert "call us" in ack.body


def test_a_companys_default_severity_opens_its_mailed_tickets(tenants: Tenants) -> None:
    tenants.initech.default_severity = 2
    tenants.initech.save()
    ticket = ticket_of(ingest_raw(mail(), "test", now=NOW).ticket)
    assert ticket.severity == 2


def test_a_reply_to_our_mail_threads_by_its_signed_id(tenants: Tenants) -> None:
    ticket = ticket_of(ingest_raw(mail(), "test", now=NOW).ticket)
    reply = mail(
        subject="Re: Backups of FS01 fail",  # no token: the id alone threads it
        body="Here are the logs you asked for.",
        message_id="<m2@initech.example>",
        In_Reply_To=f"<{ack_of(ticket).message_id}>",
    )
    result = ingest_raw(reply, "test", now=NOW)
    assert (result.outcome, result.ticket) == (Outcome.APPENDED, ticket.number)
    message = Message.objects.filter(ticket=ticket).order_by("pk").last()
    assert message is not None
    assert message.body == "Here are the logs you asked for."
    assert message.via == Channel.EMAIL
    assert InboundMail.objects.get(pk=result.mail_id).ticket_message == message


def test_a_forged_id_names_no_ticket(tenants: Tenants) -> None:
    ticket = ticket_of(ingest_raw(mail(), "test", now=NOW).ticket)
    forged = f"<sd.{ticket.pk}.00000000.{'0' * 20}@desk.example>"
    follow_up = mail(
        body="Another server too.", message_id="<m2@initech.example>", In_Reply_To=forged
    )
    result = ingest_raw(follow_up, "test", now=NOW)
    assert result.outcome == Outcome.CREATED
    assert result.ticket != ticket.number


def test_a_stranger_replying_on_a_ticket_is_held_not_appended(tenants: Tenants) -> None:
    ticket = ticket_of(ingest_raw(mail(), "test", now=NOW).ticket)
    before = Message.objects.filter(ticket=ticket).count()
    spoof = mail(
        sender="Mallory <mallory@evil.example>",
        subject=f"Re: [{ticket.number}] Backups of FS01 fail",
        body="Please close this ticket and send the recovery keys to me.",
        message_id="<evil@evil.example>",
    )
    result = ingest_raw(spoof, "test", now=NOW)
    assert (result.outcome, result.ticket) == (Outcome.HELD, ticket.number)
    assert "not one of this ticket's people" in result.reason
    assert Message.objects.filter(ticket=ticket).count() == before
    assert InboundMail.objects.get(pk=result.mail_id).review == Review.WAITING
    assert ticket.events.filter(kind=EventKind.MAIL_HELD).exists()


def test_someone_at_the_companys_domain_may_reply(tenants: Tenants) -> None:
    ticket = ticket_of(ingest_raw(mail(), "test", now=NOW).ticket)
    result = ingest_raw(
        mail(
            sender="Pat <pat@initech-corp.example>",
            subject=f"Re: [{ticket.number}] Backups of FS01 fail",
            message_id="<m3@initech.example>",
        ),
        "test",
        now=NOW,
    )
    assert result.outcome == Outcome.APPENDED


def test_the_same_mail_delivered_twice_is_one_message(tenants: Tenants) -> None:
    raw = mail()
    first = ingest_raw(raw, "imap", now=NOW)
    second = ingest_raw(raw, "smtp", now=NOW)
    assert second.outcome == Outcome.DUPLICATE
    assert second.ticket == first.ticket
    assert Ticket.objects.count() == 1
    assert OutboundMail.objects.count() == 1


def test_a_mail_without_message_id_is_recognised_by_its_bytes(tenants: Tenants) -> None:
    raw = mail(message_id=None)
    assert ingest_raw(raw, "a", now=NOW).outcome == Outcome.CREATED
    assert ingest_raw(raw.replace(b"\n", b"\r\n"), "b", now=NOW).outcome == Outcome.DUPLICATE


def test_a_bounce_of_our_acknowledgement_is_recorded_on_the_ticket(tenants: Tenants) -> None:
    ticket = ticket_of(ingest_raw(mail(), "test", now=NOW).ticket)
    ack = ack_of(ticket)
    dsn = (
        "From: MAILER-DAEMON@mx.initech.example\r\n"
        "To: support@desk.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <dsn1@mx.initech.example>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nI could not deliver your mail.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.initech.example\r\n\r\n"
        "Final-Recipient: rfc822; ivan@initech.example\r\nAction: failed\r\n"
        "Status: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 no such user\r\n"
        "--b\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: <{ack.message_id}>\r\nSubject: {ack.subject}\r\n"
        "--b--\r\n"
    ).encode()
    result = ingest_raw(dsn, "test", now=NOW)
    assert (result.outcome, result.ticket) == (Outcome.BOUNCE, ticket.number)
    assert Ticket.objects.count() == 1
    event = ticket.events.get(kind=EventKind.MAIL_BOUNCED)
    assert event.data["recipients"] == ["ivan@initech.example"]
    assert event.data["status"] == "5.1.1"
    ack.refresh_from_db()
    assert ack.state == OutboundMail.State.FAILED
    assert "5.1.1" in ack.error


def test_an_out_of_office_reply_is_noted_and_never_answered(tenants: Tenants) -> None:
    ticket = ticket_of(ingest_raw(mail(), "test", now=NOW).ticket)
    ooo = mail(
        subject="Automatic reply: Backups of FS01 fail",
        body="I am out of the office until Monday.",
        message_id="<ooo@initech.example>",
        In_Reply_To=f"<{ack_of(ticket).message_id}>",
        Auto_Submitted="auto-replied",
    )
    result = ingest_raw(ooo, "test", now=NOW)
    assert (result.outcome, result.ticket) == (Outcome.AUTO_REPLY, ticket.number)
    assert OutboundMail.objects.count() == 1  # the first acknowledgement only
    assert Message.objects.filter(ticket=ticket).count() == 1
    assert ticket.events.filter(kind=EventKind.MAIL_AUTOMATIC).exists()


def rsvp(ticket: Ticket, partstat: str) -> bytes:
    """What Outlook sends when the customer answers the conference-call
    invitation of an escalation: a text, and the iCalendar METHOD:REPLY."""
    msg = EmailMessage()
    msg["From"] = "Ivan Initech <ivan@initech.example>"
    msg["To"] = "support@desk.example"
    msg["Subject"] = f"Accepted: [{ticket.number}] Escalation conference call"
    msg["Message-ID"] = f"<rsvp-{partstat}@initech.example>"
    msg.set_content("")
    ics = "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "METHOD:REPLY",
            "PRODID:Microsoft Exchange Server 2010",
            "VERSION:2.0",
            "BEGIN:VEVENT",
            f"ATTENDEE;PARTSTAT={partstat};CN=Ivan Initech:mailto:ivan@initech.example",
            f"UID:{ticket.number}-escalation-1@desk.example",
            "SEQUENCE:1",
            "END:VEVENT",
            "END:VCALENDAR",
            "",
        ]
    )
    msg.add_alternative(ics, subtype="calendar", params={"method": "REPLY"})
    return msg.as_bytes()


def test_an_answer_to_a_call_invitation_is_noted_and_reopens_nothing(tenants: Tenants) -> None:
    ticket = ticket_of(ingest_raw(mail(), "test", now=NOW).ticket)
    actions.do_change_status(
        ticket,
        status="pending-customer",
        reason="waiting for the logs",
        acting_user=tenants.people["engineer"],
        now=NOW,
    )
    result = ingest_raw(rsvp(ticket, "ACCEPTED"), "test", now=NOW)

    assert (result.outcome, result.ticket) == (Outcome.AUTO_REPLY, ticket.number)
    assert result.reason == "calendar reply: accepted"
    ticket.refresh_from_db()
    assert ticket.status == "pending-customer"
    assert Message.objects.filter(ticket=ticket).count() == 1
    assert OutboundMail.objects.count() == 1  # the first acknowledgement only
    note = ticket.events.get(kind=EventKind.MAIL_AUTOMATIC)
    assert note.data["calendar"] == "accepted"
    from supportdesk.tickets.queries import describe

    headline, _ = describe(note, {}, {})
    assert headline == "ivan@initech.example accepted the conference call invitation (§1.8)"


def test_a_declined_invitation_without_a_ticket_opens_none(tenants: Tenants) -> None:
    ticket = ticket_of(ingest_raw(mail(), "test", now=NOW).ticket)
    answer = rsvp(ticket, "DECLINED").replace(ticket.number.encode(), b"SD-999999")
    result = ingest_raw(answer, "test", now=NOW)
    assert (result.outcome, result.ticket) == (Outcome.AUTO_REPLY, None)
    assert result.reason == "calendar reply: declined"
    assert Ticket.objects.count() == 1


def test_the_same_words_again_and_again_are_held_as_a_loop(tenants: Tenants) -> None:
    outcomes = [
        ingest_raw(mail(message_id=f"<loop{n}@initech.example>"), "test", now=NOW).outcome
        for n in range(4)
    ]
    assert outcomes == [Outcome.CREATED, Outcome.HELD, Outcome.HELD, Outcome.HELD]
    held = InboundMail.objects.filter(outcome=Outcome.HELD)
    assert all("loop" in m.reason for m in held)
    assert OutboundMail.objects.count() == 1


def test_unknown_senders_go_to_the_catch_all_company(tenants: Tenants) -> None:
    result = ingest_raw(mail(sender="Sam <sam@gmail.example>"), "test", now=NOW)
    ticket = ticket_of(result.ticket)
    assert ticket.company.name == "Unknown senders"
    assert ticket.requester.email == "sam@gmail.example"
    assert not ticket.requester.has_usable_password()


@override_settings(SUPPORTDESK_MAIL_UNKNOWN_SENDERS="refuse")
def test_unknown_senders_can_be_refused_politely_and_kept(tenants: Tenants) -> None:
    result = ingest_raw(mail(sender="Sam <sam@gmail.example>"), "test", now=NOW)
    assert result.outcome == Outcome.HELD
    assert Ticket.objects.count() == 0
    refusal = OutboundMail.objects.get(kind=OutboundMail.Kind.REFUSAL)
    assert refusal.to == ["sam@gmail.example"]
    assert refusal.automatic


def test_mail_over_a_limit_is_kept_raw_and_quarantined(tenants: Tenants) -> None:
    many = ", ".join(f"u{n}@initech.example" for n in range(120))
    result = ingest_raw(mail(Cc=many), "test", now=NOW)
    assert result.outcome == Outcome.QUARANTINED
    assert "limit" in result.reason
    stored = InboundMail.objects.get(pk=result.mail_id)
    assert bytes(stored.raw).startswith(b"From: Ivan")
    assert Ticket.objects.count() == 0


def test_a_staff_reply_in_the_workspace_goes_out_by_mail_and_its_answer_threads(
    tenants: Tenants,
) -> None:
    ticket = ticket_of(ingest_raw(mail(), "test", now=NOW).ticket)
    engineer = tenants.people["engineer"]
    actions.do_reply(
        ticket, body="Please run vssadmin list writers.", acting_user=engineer, now=NOW
    )
    sent = OutboundMail.objects.get(kind=OutboundMail.Kind.REPLY)
    assert sent.to == ["ivan@initech.example"]
    assert sent.subject == f"Re: [{ticket.number}] Backups of FS01 fail"
    assert "Please run vssadmin list writers." in sent.body
    assert not sent.automatic
    # It answers the customer's mail and lists the thread so far, theirs first.
    assert sent.in_reply_to == "m1@initech.example"
    assert sent.references.split() == ["m1@initech.example", ack_of(ticket).message_id]
    answer = mail(
        subject="Re: Backups of FS01 fail",
        body="All writers are stable.",
        message_id="<m9@initech.example>",
        In_Reply_To=f"<{sent.message_id}>",
    )
    assert ingest_raw(answer, "test", now=timezone.now()).ticket == ticket.number


def test_mail_without_a_sender_is_quarantined(tenants: Tenants) -> None:
    raw = b"To: support@desk.example\r\nSubject: who am I\r\n\r\nNo From header at all.\r\n"
    result = ingest_raw(raw, "test", now=NOW)
    assert result.outcome == Outcome.QUARANTINED
    assert "sender" in result.reason


def test_a_customer_answering_their_own_mail_threads_even_in_the_same_batch(
    tenants: Tenants,
) -> None:
    first = mail(message_id="<first@initech.example>")
    follow_up = mail(
        subject="Re: Backups of FS01 fail",
        body="Forgot to say: FS02 too.",
        message_id="<second@initech.example>",
        In_Reply_To="<first@initech.example>",
        References="<first@initech.example>",
    )
    results = ingest_many([(first, "batch"), (follow_up, "batch")], now=NOW)
    assert [r.outcome for r in results] == [Outcome.CREATED, Outcome.APPENDED]
    assert results[1].ticket == results[0].ticket


def test_an_id_we_never_placed_threads_nothing(tenants: Tenants) -> None:
    result = ingest_raw(mail(In_Reply_To="<guessed@initech.example>"), "test", now=NOW)
    assert result.outcome == Outcome.CREATED
