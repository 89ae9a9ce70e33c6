"""Severity rules (§1.6, §1.7): the level a ticket opens at, and which
changes are allowed. Severity 1 is the most severe; a "higher" severity is a
lower number."""

from __future__ import annotations

from dataclasses import dataclass

from supportdesk.policy.schema import Policy


@dataclass(frozen=True)
class Opening:
    """The severity a ticket opens at, and why if it is not the one asked for."""

    severity: int
    requested: int
    reason: str = ""
    source: str = ""


def is_upgrade(current: int, new: int) -> bool:
    return new < current


def opening_severity(
    policy: Policy, requested: int, *, dedicated_contact: bool, vendor_outage: bool
) -> Opening:
    """Apply §1.6.1: a Severity 1 needs a named customer contact dedicated to
    the issue unless the issue is a vendor service outage; without one the
    ticket opens at the rule's fallback level."""
    policy.severity(requested)
    rule = policy.severity_rules.dedicated_contact
    if rule is None or requested != rule.severity or dedicated_contact:
        return Opening(requested, requested)
    if vendor_outage and rule.exempt_vendor_outage:
        return Opening(requested, requested)
    return Opening(
        rule.fallback,
        requested,
        reason=(
            f"Opened as Severity {rule.fallback}, not {rule.severity}: Severity {rule.severity} "
            "needs a named customer contact dedicated to the issue unless it is a vendor "
            "service outage"
        ),
        source=rule.source,
    )


# The sections a severity event cites: the default policy's numbering.
DOWNGRADE_SECTION = "§1.7.1"
UPGRADE_SECTION = "§1.7.2"
MISASSIGNED_SECTION = "§1.7.3"


def check_change(
    policy: Policy, current: int, new: int, reason: str, *, misassigned: bool = False
) -> str | None:
    """Why a staff change from `current` to `new` is refused, or None
    (§1.7.1, §1.7.2). Only a downgrade can say the customer mis-assigned the
    severity (§1.7.3), and it too needs the reason."""
    try:
        policy.severity(new)
    except KeyError as exc:
        return str(exc.args[0])
    if new == current:
        return f"the ticket is already Severity {current}"
    if misassigned and is_upgrade(current, new):
        return (
            f"only a downgrade can be marked mis-assigned by the customer ({MISASSIGNED_SECTION}); "
            f"Severity {new} is higher than Severity {current}"
        )
    if not reason.strip():
        return "a severity change needs a reason"
    return None


def change_section(current: int, new: int, *, misassigned: bool = False) -> str:
    """The section a staff change from `current` to `new` applies."""
    if is_upgrade(current, new):
        return UPGRADE_SECTION
    return MISASSIGNED_SECTION if misassigned else DOWNGRADE_SECTION


def check_request(policy: Policy, current: int, requested: int, justification: str) -> str | None:
    """Why a customer's request for a higher severity is refused, or None (§1.7.2)."""
    try:
        policy.severity(requested)
    except KeyError as exc:
        return str(exc.args[0])
    if not is_upgrade(current, requested):
        return f"Severity {requested} is not higher than the current Severity {current}"
    rules = policy.severity_rules
    if rules.upgrade_request_needs_justification and not justification.strip():
        return (
            "a request for a higher severity needs a justification that shows the current "
            f"impact on production ({rules.source})"
        )
    return None
