"""parse_mail on small hand-built mails, one rule at a time. No database."""

from __future__ import annotations

import base64
import struct
from datetime import UTC, datetime, timedelta, timezone

import pytest

from supportdesk.mail.parse import Limits, parse_mail


def mail(headers: str, body: str = "Hello.\n", *, crlf: bool = False) -> bytes:
    raw = headers.strip("\n") + "\n\n" + body
    if crlf:
        raw = raw.replace("\n", "\r\n")
    return raw.encode("utf-8")


GMAIL = mail(
    """
From: Ann Example <Ann@Example.COM>
To: Support <support@desk.example>, bob@example.org
Cc: "Carol, C." <carol@example.org>
Reply-To: ann.replies@example.com
Subject: =?UTF-8?Q?Printer_=C3=A9t=C3=A9?= problem
Message-ID: <CAF+abc123@mail.gmail.com>
In-Reply-To: <older@desk.example>
References: <first@desk.example>
 <older@desk.example>
Date: Tue, 03 Mar 2026 10:15:00 +0100
Delivered-To: Support@Desk.Example
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="000alt"
""",
    """--000alt
Content-Type: text/plain; charset="UTF-8"

It still jams.

On Mon, 2 Mar 2026 at 09:00, Support <support@desk.example> wrote:
> Does it still jam?

--000alt
Content-Type: text/html; charset="UTF-8"

<div dir="ltr">It still jams.</div>
<div class="gmail_quote">On Mon wrote:<blockquote>Does it?</blockquote></div>
--000alt--
""",
)


def test_it_reads_the_headers_of_a_gmail_reply() -> None:
    parsed = parse_mail(GMAIL)

    assert parsed.message_id == "CAF+abc123@mail.gmail.com"
    assert parsed.in_reply_to == ("older@desk.example",)
    assert parsed.references == ("first@desk.example", "older@desk.example")
    assert parsed.subject == "Printer été problem"
    assert parsed.sender is not None
    assert (parsed.sender.name, parsed.sender.email) == ("Ann Example", "ann@example.com")
    assert [a.email for a in parsed.to] == ["support@desk.example", "bob@example.org"]
    assert [(a.name, a.email) for a in parsed.cc] == [("Carol, C.", "carol@example.org")]
    assert [a.email for a in parsed.reply_to] == ["ann.replies@example.com"]
    assert parsed.delivered_to == ("support@desk.example",)
    assert parsed.date == datetime(2026, 3, 3, 9, 15, tzinfo=UTC)
    assert ("Subject", "Printer été problem") in parsed.headers
    assert parsed.automatic == ""
    assert parsed.bounce is None
    assert parsed.over_limit == ""


def test_it_prefers_the_plain_alternative_and_trims_it_for_display() -> None:
    parsed = parse_mail(GMAIL)

    assert parsed.text.startswith("It still jams.")
    assert "> Does it still jam?" in parsed.text
    assert parsed.display_text == "It still jams."
    assert "It still jams." in parsed.html
    assert parsed.parts == ()


def test_the_hash_is_the_same_for_crlf_lf_and_cr_copies() -> None:
    lf = mail("From: a@example.com\nSubject: x", "line one\nline two\n")
    crlf = lf.replace(b"\n", b"\r\n")
    cr = lf.replace(b"\n", b"\r")

    hashes = {parse_mail(raw).raw_sha256 for raw in (lf, crlf, cr)}

    assert len(hashes) == 1
    assert len(hashes.pop()) == 64


def test_it_reads_cr_only_line_endings() -> None:
    raw = b"From: a@example.com\rSubject: Mac mail\r\rBody one\rBody two\r"

    parsed = parse_mail(raw)

    assert parsed.subject == "Mac mail"
    assert parsed.text == "Body one\nBody two"


