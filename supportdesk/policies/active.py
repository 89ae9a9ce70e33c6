"""The policy this process enforces: SUPPORTDESK_POLICY, or the shipped one."""

from __future__ import annotations

from functools import cache

from django.conf import settings

from supportdesk.policy import Policy, default_policy, load_policy


@cache
def active_policy() -> Policy:
    path = settings.SUPPORTDESK_POLICY
    return load_policy(path) if path else default_policy()
