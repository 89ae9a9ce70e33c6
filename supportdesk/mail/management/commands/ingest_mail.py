"""`supportdesk ingest-mail FILE…`: RFC 5322 files into tickets, one JSON
line per file with its outcome."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from supportdesk.mail.ingest import ingest_raw


class Command(BaseCommand):
    help = "Ingest mail files (RFC 5322; '-' reads standard input); prints one JSON line each."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        failed = 0
        for name in options["files"]:
            try:
                raw = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
            except OSError as exc:
                failed += 1
                line: dict[str, Any] = {"file": name, "outcome": "error", "reason": str(exc)}
            else:
                result = ingest_raw(raw, f"file:{name}"[:300])
                line = {"file": name, **result.as_json()}
            self.stdout.write(json.dumps(line, ensure_ascii=False))
        if failed:
            raise SystemExit(1)
