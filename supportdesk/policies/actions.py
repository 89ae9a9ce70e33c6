"""Putting a new policy version in place: an admin uploads a policy file, the
desk checks it and shows what it changes against the active policy, and the
admin confirms it with the date it takes effect (issue 6, part 9).

A file with an error is refused with the key named, and nothing is stored:
the active policy stays as it was. A scheduled version may be withdrawn
before it takes effect. Tickets keep the version they were
opened under (`Ticket.policy_version`); a new version governs the tickets
opened from the start of its effective date.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction

from supportdesk.accounts.access import may_schedule_policy
from supportdesk.accounts.models import User
from supportdesk.policies.active import (
    active_policy,
    active_policy_path,
    file_policy,
    forget_policies,
)
from supportdesk.policies.models import PolicyVersion
from supportdesk.policy import Policy, PolicyError, parse_policy
from supportdesk.policy.diff import DiffLine, PolicyDiff, count_lines, diff_policies, text_diff
from supportdesk.policy.schedule import business_zone, local_today, takes_effect_at

log = logging.getLogger(__name__)

# The shipped policy is about 40 KB; ten times that is a mistake, not a policy.
MAX_POLICY_BYTES = 512 * 1024
_VERSION_LENGTH = PolicyVersion._meta.get_field("version").max_length or 64
_REASON_LENGTH = PolicyVersion._meta.get_field("withdrawn_reason").max_length or 500


class PolicyRefused(Exception):
    """A policy file or schedule the desk will not store. `code`: "invalid"
    (the file or date is wrong), "forbidden" (not this user's to do),
    "conflict" (the active policy changed since the review)."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Review:
    """A checked policy file, and what it changes against the active policy."""

    text: str
    policy: Policy
    active: Policy
    summary: PolicyDiff
    lines: tuple[DiffLine, ...]
    lines_added: int
    lines_removed: int
    # The date proposed: the file's own `[policy] effective`, or today in the
    # policy's business zone when that date has passed (the earliest allowed).
    effective: date
    earliest: date


def decode_policy_file(data: bytes) -> str:
    """An uploaded file's text: UTF-8, at most MAX_POLICY_BYTES."""
    if len(data) > MAX_POLICY_BYTES:
        raise PolicyRefused(f"the file is larger than {MAX_POLICY_BYTES // 1024} KB")
    try:
        return normalize(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise PolicyRefused("the file is not UTF-8 text") from None


def normalize(text: str) -> str:
    """One kind of line ending, so what is stored is what was reviewed."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def review_policy(text: str, *, now: datetime) -> Review:
    """Check `text` as a new policy version and compare it with the active
    policy. Nothing is stored."""
    policy = _checked(text)
    active = active_policy()
    earliest = local_today(business_zone(policy), now)
    lines = text_diff(
        active_text(active),
        text,
        old_name=f"active: {active.version}",
        new_name=f"uploaded: {policy.version}",
    )
    added, removed = count_lines(lines)
    effective = max(policy.meta.effective, earliest)
    return Review(
        text=text,
        policy=policy,
        active=active,
        summary=diff_policies(active, policy, years=range(effective.year, effective.year + 2)),
        lines=lines,
        lines_added=added,
        lines_removed=removed,
        effective=effective,
        earliest=earliest,
    )


def do_schedule_policy_version(
    text: str,
    *,
    effective: date,
    reviewed_against: str,
    acting_user: User,
    now: datetime,
) -> PolicyVersion:
    """Store the policy `text` as a new version that takes effect at the
    start of `effective` (today or later, in its business zone).
    `reviewed_against` is the active version the admin saw the changes
    against: if another has become active since, the admin reviews again."""
    if not may_schedule_policy(acting_user):
        raise PolicyRefused("only an admin may put a new policy version in place", "forbidden")
    policy = _checked(text)
    active = active_policy()
    if active.version != reviewed_against:
        raise PolicyRefused(
            f"the active policy is now version {active.version}, not {reviewed_against}: "
            "review the changes again",
            "conflict",
        )
    zone = business_zone(policy)
    today = local_today(zone, now)
    if effective < today:
        raise PolicyRefused(f"effective: {effective} has passed; choose {today} or later")
    try:
        with transaction.atomic():
            stored = PolicyVersion.objects.create(
                version=policy.version,
                effective=effective,
                takes_effect_at=takes_effect_at(effective, zone),
                text=text,
                first_seen_at=now,
                uploaded_by=acting_user,
            )
    except IntegrityError:  # stored by someone else since the check
        raise PolicyRefused(_taken(policy.version)) from None
    # This process takes the new schedule into account at once (and again
    # once the row is committed); the others within RECHECK_SECONDS.
    forget_policies()
    transaction.on_commit(forget_policies)
    log.info(
        "policy version %s scheduled for %s by %s", policy.version, effective, acting_user.email
    )
    return stored


def do_withdraw_policy_version(
    version: str, *, reason: str, acting_user: User, now: datetime
) -> PolicyVersion:
    """Take back a scheduled version before it takes effect (a mistake in
    it, a date to move: withdraw it and upload it again under a new
    version), with a reason kept on its record. It never governs a ticket;
    the version in force stays as it was."""
    if not may_schedule_policy(acting_user):
        raise PolicyRefused("only an admin may withdraw a policy version", "forbidden")
    why = " ".join(reason.split())
    if not why:
        raise PolicyRefused("reason: say why the version is withdrawn")
    if len(why) > _REASON_LENGTH:
        raise PolicyRefused(f"reason: at most {_REASON_LENGTH} characters, please")
    with transaction.atomic():
        row = PolicyVersion.objects.select_for_update().filter(version=version).first()
        if row is None:
            raise PolicyRefused(f"no scheduled policy version {version!r}", "conflict")
        if row.withdrawn_at is not None:
            raise PolicyRefused(f"version {version} was withdrawn already", "conflict")
        zone = business_zone(file_policy())
        starts_at = row.takes_effect_at or takes_effect_at(row.effective, zone)
        if starts_at <= now or version == active_policy().version:
            raise PolicyRefused(
                f"version {version} took effect on {row.effective}: a version in force or "
                "superseded stays; upload a new one to change the rules",
                "conflict",
            )
        row.withdrawn_at, row.withdrawn_by, row.withdrawn_reason = now, acting_user, why
        row.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
    forget_policies()
    transaction.on_commit(forget_policies)
    log.info("policy version %s withdrawn by %s: %s", version, acting_user.email, why)
    return row


def active_text(active: Policy) -> str:
    """The file the active policy was read from."""
    if active.version == file_policy().version:
        return active_policy_path().read_text(encoding="utf-8")
    stored = PolicyVersion.objects.filter(version=active.version).values_list("text", flat=True)
    return stored.first() or ""


def _checked(text: str) -> Policy:
    """The policy in `text`, if it loads and its version is new."""
    if len(text.encode()) > MAX_POLICY_BYTES:
        raise PolicyRefused(f"the file is larger than {MAX_POLICY_BYTES // 1024} KB")
    try:
        policy = parse_policy(text, origin="the uploaded file")
    except PolicyError as exc:
        raise PolicyRefused(str(exc)) from None
    version = policy.version
    if len(version) > _VERSION_LENGTH:
        raise PolicyRefused(f"policy.version: at most {_VERSION_LENGTH} characters, please")
    if version == file_policy().version or PolicyVersion.objects.filter(version=version).exists():
        raise PolicyRefused(_taken(version))
    return policy


def _taken(version: str) -> str:
    return (
        f"policy.version: version {version!r} exists already; "
        "a new policy needs a version of its own"
    )
