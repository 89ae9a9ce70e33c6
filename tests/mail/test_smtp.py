"""The SMTP receiver on a loopback port, driven by smtplib as a sending MTA would."""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Iterator

import pytest

from supportdesk.mail.smtp import start_receiver, stop_receiver
from tests.mail.conftest import make_mail
from tests.mail.dovecot import free_port

Receiver = Callable[..., smtplib.SMTP]


class Recorder:
    def __init__(self) -> None:
        self.mails: list[tuple[bytes, str]] = []

    def __call__(self, raw: bytes, source: str) -> None:
        self.mails.append((raw, source))


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """Start a receiver with the given ingest and options; yields an SMTP client to it."""
    started = []
    clients = []

    def start(ingest: Callable[[bytes, str], object], **options: object) -> smtplib.SMTP:
        port = free_port()
        started.append(start_receiver(ingest, "127.0.0.1", port, **options))  # type: ignore[arg-type]
        client = smtplib.SMTP("127.0.0.1", port, local_hostname="mta.customer.example", timeout=10)
        clients.append(client)
        return client

    yield start
    for client in clients:
        client.close()
    for controller in started:
        stop_receiver(controller)


def test_it_ingests_the_exact_bytes_then_answers_250(receiver: Receiver) -> None:
    got = Recorder()
    smtp = receiver(got)
    smtp.ehlo()
    smtp.mail("ada@customer.example")
    smtp.rcpt("support@desk.example")

    code, text = smtp.data(make_mail(1))

    assert (code, text) == (250, b"2.0.0 Message accepted")
    # smtplib dot-stuffed the ".a line"; the receiver undid it.
    assert got.mails == [(make_mail(1), "smtp:127.0.0.1")]


def test_it_answers_451_when_ingest_fails_so_the_sender_retries(receiver: Receiver) -> None:
    def database_down(raw: bytes, source: str) -> None:
        raise RuntimeError("database is down")

    smtp = receiver(database_down)

    with pytest.raises(smtplib.SMTPDataError) as refused:
        smtp.sendmail("ada@customer.example", ["support@desk.example"], make_mail(1))

    assert refused.value.smtp_code == 451
    assert refused.value.smtp_error.startswith(b"4.3.0 ")


def test_it_takes_100_recipients_and_defers_the_rest(receiver: Receiver) -> None:
    got = Recorder()
    smtp = receiver(got)
    recipients = [f"agent{n}@desk.example" for n in range(102)]

    refused = smtp.sendmail("ada@customer.example", recipients, make_mail(1))

    assert refused == dict.fromkeys(recipients[100:], (452, b"4.5.3 Too many recipients"))
    assert len(got.mails) == 1


def test_it_refuses_an_oversized_message_with_552(receiver: Receiver) -> None:
    got = Recorder()
    smtp = receiver(got, data_size_limit=1000)
    big = make_mail(1) + (b"x" * 70 + b"\r\n") * 30  # short lines: long ones get 500

    # smtplib declares SIZE, so the refusal comes at MAIL FROM...
    with pytest.raises(smtplib.SMTPSenderRefused) as refused:
        smtp.sendmail("ada@customer.example", ["support@desk.example"], big)
    assert refused.value.smtp_code == 552

    # ...and a sender that does not declare it is stopped at the end of DATA.
    smtp.rset()
    smtp.mail("ada@customer.example")
    smtp.rcpt("support@desk.example")
    code, _ = smtp.data(big)

    assert code == 552
    assert got.mails == []


def test_it_refuses_domains_it_does_not_serve(receiver: Receiver) -> None:
    got = Recorder()
    smtp = receiver(got, accept_domains=("desk.example",))

    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        smtp.sendmail("ada@customer.example", ["victim@elsewhere.example"], make_mail(1))
    [(code, _)] = refused.value.recipients.values()
    assert code == 550

    assert smtp.sendmail("ada@customer.example", ["Support@DESK.example"], make_mail(2)) == {}
    assert [raw for raw, _ in got.mails] == [make_mail(2)]
