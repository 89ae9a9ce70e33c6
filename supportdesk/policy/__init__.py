"""The policy core: the written support policy as values and decisions.

Pure Python, no Django: values in, decisions out, and the caller passes
`now`. Everything the desk decides about time, severity and scope is asked
of this package.
"""

from supportdesk.policy.calendar import BusinessCalendar, Segment, WeeklyWindow
from supportdesk.policy.load import PolicyError, default_policy, load_policy, parse_policy
from supportdesk.policy.schema import ChangeRule, Coverage, Policy

__all__ = [
    "BusinessCalendar",
    "ChangeRule",
    "Coverage",
    "Policy",
    "PolicyError",
    "Segment",
    "WeeklyWindow",
    "default_policy",
    "load_policy",
    "parse_policy",
]