def test_it_skips_an_mbox_envelope_line() -> None:
    raw = (
        b"From ann@example.com Mon Mar  2 09:00:00 2026\n"
        b"From: ann@example.com\nSubject: Hi\n\nBody\n"
    )

    parsed = parse_mail(raw)

    assert parsed.sender is not None
    assert parsed.sender.email == "ann@example.com"
    assert parsed.subject == "Hi"
    assert parsed.text == "Body"


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\x01\x02\xff\xfe" * 100,
        b"\n\n\n",
        b"From: \xff\xfe\x00\nSubject: \x00nul\x00\n\nbody\x00text",
        b"Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: text/plain\n\ntrunc",
        b"Content-Type: multipart/mixed\n\nno boundary at all",
        b"Date: Thu, 99 Foo 99999 99:99:99 +9999\nMessage-ID: <<<>>>\nTo: ,,,@,<>\n\nx",
        b"Subject: =?utf-8?B?!!!!?= =?x-nonsense?Q?=FF?= =?utf-8?Q?unterminated\n\nx",
        b"From  : obsolete@example.com\nSubject  :  old syntax\n\nbody",
        b"Content-Type: text/plain; charset=rot13\n\nuryyb",
        b"Content-Transfer-Encoding: base64\n\n@@@not base64@@@",
        b"Content-Type: message/rfc822\n\nnot really a message",
    ],
)
def test_it_never_raises(raw: bytes) -> None:
    parsed = parse_mail(raw)

    assert len(parsed.raw_sha256) == 64
    for text in (parsed.text, parsed.subject, parsed.display_text, parsed.html):
        assert "\x00" not in text
        text.encode("utf-8")  # no lone surrogates: storable as is


def test_it_strips_nul_bytes() -> None:
    parsed = parse_mail(b"Subject: a\x00b\n\nbo\x00dy")

    assert parsed.subject == "ab"
    assert parsed.text == "body"


def test_a_date_without_zone_is_read_as_utc() -> None:
    parsed = parse_mail(b"Date: Tue, 3 Mar 2026 10:00:00 -0000\n\nx")

    assert parsed.date == datetime(2026, 3, 3, 10, tzinfo=UTC)


def test_a_bad_date_is_none_with_a_defect() -> None:
    parsed = parse_mail(b"Date: <HR>\n\nx")

    assert parsed.date is None
    assert any("Date" in d for d in parsed.defects)


def test_a_date_keeps_its_offset() -> None:
    parsed = parse_mail(b"Date: Thu, 29 Apr 2005 23:34:45 +0900\n\nx")

    assert parsed.date is not None
    assert parsed.date.utcoffset() == timedelta(hours=9)
    assert parsed.date == datetime(2005, 4, 29, 23, 34, 45, tzinfo=timezone(timedelta(hours=9)))


# --- charsets -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("charset", "body", "expected"),
    [
        ("iso-8859-1", "café".encode("latin-1"), "café"),
        # Windows text labelled latin-1: 0x93/0x94 are curly quotes in cp1252.
        ("iso-8859-1", b"\x93quoted\x94", "\u201cquoted\u201d"),
        ("gb2312", "镕".encode("gbk"), "镕"),  # a GBK character outside GB 2312
        ("ks_c_5601-1987", "안녕하세요".encode("cp949"), "안녕하세요"),
        ("shift_jis", "①".encode("cp932"), "①"),  # an NEC extension: cp932 only
        ("uft-8", "naïve".encode(), "naïve"),
    ],
)
def test_it_reads_a_charset_as_what_senders_mean(charset: str, body: bytes, expected: str) -> None:
    raw = f"Content-Type: text/plain; charset={charset}\n\n".encode() + body

    parsed = parse_mail(raw)

    assert parsed.text == expected
    assert parsed.defects == ()


@pytest.mark.parametrize("charset", ["unknown-8bit", "x-unknown", "no-such-charset"])
def test_an_unknown_charset_falls_back_with_a_defect(charset: str) -> None:
    raw = f"Content-Type: text/plain; charset={charset}\n\n".encode() + "Grüße".encode()

    parsed = parse_mail(raw)

    assert parsed.text == "Grüße"
    assert any(charset in d for d in parsed.defects)


def test_latin1_mislabelled_as_utf8_falls_back_to_cp1252() -> None:
    raw = b"Content-Type: text/plain; charset=utf-8\n\nna\xefve \x80 5"

    parsed = parse_mail(raw)

    assert parsed.text == "naïve € 5"
    assert any("not valid utf-8" in d for d in parsed.defects)


def test_8bit_headers_are_read_as_utf8_then_cp1252() -> None:
    raw = "Subject: Grüße\nFrom: Jörg <j@example.de>\n\nx".encode() + b""
    latin = b"Subject: Gr\xfc\xdfe\n\nx"

    assert parse_mail(raw).subject == "Grüße"
    assert parse_mail(raw).sender == parse_mail(raw).sender
    assert parse_mail(latin).subject == "Grüße"
    assert parse_mail(latin).defects


