"""`supportdesk receive-mail`: the SMTP receiver (SMTP_RECEIVER) and the IMAP
pollers (MAIL_IMAP_URLS) until interrupted; `supportdesk serve` runs it."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand

from supportdesk.lib.settle import settle
from supportdesk.mail import service


class Command(BaseCommand):
    help = "Receive mail by SMTP and poll IMAP mailboxes until interrupted."
    # The checks read the database; the receiver must start (and answer 451)
    # while the database is away.
    requires_system_checks: list[str] = []  # noqa: RUF012 - Django's own attribute

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        if service.smtp_address() is None and not service.mailboxes():
            self.stderr.write("no SMTP_RECEIVER and no MAIL_IMAP_URLS: nothing to receive")
            return
        settle()
        service.run(stop)
