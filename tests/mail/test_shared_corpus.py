"""parse_mail over the shared corpus of 941 real mails (see corpus/shared/README.md).

INDEX.tsv classifies each file with simple header heuristics. Where its kind is
clear we check ours agrees; files where we disagree on purpose are listed below
with the reason, so a new disagreement fails instead of being absorbed.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from supportdesk.mail.parse import ParsedMail, parse_mail

CORPUS = Path(__file__).parent / "corpus" / "shared"
SISIMAI = "sisimai-set-of-emails/"

# bounce_nonstandard = 1 in INDEX.tsv, but not a bounce for us.
NOT_BOUNCES = {
    SISIMAI + "bsd__arf-20.eml": "a DMARC failure report from opendmarc-postmaster; "
    "INDEX matched 'postmaster' in From. It is automatic (multipart/report), not a bounce",
    SISIMAI + "bsd__lhost-sendmail-14.eml": "a person forwarding a bounce ('Fwd: Returned mail')",
    SISIMAI + "err__make-test-36.eml": "a person forwarding a bounce ('Fwd: Returned mail')",
    SISIMAI + "not__rb-issue-368-bug.eml": "upstream files it under not/ (not a bounce): "
    "postmaster writing 'email bounce notification' about a message it accepted",
}

# attachment = 1 in INDEX.tsv, but no Part for us: INDEX counts any named leaf,
# and these names are on report machinery (message/delivery-status,
# text/rfc822-headers), which ParsedMail.bounce summarises instead.
REPORT_PARTS_ONLY = {
    SISIMAI + "bsd__lhost-amavis-01.eml",
    SISIMAI + "bsd__lhost-amavis-02.eml",
    SISIMAI + "bsd__lhost-amavis-03.eml",
    SISIMAI + "dos__lhost-amavis-01.eml",
    SISIMAI + "mac__lhost-amavis-01.eml",
    SISIMAI + "bsd__lhost-x3-06.eml",
    SISIMAI + "bsd__rfc3464-09.eml",
}


def _rows() -> list[dict[str, str]]:
    with (CORPUS / "INDEX.tsv").open(encoding="utf-8", newline="") as index:
        return list(csv.DictReader(index, delimiter="\t"))


ROWS = _rows()


@pytest.fixture(scope="module")
def parsed() -> dict[str, ParsedMail]:
    """Every corpus file parsed once (about 2 s for all of them)."""
    return {row["file"]: parse_mail((CORPUS / row["file"]).read_bytes()) for row in ROWS}


def files(kind: str) -> list[str]:
    return [row["file"] for row in ROWS if row[kind] == "1"]


def test_the_index_lists_every_file() -> None:
    on_disk = {str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*.eml")}

    assert on_disk == {row["file"] for row in ROWS}
    assert len(on_disk) == 941


def test_every_file_parses_with_a_hash(parsed: dict[str, ParsedMail]) -> None:
    assert len(parsed) == 941
    assert all(len(mail.raw_sha256) == 64 for mail in parsed.values())
    assert not [name for name, mail in parsed.items() if mail.over_limit]


def test_copies_with_other_line_endings_hash_the_same(parsed: dict[str, ParsedMail]) -> None:
    copies = [(row["file"], other) for row in ROWS for other in row["same_content_as"].split()]

    assert copies
    assert [(a, b) for a, b in copies if parsed[a].raw_sha256 != parsed[b].raw_sha256] == []


def test_delivery_reports_are_bounces(parsed: dict[str, ParsedMail]) -> None:
    assert [name for name in files("dsn_rfc3464") if parsed[name].bounce is None] == []


def test_other_bounces_are_bounces(parsed: dict[str, ParsedMail]) -> None:
    missed = {name for name in files("bounce_nonstandard") if parsed[name].bounce is None}

    assert missed == set(NOT_BOUNCES)


@pytest.mark.parametrize("kind", ["auto_reply", "mailing_list", "arf_feedback_report"])
def test_machine_mail_is_automatic_or_a_bounce(parsed: dict[str, ParsedMail], kind: str) -> None:
    human = [name for name in files(kind) if not (parsed[name].automatic or parsed[name].bounce)]

    assert human == []


def test_winmail_dat_is_kept_or_unpacked(parsed: dict[str, ParsedMail]) -> None:
    # All nine are bounces whose winmail.dat holds neither files nor text, so
    # it stays as it is, with a defect saying so.
    for name in files("tnef"):
        mail = parsed[name]
        assert any(p.filename == "winmail.dat" or p.from_tnef for p in mail.parts), name
        assert any("winmail.dat" in d for d in mail.defects), name


def test_attachments_are_found(parsed: dict[str, ParsedMail]) -> None:
    missed = {name for name in files("attachment") if not parsed[name].parts}

    assert missed == REPORT_PARTS_ONLY


def test_display_text_is_never_empty_when_text_is_not(parsed: dict[str, ParsedMail]) -> None:
    assert [n for n, m in parsed.items() if m.text.strip() and not m.display_text.strip()] == []


def test_rfc2231_filenames_are_decoded(parsed: dict[str, ParsedMail]) -> None:
    names = {p.filename for name in files("rfc2231_filename") for p in parsed[name].parts}

    assert names
    assert not [n for n in names if "''" in n or "%" in n or "=?" in n]