def test_it_decodes_broken_encoded_words() -> None:
    # Multi-byte characters split across words; a word without padding; a Q
    # escape that is not hex, kept as written.
    split = base64.b64encode("日本".encode()[:4]).decode(), base64.b64encode("日本".encode()[4:])
    raw = (
        f"Subject: =?utf-8?B?{split[0]}?= =?utf-8?B?{split[1].decode()}?= "
        "=?utf-8?B?w6k?= =?utf-8?Q?a=ZZb?=\n\nx"
    ).encode()

    parsed = parse_mail(raw)

    assert parsed.subject == "日本éa=ZZb"  # whitespace between encoded words is dropped


# --- attachments --------------------------------------------------------------


def test_it_decodes_rfc2231_and_rfc2047_filenames_and_strips_paths() -> None:
    raw = mail(
        "Content-Type: multipart/mixed; boundary=b",
        """--b
Content-Type: text/plain

See attached.
--b
Content-Type: application/pdf
Content-Disposition: attachment; filename*=utf-8''%C3%A9t%C3%A9%20report.pdf
Content-Transfer-Encoding: base64

JVBERi0=
--b
Content-Type: text/plain; name="=?utf-8?B?w7xiZXIudHh0?="
Content-Disposition: attachment

plain attachment
--b
Content-Type: application/octet-stream
Content-Disposition: attachment; filename="../../etc/passwd"

x
--b
Content-Type: application/octet-stream
Content-Disposition: attachment; filename="C:\\\\Users\\\\me\\\\evil\u202egpj.exe"

x
--b--
""",
    )

    parsed = parse_mail(raw)

    assert parsed.text == "See attached."
    names = [p.filename for p in parsed.parts]
    assert names == ["été report.pdf", "über.txt", "passwd", "evilgpj.exe"]
    assert parsed.parts[0].content == b"%PDF-"
    assert parsed.parts[0].content_type == "application/pdf"
    assert parsed.parts[1].content == b"plain attachment"


APPLE = mail(
    """
From: Dan <dan@example.com>
Subject: Screenshot
X-Mailer: Apple Mail (2.3774)
Content-Type: multipart/alternative; boundary="Apple-alt"
""",
    """--Apple-alt
Content-Type: text/plain; charset=us-ascii

Here it is.

Sent from my iPhone
--Apple-alt
Content-Type: multipart/related; type="text/html"; boundary="Apple-rel"

--Apple-rel
Content-Type: text/html; charset=us-ascii

<html><body>Here it is.<img src="cid:shot-1@example.com"></body></html>
--Apple-rel
Content-Type: image/png; name=shot.png
Content-Disposition: inline; filename=shot.png
Content-ID: <shot-1@example.com>
Content-Transfer-Encoding: base64

iVBORw0KGgo=
--Apple-rel
Content-Type: image/jpeg; name=unreferenced.jpg
Content-Disposition: attachment; filename=unreferenced.jpg
Content-ID: <other@example.com>
Content-Transfer-Encoding: base64

/9j/4AAQ
--Apple-rel--

--Apple-alt--
""",
)


def test_an_inline_image_is_kept_with_its_content_id() -> None:
    parsed = parse_mail(APPLE)

    shot, other = parsed.parts
    assert (shot.filename, shot.content_id, shot.inline) == ("shot.png", "shot-1@example.com", True)
    assert shot.content == b"\x89PNG\r\n\x1a\n"
    assert (other.content_id, other.inline) == ("other@example.com", False)
    assert 'src="cid:shot-1@example.com"' in parsed.html
    assert parsed.display_text == "Here it is."


def test_an_attached_mail_becomes_an_eml_part() -> None:
    raw = mail(
        "Subject: Fwd: invoice\nContent-Type: multipart/mixed; boundary=b",
        """--b
Content-Type: text/plain

Forwarding this.
--b
Content-Type: message/rfc822

From: vendor@example.com
Subject: Invoice 42
Message-ID: <inv42@example.com>

Please pay.
--b--
""",
    )

    parsed = parse_mail(raw)

    (part,) = parsed.parts
    assert part.filename == "Invoice 42.eml"
    assert part.content_type == "message/rfc822"
    assert b"Message-ID: <inv42@example.com>" in part.content
    assert b"Please pay." in part.content
    assert parsed.text == "Forwarding this."


def _tnef_attribute(level: int, name: int, kind: int, data: bytes) -> bytes:
    checksum = sum(data) & 0xFFFF
    return struct.pack("<BHHI", level, name, kind, len(data)) + data + struct.pack("<H", checksum)


