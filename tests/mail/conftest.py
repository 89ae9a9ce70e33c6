"""Fixtures for the mail transports: a real Dovecot, a mailbox to fill, a store to ingest into."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator
from email.parser import BytesHeaderParser
from pathlib import Path

import pytest
from imap_tools import MailBoxUnencrypted

from supportdesk.mail.imap import MailboxConfig
from tests.mail.dovecot import DOVECOT, Dovecot


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    """One private Dovecot for the whole session (it starts in about 0.1 s)."""
    if not DOVECOT.exists():
        pytest.skip(f"{DOVECOT} is missing: apt-get install dovecot-imapd (.ci/run does)")
    server = Dovecot()
    server.start()
    try:
        yield server
    finally:
        server.stop()


_folders = itertools.count(1)


class Mailbox:
    """The test's own IMAP connection: it appends mail and reads flags back."""

    def __init__(self, server: Dovecot, folder: str) -> None:
        self.server = server
        self.folder = folder

    def _open(self) -> MailBoxUnencrypted:
        box = MailBoxUnencrypted(self.server.host, self.server.port, timeout=10)
        return box.login(self.server.user, self.server.password, initial_folder=None)

    def append(self, raw: bytes, folder: str | None = None) -> int:
        with self._open() as box:
            _, data = box.append(raw, folder or self.folder)
        # [APPENDUID <uidvalidity> <uid>] Append completed.
        return int(data[0].split()[2].rstrip(b"]"))

    def flags(self, folder: str | None = None) -> dict[int, set[str]]:
        with self._open() as box:
            box.folder.set(folder or self.folder, readonly=True)
            # \Recent says which session saw the message first, not what we did.
            return {
                int(msg.uid or 0): set(msg.flags) - {"\\Recent"}
                for msg in box.fetch(mark_seen=False, headers_only=True)
            }

    def exists(self, folder: str) -> bool:
        with self._open() as box:
            return box.folder.exists(folder)

    def config(self, **overrides: object) -> MailboxConfig:
        settings: dict[str, object] = {
            "host": self.server.host,
            "port": self.server.port,
            "ssl": False,
            "username": self.server.user,
            "password": self.server.password,
            "folder": self.folder,
            "timeout_seconds": 10.0,
        }
        settings.update(overrides)
        return MailboxConfig(**settings)  # type: ignore[arg-type]


@pytest.fixture
def mailbox(dovecot: Dovecot) -> Mailbox:
    """A fresh, empty folder per test, so tests sharing the server do not meet."""
    box = Mailbox(dovecot, f"Test{next(_folders)}")
    with box._open() as client:
        client.folder.create(box.folder)
    return box


class SqliteStore:
    """An idempotent ingest, like the real one: a commit per message, keyed by Message-ID.

    A file, not memory, so a process killed mid-poll leaves its commits behind.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.calls = 0
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE IF NOT EXISTS mail (message_id TEXT PRIMARY KEY, raw BLOB)")

    def __call__(self, raw: bytes, source: str) -> None:
        self.calls += 1
        message_id = BytesHeaderParser().parsebytes(raw)["Message-ID"]
        with sqlite3.connect(self.path) as db:
            db.execute("INSERT OR IGNORE INTO mail VALUES (?, ?)", (message_id, raw))

    def rows(self) -> list[tuple[str, bytes]]:
        with sqlite3.connect(self.path) as db:
            return db.execute("SELECT message_id, raw FROM mail ORDER BY message_id").fetchall()


def make_mail(n: int, *, subject: str = "Printer on fire") -> bytes:
    """A message whose bytes a parse-and-reserialise round trip would change."""
    return (
        f"From: Ada <ada@customer.example>\r\n"
        f"To: support@desk.example\r\n"
        f"Subject: {subject} #{n}\r\n"
        f"Message-ID: <mail-{n}@customer.example>\r\n"
        f"X-Folded: a header folded\r\n"
        f"\tover two lines\r\n"
        f"MIME-Version: 1.0\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n"
        f"Content-Transfer-Encoding: 8bit\r\n"
        f"\r\n"
        f"Hello,   trailing spaces   \r\n"
        f".a line starting with a dot\r\n"
        f"Grüße, Ada\r\n"
    ).encode()
