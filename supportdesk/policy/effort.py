"""Severity 1 continuous effort (§1.6) as a pure function of a ticket's facts.

"Infrascale will provide continuous efforts to resolve Severity 1 service
availability issues until a workaround or resolution can be provided or
until the incident can be downgraded to a lower severity." The desk reads
it as follows (DESIGN.md §2 style: each rule decides one ambiguity).

Continuous effort is owed while all of these hold:

- the ticket is at the vendor tier (§2.2: the partner's tier is the
  partner's first-level support, not the vendor's promise);
- its severity is one the policy marks `continuous_effort = true`;
- it is open (a resolution ends what is owed; reopening owes it again);
- no workaround was recorded since it last became that severity or reached
  the vendor. A downgrade to a severity without continuous effort ends it;
  a new upgrade to Severity 1 after a workaround owes it afresh, and so does
  a forward: the partner's workaround is not the vendor's.

While effort is owed and nobody is assigned, the support managers are
alerted: the first alert at the instant the ticket came to be owed effort
with nobody on it (submitted, upgraded, forwarded, a request accepted, or
unassigned), then every `unassigned_alert_every` of the policy, until
someone is assigned or effort stops being owed. Those instants form one
run; a later run (unassigned again) starts afresh at its own instant, with
its alerts numbered from 1.

Times: aware datetimes in (a naive one is a ValueError), UTC out. The
interval is elapsed time, counted in UTC, so a daylight-saving change
neither stretches nor shrinks it. Facts at the same instant apply in the
order given; a state holds from its fact's instant on, so an alert falls
due at an instant only if the run is still going at that instant (someone
assigned at 10:30 stops the alert of 10:30).

A worker that was down: `due_alert` answers only the latest alert due,
with how many earlier ones it stands for (`missed`), never one per missed
instant, so hours of downtime are one alert per ticket, not a storm. The
shell records it (marked late when it is long past, as the SLA clock does)
and the run goes on from it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from supportdesk.policy.calendar import to_us
from supportdesk.policy.schema import Policy

# -- facts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReachedVendor:
    """The ticket reached the vendor tier at `severity`: submitted to the
    vendor, or forwarded by a partner (the vendor's clock starts)."""

    at: datetime
    severity: int


@dataclass(frozen=True)
class SeverityIs:
    """The severity in force from `at` (a change, an accepted request)."""

    at: datetime
    severity: int


@dataclass(frozen=True)
class AssigneeIs:
    """Someone is assigned from `at` (`assigned`), or nobody is."""

    at: datetime
    assigned: bool


@dataclass(frozen=True)
class WorkaroundRecorded:
    at: datetime


@dataclass(frozen=True)
class OpenIs:
    """The ticket is open from `at` (`is_open`), or resolved or closed."""

    at: datetime
    is_open: bool


Fact = ReachedVendor | SeverityIs | AssigneeIs | WorkaroundRecorded | OpenIs

# -- results ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Effort:
    """What a ticket's facts come to, after the last of them."""

    owed: bool
    # Since when effort has been owed without a break (None: not owed).
    owed_since: datetime | None
    # The workaround that counts now: recorded since the ticket last became
    # its severity or reached the vendor (None: none since).
    workaround_at: datetime | None
    # The start of the run of unassigned alerts in progress (None: no run:
    # someone is assigned, or effort is not owed).
    unassigned_since: datetime | None
    every: timedelta
    source: str


@dataclass(frozen=True)
class Alert:
    """An unassigned alert: the `number`th of the run that started at
    `since`, due at `at`. `missed`: earlier alerts of the run it stands for
    (they fell due while nobody could record them)."""

    at: datetime
    number: int
    since: datetime
    missed: int = 0


# -- decisions ----------------------------------------------------------------------------


def is_owed(
    policy: Policy, *, severity: int, at_vendor: bool, is_open: bool, workaround: bool
) -> bool:
    """Whether continuous effort is owed in this state (the rules above):
    the one test for both the fold of the facts and a ticket row's columns."""
    return at_vendor and is_open and not workaround and policy.severity(severity).continuous_effort


def owes_any(policy: Policy) -> bool:
    """Whether any severity of the policy owes continuous effort."""
    return any(s.continuous_effort for s in policy.severities)


def compute(policy: Policy, facts: Iterable[Fact]) -> Effort:
    """Fold a ticket's facts, in time order (stable: facts at one instant
    apply in the order given), into what is owed after the last of them."""
    rule = policy.severity_rules.continuous_effort
    ordered = sorted(facts, key=lambda f: to_us(f.at))
    at_vendor, assigned, is_open = False, False, True
    severity: int | None = None
    workaround: datetime | None = None
    owed_since: datetime | None = None
    unassigned_since: datetime | None = None
    for fact in ordered:
        match fact:
            case ReachedVendor():
                at_vendor, severity, workaround = True, fact.severity, None
            case SeverityIs():
                new = policy.severity(fact.severity)
                if new.level != severity and new.continuous_effort:
                    workaround = None  # it became this severity: owed afresh
                severity = new.level
            case AssigneeIs():
                assigned = fact.assigned
            case WorkaroundRecorded():
                workaround = fact.at
            case OpenIs():
                is_open = fact.is_open
        owed = severity is not None and is_owed(
            policy,
            severity=severity,
            at_vendor=at_vendor,
            is_open=is_open,
            workaround=workaround is not None,
        )
        owed_since = (owed_since or fact.at) if owed else None
        unassigned_since = (unassigned_since or fact.at) if owed and not assigned else None
    return Effort(
        owed=owed_since is not None,
        owed_since=_utc(owed_since),
        workaround_at=_utc(workaround),
        unassigned_since=_utc(unassigned_since),
        every=rule.unassigned_alert_every,
        source=rule.source,
    )


def alert_at(effort: Effort, number: int) -> datetime:
    """The instant (UTC) of the `number`th alert (from 1) of the run in progress."""
    if effort.unassigned_since is None:
        raise ValueError("no run of unassigned alerts is in progress")
    if number < 1:
        raise ValueError("alerts are numbered from 1")
    return effort.unassigned_since + (number - 1) * effort.every


def next_alert(effort: Effort, *, after: datetime | None = None) -> Alert | None:
    """The first alert of the run in progress strictly after `after` (an
    alert already recorded, or any instant); the run's first alert when
    `after` is None or before the run. None when no run is in progress."""
    start = effort.unassigned_since
    if start is None:
        return None
    if after is None or to_us(after) < to_us(start):
        return Alert(start, 1, start)
    # Alerts are start + k·every; the first one past `after`.
    k = (to_us(after) - to_us(start)) // _us(effort.every) + 1
    return Alert(alert_at(effort, k + 1), k + 1, start)


def due_alert(effort: Effort, *, now: datetime, after: datetime | None = None) -> Alert | None:
    """The alert to record at `now`: the latest alert of the run in progress
    due by `now` (inclusive) and later than `after` (the last one recorded),
    with how many earlier unrecorded ones it stands for. None when nothing
    is due."""
    first = next_alert(effort, after=after)
    if first is None or to_us(first.at) > to_us(now):
        return None
    latest = (to_us(now) - to_us(first.since)) // _us(effort.every) + 1
    return Alert(alert_at(effort, latest), latest, first.since, missed=latest - first.number)


def _us(duration: timedelta) -> int:
    return (duration.days * 86_400 + duration.seconds) * 1_000_000 + duration.microseconds


def _utc(at: datetime | None) -> datetime | None:
    return at.astimezone(UTC) if at is not None else None
