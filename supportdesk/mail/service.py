"""Mail intake as a running service: the SMTP receiver and the IMAP pollers,
both handing each mail to `ingest_raw` from their own threads."""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import close_old_connections

from supportdesk.mail.imap import MailboxConfig, run_poller
from supportdesk.mail.ingest import ingest_raw

log = logging.getLogger(__name__)


def ingest(raw: bytes, source: str) -> object:
    """`ingest_raw` for a transport's thread: each mail gets a sound
    connection (a database restart between mails is survived), and one that
    fails raises, so SMTP answers 451 and IMAP leaves the mail to retry."""
    close_old_connections()
    try:
        return ingest_raw(raw, source)
    finally:
        close_old_connections()


def smtp_address() -> tuple[str, int] | None:
    value = str(settings.SUPPORTDESK_SMTP_RECEIVER).strip()
    if value.lower() in ("", "off", "false", "no"):
        return None
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"SMTP_RECEIVER={value!r}: expected HOST:PORT or off")
    return host.strip("[]"), int(port)


def mailboxes() -> list[MailboxConfig]:
    return [MailboxConfig.from_url(url) for url in settings.SUPPORTDESK_MAIL_IMAP]


def run(stop: threading.Event) -> None:
    """Receive and poll until `stop` is set."""
    from supportdesk.mail.smtp import start_receiver, stop_receiver

    address = smtp_address()
    configs = mailboxes()
    controller = None
    if address is not None:
        controller = start_receiver(ingest, address[0], address[1])
        log.info("receiving mail by SMTP on %s:%d", *address)
    poller = None
    if configs:
        poller = threading.Thread(
            target=run_poller,
            args=(configs, ingest, settings.SUPPORTDESK_MAIL_IMAP_INTERVAL, stop),
            name="imap-poller",
            daemon=True,
        )
        poller.start()
        log.info("polling %s", ", ".join(c.source for c in configs))
    try:
        stop.wait()
    finally:
        if controller is not None:
            stop_receiver(controller)
        if poller is not None:
            poller.join(timeout=30)
