"""Implementation hand-over (§2.1): for a set number of months after a
partner's first implementation the vendor leads installation and
implementation; after that, the partner's tickets about them are answered as
guidance (documentation, training)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from supportdesk.policy.schema import Policy
from supportdesk.policy.versions import add_months


@dataclass(frozen=True)
class HandoverDecision:
    guidance: bool  # answered as guidance, not hands-on work
    first_implementation_on: date | None
    # The first day of the partner's own responsibility (exclusive end of the
    # vendor-led period); None while no first implementation date is recorded.
    hands_over_on: date | None
    text: str
    source: str


def concerns(policy: Policy, category: str) -> bool:
    """Whether the hand-over rule speaks about tickets of `category` at all."""
    rule = policy.handover
    return rule is not None and category in rule.categories


def decide(
    policy: Policy, *, category: str, first_implementation_on: date | None, on: date
) -> HandoverDecision | None:
    """How a partner's ticket of `category` dated `on` is answered; None when
    the rule does not concern the category (or the policy has no rule).

    Dates are calendar days in the policy's zone, as the caller reads them.
    The vendor leads from any day before `first_implementation_on` plus the
    rule's months (clamped to the month's end: 31 Jan + 1 month is 28/29
    Feb) up to that day exclusive; from it on, guidance. With no first
    implementation date recorded the vendor leads."""
    rule = policy.handover
    if rule is None or category not in rule.categories:
        return None
    if first_implementation_on is None:
        return HandoverDecision(False, None, None, rule.text, rule.source)
    hands_over_on = add_months(first_implementation_on, rule.months)
    return HandoverDecision(
        on >= hands_over_on, first_implementation_on, hands_over_on, rule.text, rule.source
    )