def tnef_blob(body: bytes, files: list[tuple[bytes, bytes]]) -> bytes:
    """A minimal winmail.dat: signature, version, body, then each file (MS-OXTNEF)."""
    blob = struct.pack("<IH", 0x223E9F78, 1)
    blob += _tnef_attribute(1, 0x9006, 0x0008, struct.pack("<I", 0x10000))  # attTnefVersion
    blob += _tnef_attribute(1, 0x800C, 0x0002, body)  # attBody
    for name, content in files:
        blob += _tnef_attribute(2, 0x9002, 0x0006, b"\x01\x00" * 7)  # attAttachRendData
        blob += _tnef_attribute(2, 0x8010, 0x0001, name + b"\x00")  # attAttachTitle
        blob += _tnef_attribute(2, 0x800F, 0x0006, content)  # attAttachData
    return blob


def outlook_with_winmail(blob: bytes) -> bytes:
    encoded = base64.encodebytes(blob).decode()
    return mail(
        "From: Eve <eve@corp.example>\nX-Mailer: Microsoft Outlook 14.0\n"
        "Content-Type: multipart/mixed; boundary=b",
        f"""--b
Content-Type: application/ms-tnef; name="winmail.dat"
Content-Disposition: attachment; filename="winmail.dat"
Content-Transfer-Encoding: base64

{encoded}
--b--
""",
    )


def test_winmail_dat_becomes_its_files_and_its_body() -> None:
    blob = tnef_blob(b"Body inside TNEF", [(b"report.pdf", b"%PDF-1.4 x"), (b"notes.txt", b"hi")])

    parsed = parse_mail(outlook_with_winmail(blob))

    assert [(p.filename, p.content, p.from_tnef) for p in parsed.parts] == [
        ("report.pdf", b"%PDF-1.4 x", True),
        ("notes.txt", b"hi", True),
    ]
    assert parsed.parts[0].content_type == "application/pdf"
    assert parsed.text == "Body inside TNEF"


def test_a_broken_winmail_dat_is_kept_as_it_is() -> None:
    parsed = parse_mail(outlook_with_winmail(b"not tnef at all"))

    (part,) = parsed.parts
    assert (part.filename, part.from_tnef, part.content) == (
        "winmail.dat",
        False,
        b"not tnef at all",
    )
    assert any("winmail.dat" in d for d in parsed.defects)


def test_broken_base64_is_decoded_as_far_as_it_goes() -> None:
    raw = mail(
        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64",
        "SGVsbG8gd29ybGQ*!\n",
    )

    parsed = parse_mail(raw)

    assert parsed.text.startswith("Hello world")
    assert any("base64" in d for d in parsed.defects)


def test_an_unquoted_outlook_boundary_is_re_read() -> None:
    raw = mail(
        "Content-Type: multipart/alternative; boundary=----=_NextPart_000_0093",
        """------=_NextPart_000_0093
Content-Type: text/plain

Outlook text
------=_NextPart_000_0093--
""",
    )

    assert parse_mail(raw).text == "Outlook text"


# --- HTML ---------------------------------------------------------------------

HOSTILE = mail(
    "From: x@example.com\nContent-Type: text/html; charset=utf-8",
    """<html><head><title>T</title><style>body{display:none}</style></head><body>
<script>alert(1)</script>
<p onclick="steal()">Hello <b>there</b></p>
<img src="x" onerror="alert(2)"><img src="cid:logo@x">
<a href="javascript:alert(3)">click</a>
<a href="https://example.com/help">our help page</a>
<a href="https://example.com">https://example.com</a>
<ul><li>one</li><li>two</li></ul>
<form action="https://evil.example"><input name=password></form>
<iframe src="https://evil.example"></iframe>
<div style="position:fixed;color:red">styled</div>
</body></html>""",
)


def test_html_only_mail_is_converted_to_text() -> None:
    parsed = parse_mail(HOSTILE)

    assert parsed.text.splitlines() == [
        "Hello there",
        "",
        "click our help page (https://example.com/help) https://example.com",
        "",
        "- one",
        "- two",
        "",
        "styled",
    ]
    assert "alert" not in parsed.text
    assert "body{" not in parsed.text


