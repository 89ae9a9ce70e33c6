"""One raw inbound mail in, plain values out: `parse_mail`.

Mail arrives from every kind of software ever written, so nothing here trusts
its input: `parse_mail` never raises, and what it could not make sense of is
listed in `ParsedMail.defects`. The caller keeps the raw bytes; this module only
reads them.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import dataclasses
import hashlib
import mimetypes
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.generator import BytesGenerator
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from io import BytesIO
from urllib.parse import unquote

import filetype
from tnefparse.tnef import TNEF  # type: ignore[import-untyped]

from supportdesk.mail.autodetect import Bounce, automatic_reason, find_bounce
from supportdesk.mail.guard import raw_items, raw_payload, safe
from supportdesk.mail.htmltext import html_to_text, sanitize_html
from supportdesk.mail.trim import trim_quoted

__all__ = ["Address", "Bounce", "Limits", "ParsedMail", "Part", "parse_mail"]


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 25 * 1024 * 1024
    max_depth: int = 20  # MIME nesting
    max_parts: int = 500
    max_recipients: int = 100  # To + Cc addresses


@dataclass(frozen=True)
class Address:
    name: str
    email: str  # lower-cased addr-spec, "" when unparseable


@dataclass(frozen=True)
class Part:
    """An attachment or inline image."""

    filename: str  # decoded (RFC 2231 / RFC 2047), never a path; "" when none
    content_type: str
    content: bytes
    content_id: str  # without <>; "" when none
    inline: bool  # referenced from the HTML by cid:, or an inline image
    from_tnef: bool = False  # extracted from winmail.dat


@dataclass(frozen=True)
class ParsedMail:
    message_id: str  # without <>; "" when missing
    in_reply_to: tuple[str, ...]  # ids without <>
    references: tuple[str, ...]
    subject: str  # RFC 2047 decoded, whitespace folded
    sender: Address | None  # From (first address); None if missing/unparseable
    reply_to: tuple[Address, ...]
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    delivered_to: tuple[str, ...]  # Delivered-To / X-Original-To / Envelope-To, lower-cased
    date: datetime | None  # aware; None when missing or unparseable
    text: str  # the full body as text (text/plain preferred; else HTML converted)
    display_text: str  # text without quoted history and signature; never empty if text isn't
    html: str  # sanitised HTML body, cid: images left as cid: refs; "" when none
    parts: tuple[Part, ...]
    automatic: str  # "" for a person's mail, else the reason (see autodetect.py)
    bounce: Bounce | None
    defects: tuple[str, ...]  # human-readable problems found
    over_limit: str  # "" or which limit was exceeded; parts are then not extracted
    raw_sha256: str  # of the raw bytes with line endings normalised to \n
    headers: tuple[tuple[str, str], ...]  # all headers, decoded, in order


class _RememberingHeaderRegistry(HeaderRegistry):
    """The default header registry, remembering what it parsed.

    The email package parses Content-Type again on every get_content_type() call
    and builds a new header class per lookup; remembering both makes parsing
    about four times faster. Header objects are immutable, so sharing them
    between mails is safe; the memory is bounded by clearing.
    """

    _MAX_REMEMBERED = 5000

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type[BaseHeader]] = {}
        self._parsed: dict[tuple[str, str], BaseHeader] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        found = self._classes.get(key)
        if found is None:
            found = self._classes[key] = super().__getitem__(name)
        return found

    def __call__(self, name: str, value: str) -> BaseHeader:
        key = (name, value)
        found = self._parsed.get(key)
        if found is None:
            if len(self._parsed) >= self._MAX_REMEMBERED:
                self._parsed.clear()
            found = self._parsed[key] = super().__call__(name, value)
        return found


# policy.default (the modern API), only faster.
_POLICY = policy.default.clone(header_factory=_RememberingHeaderRegistry())

# Mails over max_bytes are not parsed; their headers are read from this much.
HEADERS_ONLY_BYTES = 64 * 1024

_DEFAULT_LIMITS = Limits()


def parse_mail(raw: bytes, limits: Limits = _DEFAULT_LIMITS) -> ParsedMail:
    """Everything the desk needs from one raw mail, best effort, never raising."""
    try:
        data = bytes(raw)
    except Exception:
        data = b""
    digest = hashlib.sha256(_normalise_line_endings(data)).hexdigest()
    if len(data) > limits.max_bytes:
        over = f"{len(data)} bytes, over the size limit of {limits.max_bytes}"
        return _headers_only(data[:HEADERS_ONLY_BYTES], digest, over, [])
    try:
        return _parse(data, limits, digest)
    except Exception as error:
        # The email package recurses once per MIME level, so a mail nested a few
        # hundred levels deep ends here as RecursionError; other errors are bugs
        # in this module or the email package. Either way the caller keeps the raw mail.
        reason = f"could not be parsed ({type(error).__name__})"
        return _headers_only(data[:HEADERS_ONLY_BYTES], digest, reason, [])


# --- the whole mail -----------------------------------------------------------


def _parse(data: bytes, limits: Limits, digest: str) -> ParsedMail:
    defects: list[str] = []
    msg = BytesParser(policy=_POLICY).parsebytes(_prepare(data, defects))
    result = _header_values(msg, digest, defects)

    depth, part_count = _measure(msg)
    recipients = len(result.to) + len(result.cc)
    over_limit = ""
    if depth > limits.max_depth:
        over_limit = (
            f"{depth - limits.max_depth} levels over the MIME depth limit of {limits.max_depth}"
        )
    elif part_count > limits.max_parts:
        over_limit = f"{part_count} MIME parts, over the limit of {limits.max_parts}"
    elif recipients > limits.max_recipients:
        over_limit = (
            f"{recipients} recipients in To and Cc, over the limit of {limits.max_recipients}"
        )

    body = _Body()
    _collect(msg, 0, body, limits)
    defects.extend(body.defects)
    defects.extend(_structure_defects(msg))

    html_source = "\n".join(body.html)
    text = "\n\n".join(t for t in body.plain if t.strip())
    if not text.strip() and html_source:
        text = html_to_text(html_source)
    if not text.strip() and body.tnef_text:
        text = "\n\n".join(body.tnef_text)
    text = text.strip("\n")

    return dataclasses.replace(
        result,
        text=text,
        display_text=trim_quoted(text) if text.strip() else text,
        html=_clean_text(sanitize_html(html_source)) if html_source.strip() else "",
        parts=() if over_limit else _finish_parts(body.parts, html_source),
        automatic=safe(lambda: automatic_reason(msg), ""),
        bounce=safe(lambda: _clean_bounce(find_bounce(msg)), None),
        defects=_unique(defects),
        over_limit=over_limit,
    )


def _headers_only(head: bytes, digest: str, over_limit: str, defects: list[str]) -> ParsedMail:
    """What the headers alone say, for a mail too big or too broken to parse."""
    try:
        prepared = _prepare(head, defects)
        end = prepared.find(b"\n\n")
        prepared = prepared[: end + 1] if end >= 0 else prepared
        msg = BytesParser(policy=_POLICY).parsebytes(prepared, headersonly=True)
        result = _header_values(msg, digest, defects)
        automatic = safe(lambda: automatic_reason(msg), "")
    except Exception:
        result, automatic = _empty(digest), ""
    return dataclasses.replace(
        result, automatic=automatic, over_limit=over_limit, defects=_unique(defects)
    )


def _prepare(data: bytes, defects: list[str]) -> bytes:
    data = _normalise_line_endings(data)
    # An mbox envelope line ("From alice@example.com Mon Jan  1 ..."), not a
    # header; the RFC 2822 obsolete header "From  : ..." has a colon instead.
    if data.startswith(b"From ") and not re.match(rb"From\s*:", data):
        data = data.split(b"\n", 1)[1] if b"\n" in data else b""
    if data.startswith(b"\n"):
        # Mail split out of an mbox sometimes starts with blank lines, which
        # would make every header part of the body.
        data = data.lstrip(b"\n")
        defects.append("blank lines before the headers")
    return data


def _normalise_line_endings(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def _empty(digest: str) -> ParsedMail:
    return ParsedMail(
        message_id="",
        in_reply_to=(),
        references=(),
        subject="",
        sender=None,
        reply_to=(),
        to=(),
        cc=(),
        delivered_to=(),
        date=None,
        text="",
        display_text="",
        html="",
        parts=(),
        automatic="",
        bounce=None,
        defects=(),
        over_limit="",
        raw_sha256=digest,
        headers=(),
    )


# --- headers ------------------------------------------------------------------


def _header_values(msg: Message, digest: str, defects: list[str]) -> ParsedMail:
    raw = [(_clean_text(str(name)), str(value)) for name, value in raw_items(msg)]
    decoded = [(name, decode_header_text(value, defects, name)) for name, value in raw]

    by_name: dict[str, list[str]] = {}
    for key, value in raw:
        by_name.setdefault(key.lower(), []).append(value)

    def first(name: str) -> str:
        values = by_name.get(name)
        return values[0] if values else ""

    def every(name: str) -> list[str]:
        return by_name.get(name, [])

    senders = _addresses(every("from"), defects, "From")
    return dataclasses.replace(
        _empty(digest),
        message_id=_first_id(first("message-id")),
        in_reply_to=_ids(" ".join(every("in-reply-to"))),
        references=_ids(" ".join(every("references"))),
        subject=decode_header_text(first("subject"), [], "Subject"),
        sender=senders[0] if senders else None,
        reply_to=_addresses(every("reply-to"), defects, "Reply-To"),
        to=_addresses(every("to"), defects, "To"),
        cc=_addresses(every("cc"), defects, "Cc"),
        delivered_to=_unique(
            _clean_text(value).strip().strip("<>").strip().lower()
            for key, value in raw
            if key.lower() in _DELIVERED_TO
        ),
        date=_date(first("date"), defects),
        headers=tuple(decoded),
    )


_DELIVERED_TO = frozenset({"delivered-to", "x-original-to", "envelope-to"})
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?]*)\?=")


def decode_header_text(raw: str, defects: list[str], name: str = "header") -> str:
    """A raw header value as readable text: 8-bit bytes and RFC 2047 words decoded.

    Raw 8-bit bytes reach us as surrogate escapes; RFC 6532 says they are UTF-8,
    older software meant its own code page.
    """
    text = raw
    if _ESCAPED_BYTE.search(text):
        data = text.encode("utf-8", "surrogateescape")
        text = decode_bytes(data, "utf-8", defects, f"{name} header")
    if "=?" in text:
        text = _decode_encoded_words(text, defects, name)
    return _clean_text(" ".join(text.split()))


def _decode_encoded_words(text: str, defects: list[str], name: str) -> str:
    pieces: list[str | tuple[str, bytes]] = []
    position = 0
    for match in _ENCODED_WORD.finditer(text):
        between = text[position : match.start()]
        # Whitespace between two encoded words is not part of the text (RFC 2047 §6.2).
        if between and not (between.isspace() and pieces and isinstance(pieces[-1], tuple)):
            pieces.append(between)
        charset = match.group(1).split("*", 1)[0].lower()
        decoded = _decode_word(match.group(2).lower(), match.group(3))
        if decoded is None:
            defects.append(f"{name} header: undecodable encoded word {match.group(0)[:60]!r}")
            pieces.append(match.group(0))
        elif pieces and isinstance(pieces[-1], tuple) and pieces[-1][0] == charset:
            # Joined before decoding: senders split multi-byte characters across words.
            pieces[-1] = (charset, pieces[-1][1] + decoded)
        else:
            pieces.append((charset, decoded))
        position = match.end()
    pieces.append(text[position:])
    return "".join(
        piece if isinstance(piece, str) else decode_bytes(piece[1], piece[0], defects, name)
        for piece in pieces
    )


def _decode_word(encoding: str, encoded: str) -> bytes | None:
    if encoding == "q":
        data = encoded.replace("_", " ").encode("utf-8", "surrogateescape")
        return re.sub(rb"=([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), data)
    compact = re.sub(r"[^A-Za-z0-9+/]", "", encoded)
    compact = compact[: len(compact) - len(compact) % 4 if len(compact) % 4 == 1 else None]
    try:
        return base64.b64decode(compact + "=" * (-len(compact) % 4))
    except (binascii.Error, ValueError):
        return None


# A lone ASCII mailbox: `user@example.com`, `Jane Doe <user@example.com>` or
# `"Doe, Jane" <user@example.com>`; anything else goes to the full parser.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_SIMPLE_MAILBOX = re.compile(
    rf"(?:(?:\"(?P<quoted>[^\"\\]+)\"|(?P<name>{_ATEXT}+(?: {_ATEXT}+)*)) ?<)?"
    rf"(?P<spec>{_ATEXT}+(?:\.{_ATEXT}+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)"
    r"(?(name)>|(?(quoted)>))"
)


def _addresses(values: list[str], defects: list[str], name: str) -> tuple[Address, ...]:
    found: list[Address] = []
    for value in values:
        text = value
        if any("\udc80" <= char <= "\udcff" for char in text):
            text = decode_bytes(text.encode("utf-8", "surrogateescape"), "utf-8", defects, name)
        text = " ".join(text.split())
        simple = None if "=?" in text else _SIMPLE_MAILBOX.fullmatch(text)
        if simple is not None:
            # One plain mailbox, as most mail carries: the email package's
            # parser reads it the same, at ten times the cost.
            pairs = [(simple["quoted"] or simple["name"] or "", simple["spec"])]
        else:
            try:
                header = _POLICY.header_factory(name, text)
                pairs = [(a.display_name, a.addr_spec) for a in header.addresses]
            except Exception:
                pairs = getaddresses([text], strict=False)
        if text and not any(_addr_spec(spec) for _, spec in pairs):
            pairs = _bare_addresses(text)
        for display, spec in pairs:
            shown = decode_header_text(display, [], name)
            # "<>" (the null sender of bounces) is not a name.
            found.append(
                Address(name=shown if shown.strip("<>\"' ") else "", email=_addr_spec(spec))
            )
    return tuple(a for a in found if a.name or a.email)


_BARE_ADDRESS = re.compile(r"[^\s<>@,;:\"()\[\]]+@[^\s<>@,;:\"()\[\]]+")


def _bare_addresses(text: str) -> list[tuple[str, str]]:
    """Addresses in a header the parsers gave up on ("Big Bug bb@bug.com")."""
    spec = _BARE_ADDRESS.search(text)
    if spec is None:
        return [(text.strip(), "")]
    name = (text[: spec.start()] + text[spec.end() :]).strip(" <>\"'")
    return [(name, spec.group(0))]


def _addr_spec(spec: str) -> str:
    spec = _clean_text(spec).strip().strip("<>").lower()
    if not spec or re.search(r"[\s<>()\[\],;\\]", spec) or spec.startswith("@"):
        return ""
    return spec


def _date(value: str, defects: list[str]) -> datetime | None:
    if not value.strip():
        return None
    try:
        parsed = parsedate_to_datetime(_clean_text(value))
    except Exception:
        defects.append(f"Date header unparseable: {value.strip()[:80]!r}")
        return None
    # "-0000" means "time zone unknown" (RFC 5322 §3.3); UTC is the honest reading.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


_MSG_ID = re.compile(r"<([^<>\s]+)>")


def _ids(value: str) -> tuple[str, ...]:
    found = _MSG_ID.findall(value)
    if not found:
        # Old mailers leave out the <>; a token with an @ is still an id.
        found = [token for token in value.split() if "@" in token]
    return _unique(_clean_text(i).strip("<>") for i in found)


def _first_id(value: str) -> str:
    ids = _ids(value)
    return ids[0] if ids else ""


# --- charsets -----------------------------------------------------------------

# Labels that name no charset: the bytes decide.
_NO_CHARSET = frozenset(
    {"", "unknown-8bit", "x-unknown", "unknown", "none", "default", "x-user-defined", "8bit"}
)
# What senders write → what they mean. As browsers do (WHATWG Encoding
# Standard), a label is read as its superset: Windows software writes
# windows-1252 text and calls it iso-8859-1, gbk text and calls it gb2312.
_CHARSET_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso_8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "ascii",
    "ascii": "ascii",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "euc-kr": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "windows-874": "cp874",
    "tis-620": "cp874",
    "iso-8859-11": "cp874",
    "uft-8": "utf-8",  # seen in the wild
    "utf8": "utf-8",
    "x-mac-roman": "mac-roman",
}
# Python codecs that are not charsets a mail could honestly be written in.
_NOT_MAIL_CHARSETS = frozenset({"unicode-escape", "raw-unicode-escape", "idna", "punycode"})


def decode_bytes(data: bytes, declared: str | None, defects: list[str], where: str) -> str:
    """Text from bytes in a declared charset, falling back rather than failing.

    The chain: declared (read as its superset) → utf-8 → cp1252 → latin-1, which
    decodes anything. A fallback is recorded in `defects`.
    """
    label = (declared or "").strip().strip("\"'").lower()
    codec = _codec(label)
    if codec is None and data.isascii():
        return data.decode("ascii")
    candidates = list(dict.fromkeys([c for c in (codec, "utf-8", "cp1252") if c]))
    for index, candidate in enumerate(candidates):
        try:
            text = data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
        if index > 0 or codec is None:
            defects.append(f"{where}: {_charset_problem(label, codec)}, decoded as {candidate}")
        return text
    defects.append(f"{where}: {_charset_problem(label, codec)}, decoded as latin-1")
    return data.decode("latin-1")


def _charset_problem(label: str, codec: str | None) -> str:
    if codec is not None:
        return f"not valid {label}"
    if label in _NO_CHARSET:
        return (
            f"8-bit text without a charset ({label!r})" if label else "8-bit text without a charset"
        )
    return f"unknown charset {label!r}"


def _codec(label: str) -> str | None:
    if label in _NO_CHARSET:
        return None
    name = _CHARSET_ALIASES.get(label, label)
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_MAIL_CHARSETS:
        return None
    return info.name


# --- the body -----------------------------------------------------------------


@dataclass
class _Draft:
    filename: str
    content_type: str
    content: bytes
    content_id: str
    disposition_inline: bool
    from_tnef: bool = False


@dataclass
class _Body:
    plain: list[str] = dataclasses.field(default_factory=list)
    html: list[str] = dataclasses.field(default_factory=list)
    tnef_text: list[str] = dataclasses.field(default_factory=list)
    parts: list[_Draft] = dataclasses.field(default_factory=list)
    defects: list[str] = dataclasses.field(default_factory=list)
    visited: int = 0


# Report machinery: summarised in `ParsedMail.bounce`, not an attachment.
_REPORT_PARTS = frozenset(
    {
        "message/delivery-status",
        "message/global-delivery-status",
        "message/feedback-report",
        "message/disposition-notification",
        "message/global-disposition-notification",
        "text/rfc822-headers",
        "message/rfc822-headers",
        "message/global-headers",
    }
)
_ATTACHED_MAIL = frozenset({"message/rfc822", "message/global"})


def _collect(part: Message, depth: int, body: _Body, limits: Limits) -> None:
    """Gather bodies and attachments from the part, within the limits."""
    body.visited += 1
    if depth > limits.max_depth or body.visited > limits.max_parts:
        return
    content_type = _content_type(part)
    if content_type in _REPORT_PARTS:
        return
    if content_type.startswith("multipart/"):
        children = list(_children(part)) or _repaired_children(part, content_type, body)
        if not children:
            body.defects.append(f"{content_type} without parts; read as text")
            body.plain.append(_part_text(part, body.defects, f"{content_type} part"))
        elif content_type == "multipart/alternative":
            _collect_alternative(children, depth, body, limits)
        else:
            for child in children:
                _collect(child, depth + 1, body, limits)
        return
    if content_type in _ATTACHED_MAIL:
        body.parts.append(_attached_mail(part))
        return
    where = f"{content_type} part"
    if content_type in ("text/plain", "text/html") and not _is_attachment(part):
        text = _part_text(part, body.defects, where)
        (body.plain if content_type == "text/plain" else body.html).append(text)
    elif content_type == "application/ms-tnef" or _filename(part).lower() == "winmail.dat":
        _collect_tnef(part, body)
    else:
        body.parts.append(_draft(part, _payload(part)))


def _collect_alternative(children: list[Message], depth: int, body: _Body, limits: Limits) -> None:
    # The first alternative that has plain text and the last (richest) that has
    # HTML; the attachments of all of them.
    versions: list[_Body] = []
    for child in children:
        version = _Body(visited=body.visited)
        _collect(child, depth + 1, version, limits)
        body.visited = version.visited
        versions.append(version)
        body.parts.extend(version.parts)
        body.defects.extend(version.defects)
        body.tnef_text.extend(version.tnef_text)
    body.plain.extend(next((v.plain for v in versions if any(t.strip() for t in v.plain)), []))
    body.html.extend(next((v.html for v in reversed(versions) if v.html), []))


_BOUNDARY = re.compile(r"""boundary\s*=\s*("[^"]+"|[^\s;]+)""", re.IGNORECASE)


