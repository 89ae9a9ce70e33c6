"""Reading a message that may be broken in any way: each access answers a
default instead of raising (the email package raises on some malformed
headers and payloads), because no mail may crash ingestion."""

from __future__ import annotations

from collections.abc import Callable
from email.message import Message


def safe[T](call: Callable[[], T], default: T) -> T:
    try:
        return call()
    except Exception:
        return default


def raw_items(part: Message) -> list[tuple[str, str]]:
    try:
        return [(str(name), str(value)) for name, value in part.raw_items()]
    except Exception:
        return []


def raw_payload(part: Message) -> object:
    try:
        return part.get_payload()
    except Exception:
        return None
