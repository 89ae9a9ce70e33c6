"""Fetch mail from IMAP mailboxes and hand each message to `ingest`.

Delivery is at least once: a message is marked processed (flagged \\Seen or
moved) only after `ingest` has returned, which means its row is committed.
A crash between the two leaves the message pending, the next poll hands it
over again, and ingest recognises the duplicate. The opposite order would
lose mail on a crash, which is worse than a duplicate we can detect.

This module knows nothing of Django; the caller passes `ingest`.
"""

from __future__ import annotations

import imaplib
import logging
import ssl
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qsl, unquote, urlsplit

from imap_tools import BaseMailBox, MailBox, MailBoxStartTls, MailBoxUnencrypted
from imap_tools.errors import ImapToolsError
from imap_tools.utils import encode_folder

log = logging.getLogger(__name__)

# Raw RFC 5322 bytes and a source label; returning means committed.
Ingest = Callable[[bytes, str], object]

Auth = Literal["password", "xoauth2"]
Processed = Literal["flag", "move"]

# Everything that means "the server or the network let us down", as opposed
# to a bug in our code: stop this poll and report it.
_MAILBOX_ERRORS = (ImapToolsError, imaplib.IMAP4.error, OSError, EOFError)

_SCHEMES: dict[str, tuple[bool, Auth]] = {
    "imap": (False, "password"),
    "imaps": (True, "password"),
    "imap+xoauth2": (False, "xoauth2"),
    "imaps+xoauth2": (True, "xoauth2"),
}
_URL_OPTIONS = ("processed", "move_to", "starttls", "batch_size", "timeout")


class MailboxError(Exception):
    """The mailbox could not be used: login refused, folder missing, connection lost."""


@dataclass(frozen=True, kw_only=True)
class MailboxConfig:
    host: str
    username: str
    # The OAuth2 access token when auth is "xoauth2". Kept out of repr so a
    # logged config does not leak it.
    password: str = field(repr=False)
    port: int = 993
    ssl: bool = True
    starttls: bool = False
    folder: str = "INBOX"
    auth: Auth = "password"
    processed: Processed = "flag"
    move_to: str = "Processed"
    # At most this many messages per poll, so one full mailbox does not hold
    # up the others; the rest wait for the next poll.
    batch_size: int = 50
    timeout_seconds: float = 60.0

    def __post_init__(self) -> None:
        if self.auth not in ("password", "xoauth2"):
            raise ValueError(f"auth must be 'password' or 'xoauth2', not {self.auth!r}")
        if self.processed not in ("flag", "move"):
            raise ValueError(f"processed must be 'flag' or 'move', not {self.processed!r}")
        if self.ssl and self.starttls:
            raise ValueError("choose ssl (imaps) or starttls, not both")
        if self.processed == "move" and self.move_to == self.folder:
            raise ValueError(f"move_to must differ from the polled folder {self.folder!r}")
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {self.batch_size}")
        if self.timeout_seconds <= 0:
            raise ValueError(f"timeout must be positive, not {self.timeout_seconds}")

    @property
    def source(self) -> str:
        return f"imap:{self.username}/{self.folder}"

    @classmethod
    def from_url(cls, url: str) -> MailboxConfig:
        """Parse `imap[s][+xoauth2]://user:secret@host[:port]/folder?option=value`.

        Options: processed=flag|move, move_to=<folder>, starttls=yes|no,
        batch_size=<int>, timeout=<seconds>. User, secret and folder are
        percent-decoded. Error messages never repeat the secret.
        """
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in _SCHEMES:
            known = ", ".join(f"{s}://" for s in _SCHEMES)
            raise ValueError(f"mailbox URL scheme {scheme!r} is not supported; use one of {known}")
        use_ssl, auth = _SCHEMES[scheme]
        if not parts.hostname:
            raise ValueError("mailbox URL has no host")
        if not parts.username:
            raise ValueError("mailbox URL has no user name (imap://user:secret@host/)")
        if parts.password is None or parts.password == "":
            what = "access token" if auth == "xoauth2" else "password"
            raise ValueError(f"mailbox URL has no {what} (imap://user:secret@host/)")
        try:
            port = parts.port
        except ValueError:
            raise ValueError("mailbox URL has an invalid port") from None
        options = _parse_url_options(parts.query)
        starttls = _parse_bool("starttls", options.get("starttls", "no"))
        if starttls and use_ssl:
            raise ValueError("starttls=yes needs imap:// (imaps:// is TLS from the start)")
        default_port = 993 if use_ssl else 143
        processed = options.get("processed", "flag")
        if processed not in ("flag", "move"):
            raise ValueError(f"processed must be 'flag' or 'move', not {processed!r}")
        return cls(
            host=parts.hostname,
            port=port or default_port,
            username=unquote(parts.username),
            password=unquote(parts.password),
            ssl=use_ssl,
            starttls=starttls,
            folder=unquote(parts.path.lstrip("/")) or "INBOX",
            auth=auth,
            processed="move" if processed == "move" else "flag",
            move_to=options.get("move_to", "Processed"),
            batch_size=_parse_number("batch_size", options.get("batch_size", "50"), int),
            timeout_seconds=_parse_number("timeout", options.get("timeout", "60"), float),
        )