def _repaired_children(part: Message, content_type: str, body: _Body) -> list[Message]:
    """The parts of a multipart whose boundary the email package could not read.

    Outlook writes unquoted boundaries such as `boundary=----=_NextPart_000`,
    which the modern header parser cuts at the "=".
    """
    payload = raw_payload(part)
    header = next((str(v) for k, v in raw_items(part) if k.lower() == "content-type"), "")
    match = _BOUNDARY.search(header)
    if not isinstance(payload, str) or not match:
        return []
    boundary = match.group(1).strip('"')
    if f"--{boundary}" not in payload:
        return []
    rebuilt = f'Content-Type: {content_type}; boundary="{boundary}"\n\n{payload}'
    reparsed = BytesParser(policy=_POLICY).parsebytes(rebuilt.encode("utf-8", "surrogateescape"))
    children = list(_children(reparsed))
    if children:
        body.defects.append(f"{content_type} boundary {boundary!r} had to be re-read")
    return children


def _children(part: Message) -> Iterator[Message]:
    payload = raw_payload(part)
    if isinstance(payload, list):
        yield from (child for child in payload if isinstance(child, Message))


def _is_attachment(part: Message) -> bool:
    headers = raw_items(part)
    if not any(k.lower() == "content-disposition" for k, _ in headers) and not any(
        k.lower() == "content-type" and "name" in v.lower() for k, v in headers
    ):
        return False  # no disposition and no name: the usual body part, read quickly
    return _disposition(part) == "attachment" or bool(_filename(part))


