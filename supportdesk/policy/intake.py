"""Whether a channel takes a ticket now (§1.2, §1.5).

Email, the portal and the API never close; chat and phone keep staffed
hours, and the phone line outside them takes Severity 1 only. A refusal says
when the channel opens and which channels are open now, so nobody is left
without a way in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from supportdesk.policy.schema import Policy


@dataclass(frozen=True)
class IntakeDecision:
    accepted: bool
    channel: str
    severity: int
    message: str
    opens_at: datetime | None
    open_now: tuple[str, ...]
    source: str


def check_intake(policy: Policy, channel: str, severity: int, at: datetime) -> IntakeDecision:
    """May a ticket of `severity` come in by `channel` at `at`?"""
    spec = policy.channel(channel)
    policy.severity(severity)
    open_now = tuple(c.slug for c in policy.channels if policy.is_open(c.slug, severity, at))
    if policy.is_open(channel, severity, at):
        return IntakeDecision(True, channel, severity, "", None, open_now, spec.source)
    hours = spec.intake_calendar(severity)
    opens_at = policy.next_opening(channel, severity, at)
    opens_local = opens_at.astimezone(policy.calendar(hours).zone)
    alternatives = ", ".join(policy.channel(c).name for c in open_now) or "none"
    message = (
        f"{spec.name} takes Severity {severity} tickets during {policy.calendar_title(hours)}; "
        f"it opens again {opens_local:%A %d %B %H:%M %Z}. "
        f"Open now for Severity {severity}: {alternatives}."
    )
    return IntakeDecision(False, channel, severity, message, opens_at, open_now, spec.source)