def _parse_url_options(query: str) -> dict[str, str]:
    options: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key not in _URL_OPTIONS:
            raise ValueError(
                f"unknown mailbox URL option {key!r}; known options: {', '.join(_URL_OPTIONS)}"
            )
        if key in options:
            raise ValueError(f"mailbox URL option {key!r} is given twice")
        options[key] = value
    return options


def _parse_bool(name: str, value: str) -> bool:
    lowered = value.lower()
    if lowered in ("1", "yes", "true", "on"):
        return True
    if lowered in ("0", "no", "false", "off"):
        return False
    raise ValueError(f"mailbox URL option {name} must be yes or no, not {value!r}")


def _parse_number[N: (int, float)](name: str, value: str, kind: type[N]) -> N:
    try:
        return kind(value)
    except ValueError:
        raise ValueError(f"mailbox URL option {name} must be a number, not {value!r}") from None


@dataclass
class PollResult:
    fetched: int = 0
    ingested: int = 0
    failed: int = 0
    # Pending messages left for the next poll by batch_size or limit.
    remaining: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def poll_mailbox(
    config: MailboxConfig,
    ingest: Ingest,
    *,
    limit: int | None = None,
    after_ingest: Callable[[int], None] | None = None,
) -> PollResult:
    """Hand each pending message of one mailbox to `ingest`, oldest UID first.

    1. Connect and log in (LOGIN, or SASL XOAUTH2 with an access token).
    2. Select the folder; in move mode create `move_to` if it is missing.
    3. Search the pending UIDs: UNSEEN in flag mode, all in move mode;
       messages already marked \\Deleted are someone's decision to drop them.
    4. For each, up to `limit` (default batch_size): fetch the exact bytes
       with BODY.PEEK[] (which does not set \\Seen), call ingest, call
       `after_ingest(uid)` (a fault hook for tests), then flag or move it.

    An ingest that raises is counted in `failed` and its message left
    pending, and the poll goes on with the next one. A login, folder or
    connection failure stops the poll; it is reported in `errors`, not raised,
    so a worker polling many mailboxes carries on with the others.
    """
    result = PollResult()
    try:
        mailbox = _connect(config)
    except _MAILBOX_ERRORS as exc:
        result.errors.append(f"cannot connect to {config.host}:{config.port}: {_describe(exc)}")
        return result
    try:
        _login(mailbox, config)
        _select(mailbox, config)
        pending = _pending_uids(mailbox, config)
        batch = pending[: limit if limit is not None else config.batch_size]
        result.remaining = len(pending) - len(batch)
        for uid in batch:
            raw = _fetch_raw(mailbox, uid)
            if raw is None:
                continue  # expunged by someone else since the search
            result.fetched += 1
            try:
                ingest(raw, config.source)
            except Exception as exc:
                # Left pending on purpose: ingest stored nothing, so the next
                # poll retries it. One bad message must not block the rest.
                log.exception("ingest failed for %s UID %s", config.source, uid)
                result.failed += 1
                result.errors.append(f"UID {uid}: ingest failed: {_describe(exc)}")
                continue
            result.ingested += 1
            if after_ingest is not None:
                after_ingest(uid)
            _mark_processed(mailbox, config, uid)
    except MailboxError as exc:
        result.errors.append(str(exc))
    except _MAILBOX_ERRORS as exc:
        result.errors.append(f"{config.source} on {config.host}: {_describe(exc)}")
    finally:
        _logout(mailbox)
    return result