def _part_text(part: Message, defects: list[str], where: str) -> str:
    charset = safe(part.get_content_charset, None)
    text = decode_bytes(_payload(part), charset, defects, where)
    return _clean_text(_normalise_newlines(text)).removeprefix("\ufeff")


def _payload(part: Message) -> bytes:
    payload = safe(lambda: part.get_payload(decode=True), None)
    if isinstance(payload, bytes):
        return payload
    raw = raw_payload(part)
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def _attached_mail(part: Message) -> _Draft:
    inner = next(_children(part), None)
    content = _mail_bytes(inner) if inner is not None else _payload(part)
    filename = _filename(part)
    if not filename:
        raw_subject = safe(lambda: str(inner.get("Subject", "")), "") if inner else ""
        subject = decode_header_text(raw_subject, [])
        filename = _safe_filename(subject)[:100].strip() + ".eml" if subject else "message.eml"
    return _Draft(filename, "message/rfc822", content, _content_id(part), False)


def _mail_bytes(inner: Message) -> bytes:
    buffer = BytesIO()
    try:
        # compat32 without a line length writes the headers as they came.
        generator = BytesGenerator(
            buffer, mangle_from_=False, policy=policy.compat32.clone(max_line_length=0)
        )
        generator.flatten(inner)
    except Exception:
        return safe(lambda: inner.as_string().encode("utf-8", "surrogateescape"), b"")
    return buffer.getvalue()


