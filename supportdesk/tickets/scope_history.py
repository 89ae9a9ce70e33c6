"""The support matrix's events (§4) in words, for a ticket's history: the
category set, the out-of-scope answer and its override, and quotes."""

from __future__ import annotations

from typing import Any

from supportdesk.tickets.models import EventKind

KINDS = frozenset(
    {
        EventKind.CATEGORY_SET,
        EventKind.OUT_OF_SCOPE,
        EventKind.SCOPE_OVERRIDDEN,
        EventKind.QUOTE_OFFERED,
        EventKind.QUOTE_ACCEPTED,
        EventKind.QUOTE_DECLINED,
        EventKind.QUOTE_WITHDRAWN,
    }
)


def _section(data: dict[str, Any]) -> str:
    return f" ({data['section']})" if data.get("section") else ""


def describe(kind: str, data: dict[str, Any]) -> tuple[str, str]:
    """A headline, and the text or reason that came with it."""
    price = f"{data.get('amount', '?')} {data.get('currency', '')}".strip()
    match kind:
        case EventKind.CATEGORY_SET:
            name = data.get("category_name") or "none"
            coverage = str(data.get("coverage") or "").replace("-", " ")
            text = f"Category set to {name}"
            if data.get("product") != data.get("from_product"):
                text += f", product {data.get('product')}"
            if coverage:
                text += f": {coverage}{_section(data)}"
            if data.get("withdrawn_quote"):
                text += "; the quote waiting was withdrawn"
            return text, ""
        case EventKind.OUT_OF_SCOPE:
            return f"Answered as out of scope{_section(data)}", str(data.get("text", ""))
        case EventKind.SCOPE_OVERRIDDEN:
            return f"Out of scope overridden{_section(data)}", str(data.get("reason", ""))
        case EventKind.QUOTE_OFFERED:
            return f"Quote offered: {price}{_section(data)}", str(data.get("description", ""))
        case EventKind.QUOTE_ACCEPTED:
            return f"Quote of {price} accepted: the work may start{_section(data)}", ""
        case EventKind.QUOTE_WITHDRAWN:
            return f"Quote of {price} withdrawn{_section(data)}", str(data.get("why", ""))
        case _:
            return f"Quote of {price} declined: no work is done{_section(data)}", ""
