"""The policy the desk enforces, and the versions tickets were opened under.

Which policy is in force (policy/schedule.py): of the stored versions and
the policy file (SUPPORTDESK_POLICY, else the shipped default.toml), the one
that took effect last; the file counts with its own `[policy] effective`
date, and a stored version of the same date wins over it. An admin stores a
version with an effective date (policies/actions.py); from the start of that
date, in the policy's business zone, it is the active one. With nothing
stored, the file.

`active_policy()` is on the hot path (every ticket opened asks for it), so
each process keeps its answer and asks the database again (one small query)
only when RECHECK_SECONDS have passed since it last asked, so a version
another process stored takes effect here within that time, or when the
clock leaves the interval its answer holds for, so a scheduled version
starts on time. A version stored by this process takes effect here at once.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

from django.conf import settings

from supportdesk.policy import Policy, PolicyError, load_policy, parse_policy
from supportdesk.policy.load import default_policy_path
from supportdesk.policy.schedule import Candidate, business_zone, in_force, takes_effect_at

log = logging.getLogger(__name__)

# How stale a process's idea of the active policy may be when another
# process stores a version: ticket creation runs at hundreds a second, and a
# query per ticket would cost more than the rest of the policy lookups.
RECHECK_SECONDS = 15.0

# The file is recorded "before" every stored version, so a stored version
# that takes effect at the same instant wins.
_FILE_RECORDED_AT = datetime(1970, 1, 1, tzinfo=UTC)


def active_policy_path() -> Path:
    return (
        Path(settings.SUPPORTDESK_POLICY) if settings.SUPPORTDESK_POLICY else default_policy_path()
    )


@cache
def file_policy() -> Policy:
    """SUPPORTDESK_POLICY, or the policy the desk ships with."""
    return load_policy(active_policy_path())


@dataclass(frozen=True)
class _Known:
    """What a process knows: `policy` is in force while the wall clock
    (`time.time()`) is in [since, until), as the database said at `asked`
    (`time.monotonic()`)."""

    policy: Policy
    since: float
    until: float
    asked: float


class ActivePolicy:
    """`active_policy()`: the policy in force now, cached per process."""

    def __init__(self) -> None:
        self._known: _Known | None = None

    def __call__(self) -> Policy:
        known = self._known
        if (
            known is not None
            and known.since <= time.time() < known.until
            and time.monotonic() - known.asked < RECHECK_SECONDS
        ):
            return known.policy
        return self._ask()

    def next_change_at(self) -> datetime | None:
        """When the next stored version takes effect, as this process last
        heard (None: none is scheduled)."""
        self()
        known = self._known
        if known is None or math.isinf(known.until):
            return None
        return datetime.fromtimestamp(known.until, UTC)

    def _ask(self) -> Policy:
        from supportdesk.policies.models import PolicyVersion

        file = file_policy()
        zone = business_zone(file)
        candidates = [
            Candidate(version, starts_at or takes_effect_at(effective, zone), recorded_at)
            for version, starts_at, effective, recorded_at in PolicyVersion.objects.filter(
                withdrawn_at__isnull=True
            ).values_list("version", "takes_effect_at", "effective", "first_seen_at")
        ]
        if file.version not in {c.version for c in candidates}:
            starts_at = takes_effect_at(file.meta.effective, zone)
            candidates.append(Candidate(file.version, starts_at, _FILE_RECORDED_AT))
        decision = in_force(candidates, datetime.now(UTC))
        policy = file
        if decision.version is not None and decision.version != file.version:
            policy = _stored_policy(decision.version) or file
        self._known = _Known(
            policy,
            decision.since.timestamp() if decision.since else -math.inf,
            decision.until.timestamp() if decision.until else math.inf,
            time.monotonic(),
        )
        return policy

    def cache_clear(self) -> None:
        """Forget everything: the next call reads the file and asks the
        database again."""
        self._known = None
        file_policy.cache_clear()
        _stored.clear()

    def assume_file(self) -> None:
        """Take the file's policy as the one in force, without asking the
        database, until the next re-check is due. For tests: each starts
        with no stored versions, and many run without a database."""
        self._known = _Known(file_policy(), -math.inf, math.inf, time.monotonic())


active_policy = ActivePolicy()


def forget_policies() -> None:
    """After this process stores a version: ask the database at the next call."""
    active_policy.cache_clear()


def remember_active_policy() -> None:
    """Store the policy file's text under its version, once, so tickets
    opened under it keep it after the file changes."""
    from supportdesk.policies.models import PolicyVersion

    policy = file_policy()
    effective = policy.meta.effective
    PolicyVersion.objects.get_or_create(
        version=policy.version,
        defaults={
            "effective": effective,
            "takes_effect_at": takes_effect_at(effective, business_zone(policy)),
            "text": active_policy_path().read_text(encoding="utf-8"),
        },
    )


def policy_for_version(version: str) -> Policy:
    """The policy a ticket was opened under: the active one, the file's, or
    a stored version; a version never recorded is judged by the active rules."""
    policy = active_policy()
    if version == policy.version:
        return policy
    file = file_policy()
    if version == file.version:
        return file
    return _stored_policy(version) or policy


def known_policy(version: str) -> Policy | None:
    """The policy of `version` if the desk knows it (the file's or a stored
    one), else None."""
    file = file_policy()
    if version == file.version:
        return file
    return _stored_policy(version)


# Stored versions never change, so each process parses each one once.
# Versions not found are not remembered: another process may store them.
_stored: dict[str, Policy] = {}


def _stored_policy(version: str) -> Policy | None:
    if version in _stored:
        return _stored[version]
    from supportdesk.policies.models import PolicyVersion

    row = PolicyVersion.objects.filter(version=version).values_list("text", "effective").first()
    if row is None:
        return None
    policy = _parse_stored(version, *row)
    if policy is not None:
        _stored[version] = policy
    return policy


def _parse_stored(version: str, text: str, effective: date) -> Policy | None:
    """A stored version as a policy whose effective date is the one it was
    scheduled for. A version that no longer loads (a later desk refuses a
    key it once took) is logged and skipped, never a crash on every page."""
    try:
        policy = parse_policy(text, origin=f"policy version {version}")
    except PolicyError as exc:
        log.error("stored policy version %s no longer loads: %s", version, exc)
        return None
    return replace(policy, meta=replace(policy.meta, effective=effective))
