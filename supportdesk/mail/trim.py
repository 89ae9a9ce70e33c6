"""Trimming quoted history and signatures from a reply, for display only.

The full text is always kept elsewhere; this decides what an agent sees first.
It errs towards showing too much: a wrong cut hides what the customer wrote.
"""

from __future__ import annotations

import re

# "On Tue, 3 Mar 2026 at 10:00, Ann <ann@example.com> wrote:" and its
# translations, as written by Gmail, Apple Mail and Thunderbird. Gmail wraps long
# attributions, so these are matched against a line joined with the next one.
_ATTRIBUTION = re.compile(
    r"""^(
        On\s.{4,200}\swrote:               # English
      | Am\s.{4,200}\sschrieb.{0,200}:     # German
      | Le\s.{4,200}\sa\sécrit\s?:         # French
      | El\s.{4,200}\sescribió:            # Spanish
      | Op\s.{4,200}\sschreef.{0,200}:     # Dutch
      | Il\s.{4,200}\sha\sscritto:         # Italian
      | Em\s.{4,200}\sescreveu:            # Portuguese
      | Den\s.{4,200}\sskrev.{0,200}:      # Swedish, Danish, Norwegian
      | W\sdniu\s.{4,200}\snapisał(\(a\))?:  # Polish
      | .{4,200}\sнаписал(\(а\))?:         # Russian
    )\s*$""",
    re.VERBOSE | re.IGNORECASE,
)
_ORIGINAL_MESSAGE = re.compile(
    r"^\s*-{2,}\s*("
    r"Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original"
    r"|Messaggio originale|Oorspronkelijk bericht|Originalmeddelande|Mensagem original"
    r")\s*-{2,}\s*$",
    re.IGNORECASE,
)
# Outlook's separator before its header block: a line of underscores.
_SEPARATOR = re.compile(r"^\s*_{20,}\s*$")
# Outlook's quoted header block, in a few languages; "*From:*" when the reply
# went through HTML to text.
_HEADER_FROM = re.compile(r"^\s*\*?(From|Von|De|Van|Da|Från|Fra|Od)\s?:\*?\s", re.IGNORECASE)
_HEADER_OTHER = re.compile(
    r"^\s*\*?(Sent|Date|To|Subject|Cc|Gesendet|Datum|An|Betreff|Envoyé|Date|À|Objet"
    r"|Enviado|Para|Asunto|Verzonden|Aan|Onderwerp|Inviato|A|Oggetto|Skickat|Till|Ämne)"
    r"\s?:\*?(\s|$)",
    re.IGNORECASE,
)
_MAX_SIGNATURE_LINES = 12
_SIGNATURE_DELIMITER = re.compile(r"^--\s?$")
_MOBILE_SIGNATURE = re.compile(
    r"^\s*("
    r"Sent from my \w+.*|Sent from Mail for Windows.*|Sent from Outlook.*"
    r"|Get Outlook for (iOS|Android).*|Sent from Yahoo Mail.*|Sent from Samsung.*"
    r"|Von meinem \w+ gesendet.*|Envoyé de mon \w+.*|Enviado desde mi \w+.*"
    r"|Verzonden vanaf mijn \w+.*|Inviato da \w+.*"
    r")\s*$",
    re.IGNORECASE,
)


def trim_quoted(text: str) -> str:
    """The reply without the quoted history below it and without its signature.

    Quoted lines (">") are cut only when they run to the end of the mail; a reply
    written between quotes keeps them, or its answers would lose their questions.
    Returns `text` unchanged if trimming would leave nothing.
    """
    lines = text.split("\n")
    kept = lines[: _history_start(lines)]
    kept = _without_signature(kept)
    trimmed = "\n".join(kept).strip("\n")
    if not trimmed.strip():
        return text
    return trimmed


def _history_start(lines: list[str]) -> int:
    for index, line in enumerate(lines):
        if _starts_history(lines, index, line):
            return index
    return _trailing_quote_start(lines)


def _starts_history(lines: list[str], index: int, line: str) -> bool:
    stripped = line.strip()
    if not stripped:
        return False
    if _ORIGINAL_MESSAGE.match(stripped) or _SEPARATOR.match(stripped):
        return True
    if _attribution_at(lines, index):
        return True
    return bool(_HEADER_FROM.match(line)) and _header_block_follows(lines, index)


def _attribution_at(lines: list[str], index: int) -> bool:
    line = lines[index].strip()
    if _ATTRIBUTION.match(line):
        return True
    # Gmail wraps a long attribution: the "wrote:" ends up on the next line.
    if index + 1 < len(lines) and not line.endswith(":"):
        return bool(_ATTRIBUTION.match(f"{line} {lines[index + 1].strip()}"))
    return False


def _header_block_follows(lines: list[str], index: int) -> bool:
    following = [line for line in lines[index + 1 : index + 7] if line.strip()]
    return sum(1 for line in following[:5] if _HEADER_OTHER.match(line)) >= 2


def _trailing_quote_start(lines: list[str]) -> int:
    """Where the block of ">" lines (and blanks) that runs to the end begins."""
    start = len(lines)
    for index in range(len(lines) - 1, -1, -1):
        stripped = lines[index].strip()
        if stripped.startswith(">"):
            start = index
        elif stripped:
            break
    return start


def _without_signature(lines: list[str]) -> list[str]:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    if lines and _MOBILE_SIGNATURE.match(lines[-1]):
        lines = lines[:-1]
    for index in range(len(lines) - 1, -1, -1):
        if _SIGNATURE_DELIMITER.match(lines[index]):
            # A long tail after "--" is more likely a separator in the text than
            # a signature.
            tail = [line for line in lines[index + 1 :] if line.strip()]
            return lines[:index] if len(tail) <= _MAX_SIGNATURE_LINES else lines
    return lines
