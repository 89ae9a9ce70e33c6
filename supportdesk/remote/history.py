"""Remote access events in words, for the ticket's history (tickets/queries.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from supportdesk.policy.remote_access import in_words
from supportdesk.tickets.models import EventKind

KINDS = frozenset(
    {
        EventKind.REMOTE_ACCESS_REQUESTED,
        EventKind.REMOTE_ACCESS_GRANTED,
        EventKind.REMOTE_ACCESS_DECLINED,
        EventKind.REMOTE_ACCESS_REVOKED,
    }
)


def describe(kind: str, data: dict[str, Any]) -> tuple[str, str]:
    """A headline and the words that came with it."""
    section = f" ({data['section']})" if data.get("section") else ""
    by_mail = " by mail" if data.get("via") == "email" else ""
    note = str(data.get("note") or "")
    match kind:
        case EventKind.REMOTE_ACCESS_REQUESTED:
            tool = f" with {data['tool']}" if data.get("tool") else ""
            return (
                f"Remote access requested{tool} for {_span(data)}{section}",
                str(data.get("purpose") or ""),
            )
        case EventKind.REMOTE_ACCESS_GRANTED:
            return (
                f"Remote access granted{by_mail} for {_span(data)}, until "
                f"{_instant(data.get('expires_at'))}{section}",
                "",
            )
        case EventKind.REMOTE_ACCESS_DECLINED:
            return f"Remote access declined{by_mail}{section}", note
        case _:
            if data.get("withdrawn"):
                return f"Request for remote access withdrawn{section}", note
            return f"Remote access revoked{by_mail}{section}", note


def _span(data: dict[str, Any]) -> str:
    try:
        return in_words(timedelta(minutes=int(data.get("minutes") or 0)))
    except (TypeError, ValueError):
        return "?"


def _instant(value: Any) -> str:
    """An ISO instant as the history shows others: UTC, to the minute."""
    try:
        at = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return at.strftime("%Y-%m-%d %H:%M UTC")
