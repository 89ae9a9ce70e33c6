"""Version support (§3.2): a version may lose support a set number of months
after the release of the version that succeeds it."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from supportdesk.policy.schema import Policy


@dataclass(frozen=True)
class Release:
    version: str
    released_on: date


@dataclass(frozen=True)
class VersionStatus:
    version: str
    supported: bool
    support_ends_on: date | None  # None while no successor is released
    successor: str | None
    source: str


def add_months(day: date, months: int) -> date:
    """`day` plus whole months, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def version_status(
    policy: Policy, releases: tuple[Release, ...], version: str, on: date
) -> VersionStatus:
    """Whether `version` is supported on `on`, given a product's releases in
    any order. Support ends (exclusive) `months_after_successor` months after
    the next release came out."""
    rule = policy.version_support
    ordered = sorted(releases, key=lambda r: r.released_on)
    for index, release in enumerate(ordered):
        if release.version != version:
            continue
        later = [r for r in ordered[index + 1 :] if r.released_on <= on]
        if not later:
            return VersionStatus(version, True, None, None, rule.source)
        ends = add_months(later[0].released_on, rule.months_after_successor)
        return VersionStatus(version, on < ends, ends, later[0].version, rule.source)
    raise KeyError(f"no release {version!r}")


def known_version_status(
    policy: Policy, releases: tuple[Release, ...], version: str, on: date
) -> VersionStatus | None:
    """`version_status`, or None when `version` (surrounding spaces ignored)
    is blank or not in the release history: the desk then says "unknown"
    rather than guess either way."""
    version = version.strip()
    if not version or all(r.version != version for r in releases):
        return None
    return version_status(policy, releases, version, on)
