"""`supportdesk ingest-mail FILE…`: RFC 5322 files into tickets, one JSON
line per file with its outcome.

Files go in batches of BATCH, one transaction (one commit) each; a line is
printed once its batch has committed. Re-running on the same files is safe:
what was stored before answers `duplicate`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from supportdesk.lib.settle import settle
from supportdesk.mail.ingest import ingest_many

BATCH = 100


class Command(BaseCommand):
    help = "Ingest mail files (RFC 5322; '-' reads standard input); prints one JSON line each."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        names: list[str] = options["files"]
        failed = 0
        settle()
        for start in range(0, len(names), BATCH):
            lines: list[dict[str, Any] | None] = []
            mails: list[tuple[bytes, str]] = []
            for name in names[start : start + BATCH]:
                try:
                    raw = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
                except OSError as exc:
                    failed += 1
                    lines.append({"file": name, "outcome": "error", "reason": str(exc)})
                else:
                    lines.append(None)
                    mails.append((raw, f"file:{name}"[:300]))
            results = iter(ingest_many(mails))
            for name, line in zip(names[start : start + BATCH], lines, strict=True):
                out = line if line is not None else {"file": name, **next(results).as_json()}
                self.stdout.write(json.dumps(out, ensure_ascii=False))
        if failed:
            raise SystemExit(1)
