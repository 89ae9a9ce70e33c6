"""Small template helpers for the desk's screens: times in the policy's zone,
SLA countdowns, and policy names for the slugs tickets store."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django import template

from supportdesk.policies.active import active_policy
from supportdesk.policy import Policy

register = template.Library()

# The queue's "breaching soon" window, and the countdown's warning colour.
SOON_SECONDS = 2 * 3600


def display_zone(policy: Policy | None = None) -> ZoneInfo:
    """Where the desk shows times: the zone of the policy's business
    calendar (US Eastern for the shipped policy), else its first calendar's."""
    policy = policy or active_policy()
    names = [name for name, _ in policy.calendars]
    name = "business" if "business" in names else names[0]
    return policy.calendar(name).zone


@register.filter
def local(value: datetime | None) -> str:
    """'Mon 30 Nov 2026 09:00 EST': an instant in the desk's zone."""
    if value is None:
        return "—"
    return value.astimezone(display_zone()).strftime("%a %d %b %Y %H:%M %Z")


@register.filter
def isoutc(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def span(seconds: int) -> str:
    """'2d 3h', '1h 12m', '5m': whole minutes, as desk.js writes them."""
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m"


@register.filter
def countdown(due: datetime | None, now: datetime) -> str:
    """'due in 1h 12m' or 'overdue 5m', relative to `now`."""
    if due is None:
        return ""
    seconds = int((due - now).total_seconds())
    return f"due in {span(seconds)}" if seconds >= 0 else f"overdue {span(-seconds)}"


@register.filter
def urgency(due: datetime | None, now: datetime) -> str:
    """A CSS class: 'overdue', 'soon' (within two hours) or ''."""
    if due is None:
        return ""
    seconds = (due - now).total_seconds()
    if seconds < 0:
        return "overdue"
    return "soon" if seconds <= SOON_SECONDS else ""


@register.filter
def product_name(slug: str) -> str:
    try:
        return active_policy().product(slug).name
    except KeyError:
        return slug


@register.filter
def category_name(slug: str) -> str:
    if not slug:
        return "—"
    try:
        return active_policy().category(slug).name
    except KeyError:
        return slug


@register.filter
def severity_name(level: int | None) -> str:
    if level is None:
        return ""
    try:
        return active_policy().severity(level).name
    except KeyError:
        return ""


@register.filter
def filesize(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


@register.filter
def get(mapping: dict[object, object], key: object) -> object:
    """`{{ counts|get:slug }}`: a dict entry by a variable key."""
    return mapping.get(key, "")


@register.filter
def same(a: object, b: object) -> bool:
    """Whether two values read the same (a form's "2" and a policy's 2)."""
    return a is not None and b is not None and str(a) == str(b)


@register.filter
def among(value: object, values: object) -> bool:
    """Whether `value` is one of `values`, compared as text."""
    if not isinstance(values, list | tuple | set | frozenset):
        return False
    return str(value) in {str(v) for v in values}
