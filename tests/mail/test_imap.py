"""IMAP polling against a real Dovecot: login, exact bytes, and at-least-once delivery."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import quote

import pytest

from supportdesk.mail.imap import MailboxConfig, poll_mailbox, run_poller
from tests.mail.conftest import Mailbox, SqliteStore, make_mail
from tests.mail.dovecot import Dovecot, free_port

SEEN = "\\Seen"


class Recorder:
    """Ingest that keeps what it was given."""

    def __init__(self) -> None:
        self.mails: list[tuple[bytes, str]] = []

    def __call__(self, raw: bytes, source: str) -> None:
        self.mails.append((raw, source))


def test_it_ingests_exact_bytes_with_password_login(mailbox: Mailbox, dovecot: Dovecot) -> None:
    sent = [make_mail(1), make_mail(2)]
    uids = [mailbox.append(raw) for raw in sent]
    got = Recorder()

    result = poll_mailbox(mailbox.config(), got)

    assert result.ok, result.errors
    assert (result.fetched, result.ingested, result.failed) == (2, 2, 0)
    assert got.mails == [(raw, f"imap:{dovecot.user}/{mailbox.folder}") for raw in sent]
    assert mailbox.flags() == {uid: {SEEN} for uid in uids}
    assert poll_mailbox(mailbox.config(), got).fetched == 0


def test_it_ingests_with_xoauth2_login(mailbox: Mailbox, dovecot: Dovecot) -> None:
    mailbox.append(make_mail(1))
    got = Recorder()
    assert dovecot.introspection is not None
    asked = len(dovecot.introspection.requests)

    result = poll_mailbox(mailbox.config(auth="xoauth2", password=dovecot.token), got)

    assert result.ok, result.errors
    assert [raw for raw, _ in got.mails] == [make_mail(1)]
    # Dovecot really asked the token's owner, rather than taking our word for it.
    assert dovecot.introspection.requests[asked:] == [dovecot.token]


@pytest.mark.parametrize(
    ("auth", "secret"), [("password", "wrong password"), ("xoauth2", "expired-token")]
)
def test_it_reports_a_refused_login_and_touches_nothing(
    mailbox: Mailbox, auth: str, secret: str
) -> None:
    uid = mailbox.append(make_mail(1))
    got = Recorder()

    result = poll_mailbox(mailbox.config(auth=auth, password=secret), got)

    assert not result.ok
    [error] = result.errors
    assert error.startswith("login failed for support@desk.example on 127.0.0.1:")
    assert f"({auth})" in error
    assert "AUTHENTICATIONFAILED" in error
    assert secret not in error
    assert got.mails == []
    assert mailbox.flags() == {uid: set()}


def test_it_marks_seen_only_after_ingest_returned(mailbox: Mailbox) -> None:
    uid = mailbox.append(make_mail(1))
    flags_during_ingest: list[set[str]] = []

    def ingest(raw: bytes, source: str) -> None:
        flags_during_ingest.append(mailbox.flags()[uid])

    assert poll_mailbox(mailbox.config(), ingest).ok

    # Fetching with BODY.PEEK[] did not set \Seen behind our back.
    assert flags_during_ingest == [set()]
    assert mailbox.flags() == {uid: {SEEN}}


def test_it_moves_to_processed_creating_the_folder(mailbox: Mailbox, dovecot: Dovecot) -> None:
    mailbox.append(make_mail(1))
    mailbox.append(make_mail(2))
    secret = quote(dovecot.password, safe="")
    config = MailboxConfig.from_url(
        f"imap://{dovecot.user}:{secret}@{dovecot.host}:{dovecot.port}"
        f"/{mailbox.folder}?processed=move&move_to=Processed"
    )
    assert not mailbox.exists("Processed")
    got = Recorder()

    result = poll_mailbox(config, got)

    assert result.ok, result.errors
    assert result.ingested == 2
    assert mailbox.flags() == {}
    assert len(mailbox.flags("Processed")) == 2
    assert poll_mailbox(config, got).fetched == 0


def test_it_leaves_a_failed_mail_for_the_next_poll(mailbox: Mailbox) -> None:
    broken, fine = mailbox.append(make_mail(1)), mailbox.append(make_mail(2))
    got = Recorder()

    def database_down_for_the_first(raw: bytes, source: str) -> None:
        if b"<mail-1@" in raw:
            raise RuntimeError("database is down")
        got(raw, source)

    first = poll_mailbox(mailbox.config(), database_down_for_the_first)

    assert (first.fetched, first.ingested, first.failed) == (2, 1, 1)
    assert first.errors == [f"UID {broken}: ingest failed: database is down"]
    assert mailbox.flags() == {broken: set(), fine: {SEEN}}

    second = poll_mailbox(mailbox.config(), got)

    assert (second.fetched, second.ingested) == (1, 1)
    assert [raw for raw, _ in got.mails] == [make_mail(2), make_mail(1)]
    assert mailbox.flags() == {broken: {SEEN}, fine: {SEEN}}


# The poller in a child process that dies (os._exit: no finally, no logout)
# right after ingest committed and before the message is flagged.
_DIE_AFTER_COMMIT = """
import json, os, sys
from supportdesk.mail.imap import MailboxConfig, poll_mailbox
from tests.mail.conftest import SqliteStore
settings = json.loads(sys.argv[1])
store = SqliteStore(__import__("pathlib").Path(settings.pop("store")))
poll_mailbox(MailboxConfig(**settings), store, after_ingest=lambda uid: os._exit(9))
"""


def test_a_crash_between_commit_and_flag_delivers_again_and_stores_once(
    mailbox: Mailbox, tmp_path: Path
) -> None:
    uid = mailbox.append(make_mail(1))
    config = mailbox.config()
    store = SqliteStore(tmp_path / "desk.sqlite3")
    settings = {
        "host": config.host,
        "port": config.port,
        "ssl": False,
        "username": config.username,
        "password": config.password,
        "folder": config.folder,
        "store": str(store.path),
    }

    child = subprocess.run(
        [sys.executable, "-c", _DIE_AFTER_COMMIT, json.dumps(settings)],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        timeout=30,
        check=False,
    )

    assert child.returncode == 9, child.stderr.decode()
    assert store.rows() == [("<mail-1@customer.example>", make_mail(1))]
    assert mailbox.flags() == {uid: set()}

    restarted = poll_mailbox(config, store)

    assert (restarted.fetched, restarted.ingested) == (1, 1)
    assert store.calls == 1
    assert store.rows() == [("<mail-1@customer.example>", make_mail(1))]
    assert mailbox.flags() == {uid: {SEEN}}


def test_it_takes_one_batch_per_poll(mailbox: Mailbox) -> None:
    for n in range(3):
        mailbox.append(make_mail(n))
    got = Recorder()

    first = poll_mailbox(mailbox.config(batch_size=2), got)
    limited = poll_mailbox(mailbox.config(batch_size=2), got, limit=0)
    last = poll_mailbox(mailbox.config(batch_size=2), got)

    assert (first.ingested, first.remaining) == (2, 1)
    assert (limited.fetched, limited.remaining) == (0, 1)
    assert (last.ingested, last.remaining) == (1, 0)
    assert [raw for raw, _ in got.mails] == [make_mail(n) for n in range(3)]


def test_it_reports_a_missing_folder(mailbox: Mailbox) -> None:
    result = poll_mailbox(mailbox.config(folder="Nowhere"), Recorder())

    [error] = result.errors
    assert error.startswith(
        "cannot open folder 'Nowhere' of support@desk.example: Mailbox doesn't exist: Nowhere"
    )


def test_it_reports_a_server_that_is_not_there(mailbox: Mailbox) -> None:
    port = free_port()

    result = poll_mailbox(mailbox.config(port=port), Recorder())

    [error] = result.errors
    assert error.startswith(f"cannot connect to 127.0.0.1:{port}: ConnectionRefusedError")


def test_the_poller_runs_until_stopped(mailbox: Mailbox) -> None:
    stop = threading.Event()
    mails: list[bytes] = []

    def ingest(raw: bytes, source: str) -> None:
        mails.append(raw)
        if len(mails) == 2:
            stop.set()

    mailbox.append(make_mail(1))
    mailbox.append(make_mail(2))
    wrong = mailbox.config(password="wrong")  # logged and skipped, not fatal
    poller = threading.Thread(
        target=run_poller, args=([wrong, mailbox.config(batch_size=1)], ingest, 30.0, stop)
    )
    poller.start()
    poller.join(timeout=20)

    assert not poller.is_alive()
    # The second mail came without waiting 30 s: a full batch polls again at once.
    assert mails == [make_mail(1), make_mail(2)]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "imap://support%40desk.example:s%3Acr%2Fet@mail.example/INBOX"
            "?processed=move&move_to=Done",
            {
                "host": "mail.example",
                "port": 143,
                "ssl": False,
                "username": "support@desk.example",
                "password": "s:cr/et",
                "folder": "INBOX",
                "processed": "move",
                "move_to": "Done",
            },
        ),
        (
            "imaps://support@desk.example:pw@mail.example",
            {"port": 993, "ssl": True, "folder": "INBOX", "auth": "password", "processed": "flag"},
        ),
        (
            "imaps+xoauth2://support@desk.example:ya29.tok@outlook.office365.com/Support%20Desk"
            "?batch_size=10&timeout=5",
            {"auth": "xoauth2", "folder": "Support Desk", "batch_size": 10, "timeout_seconds": 5},
        ),
        (
            "imap+xoauth2://u:t@127.0.0.1:1143/?starttls=yes",
            {"port": 1143, "ssl": False, "starttls": True, "auth": "xoauth2"},
        ),
    ],
)
def test_from_url_reads(url: str, expected: dict[str, object]) -> None:
    config = MailboxConfig.from_url(url)

    assert {key: getattr(config, key) for key in expected} == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("pop3://u:p@host/", "scheme 'pop3' is not supported"),
        ("imap://u:p@/", "has no host"),
        ("imap://host/", "has no user name"),
        ("imap://u@host/", "has no password"),
        ("imap+xoauth2://u@host/", "has no access token"),
        ("imap://u:p@host:99999/", "invalid port"),
        ("imap://u:p@host/?procesed=move", "unknown mailbox URL option 'procesed'"),
        ("imap://u:p@host/?processed=delete", "processed must be 'flag' or 'move'"),
        ("imaps://u:p@host/?starttls=yes", "starttls=yes needs imap://"),
        ("imap://u:p@host/?batch_size=lots", "batch_size must be a number"),
        ("imap://u:p@host/?batch_size=0", "batch_size must be at least 1"),
        ("imap://u:p@host/INBOX?processed=move&move_to=INBOX", "move_to must differ"),
    ],
)
def test_from_url_explains_what_is_wrong(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MailboxConfig.from_url(url)


def test_the_secret_stays_out_of_repr() -> None:
    config = MailboxConfig.from_url("imaps://u:hunter2@host/")

    assert "hunter2" not in repr(config)
