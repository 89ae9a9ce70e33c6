from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from supportdesk.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "Print a new API token for a user (shown once; only its hash is kept)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="the user's email address")
        parser.add_argument("--name", default="", help="what the token is for")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {options['user']!r}")
        _, token = ApiToken.issue(user, options["name"])
        self.stdout.write(token)
