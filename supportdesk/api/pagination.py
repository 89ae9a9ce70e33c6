"""Opaque cursors for keyset pagination.

A cursor is the sort key of the last item a page showed, signed so a client
cannot hand-craft one (a forged cursor could only move within the caller's
own scope, but a signature turns garbage into a clear 400 instead of a
confusing page).
"""

from __future__ import annotations

from typing import Any

from django.core import signing
from ninja.errors import HttpError

_SALT = "supportdesk.api.cursor"


def encode_cursor(listing: str, key: list[Any]) -> str:
    return signing.dumps({"l": listing, "k": key}, salt=_SALT, compress=True)


def decode_cursor(listing: str, cursor: str) -> list[Any]:
    """The sort key `encode_cursor` stored for `listing`, or a 400."""
    try:
        data = signing.loads(cursor, salt=_SALT)
    except (signing.BadSignature, ValueError):
        raise HttpError(400, "cursor: not a cursor this API gave out") from None
    if (
        not isinstance(data, dict)
        or data.get("l") != listing
        or not isinstance(data.get("k"), list)
    ):
        raise HttpError(400, "cursor: belongs to another listing or ordering")
    key: list[Any] = data["k"]
    return key
