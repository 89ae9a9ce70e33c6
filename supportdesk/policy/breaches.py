"""Whose breach it is (§1.7.3): the vendor's own, or one under a severity
the customer mis-assigned.

A breach stays recorded whatever happens after it (DESIGN.md §2). It is
attributed to a mis-assigned severity when the severity in force at the
breach was ended by a downgrade that staff marked "mis-assigned by the
customer": the policy says the vendor is not responsible for failures caused
by mis-assignment (§1.7.3), so such a breach is reported apart from the
vendor's own.

Pure: the severity changes come from the SLA core's fold (`SlaState.changes`
or `Explanation.changes`), in the order they happened.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from supportdesk.policy.sla import Breach, Change

SECTION = "§1.7.3"


def misassigned_by(changes: Sequence[Change], at: datetime) -> Change | None:
    """The downgrade marked mis-assigned by the customer that ended the
    severity in force at `at`, or None when the vendor answers for a breach
    at `at` (that severity still holds, or another change ended it).

    `at` is an aware instant, a breach's due time: the last instant still in
    time. The change that ends a severity is the first one strictly after
    `at`; a change at `at` itself was already in force."""
    for change in changes:
        if change.at > at:
            return change if change.misassigned and change.kind == "downgrade" else None
    return None


def only_misassigned(breaches: Sequence[Breach], changes: Sequence[Change]) -> bool:
    """Whether there are breaches and every one is under a severity the
    customer mis-assigned: what lets a ticket say its missed target is not
    the vendor's."""
    return bool(breaches) and all(misassigned_by(changes, b.due_at) for b in breaches)
