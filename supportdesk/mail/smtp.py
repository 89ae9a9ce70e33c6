"""Receive mail over SMTP and hand each message to `ingest`.

The 250 reply is the moment the sender forgets the message, so it is sent
only after `ingest` has returned (committed). If ingest raises, the answer is
451: a temporary failure, and the sending MTA keeps the mail and retries.

This module knows nothing of Django; the caller passes `ingest`.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable, Iterable

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

log = logging.getLogger(__name__)

# Raw RFC 5322 bytes and a source label; returning means committed.
Ingest = Callable[[bytes, str], object]

# RFC 5321 §4.5.3.1.8: a server must accept at least 100 recipients.
MAX_RECIPIENTS = 100
DATA_SIZE_LIMIT = 25 * 1024 * 1024


class IngestHandler:
    """aiosmtpd handler: one accepted message, one `ingest` call."""

    def __init__(
        self,
        ingest: Ingest,
        *,
        accept_domains: Iterable[str] = (),
        max_recipients: int = MAX_RECIPIENTS,
    ) -> None:
        self.ingest = ingest
        self.accept_domains = frozenset(d.lower().rstrip(".") for d in accept_domains)
        self.max_recipients = max_recipients

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if len(envelope.rcpt_tos) >= self.max_recipients:
            # 452, not 552: the sender delivers the rest in another transaction.
            return "452 4.5.3 Too many recipients"
        domain = address.rpartition("@")[2].lower().rstrip(".")
        if self.accept_domains and domain not in self.accept_domains:
            return "550 5.7.1 Relaying denied: this server does not accept mail for that domain"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content
        if not isinstance(raw, bytes):
            # Only with decode_data=True, which start_receiver never sets.
            raise TypeError("IngestHandler needs aiosmtpd's decode_data=False")
        peer = session.peer[0] if isinstance(session.peer, tuple) else str(session.peer)
        try:
            # Ingest is synchronous (Django ORM); run it off the event loop so
            # one slow commit does not stall every other connection.
            await asyncio.to_thread(self.ingest, raw, f"smtp:{peer}")
        except Exception:
            log.exception("ingest failed for a message from %s; answered 451", peer)
            return "451 4.3.0 Temporary failure storing the message, please retry later"
        return "250 2.0.0 Message accepted"


def start_receiver(
    ingest: Ingest,
    host: str = "127.0.0.1",
    port: int = 2525,
    *,
    accept_domains: Iterable[str] = (),
    max_recipients: int = MAX_RECIPIENTS,
    data_size_limit: int = DATA_SIZE_LIMIT,
    server_hostname: str | None = None,
) -> Controller:
    """Start an SMTP server in a background thread and return its controller.

    Messages over `data_size_limit` bytes are refused by aiosmtpd with 552,
    at MAIL FROM when the client declares SIZE, else at the end of DATA.
    """
    handler = IngestHandler(ingest, accept_domains=accept_domains, max_recipients=max_recipients)
    controller = Controller(
        handler,
        hostname=host,
        port=port,
        # aiosmtpd's default asks DNS for our FQDN (getfqdn), which can hang
        # for seconds on a host without a resolver.
        server_hostname=server_hostname or socket.gethostname(),
        data_size_limit=data_size_limit,
        decode_data=False,
    )
    controller.start()
    return controller


def stop_receiver(controller: Controller) -> None:
    controller.stop()
