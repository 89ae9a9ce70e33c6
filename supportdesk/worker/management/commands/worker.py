"""`supportdesk worker`: runs the work queued by changes (mail delivery now;
the SLA clock and notifications as they come) until interrupted.
`supportdesk serve` runs one beside the web processes unless WORKER=off."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from supportdesk.mail.outbound import redeliver_stranded


class Command(BaseCommand):
    help = "Run queued work (mail delivery) until interrupted."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds between looks at an empty queue"
        )
        parser.add_argument(
            "--batch", action="store_true", help="stop once the queue is empty (for scripts)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stranded = redeliver_stranded()
        if stranded:
            self.stderr.write(f"{stranded} outbox mail left queued: delivery queued again")
        call_command(
            "db_worker",
            interval=options["interval"],
            batch=options["batch"],
            startup_delay=not options["batch"],
        )