def test_hostile_html_is_made_inert() -> None:
    html = parse_mail(HOSTILE).html.lower()

    for bad in ("<script", "onerror", "onclick", "javascript:", "<iframe", "<form", "position"):
        assert bad not in html
    assert 'src="cid:logo@x"' in html
    assert 'href="https://example.com/help"' in html
    assert "color:red" in html.replace(" ", "")


def test_a_plain_mail_has_no_html() -> None:
    assert parse_mail(b"Subject: x\n\nplain").html == ""


# --- limits -------------------------------------------------------------------


def nested(levels: int) -> bytes:
    head = "".join(
        f"Content-Type: multipart/mixed; boundary=b{i}\n\n--b{i}\n" for i in range(levels)
    )
    tail = "".join(f"\n--b{i}--\n" for i in reversed(range(levels)))
    headers = "From: deep@example.com\nSubject: deep\n"
    return f"{headers}{head}Content-Type: text/plain\n\ndeep text{tail}".encode()


def test_nesting_over_the_depth_limit_stops_part_extraction() -> None:
    parsed = parse_mail(nested(23))

    assert parsed.over_limit == "3 levels over the MIME depth limit of 20"
    assert parsed.parts == ()
    assert parsed.subject == "deep"


def test_nesting_within_the_limit_is_fine() -> None:
    parsed = parse_mail(nested(20))

    assert parsed.over_limit == ""
    assert parsed.text == "deep text"


def test_nesting_too_deep_for_the_email_package_still_returns() -> None:
    parsed = parse_mail(nested(3000))

    assert parsed.over_limit
    assert parsed.subject == "deep"


def test_too_many_recipients_is_over_the_limit() -> None:
    to = ", ".join(f"r{i}@example.com" for i in range(70))
    cc = ", ".join(f"c{i}@example.com" for i in range(31))

    parsed = parse_mail(f"To: {to}\nCc: {cc}\n\nhi".encode())

    assert parsed.over_limit == "101 recipients in To and Cc, over the limit of 100"
    assert len(parsed.to) == 70


def test_too_many_parts_is_over_the_limit() -> None:
    parts = "".join(
        f"--b\nContent-Disposition: attachment; filename=f{i}.txt\n\n{i}\n" for i in range(10)
    )
    raw = mail("Content-Type: multipart/mixed; boundary=b", f"{parts}--b--\n")

    parsed = parse_mail(raw, Limits(max_parts=5))

    assert parsed.over_limit == "11 MIME parts, over the limit of 5"
    assert parsed.parts == ()


def test_a_mail_over_the_size_limit_is_not_parsed_but_its_headers_are_read() -> None:
    raw = mail("From: big@example.com\nSubject: Huge\nMessage-ID: <big@x>", "A" * 5000)

    parsed = parse_mail(raw, Limits(max_bytes=1000))

    assert parsed.over_limit == f"{len(raw)} bytes, over the size limit of 1000"
    assert (parsed.subject, parsed.message_id, parsed.text) == ("Huge", "big@x", "")
    assert len(parsed.raw_sha256) == 64


@pytest.mark.parametrize(
    "value",
    [
        "user@acme.example",
        "Jane Doe <jane@x.example>",
        '"Doe, Jane" <jane@x.example>',
        "Jane Doe<jane@x.example>",
        "O'Brien Pat <pat.o-brien@mail.example.co.uk>",
        "Mr_X <x_y+tag@z.example>",
        # Not plain: the full parser reads these.
        "J.Doe <j@x.example>",
        '"" <a@b.example>',
        "<a@b.example>",
        'Jane "x" <j@x.example>',
        "=?UTF-8?Q?J=C3=B6rg?= <j@x.example>",
        "a@localhost",
    ],
)
def test_a_sender_reads_as_the_email_packages_parser_reads_it(value: str) -> None:
    from email.headerregistry import HeaderRegistry

    expected = [
        (a.display_name, a.addr_spec.lower()) for a in HeaderRegistry()("From", value).addresses
    ]
    sender = parse_mail(mail(f"From: {value}\nTo: support@desk.example")).sender
    assert sender is not None
    assert [(sender.name, sender.email)] == expected


def test_a_plain_subject_reads_as_itself_for_the_auto_reply_check() -> None:
    out = parse_mail(mail("From: a@b.example\nSubject: Out of Office:\n  back Monday"))
    assert out.automatic == "out-of-office subject"
    person = parse_mail(mail("From: a@b.example\nSubject: Re: Out of Office: back Monday"))
    assert person.automatic == ""
