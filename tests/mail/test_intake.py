"""The transports with the real ingestion behind them: SMTP on loopback,
IMAP against Dovecot, and what happens when the database is away or the
process dies between the commit and the IMAP flag."""

from __future__ import annotations

import os
import smtplib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.test import override_settings

from supportdesk.mail import service
from supportdesk.mail.imap import poll_mailbox
from supportdesk.mail.ingest import ingest_raw
from supportdesk.mail.models import InboundMail, OutboundMail, Outcome
from supportdesk.mail.smtp import start_receiver, stop_receiver
from supportdesk.tickets.models import Message, Ticket
from tests.mail.conftest import Mailbox
from tests.tenants import build_tenants

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def customer_mail(message_id: str, subject: str, body: str, **headers: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Ivan Initech <ivan@initech.example>"
    msg["To"] = "support@desk.example"
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[None]:
    with override_settings(
        SUPPORTDESK_MAIL_ADDRESS="support@desk.example", SUPPORTDESK_ATTACHMENTS_DIR=tmp_path
    ):
        yield


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("desk")
def test_mail_sent_by_smtp_becomes_a_ticket_and_its_reply_threads() -> None:
    build_tenants()
    port = free_port()
    receiver = start_receiver(service.ingest, "127.0.0.1", port)
    try:
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            smtp.send_message(
                customer_mail("<s1@initech.example>", "FS01 backup fails", "VSS error again.")
            )
        ticket = Ticket.objects.get()
        ack = OutboundMail.objects.get(ticket=ticket)
        assert ack.state == OutboundMail.State.SENT  # delivered once committed
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            smtp.send_message(
                customer_mail(
                    "<s2@initech.example>",
                    "Re: FS01 backup fails",
                    "The writer is stable now.",
                    In_Reply_To=f"<{ack.message_id}>",
                )
            )
    finally:
        stop_receiver(receiver)
    assert Ticket.objects.count() == 1
    assert [m.body for m in Message.objects.filter(ticket=ticket).order_by("pk")] == [
        "VSS error again.",
        "The writer is stable now.",
    ]


def test_the_receiver_answers_451_while_the_database_is_away(tmp_path: Path) -> None:
    """The sending server keeps the mail and retries; nothing is lost."""
    port = free_port()
    env = {
        **os.environ,
        # The embedded default's database file, in a folder that is not there.
        "DATABASE_URL": f"sqlite:///{tmp_path}/missing/supportdesk.sqlite3",
        "SMTP_RECEIVER": f"127.0.0.1:{port}",
        "MAIL_IMAP_URLS": "",
        "DJANGO_SETTINGS_MODULE": "supportdesk.settings",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "supportdesk.cli", "receive-mail"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                smtp = smtplib.SMTP("127.0.0.1", port, timeout=10)
                break
            except OSError:
                assert time.monotonic() < deadline, "the receiver did not start"
                time.sleep(0.1)
        with smtp, pytest.raises(smtplib.SMTPDataError) as refused:
            smtp.send_message(customer_mail("<d1@initech.example>", "Hello", "Anyone?"))
        assert refused.value.smtp_code == 451
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.mark.django_db
@pytest.mark.usefixtures("desk")
def test_a_polled_mailbox_becomes_tickets_and_is_marked_only_after_commit(
    mailbox: Mailbox,
) -> None:
    build_tenants()
    uid = mailbox.append(
        customer_mail("<i1@initech.example>", "Restore stops at 62%", "Restore job stalls.")
        .as_bytes()
        .replace(b"\n", b"\r\n")
    )

    def crash(_: int) -> None:
        # The process dies after the commit, before the IMAP flag.
        raise SystemExit("killed")

    with pytest.raises(SystemExit):
        poll_mailbox(mailbox.config(), ingest_raw, after_ingest=crash)
    assert "\\Seen" not in mailbox.flags()[uid]
    assert Ticket.objects.count() == 1

    result = poll_mailbox(mailbox.config(), ingest_raw)
    assert result.ok
    assert "\\Seen" in mailbox.flags()[uid]
    # Delivered twice, imported once.
    assert Ticket.objects.count() == 1
    assert Message.objects.count() == 1
    outcomes = sorted(InboundMail.objects.values_list("outcome", flat=True))
    assert outcomes == [Outcome.CREATED, Outcome.DUPLICATE]
