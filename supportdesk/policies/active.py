"""The policy this process enforces, and the versions tickets were opened under."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings

from supportdesk.policy import Policy, load_policy, parse_policy
from supportdesk.policy.load import default_policy_path


def active_policy_path() -> Path:
    return (
        Path(settings.SUPPORTDESK_POLICY) if settings.SUPPORTDESK_POLICY else default_policy_path()
    )


@cache
def active_policy() -> Policy:
    """SUPPORTDESK_POLICY, or the policy the desk ships with."""
    return load_policy(active_policy_path())


def remember_active_policy() -> None:
    """Store the active policy's text under its version, once."""
    from supportdesk.policies.models import PolicyVersion

    policy = active_policy()
    PolicyVersion.objects.get_or_create(
        version=policy.version,
        defaults={
            "effective": policy.meta.effective,
            "text": active_policy_path().read_text(encoding="utf-8"),
        },
    )


@cache
def policy_for_version(version: str) -> Policy:
    """The policy a ticket was opened under; the active one when it matches."""
    policy = active_policy()
    if version == policy.version:
        return policy
    from supportdesk.policies.models import PolicyVersion

    stored = PolicyVersion.objects.filter(version=version).first()
    if stored is None:
        return policy  # a version never recorded: judge by the current rules
    return parse_policy(stored.text, origin=f"policy version {version}")
