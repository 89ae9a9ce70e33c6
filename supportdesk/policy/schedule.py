"""Which policy version is in force at an instant.

A version takes effect at the start of its effective date: local midnight in
its business zone (or, where a DST change skips midnight, the first instant
of that date). Of the versions that have taken effect, the one that did so
last is in force; two taking effect at the same instant are told apart by
when they were recorded, the later winning. Nothing in force (every version
still to come): `None`, and the caller falls back to its default.

Pure: instants in (timezone-aware), a decision out; the caller passes `now`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from supportdesk.policy.calendar import from_us, resolve_local, to_us
from supportdesk.policy.schema import Policy


def business_zone(policy: Policy) -> ZoneInfo:
    """The zone of the policy's `business` calendar, else its first
    calendar's: where its dates (effective, today) are read."""
    names = [name for name, _ in policy.calendars]
    return policy.calendar("business" if "business" in names else names[0]).zone


def takes_effect_at(day: date, zone: ZoneInfo) -> datetime:
    """The instant (UTC) `day` begins in `zone`: local 00:00, or the first
    instant after it when a DST change skips midnight."""
    return from_us(resolve_local(datetime.combine(day, time(0)), zone))


def local_today(zone: ZoneInfo, now: datetime) -> date:
    """The date it is in `zone` at the aware instant `now`."""
    to_us(now)  # a naive `now` is a ValueError
    return now.astimezone(zone).date()


@dataclass(frozen=True)
class Candidate:
    """A version that may be in force: from `starts_at` (UTC), recorded at
    `recorded_at` (which breaks ties)."""

    version: str
    starts_at: datetime
    recorded_at: datetime


@dataclass(frozen=True)
class InForce:
    """The version in force at some instant (None: none has started yet),
    and the interval [since, until) over which that answer holds: from when
    it took effect (None: since ever) until the next version starts (None:
    none is scheduled)."""

    version: str | None
    since: datetime | None
    until: datetime | None


def in_force(candidates: Iterable[Candidate], now: datetime) -> InForce:
    """The candidate in force at `now`: the latest to have started at or
    before `now` (start inclusive), ties going to the latest recorded."""
    instant = to_us(now)
    started: list[Candidate] = []
    upcoming: list[datetime] = []
    for candidate in candidates:
        if to_us(candidate.starts_at) <= instant:
            started.append(candidate)
        else:
            upcoming.append(candidate.starts_at)
    until = min(upcoming, default=None)
    if not started:
        return InForce(None, None, until)
    winner = max(started, key=lambda c: (c.starts_at, c.recorded_at))
    return InForce(winner.version, winner.starts_at, until)