def _collect_tnef(part: Message, body: _Body) -> None:
    data = _payload(part)
    try:
        tnef = TNEF(data, do_checksum=False)
        files = [
            _Draft(
                filename=_safe_filename(str(attachment.long_filename())),
                content_type=_guess_type(str(attachment.long_filename()), attachment.data),
                content=bytes(attachment.data),
                content_id="",
                disposition_inline=False,
                from_tnef=True,
            )
            for attachment in tnef.attachments
            if attachment.data
        ]
        text = _tnef_text(tnef, body.defects)
    except Exception as error:
        body.defects.append(f"winmail.dat could not be decoded ({type(error).__name__})")
        body.parts.append(_draft(part, data))
        return
    if not files and not text:
        body.defects.append("winmail.dat held no files and no text; kept as it is")
        body.parts.append(_draft(part, data))
        return
    body.parts.extend(files)
    if text:
        body.tnef_text.append(text)


def _tnef_text(tnef: TNEF, defects: list[str]) -> str:
    codepage = str(tnef.codepage or "cp1252")
    for value, is_html in ((tnef.body, False), (tnef.htmlbody, True)):
        if not value:
            continue
        text = value if isinstance(value, str) else decode_bytes(value, codepage, defects, "TNEF")
        text = _clean_text(_normalise_newlines(text)).strip()
        return html_to_text(text) if is_html else text
    return ""


