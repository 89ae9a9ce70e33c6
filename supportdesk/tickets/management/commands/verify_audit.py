from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from supportdesk.tickets.audit import verify_ticket_chains


class Command(BaseCommand):
    help = (
        "Check every ticket's event hash chain; exits 1 naming each ticket that was tampered with."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--ticket", type=int, help="check only this ticket id")

    def handle(self, *args: Any, **options: Any) -> None:
        checked, problems = verify_ticket_chains(options.get("ticket"))
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} problem(s) in {checked} ticket(s)", returncode=1)
        self.stdout.write(f"ok: {checked} ticket(s), every event chain intact")