def _connect(config: MailboxConfig) -> BaseMailBox:
    timeout = config.timeout_seconds
    if config.ssl:
        return MailBox(
            config.host, config.port, timeout=timeout, ssl_context=ssl.create_default_context()
        )
    if config.starttls:
        return MailBoxStartTls(
            config.host, config.port, timeout=timeout, ssl_context=ssl.create_default_context()
        )
    return MailBoxUnencrypted(config.host, config.port, timeout=timeout)


def _login(mailbox: BaseMailBox, config: MailboxConfig) -> None:
    who = f"{config.username} on {config.host}:{config.port} ({config.auth})"
    try:
        if config.auth == "xoauth2":
            _xoauth2(mailbox, config.username, config.password)
        elif (config.username + config.password).isascii():
            mailbox.login(config.username, config.password, initial_folder=None)
        else:
            # LOGIN is ASCII only; AUTHENTICATE PLAIN carries UTF-8.
            mailbox.login_utf8(config.username, config.password, initial_folder=None)
    except (ImapToolsError, imaplib.IMAP4.error) as exc:
        raise MailboxError(f"login failed for {who}: {_describe(exc)}") from exc
    # Servers announce MOVE and UIDPLUS only once logged in (Dovecot does),
    # and imaplib keeps the capabilities it read in the greeting.
    typ, data = mailbox.client.capability()
    if typ == "OK" and data and isinstance(data[0], bytes):
        mailbox.client.capabilities = tuple(data[0].decode().upper().split())


def _xoauth2(mailbox: BaseMailBox, username: str, token: str) -> None:
    # Not imap-tools' xoauth2(): on a refused token the server sends a JSON
    # error as a challenge, which the client must answer with an empty line
    # (Google's and Microsoft's XOAUTH2 docs); imap-tools sends the token
    # again. We also keep that JSON, as it says why (expired, wrong scope).
    server_said: list[str] = []

    def respond(challenge: bytes) -> bytes:
        if server_said:
            server_said.append(challenge.decode("utf-8", "replace"))
            return b""
        server_said.append("")  # the empty first challenge; answer with the token
        return f"user={username}\x01auth=Bearer {token}\x01\x01".encode()

    try:
        mailbox.client.authenticate("XOAUTH2", respond)
    except imaplib.IMAP4.error as exc:
        detail = " ".join(s for s in server_said if s)
        raise imaplib.IMAP4.error(f"{exc} {detail}".strip()) from exc


def _select(mailbox: BaseMailBox, config: MailboxConfig) -> None:
    try:
        mailbox.folder.set(config.folder)
    except ImapToolsError as exc:
        raise MailboxError(
            f"cannot open folder {config.folder!r} of {config.username}: {_describe(exc)}"
        ) from exc
    if config.processed == "move" and not mailbox.folder.exists(config.move_to):
        try:
            mailbox.folder.create(config.move_to)
        except ImapToolsError as exc:
            # Another poller may have created it between our check and ours.
            if not mailbox.folder.exists(config.move_to):
                raise MailboxError(
                    f"cannot create folder {config.move_to!r} of {config.username}: "
                    f"{_describe(exc)}"
                ) from exc