def _draft(part: Message, content: bytes) -> _Draft:
    return _Draft(
        filename=_filename(part),
        content_type=_content_type(part),
        content=content,
        content_id=_content_id(part),
        disposition_inline=_disposition(part) == "inline",
    )


def _finish_parts(drafts: list[_Draft], html: str) -> tuple[Part, ...]:
    referenced = {unquote(cid).strip("<>").lower() for cid in _CID_REF.findall(html)}
    return tuple(
        Part(
            filename=draft.filename,
            content_type=draft.content_type,
            content=draft.content,
            content_id=draft.content_id,
            inline=bool(draft.content_id and draft.content_id.lower() in referenced)
            or (draft.disposition_inline and draft.content_type.startswith("image/")),
            from_tnef=draft.from_tnef,
        )
        for draft in drafts
    )


_CID_REF = re.compile(r"cid:([^\"'\s)>]+)", re.IGNORECASE)


# --- part headers -------------------------------------------------------------


def _content_type(part: Message) -> str:
    return _clean_text(str(safe(part.get_content_type, "text/plain"))).lower()


def _disposition(part: Message) -> str:
    value = safe(part.get_content_disposition, None)
    return str(value).lower() if value else ""


def _content_id(part: Message) -> str:
    value = safe(lambda: str(part.get("Content-ID", "") or ""), "")
    return _clean_text(value).strip().strip("<>").strip()


