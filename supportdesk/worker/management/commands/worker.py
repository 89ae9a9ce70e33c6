"""`supportdesk worker`: runs the work changes queue (mail delivery, webhook
deliveries) and the sweep of what the clock makes due (SLA alarms,
tickets/clock.py; webhook retries) until interrupted. `supportdesk serve`
runs one beside the web processes unless WORKER=off; any number may run."""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connection
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend

from supportdesk.lib.env import env_int
from supportdesk.lib.settle import settle
from supportdesk.mail.outbound import redeliver_stranded
from supportdesk.tickets import clock
from supportdesk.webhooks.send import retry_due

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run queued work (mail delivery) and the SLA sweep until interrupted."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds between looks at an empty queue"
        )
        parser.add_argument(
            "--sweep-interval",
            type=float,
            default=float(env_int("SLA_SWEEP_SECONDS", 15)),
            help="seconds between SLA sweeps (SLA_SWEEP_SECONDS)",
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="one sweep, then the queue until it is empty, then stop (for scripts)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stranded = redeliver_stranded()
        if stranded:
            self.stderr.write(f"{stranded} outbox mail left queued: delivery queued again")
        clock.backfill(timezone.now())
        settle()
        stop = threading.Event()
        # TASKS_BACKEND=immediate: work runs where it is asked for, so nothing
        # is queued; the sweep is all there is to do.
        queued = isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend)
        if options["batch"]:
            _sweep()
        elif not queued:
            _sweep_every(options["sweep_interval"], stop)
        else:
            threading.Thread(
                target=_sweep_every,
                args=(options["sweep_interval"], stop),
                name="sla-sweep",
                daemon=True,
            ).start()
        if not queued:
            return
        try:
            call_command(
                "db_worker",
                interval=options["interval"],
                batch=options["batch"],
                startup_delay=not options["batch"],
            )
        finally:
            stop.set()


def _sweep() -> None:
    """What is due by the clock rather than by a change: SLA alarms,
    escalation updates not given, and webhook deliveries whose backoff has
    run out."""
    now = timezone.now()
    clock.sweep(now)
    clock.sweep_escalations(now)
    retry_due(now)


def _sweep_every(seconds: float, stop: threading.Event) -> None:
    """The sweep on its own thread (and database connection), so a long task
    never delays an alarm; an alarm is recorded at its own instant whenever
    the sweep comes."""
    while not stop.is_set():
        try:
            _sweep()
        except Exception:
            log.exception("sweep failed; trying again in %s s", seconds)
        finally:
            close_old_connections()
        stop.wait(seconds)
    connection.close()
