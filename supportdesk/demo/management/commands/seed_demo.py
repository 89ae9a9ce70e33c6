from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from supportdesk.demo.build import DEFAULT_SEED, DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = (
        "Create the demo vendor, partners, companies, people, products, devices, saved "
        "replies and about 200 tickets with their histories. Idempotent: what exists is "
        "left alone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now",
            help="the demo's present, ISO 8601 with a UTC offset (default: this minute)",
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="random seed for the ticket stories"
        )
        parser.add_argument(
            "--without-tickets",
            action="store_true",
            help="only organizations, people, products, devices and saved replies",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = None
        if options["now"]:
            try:
                now = datetime.fromisoformat(options["now"])
            except ValueError:
                raise CommandError(f"--now {options['now']!r}: expected ISO 8601") from None
            if now.tzinfo is None:
                raise CommandError("--now needs a UTC offset, e.g. 2026-11-26T12:00:00+00:00")
        report = seed_demo(now=now, seed=options["seed"], tickets=not options["without_tickets"])
        totals = ", ".join(f"{n:,} {what}" for what, n in report.totals.items())
        if report.changed:
            made = ", ".join(f"{n:,} {what}" for what, n in report.created.items() if n)
            self.stdout.write(f"Created {made} in {report.seconds:.1f} s.")
        else:
            self.stdout.write("Nothing changed: the demo data is already there.")
        self.stdout.write(f"The desk now has {totals}.")
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        width = max(len(email) for email, _, _ in report.logins)
        for email, role, organization in report.logins:
            self.stdout.write(f"  {email:<{width}}  {role:<20}  {organization}")