def _pending_uids(mailbox: BaseMailBox, config: MailboxConfig) -> list[int]:
    criteria = "UNSEEN UNDELETED" if config.processed == "flag" else "UNDELETED"
    return sorted(int(uid) for uid in mailbox.uids(criteria))


def _fetch_raw(mailbox: BaseMailBox, uid: int) -> bytes | None:
    # imap-tools' MailMessage keeps only a parsed email.message; re-serialising
    # that changes bytes (folding, boundaries), so take the literal directly.
    typ, data = mailbox.client.uid("FETCH", str(uid), "(UID BODY.PEEK[])")
    if typ != "OK":
        raise MailboxError(f"FETCH of UID {uid} failed: {_decode(data)}")
    for item in data:
        # Untagged FETCH responses for other messages (flag changes made by
        # other clients) can arrive in the same answer; pick ours.
        if isinstance(item, tuple) and f"UID {uid} ".encode() in item[0] + b" ":
            return bytes(item[1])
    return None


def _mark_processed(mailbox: BaseMailBox, config: MailboxConfig, uid: int) -> None:
    client = mailbox.client
    if config.processed == "flag":
        # Not imap-tools' flag(): it also EXPUNGEs the folder after each STORE.
        _check(client.uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Seen)"), "STORE", uid)
        return
    target = encode_folder(config.move_to)
    if "MOVE" in client.capabilities:
        _check(client.uid("MOVE", str(uid), target), "MOVE", uid)  # type: ignore[arg-type]
        return
    _check(client.uid("COPY", str(uid), target), "COPY", uid)  # type: ignore[arg-type]
    _check(client.uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Deleted)"), "STORE", uid)
    if "UIDPLUS" in client.capabilities:
        _check(client.uid("EXPUNGE", str(uid)), "UID EXPUNGE", uid)
    # Without UIDPLUS a plain EXPUNGE would also remove messages other clients
    # marked \Deleted; the copy is left flagged \Deleted, which the search skips.


def _check(response: tuple[str, list[object]], command: str, uid: int) -> None:
    typ, data = response
    if typ != "OK":
        raise MailboxError(f"{command} of UID {uid} failed: {_decode(data)}")


def _logout(mailbox: BaseMailBox) -> None:
    try:
        mailbox.client.logout()
    except (*_MAILBOX_ERRORS, ValueError):
        pass  # the connection is already gone; nothing left to tidy


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ImapToolsError) and hasattr(exc, "command_result"):
        return _decode(exc.command_result[1])
    return f"{type(exc).__name__}: {exc}" if isinstance(exc, OSError) else str(exc)


def _decode(data: object) -> str:
    if isinstance(data, list | tuple):
        return " ".join(_decode(item) for item in data if item is not None)
    if isinstance(data, bytes):
        return data.decode("utf-8", "replace")
    return str(data)


def run_poller(
    configs: Sequence[MailboxConfig],
    ingest: Ingest,
    interval: float,
    stop_event: threading.Event,
) -> None:
    """Poll every mailbox until `stop_event` is set; the worker's main loop.

    1. Poll each mailbox in turn; a failure is logged and the next one polled.
    2. If any mailbox had more pending than one batch, start again at once;
       otherwise wait `interval` seconds, waking early when stopped.
    """
    while not stop_event.is_set():
        backlog = False
        for config in configs:
            if stop_event.is_set():
                return
            try:
                result = poll_mailbox(config, ingest)
            except Exception:
                # A bug must not end the worker and silently stop all intake.
                log.exception("polling %s failed", config.source)
                continue
            for error in result.errors:
                log.warning("%s: %s", config.source, error)
            if result.fetched:
                log.info(
                    "%s: fetched %d, ingested %d, failed %d",
                    config.source,
                    result.fetched,
                    result.ingested,
                    result.failed,
                )
            backlog = backlog or (result.remaining > 0 and result.failed == 0)
        if not backlog:
            stop_event.wait(interval)
