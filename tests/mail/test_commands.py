"""Reading a severity request from a reply's first line: no database."""

import pytest

from supportdesk.mail.commands import SeverityCommand, severity_command
from supportdesk.mail.parse import Limits, parse_mail
from supportdesk.mail.trim import trim_quoted


@pytest.mark.parametrize(
    ("text", "severity", "justification"),
    [
        ("Severity: 2\nPayroll cannot restore.", 2, "Payroll cannot restore."),
        ("Severity 1\n\nAll sites are down.\nSince 08:00.", 1, "All sites are down.\nSince 08:00."),
        ("Sev 1\nDown", 1, "Down"),
        ("sev:3\nx", 3, "x"),
        ("SEVERITY 2", 2, ""),
        ("Severity: 1 - Critical\nEvery backup fails.", 1, "Every backup fails."),
        ("Severity: 1 – Critical", 1, ""),
        ("Severity 2 (High)\nWhy", 2, "Why"),
        ("Severity 1 Critical", 1, ""),
        ("Severity: 2.", 2, ""),
        ("\n\n   Severity: 2   \n  because  \n", 2, "because"),
    ],
)
def test_a_first_line_naming_a_severity_is_a_request(text, severity, justification):
    assert severity_command(text) == SeverityCommand(severity, justification)


@pytest.mark.parametrize(
    "text",
    [
        "Severity of this is low",
        "Severity 1 is what we need here",
        "Severity: high",
        "Severity: 1 - critical issue for us",
        "Thanks!\nSeverity: 2\nPlease.",
        "The severity: 2 would be fair",
        "Several 2 jobs failed",
        "Sevens 2",
        "",
        "   \n  ",
    ],
)
def test_anything_else_is_an_ordinary_reply(text):
    assert severity_command(text) is None


def test_the_command_is_read_from_the_new_text_not_the_quoted_history():
    raw = (
        b"From: Ivan <ivan@initech.example>\r\nTo: support@desk.example\r\n"
        b"Subject: Re: [SD-7] Backups fail\r\nMessage-ID: <r1@initech.example>\r\n\r\n"
        b"Severity: 2\r\nPayroll is down since the update.\r\n\r\n"
        b"On Mon, 30 Nov 2026 at 09:00, Support <support@desk.example> wrote:\r\n"
        b"> Severity: 1\r\n> To ask for a higher severity, reply ...\r\n"
    )
    parsed = parse_mail(raw, Limits(max_bytes=1_000_000))
    assert severity_command(parsed.display_text) == SeverityCommand(
        2, "Payroll is down since the update."
    )
    quoted_only = "Thanks, will do.\n\nOn Mon, 30 Nov 2026, Support wrote:\n> Severity: 1\n"
    assert severity_command(trim_quoted(quoted_only)) is None
