"""Whose breach it is (§1.7.3): attributed from the severity changes the SLA
core folds, never erased by them."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from supportdesk.policy import default_policy
from supportdesk.policy.breaches import misassigned_by, only_misassigned
from supportdesk.policy.severity import change_section, check_change
from supportdesk.policy.sla import (
    Responded,
    SeverityChanged,
    SeverityRequestAccepted,
    SeverityRequested,
    SlaEvent,
    SlaState,
    Submitted,
    compute,
    explain,
)

ET = ZoneInfo("America/New_York")
POLICY = default_policy()


def et(text: str) -> datetime:
    return datetime.fromisoformat(f"2026-11-30T{text}").replace(tzinfo=ET)


# Monday 30 November 2026: a Sev2 by email at 09:00 Eastern is due 11:00.
SUBMITTED = Submitted(et("09:00"), 2, "email", dedicated_contact=True)
DUE = et("11:00")


def fold(*events: SlaEvent, now: datetime | None = None) -> SlaState:
    return compute(POLICY, (SUBMITTED, *events), now=now)


def test_a_downgrade_marked_misassigned_takes_the_breach_off_the_vendor_but_keeps_it():
    state = fold(SeverityChanged(et("12:00"), 3, "Only one job fails", misassigned=True))
    # The breach at 11:00 under Severity 2 stays recorded (DESIGN.md §2) ...
    assert [(b.due_at, b.severity) for b in state.breaches] == [(DUE, 2)]
    assert state.changes[0].misassigned
    # ... and the downgrade that ended Severity 2 says it was mis-assigned.
    assert misassigned_by(state.changes, DUE) == state.changes[0]
    assert only_misassigned(state.breaches, state.changes)


def test_a_plain_downgrade_leaves_the_breach_with_the_vendor():
    state = fold(SeverityChanged(et("12:00"), 3, "Only one job fails"))
    assert state.breached
    assert misassigned_by(state.changes, DUE) is None
    assert not only_misassigned(state.breaches, state.changes)


def test_only_the_change_that_ended_the_severity_at_the_breach_counts():
    # 11:00 breached under Sev2; at 12:00 staff upgrade to Sev1 (the vendor's
    # breach stands); at 13:00 a mis-assigned downgrade ends Sev1, not Sev2.
    state = fold(
        SeverityChanged(et("12:00"), 1, "Worse"),
        SeverityChanged(et("13:00"), 3, "Not critical after all", misassigned=True),
    )
    assert state.breaches[0].due_at == DUE
    assert misassigned_by(state.changes, DUE) is None
    # A breach in the Sev1 period (12:00 to 13:00) is the customer's mis-assignment.
    assert misassigned_by(state.changes, et("12:30")) == state.changes[1]


def test_a_change_at_the_breach_instant_was_already_in_force():
    changes = fold(SeverityChanged(et("11:00"), 3, "x", misassigned=True)).changes
    assert misassigned_by(changes, et("11:00")) is None
    assert misassigned_by(changes, et("10:59")) == changes[0]


def test_an_accepted_request_ends_a_severity_as_the_vendors():
    state = fold(
        SeverityRequested(et("12:00"), 1, "All sites down"),
        SeverityRequestAccepted(et("12:05")),
        SeverityChanged(et("14:00"), 3, "One site", misassigned=True),
    )
    assert misassigned_by(state.changes, DUE) is None  # ended by the acceptance at 12:05
    assert misassigned_by(state.changes, et("13:00")) == state.changes[1]


def test_the_core_never_marks_an_upgrade_misassigned():
    state = fold(SeverityChanged(et("10:00"), 1, "worse", misassigned=True))
    assert not state.changes[0].misassigned
    assert misassigned_by(state.changes, et("09:30")) is None


def test_no_breach_is_not_only_misassigned():
    state = fold(Responded(et("10:00")), SeverityChanged(et("12:00"), 3, "x", misassigned=True))
    assert not state.breaches
    assert not only_misassigned(state.breaches, state.changes)


def test_a_later_vendor_breach_under_the_new_severity_is_the_vendors():
    # Downgraded at 12:00 to Sev4 (24 business hours from 09:00: Tue 09:00);
    # still no response on Wednesday: that breach is under Sev4, the vendor's.
    state = fold(
        SeverityChanged(et("12:00"), 4, "x", misassigned=True),
        now=datetime(2026, 12, 2, 12, tzinfo=ET),
    )
    assert [b.severity for b in state.breaches] == [2, 4]
    assert misassigned_by(state.changes, state.breaches[0].due_at) is not None
    assert misassigned_by(state.changes, state.breaches[1].due_at) is None
    assert not only_misassigned(state.breaches, state.changes)


def test_the_explanation_says_which_downgrade_was_misassigned():
    events = (SUBMITTED, SeverityChanged(et("12:00"), 3, "One job", misassigned=True))
    lines = explain(POLICY, events).lines(ET)
    assert any(
        "downgrade from Severity 2 to 3, mis-assigned by the customer (§1.7.3)" in line
        for line in lines
    )


@pytest.mark.parametrize(
    ("current", "new", "misassigned", "section"),
    [
        (2, 3, False, "§1.7.1"),
        (2, 3, True, "§1.7.3"),
        (3, 2, False, "§1.7.2"),
    ],
)
def test_each_change_cites_its_section(current, new, misassigned, section):
    assert change_section(current, new, misassigned=misassigned) == section


@pytest.mark.parametrize(
    ("current", "new", "reason", "misassigned", "refusal"),
    [
        (2, 3, "Only one job", True, None),
        (3, 2, "Worse", True, "only a downgrade can be marked mis-assigned"),
        (2, 3, " ", True, "needs a reason"),
        (2, 2, "x", True, "already"),
    ],
)
def test_only_a_downgrade_with_a_reason_may_say_misassigned(
    current, new, reason, misassigned, refusal
):
    found = check_change(POLICY, current, new, reason, misassigned=misassigned)
    if refusal is None:
        assert found is None
    else:
        assert found is not None
        assert refusal in found
