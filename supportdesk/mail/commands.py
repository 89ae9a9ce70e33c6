"""What a reply asks the desk to do, read from its first line.

One command: a reply whose new text (quoted history and signature trimmed,
`ingest.text_of`) starts with a line such as "Severity: 2", "Severity 1",
"Sev 1" or "Severity: 1 - Critical" asks for that severity (§1.7.2), and
the rest of the new text is the justification. Anything else is an ordinary
reply: "Severity of this is low" or a number later in the mail is not a
command. Pure: text in, command out; mail/ingest.py runs it.

Another answers a request for remote access (§2.3, `remote_access_command`):
a first line "I grant remote access" or "I decline remote access". A third
chooses one of the options of §3.3 offered for unsupported software
(`option_command`): "Option (ii)", "I choose option i", or "For fee" to ask
to go on under a for-fee agreement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from supportdesk.policy.thirdparty import FOR_FEE

# "Severity: 2", "Sev 1", "SEVERITY 3", "sev:1", "Severity: 1 - Critical",
# "Severity 2 (High)": the keyword, the level, and at most a one-word name
# (more words make it a sentence, not a command).
_SEVERITY_LINE = re.compile(
    r"""^\s*(?:severity|sev)\s*[:=]?\s*(?P<level>\d{1,2})
        (?:\s*(?:[-–—:]\s*)?[^\W\d_]+|\s*\(\s*[^\W\d_]+\s*\))?
        \s*[.!]?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)


# Where str.splitlines() breaks a line.
_LINE_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def _first_line(text: str) -> tuple[str, str]:
    """The first line that is not blank (its leading blanks dropped; "" for
    blank text), and the text after it as it is. Only that line is split
    off: every reply is read for each command, and most are no command."""
    start = len(text) - len(text.lstrip())
    brk = _LINE_BREAK.search(text, start)
    if brk is None:
        return text[start:], ""
    return text[start : brk.start()], text[brk.end() :]


def _after(rest: str) -> str:
    """The lines after a command's line, as the words that come with it."""
    return "\n".join(rest.splitlines()).strip()


@dataclass(frozen=True)
class SeverityCommand:
    """A request for `severity`, with the words that justify it."""

    severity: int
    justification: str


def severity_command(text: str) -> SeverityCommand | None:
    """The request a reply's new text makes, or None for an ordinary reply.
    The first non-empty line is the command; the lines after it, stripped,
    are the justification (possibly empty: the action says it is needed)."""
    line, rest = _first_line(text)
    found = _SEVERITY_LINE.match(line)
    return SeverityCommand(int(found["level"]), _after(rest)) if found else None


# "I grant remote access", "Yes, I grant remote access.", "grant remote access",
# "I decline remote-access!", "No - I decline remote access": the whole line,
# so "I do not grant remote access" or "I grant remote access tomorrow, not
# now" is an ordinary reply, never a grant.
_REMOTE_ACCESS_LINE = re.compile(
    r"""^\s*(?:(?P<word>yes|no|ok|okay)\s*[,.:;!\-–—]?\s*)?(?:i\s+)?
        (?P<verb>grant|decline|refuse|deny)\s+remote[\s-]+access
        (?:\s+(?:to\s+(?:you|support)|for\s+(?:this|the)\s+(?:ticket|request)))?
        \s*[.!]*\s*$""",
    re.IGNORECASE | re.VERBOSE,
)


@dataclass(frozen=True)
class RemoteAccessCommand:
    """The customer's answer to the pending request for remote access, with
    the words after the command line (a reason for a decline, say)."""

    grant: bool
    note: str


def remote_access_command(text: str) -> RemoteAccessCommand | None:
    """The answer a reply's new text gives to a request for remote access,
    or None for an ordinary reply. Like `severity_command`, only the first
    non-empty line counts, and the whole of it must be the command."""
    line, rest = _first_line(text)
    found = _REMOTE_ACCESS_LINE.match(line)
    if found is None:
        return None
    grant = found["verb"].lower() == "grant"
    # "No, I grant remote access" says two things: neither is taken.
    if grant and (found["word"] or "").lower() == "no":
        return None
    return RemoteAccessCommand(grant, _after(rest))


# "Option (ii)", "option ii.", "I choose option (i)", "Option: i", "We choose
# option II"; "For fee", "for-fee", "Continue for a fee", "I request a for-fee
# agreement". The whole line, as for the others: "Option (ii) sounds bad" is
# a person writing, not a choice.
_OPTION_LINE = re.compile(
    r"""^\s*(?:(?:i|we)\s+(?:choose|pick|take)\s+)?option\s*[:#]?\s*
        \(?\s*(?P<code>[ivx]{1,4}|\d{1,2})\s*\)?\s*[.!]?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_FOR_FEE_LINE = re.compile(
    r"""^\s*(?:(?:i|we)\s+(?:request|ask\s+for|want)\s+)?(?:to\s+)?
        (?:(?:continue\s+(?:under|with)\s+)?(?:a\s+)?(?:separate\s+)?for[\s-]fee
           (?:\s+agreement)?
          |continue\s+for\s+a\s+fee)
        \s*[.!]?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)


def option_command(text: str) -> str | None:
    """The §3.3 choice a reply's new text makes: an option's code as the
    policy numbers them ("i", "ii"; a number as written), "for-fee", or None
    for an ordinary reply. Only the first non-empty line counts."""
    line, _ = _first_line(text)
    if _FOR_FEE_LINE.match(line):
        return FOR_FEE
    found = _OPTION_LINE.match(line)
    return found["code"].lower() if found else None