def _filename(part: Message) -> str:
    name = safe(part.get_filename, None)
    if name is None:
        name = _raw_param_filename(part)
    text = str(name)
    if any("\udc80" <= char <= "\udcff" for char in text):
        text = decode_bytes(text.encode("utf-8", "surrogateescape"), "utf-8", [], "filename")
    if "=?" in text:
        text = _decode_encoded_words(text, [], "filename")
    return _safe_filename(text)


def _raw_param_filename(part: Message) -> str:
    # The header parser gave up; a plain filename="..." may still be there.
    for header in ("Content-Disposition", "Content-Type"):
        raw = next((str(v) for k, v in raw_items(part) if k.lower() == header.lower()), "")
        match = re.search(r'\b(?:file)?name\s*=\s*"?([^";]+)"?', raw, re.IGNORECASE)
        if match:
            return match.group(1)
    return ""


_BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_MAX_FILENAME = 255


def _safe_filename(name: str) -> str:
    """A name to show and save under: no directories, no control characters.

    Bidi controls go too: "invoice\u202efdp.exe" displays as "invoiceexe.pdf".
    """
    name = "".join(
        char
        for char in name
        if unicodedata.category(char) not in ("Cc", "Cs") and char not in _BIDI_CONTROLS
    )
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if name in (".", ".."):
        return ""
    if len(name) > _MAX_FILENAME:
        stem, dot, extension = name.rpartition(".")
        keep = extension[:20] if dot and stem else ""
        name = name[: _MAX_FILENAME - len(keep) - 1] + "." + keep if keep else name[:_MAX_FILENAME]
    return name


