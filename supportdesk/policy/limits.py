"""Limits of support (§3.1, §3.2, §3.4): the causes a ticket may be resolved
or closed with when its issue lies outside what the vendor supports, and the
reproduction steps a defect needs.

Pure: values in, decisions (or a refusal in words) out.
"""

from __future__ import annotations

from supportdesk.policy.schema import Limitation, Policy

# Statuses a ticket may be given a resolution cause with.
CAUSE_STATUSES = frozenset({"resolved", "closed"})
MAX_STEPS = 20_000

# When a policy has no [reproduction] table: the section and the desk's words.
REPRODUCTION_SOURCE = "§3.2"
DEFAULT_REQUEST = (
    "We could not reproduce the issue you reported. Please send the exact steps that make it "
    "happen, with the time it last happened and any error messages."
)


def causes_for(policy: Policy, product: str) -> tuple[Limitation, ...]:
    """The causes that fit a ticket for `product` ("" when not known yet)."""
    return tuple(c for c in policy.limitations if c.applies_to(product))


def check_cause(policy: Policy, *, product: str, status: str, cause: str) -> str | None:
    """Why `cause` may not be recorded as a ticket for `product` takes
    `status`, or None. An empty cause is always fine."""
    if not cause:
        return None
    if status not in CAUSE_STATUSES:
        return "a resolution cause is given when resolving or closing the ticket"
    try:
        limitation = policy.limitation(cause)
    except KeyError:
        slugs = ", ".join(c.slug for c in policy.limitations) or "none in this policy"
        return f"cause must be one of: {slugs}"
    if not limitation.applies_to(product):
        return (
            f"cause {cause!r} ({limitation.source}) applies only to "
            f"{', '.join(limitation.products)}, not to {product}"
        )
    return None


# -- reproducibility (§3.2) -------------------------------------------------------


def reproduction_source(policy: Policy) -> str:
    return policy.reproduction.source if policy.reproduction else REPRODUCTION_SOURCE


def asks_reproduction(policy: Policy, category: str) -> bool:
    """Whether a ticket of `category` asks for reproduction steps: the
    policy's troubleshooting categories, and a ticket not yet categorised
    (it may well be a defect)."""
    if policy.reproduction is None:
        return False
    return not category or category in policy.reproduction.categories


def check_steps(policy: Policy, category: str, steps: str) -> str | None:
    """Why `steps` may not come with a new ticket of `category`, or None."""
    if not steps.strip():
        return None
    if len(steps) > MAX_STEPS:
        return f"reproduction steps are too long ({len(steps)} characters; at most {MAX_STEPS})"
    if not asks_reproduction(policy, category):
        wanted = ", ".join(policy.reproduction.categories) if policy.reproduction else "none"
        return (
            f"reproduction steps are for the troubleshooting categories ({wanted}), "
            f"not {category!r}"
        )
    return None


def with_steps(policy: Policy, description: str, steps: str) -> str:
    """The description a ticket opens with, its reproduction steps below it."""
    steps = steps.strip()
    if not steps:
        return description
    return f"{description}\n\nSteps to reproduce ({reproduction_source(policy)}):\n{steps}"


def reproduction_request(policy: Policy, note: str = "") -> str:
    """The public message that asks the customer for reproduction steps:
    the engineer's note, if any, then the policy's request."""
    request = policy.reproduction.request if policy.reproduction else DEFAULT_REQUEST
    note = note.strip()
    return f"{note}\n\n{request}" if note else request
