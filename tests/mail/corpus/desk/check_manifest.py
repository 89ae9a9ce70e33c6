#!/usr/bin/env python3
"""Sanity checks for the desk corpus (a script, not a pytest test).

    /work/main/.venv/bin/python tests/mail/corpus/desk/check_manifest.py

Checks that manifest.toml loads, lists every .eml exactly once, that every file
exists, parses with the stdlib email package, stays under 1 MB, that ticket
references and {{...}} placeholders point to earlier `created` entries, that
placeholders sit only in headers and non-base64 text/plain bodies, and that
no two non-duplicate mails from one sender share subject and body unless the
manifest expects loop protection. Exits non-zero on any problem.
"""

from __future__ import annotations

import email
import email.header
import email.policy
import email.utils
import hashlib
import pathlib
import re
import sys
import tomllib
from collections import Counter

HERE = pathlib.Path(__file__).resolve().parent
OUTCOMES = {"created", "appended", "duplicate", "bounce", "auto-reply", "held", "quarantined"}
KEYS = {"file", "outcome", "ticket", "reason", "attachments", "inline_images", "severity", "note"}
PLACEHOLDER = re.compile(r"\{\{([^{}]*)\}\}")
SIMPLE = {"NUMBER_A", "NUMBER_B", "MSGID_A", "MSGID_B", "FORGED_MSGID_A", "REPLY_TO_A"}
OF = re.compile(r"(MSGID_OF|NUMBER_OF):([\w./-]+\.eml)$")


def main() -> int:
    errors: list[str] = []

    def err(msg: str) -> None:
        errors.append(msg)

    manifest = tomllib.loads((HERE / "manifest.toml").read_text(encoding="utf-8"))
    mails = manifest.get("mail", [])
    if set(manifest) != {"mail"}:
        err(f"unexpected top-level keys: {sorted(set(manifest) - {'mail'})}")

    seen: dict[str, int] = {}
    created: set[str] = set()
    for i, m in enumerate(mails):
        f = m.get("file")
        where = f"[[mail]] #{i + 1} ({f})"
        if not isinstance(f, str):
            err(f"{where}: missing file")
            continue
        if set(m) - KEYS:
            err(f"{where}: unknown keys {sorted(set(m) - KEYS)}")
        if f in seen:
            err(f"{where}: listed twice (first at #{seen[f] + 1})")
        seen[f] = i
        if m.get("outcome") not in OUTCOMES:
            err(f"{where}: bad outcome {m.get('outcome')!r}")
        if not m.get("note"):
            err(f"{where}: missing note")
        if m.get("outcome") in ("held", "quarantined") and not m.get("reason"):
            err(f"{where}: held/quarantined needs a reason")
        if m.get("outcome") in ("appended", "duplicate") and not m.get("ticket"):
            err(f"{where}: {m['outcome']} needs a ticket")
        for k in ("attachments", "inline_images", "severity"):
            if k in m and not (isinstance(m[k], int) and m[k] >= 0):
                err(f"{where}: {k} must be a non-negative int")
        t = m.get("ticket")
        if t is not None:
            if t.startswith("@"):
                if t[1:] not in created:
                    err(f"{where}: ticket {t} is not an earlier `created` entry")
            elif t not in ("A", "B"):
                err(f"{where}: bad ticket {t!r}")
        path = HERE / f
        if not path.is_file():
            err(f"{where}: file does not exist")
        else:
            check_file(f, path.read_bytes(), created, err)
        if m.get("outcome") == "created":
            created.add(f)

    on_disk = {p.relative_to(HERE).as_posix() for p in HERE.rglob("*.eml")}
    for f in sorted(on_disk - set(seen)):
        err(f"{f}: on disk but not in the manifest")

    check_loops(mails, err)

    by_folder = Counter(f.split("/", 1)[0] for f in seen)
    by_outcome = Counter(m.get("outcome") for m in mails)
    print(f"{len(mails)} mails")
    print("per folder: " + ", ".join(f"{k} {v}" for k, v in sorted(by_folder.items())))
    print("per outcome: " + ", ".join(f"{k} {v}" for k, v in sorted(by_outcome.items())))
    for e in errors:
        print("ERROR", e)
    print("OK" if not errors else f"{len(errors)} error(s)")
    return 1 if errors else 0


def check_file(f: str, raw: bytes, created: set[str], err) -> None:
    if len(raw) >= 1_000_000:
        err(f"{f}: {len(raw)} bytes, over 1 MB")
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        for part in msg.walk():
            for _k, v in part.items():  # header values are parsed lazily: force it
                str(v)
            part.get_content_type()
            part.get_filename()
            if not part.is_multipart():
                part.get_payload(decode=True)
    except Exception as exc:
        err(f"{f}: does not parse: {type(exc).__name__}: {exc}")
        return

    text = raw.decode("latin-1")
    for name in PLACEHOLDER.findall(text):
        if name in SIMPLE:
            continue
        mo = OF.match(name)
        if not mo:
            err(f"{f}: unknown placeholder {{{{{name}}}}}")
        elif mo.group(2) not in created:
            err(
                f"{f}: placeholder {{{{{name}}}}} refers to a file "
                "that is not an earlier `created` entry"
            )
    if "{{" not in text:
        return
    # placeholders must be substitutable in the raw bytes: not inside base64,
    # not in HTML, not split by a quoted-printable soft break, not inside RFC 2047 words.
    legacy = email.message_from_bytes(raw, policy=email.policy.compat32)
    for part in legacy.walk():
        if part.is_multipart():
            continue
        cte = (part.get("Content-Transfer-Encoding") or "").strip().lower()
        payload = part.get_payload(decode=True) or b""
        ctype = part.get_content_type()
        if b"{{" in payload and cte == "base64":
            err(f"{f}: placeholder inside a base64 body")
        if b"{{" in payload and ctype == "text/html":
            err(f"{f}: placeholder inside an HTML body")
        raw_payload = part.get_payload()
        if isinstance(raw_payload, str) and raw_payload.count("{{") != payload.count(b"{{"):
            err(f"{f}: placeholder split or hidden by the transfer encoding")
    for word in re.findall(r"=\?[^?]+\?[bBqQ]\?[^?]*\?=", text):
        decoded = email.header.decode_header(word)[0][0]
        if isinstance(decoded, bytes) and b"{{" in decoded:
            err(f"{f}: placeholder inside an RFC 2047 encoded word")


def norm_body(msg) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    try:
        return (part.get_content() if part is not None else "").replace("\r\n", "\n").strip()
    except Exception:
        return ""


def check_loops(mails, err) -> None:
    """Same sender + subject + body must only recur where the manifest says duplicate or loop."""
    groups: dict[str, list[dict]] = {}
    for m in mails:
        path = HERE / m["file"]
        if not path.is_file():
            continue
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        try:
            frm = email.utils.parseaddr(str(msg.get("From", "")))[1].lower()
            subj = str(msg.get("Subject", ""))
        except Exception:
            continue
        if not frm:
            continue
        key = hashlib.sha256(
            f"{frm}\0{subj}\0{norm_body(msg)}".encode("utf-8", "replace")
        ).hexdigest()
        groups.setdefault(key, []).append(m)
    for ms in groups.values():
        if len(ms) < 2:
            continue
        for m in ms[1:]:
            if m["outcome"] == "duplicate" or (
                m["outcome"] == "held" and m.get("reason") == "loop"
            ):
                continue
            err(
                f"{m['file']}: same sender/subject/body as {ms[0]['file']} "
                "but not expected as duplicate or loop"
            )


if __name__ == "__main__":
    sys.exit(main())