def _guess_type(filename: str, content: bytes) -> str:
    guessed = mimetypes.guess_type(filename, strict=False)[0]
    if guessed:
        return guessed
    sniffed = safe(lambda: filetype.guess_mime(content), None)
    return str(sniffed) if sniffed else "application/octet-stream"


# --- structure ----------------------------------------------------------------


def _measure(msg: Message) -> tuple[int, int]:
    """The deepest nesting and the number of parts, attached mails included."""
    deepest, count = 0, 0
    stack = [(msg, 0)]
    while stack:
        part, depth = stack.pop()
        count += 1
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in _children(part))
    return deepest, count


def _structure_defects(msg: Message) -> Iterator[str]:
    stack = [msg]
    while stack:
        part = stack.pop()
        for defect in getattr(part, "defects", []):
            words = re.sub(r"(?<!^)(?=[A-Z])", " ", type(defect).__name__.removesuffix("Defect"))
            yield f"{_content_type(part)} part: {words.lower()}"
        if _content_type(part) not in _REPORT_PARTS:
            stack.extend(_children(part))


# --- small helpers ------------------------------------------------------------


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# A regular expression scans in C; a generator over every character of every
# body was a tenth of ingestion's time (bench/mail_bench.py).
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def _clean_text(text: str) -> str:
    # PostgreSQL text columns refuse NUL; lone surrogates cannot be encoded.
    if "\x00" in text:
        text = text.replace("\x00", "")
    if _SURROGATE.search(text):
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def _clean_bounce(bounce: Bounce | None) -> Bounce | None:
    """The report's words as storable text, like every other field."""
    if bounce is None:
        return None
    return dataclasses.replace(
        bounce,
        original_message_id=_clean_text(bounce.original_message_id),
        original_references=tuple(_clean_text(r) for r in bounce.original_references),
        recipients=tuple(_clean_text(r) for r in bounce.recipients),
        action=_clean_text(bounce.action),
        status=_clean_text(bounce.status),
        diagnostic=_clean_text(bounce.diagnostic),
    )


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))
