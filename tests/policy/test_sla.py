"""The first-response clock as a pure function of a ticket's events."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from supportdesk.policy import ChangeRule, default_policy
from supportdesk.policy.sla import (
    Forwarded,
    Responded,
    SeverityChanged,
    SeverityRequestAccepted,
    SeverityRequestDeclined,
    SeverityRequested,
    Submitted,
    alarms,
    compute,
    explain,
    warning_at,
)

ET = ZoneInfo("America/New_York")
POLICY = default_policy()


def et(text: str) -> datetime:
    """An Eastern wall-clock time, as the policy states its hours."""
    return datetime.fromisoformat(text).replace(tzinfo=ET)


def z(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def submitted(at="2026-11-30T09:00", severity=2, channel="email", **kw) -> Submitted:
    return Submitted(et(at), severity, channel, dedicated_contact=kw.pop("contact", True), **kw)


def from_submission_policy():
    rules = replace(POLICY.severity_rules, change_rule=ChangeRule.FROM_SUBMISSION)
    return replace(POLICY, severity_rules=rules)


def test_upgrade_keeps_an_earlier_due_time():
    # Sev3 at 09:00 is due 13:00; an upgrade to Sev2 at 12:00 would give 14:00.
    state = compute(POLICY, (submitted(severity=3), SeverityChanged(et("2026-11-30T12:00"), 2)))
    assert state.response_due_at == z("2026-11-30T18:00Z")
    assert state.severity == 2
    assert "stays" in state.changes[0].rule


def test_upgrade_under_from_submission_can_breach_at_once():
    events = (submitted(severity=4), SeverityChanged(et("2026-11-30T12:00"), 2, "outage"))
    state = compute(from_submission_policy(), events, now=et("2026-11-30T12:00"))
    assert state.response_due_at == z("2026-11-30T16:00Z")  # 09:00 + 2h, already past
    assert state.breached


def test_downgrade_counts_from_submission_on_the_new_target():
    events = (submitted(severity=1, channel="phone"), SeverityChanged(et("2026-11-30T09:30"), 4))
    state = compute(POLICY, events)
    # Sev4 counts 24 business hours from Monday 09:00: Tuesday 09:00 EST.
    assert state.response_due_at == z("2026-12-01T14:00Z")


def test_a_breach_stays_recorded_after_a_downgrade():
    events = (
        submitted(severity=2),  # due 11:00
        SeverityChanged(et("2026-11-30T12:00"), 4, "impact smaller than reported"),
        Responded(et("2026-11-30T13:00")),
    )
    state = compute(POLICY, events)
    assert state.breached
    assert [(b.due_at, b.severity) for b in state.breaches] == [(z("2026-11-30T16:00Z"), 2)]
    assert state.response_due_at == z("2026-12-01T14:00Z")
    assert state.met is False


def test_response_exactly_at_due_is_met_and_a_second_later_is_not():
    on_time = compute(POLICY, (submitted(), Responded(et("2026-11-30T11:00"))))
    late = compute(POLICY, (submitted(), Responded(et("2026-11-30T11:00:01"))))
    assert on_time.met is True
    assert late.met is False
    assert late.breaches[0].seen_at == et("2026-11-30T11:00:01")


def test_open_ticket_breaches_only_once_now_is_past_due():
    events = (submitted(),)
    assert not compute(POLICY, events, now=et("2026-11-30T11:00")).breached
    assert compute(POLICY, events, now=et("2026-11-30T11:00:01")).breached
    assert compute(POLICY, events).met is None


def test_changes_after_the_first_response_do_not_move_the_target():
    events = (submitted(severity=3), Responded(et("2026-11-30T10:00")))
    events += (SeverityChanged(et("2026-11-30T11:00"), 1, "now down"),)
    state = compute(POLICY, events)
    assert state.response_due_at == z("2026-11-30T18:00Z")
    assert state.severity == 1
    assert state.met is True


def test_customer_request_changes_nothing_until_accepted():
    events = (submitted(severity=4), SeverityRequested(et("2026-11-30T10:00"), 2, "all sites down"))
    pending = compute(POLICY, events)
    assert pending.severity == 4
    assert pending.pending_request is not None
    assert pending.response_due_at == z("2026-12-01T14:00Z")

    accepted = compute(POLICY, (*events, SeverityRequestAccepted(et("2026-11-30T10:30"))))
    assert accepted.severity == 2
    assert accepted.pending_request is None
    assert accepted.response_due_at == z("2026-11-30T17:30Z")  # accept time + 2h
    assert "all sites down" in accepted.changes[0].reason

    declined = compute(POLICY, (*events, SeverityRequestDeclined(et("2026-11-30T10:30"), "no")))
    assert declined.severity == 4
    assert declined.pending_request is None


def test_severity_one_without_a_dedicated_contact_opens_as_two():
    state = compute(POLICY, (submitted(severity=1, channel="phone", contact=False),))
    assert state.severity == 2
    assert state.notes[0].source == "§1.6.1"
    assert state.response_due_at == z("2026-11-30T16:00Z")


def test_vendor_outage_is_exempt_from_the_dedicated_contact_rule():
    event = submitted(severity=1, channel="phone", contact=False, vendor_outage=True)
    state = compute(POLICY, (event,))
    assert state.severity == 1
    assert state.response_due_at == z("2026-11-30T15:00Z")


def test_partner_ticket_has_no_vendor_clock_until_forwarded():
    first = submitted(at="2026-11-30T09:00", severity=3, to_vendor=False)
    waiting = compute(POLICY, (first,), now=et("2026-12-04T09:00"))
    assert waiting.tier == "partner"
    assert waiting.response_due_at is None
    assert not waiting.breached

    forwarded = compute(POLICY, (first, Forwarded(et("2026-11-30T15:00"), severity=2)))
    assert forwarded.tier == "vendor"
    assert forwarded.clock_started_at == et("2026-11-30T15:00")
    assert forwarded.response_due_at == z("2026-11-30T22:00Z")


def test_vendor_reply_before_the_forward_is_not_a_first_response():
    events = (submitted(to_vendor=False), Responded(et("2026-11-30T09:30")))
    events += (Forwarded(et("2026-11-30T10:00")),)
    state = compute(POLICY, events)
    assert state.first_response_at is None
    assert state.response_due_at == z("2026-11-30T17:00Z")


def test_events_must_start_with_a_submission():
    with pytest.raises(ValueError, match="start with Submitted"):
        compute(POLICY, (Responded(et("2026-11-30T09:00")),))


def test_naive_instants_are_refused():
    with pytest.raises(ValueError, match="naive"):
        compute(POLICY, (Submitted(datetime(2026, 11, 30, 9), 2, "email"),))


def test_explain_lists_target_calendar_segments_and_changes():
    events = (
        Submitted(et("2026-11-27T23:00"), 4, "email", dedicated_contact=True),
        SeverityChanged(et("2026-11-27T23:30"), 2, "backups failing"),
    )
    explanation = explain(POLICY, events)
    assert explanation.target is not None
    assert explanation.target.duration == timedelta(hours=2)
    assert explanation.calendar == "business"
    assert [(s.start, s.end) for s in explanation.segments] == [
        (z("2026-11-28T04:30Z"), z("2026-11-28T05:00Z")),
        (z("2026-11-30T05:00Z"), z("2026-11-30T06:30Z")),
    ]
    lines = explanation.lines(ET)
    assert any("upgrade from Severity 4 to 2: backups failing" in line for line in lines)
    assert lines[-1] == "Due Mon 30 Nov 2026 01:30 EST."
    assert explanation.policy_version == POLICY.version


def test_bulk_due_times_match_single_calls():
    rng = np.random.default_rng(7)
    n = 2_000
    seconds = rng.integers(0, 3 * 365 * 86_400, n)
    starts = np.datetime64("2026-01-01T00:00:00", "us") + seconds.astype("timedelta64[s]")
    levels = rng.integers(1, 5, n)
    channels = rng.choice(np.array(["email", "portal", "api", "chat", "phone"]), n)
    due = POLICY.response_due_many(starts, levels, channels)
    for i in range(n):
        start = starts[i].astype(datetime).replace(tzinfo=UTC)
        expected = POLICY.response_due(start, int(levels[i]), str(channels[i]))
        assert due[i].astype(datetime).replace(tzinfo=UTC) == expected


def test_bulk_refuses_unknown_channels():
    with pytest.raises(ValueError, match="fax"):
        POLICY.response_due_many(
            np.array(["2026-11-30T09:00"], dtype="datetime64[us]"), [2], ["fax"]
        )


# -- alarms: the worker's warning and breach ---------------------------------------------


def test_the_warning_comes_at_three_quarters_of_the_target_on_its_calendar():
    # Severity 4 on Friday 20:00: 24 business hours on `business` (Mon 00:00
    # to Fri 24:00) run 4 hours to Friday's close and 20 on Monday; three
    # quarters (18 hours) end Monday 14:00, not 18 wall-clock hours later.
    state = compute(POLICY, (submitted("2026-11-27T20:00", severity=4),))
    assert state.response_due_at == et("2026-11-30T20:00")
    assert warning_at(POLICY, state) == et("2026-11-30T14:00")
    assert [(a.kind, a.at) for a in alarms(POLICY, state)] == [
        ("warning", et("2026-11-30T14:00")),
        ("breach", et("2026-11-30T20:00")),
    ]


def test_the_policy_sets_when_to_warn():
    rules = replace(POLICY.severity_rules, warn_at_percent=50)
    policy = replace(POLICY, severity_rules=rules)
    state = compute(policy, (submitted(severity=3),))  # due 13:00
    assert warning_at(policy, state) == et("2026-11-30T11:00")


def test_an_upgrade_warns_from_the_change_on_the_new_target():
    state = compute(
        POLICY,
        (submitted(severity=4), SeverityChanged(et("2026-11-30T10:30"), 2, "site down")),
    )
    assert state.response_due_at == et("2026-11-30T12:30")
    assert warning_at(POLICY, state) == et("2026-11-30T12:00")


def test_no_alarms_once_responded_or_before_the_vendor_clock():
    responded = compute(POLICY, (submitted(), Responded(et("2026-11-30T09:10"))))
    assert alarms(POLICY, responded) == ()
    waiting = compute(POLICY, (submitted(to_vendor=False),))
    assert alarms(POLICY, waiting) == ()
