"""Severity 1 continuous effort (§1.6): what is owed, and when the managers
are alerted that nobody has the ticket."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supportdesk.policy import PolicyError, default_policy, parse_policy
from supportdesk.policy.effort import (
    Alert,
    AssigneeIs,
    Fact,
    OpenIs,
    ReachedVendor,
    SeverityIs,
    WorkaroundRecorded,
    alert_at,
    compute,
    due_alert,
    is_owed,
    next_alert,
    owes_any,
)
from supportdesk.policy.load import default_policy_path
from supportdesk.policy.render import render_markdown
from supportdesk.policy.schema import ContinuousEffortRule, Policy

ET = ZoneInfo("America/New_York")
POLICY = default_policy()
# Monday 30 November 2026, 09:00 Eastern.
T = datetime(2026, 11, 30, 9, tzinfo=ET)
MIN = timedelta(minutes=1)
EVERY = timedelta(minutes=30)


def at(minutes: float) -> datetime:
    return (T + timedelta(minutes=minutes)).astimezone(UTC)


def with_interval(minutes: int) -> Policy:
    rule = ContinuousEffortRule(unassigned_alert_every=timedelta(minutes=minutes))
    return replace(POLICY, severity_rules=replace(POLICY.severity_rules, continuous_effort=rule))


# -- the policy setting ---------------------------------------------------------------------


SHIPPED = default_policy_path().read_text(encoding="utf-8")
TABLE = '[severity_rules.continuous_effort]\nunassigned_alert_every_minutes = 30\nsource = "§1.6"\n'


def test_the_shipped_policy_alerts_every_30_minutes_citing_section_1_6():
    rule = POLICY.severity_rules.continuous_effort
    assert rule.unassigned_alert_every == EVERY
    assert rule.source == "§1.6"
    assert [s.level for s in POLICY.severities if s.continuous_effort] == [1]
    assert TABLE in SHIPPED


def test_an_older_policy_file_without_the_table_gets_the_default():
    older = parse_policy(SHIPPED.replace(TABLE, ""))
    assert older.severity_rules.continuous_effort == ContinuousEffortRule(EVERY, "§1.6")


def test_the_interval_is_the_policys_to_set():
    policy = parse_policy(SHIPPED.replace("every_minutes = 30", "every_minutes = 45"))
    assert policy.severity_rules.continuous_effort.unassigned_alert_every == timedelta(minutes=45)


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        (
            "every_minutes = 30",
            "every_minutes = 2",
            "severity_rules.continuous_effort.unassigned_alert_every_minutes: "
            "expected an integer from 5 to 1440, got 2",
        ),
        (
            "every_minutes = 30",
            'every_minutes = "30"',
            "severity_rules.continuous_effort.unassigned_alert_every_minutes: "
            "expected an integer, got '30'",
        ),
        (
            "unassigned_alert_every_minutes",
            "unasigned_alert_every_minutes",
            "severity_rules.continuous_effort.unasigned_alert_every_minutes: unknown key",
        ),
        (
            '30\nsource = "§1.6"\n',
            '30\nsource = ""\n',
            "severity_rules.continuous_effort.source: expected a non-empty string",
        ),
    ],
    ids=["too often", "not a number", "typo", "empty source"],
)
def test_a_wrong_setting_names_its_key(old, new, words):
    text = SHIPPED.replace(TABLE, TABLE.replace(old, new))
    assert text != SHIPPED
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, origin="broken.toml")
    assert str(caught.value).startswith(f"broken.toml: {words}")


def test_the_statement_says_the_interval_is_the_desks_own_choice():
    text = " ".join(render_markdown(POLICY).split())
    assert (
        "Issues of this severity get continuous effort until a workaround or resolution is "
        "provided or the issue is downgraded (§1.6). While nobody has taken such an issue, the "
        "support managers are alerted at once and again every 30 minutes until someone does "
        "(the interval is this desk's own choice: the policy sets none)."
    ) in text
    assert "again every 1 hour 30 minutes" in " ".join(render_markdown(with_interval(90)).split())


# -- what is owed -------------------------------------------------------------------------------


def sev1(*later: Fact) -> list[Fact]:
    """A Severity 1 that reached the vendor at T, and what happened after."""
    return [ReachedVendor(T, 1), *later]


def test_an_unassigned_severity_1_is_owed_effort_and_alerts_from_the_moment_it_arrived():
    effort = compute(POLICY, sev1())
    assert effort.owed
    assert effort.owed_since == at(0)
    assert effort.unassigned_since == at(0)
    assert effort.workaround_at is None
    assert next_alert(effort) == Alert(at(0), 1, at(0))
    assert next_alert(effort, after=at(0)) == Alert(at(30), 2, at(0))
    assert next_alert(effort, after=at(59)) == Alert(at(60), 3, at(0))
    assert [alert_at(effort, n) for n in (1, 2, 3)] == [at(0), at(30), at(60)]


def test_other_severities_owe_nothing():
    for level in (2, 3, 4):
        effort = compute(POLICY, [ReachedVendor(T, level)])
        assert not effort.owed
        assert effort.unassigned_since is None
        assert next_alert(effort) is None


def test_someone_taking_it_stops_the_alerts_but_not_the_effort():
    effort = compute(POLICY, sev1(AssigneeIs(at(10), True)))
    assert effort.owed
    assert effort.unassigned_since is None
    assert next_alert(effort) is None
    assert due_alert(effort, now=at(600)) is None


def test_unassigned_again_starts_a_new_run_at_that_moment():
    effort = compute(POLICY, sev1(AssigneeIs(at(10), True), AssigneeIs(at(45), False)))
    assert effort.owed_since == at(0)
    assert effort.unassigned_since == at(45)
    assert next_alert(effort, after=at(30)) == Alert(at(45), 1, at(45))
    assert next_alert(effort, after=at(45)) == Alert(at(75), 2, at(45))


@pytest.mark.parametrize(
    ("fact", "owed"),
    [
        (SeverityIs(at(20), 2), False),  # downgraded
        (WorkaroundRecorded(at(20)), False),
        (OpenIs(at(20), False), False),  # resolved or closed
        (SeverityIs(at(20), 1), True),  # "changed" to what it is: nothing new
    ],
    ids=["downgrade", "workaround", "resolved", "same severity"],
)
def test_what_ends_the_effort(fact, owed):
    effort = compute(POLICY, sev1(fact))
    assert effort.owed is owed
    assert (effort.unassigned_since is not None) is owed
    assert (due_alert(effort, now=at(600), after=at(0)) is not None) is owed


def test_a_workaround_counts_until_the_ticket_becomes_severity_1_again():
    worked_around = sev1(WorkaroundRecorded(at(20)))
    assert compute(POLICY, worked_around).workaround_at == at(20)
    # Downgraded with the workaround in place: it still stands.
    downgraded = compute(POLICY, [*worked_around, SeverityIs(at(40), 2)])
    assert (downgraded.owed, downgraded.workaround_at) == (False, at(20))
    # Upgraded again: effort is owed afresh, and alerted from the upgrade.
    again = compute(POLICY, [*worked_around, SeverityIs(at(40), 2), SeverityIs(at(90), 1)])
    assert (again.owed, again.workaround_at, again.unassigned_since) == (True, None, at(90))


def test_a_workaround_on_a_lower_severity_does_not_excuse_a_later_severity_1():
    facts = [ReachedVendor(T, 3), WorkaroundRecorded(at(5)), SeverityIs(at(60), 1)]
    assert compute(POLICY, facts[:2]).workaround_at == at(5)
    effort = compute(POLICY, facts)
    assert (effort.owed, effort.workaround_at, effort.owed_since) == (True, None, at(60))


def test_reopening_owes_the_effort_again():
    effort = compute(POLICY, sev1(OpenIs(at(20), False), OpenIs(at(50), True)))
    assert (effort.owed, effort.owed_since, effort.unassigned_since) == (True, at(50), at(50))


def test_nothing_is_owed_at_the_partner_and_its_workaround_is_not_the_vendors():
    with_partner = [SeverityIs(T, 1), AssigneeIs(at(1), True), WorkaroundRecorded(at(5))]
    assert not compute(POLICY, with_partner).owed
    # The forward unassigns the partner's technician (the shell says so).
    forwarded = [*with_partner, ReachedVendor(at(30), 1), AssigneeIs(at(30), False)]
    effort = compute(POLICY, forwarded)
    assert (effort.owed, effort.workaround_at, effort.unassigned_since) == (True, None, at(30))


def test_facts_may_come_in_any_order_and_in_any_zone():
    facts = sev1(AssigneeIs(at(10), True), AssigneeIs(at(45), False))
    shuffled = [facts[2], facts[0], facts[1]]
    assert compute(POLICY, shuffled) == compute(POLICY, facts)
    effort = compute(POLICY, [ReachedVendor(T.astimezone(ZoneInfo("Asia/Tokyo")), 1)])
    assert effort.unassigned_since == at(0)
    assert effort.unassigned_since.tzinfo is UTC


def test_is_owed_reads_a_state_directly():
    kw = {"severity": 1, "at_vendor": True, "is_open": True, "workaround": False}
    assert is_owed(POLICY, **kw)
    for change in ({"severity": 2}, {"at_vendor": False}, {"is_open": False}, {"workaround": True}):
        assert not is_owed(POLICY, **(kw | change))
    assert owes_any(POLICY)
    none = replace(
        POLICY, severities=tuple(replace(s, continuous_effort=False) for s in POLICY.severities)
    )
    assert not owes_any(none)
    assert not compute(none, sev1()).owed


# -- alerts a sweep records -----------------------------------------------------------------


def test_each_alert_is_due_at_its_instant_and_not_before():
    effort = compute(POLICY, sev1())
    assert due_alert(effort, now=at(0)) == Alert(at(0), 1, at(0))
    assert due_alert(effort, now=at(29), after=at(0)) is None
    assert due_alert(effort, now=at(30), after=at(0)) == Alert(at(30), 2, at(0))
    assert due_alert(effort, now=at(31), after=at(30)) is None
    assert due_alert(effort, now=T - MIN) is None


def test_a_worker_down_for_hours_gets_one_alert_standing_for_the_missed_ones():
    effort = compute(POLICY, sev1())
    # Recorded alert 1 at 09:00; the next sweep comes at 13:10.
    alert = due_alert(effort, now=at(250), after=at(0))
    assert alert == Alert(at(240), 9, at(0), missed=7)
    # The run goes on from it.
    assert next_alert(effort, after=alert.at) == Alert(at(270), 10, at(0))
    # Down from the start: nothing recorded yet.
    assert due_alert(effort, now=at(95)) == Alert(at(90), 4, at(0), missed=3)


def test_alerts_after_a_run_ended_are_not_due():
    effort = compute(POLICY, sev1(AssigneeIs(at(100), True)))
    assert due_alert(effort, now=at(300), after=at(0)) is None


# 2026-11-01 02:00 EDT -> 01:00 EST: elapsed time, so the half hours do not move.
def test_alerts_are_elapsed_time_across_the_clock_change():
    start = datetime(2026, 11, 1, 0, 45, tzinfo=ET)  # 04:45 UTC
    effort = compute(POLICY, [ReachedVendor(start, 1)])
    instants = [alert_at(effort, n) for n in (1, 2, 3, 4)]
    assert [i.isoformat() for i in instants] == [
        "2026-11-01T04:45:00+00:00",
        "2026-11-01T05:15:00+00:00",
        "2026-11-01T05:45:00+00:00",
        "2026-11-01T06:15:00+00:00",
    ]
    assert [i.astimezone(ET).strftime("%H:%M %Z") for i in instants] == [
        "00:45 EDT",
        "01:15 EDT",
        "01:45 EDT",
        "01:15 EST",
    ]


def test_naive_times_and_impossible_questions_are_refused():
    with pytest.raises(ValueError, match="naive"):
        compute(POLICY, [ReachedVendor(datetime(2026, 11, 30, 9), 1)])
    effort = compute(POLICY, sev1())
    with pytest.raises(ValueError, match="naive"):
        due_alert(effort, now=datetime(2026, 11, 30, 9))
    with pytest.raises(ValueError, match="numbered from 1"):
        alert_at(effort, 0)
    with pytest.raises(ValueError, match="no run"):
        alert_at(compute(POLICY, []), 1)


# -- against a minute-by-minute reference -------------------------------------------------------

HORIZON = 240


def reference(policy: Policy, facts: list[tuple[int, Fact]], every: int) -> list[bool]:
    """For each minute, whether an alert falls due then: the rules applied
    afresh at every minute, with the run counted back minute by minute."""

    def alerting(minute: int) -> bool:
        seen = [f for m, f in facts if m <= minute]
        vendor = False
        severity = None
        assigned, is_open, workaround = False, True, False
        for fact in seen:
            if isinstance(fact, ReachedVendor):
                vendor, severity, workaround = True, fact.severity, False
            elif isinstance(fact, SeverityIs):
                if fact.severity != severity and fact.severity == 1:
                    workaround = False
                severity = fact.severity
            elif isinstance(fact, AssigneeIs):
                assigned = fact.assigned
            elif isinstance(fact, WorkaroundRecorded):
                workaround = True
            elif isinstance(fact, OpenIs):
                is_open = fact.is_open
        return vendor and severity == 1 and is_open and not workaround and not assigned

    states = [alerting(m) for m in range(HORIZON)]
    due = []
    for minute, on in enumerate(states):
        start = minute
        while start > 0 and states[start - 1]:
            start -= 1
        due.append(on and (minute - start) % every == 0)
    return due


def fact_at(draw: st.DrawFn, minute: int) -> Fact:
    kind = draw(st.sampled_from(["vendor", "severity", "assignee", "workaround", "open"]))
    when = at(minute)
    if kind == "vendor":
        return ReachedVendor(when, draw(st.sampled_from([1, 1, 2, 3])))
    if kind == "severity":
        return SeverityIs(when, draw(st.sampled_from([1, 1, 2, 4])))
    if kind == "assignee":
        return AssigneeIs(when, draw(st.booleans()))
    if kind == "workaround":
        return WorkaroundRecorded(when)
    return OpenIs(when, draw(st.booleans()))


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[tuple[int, Fact]], int]:
    minutes = sorted(draw(st.sets(st.integers(0, HORIZON - 1), min_size=1, max_size=8)))
    facts = [(m, fact_at(draw, m)) for m in minutes]
    return facts, draw(st.integers(5, 60))


@settings(max_examples=150, deadline=None)
@given(histories())
def test_a_sweep_every_minute_records_exactly_the_reference_alerts(case):
    facts, every = case
    policy = with_interval(every)
    expected = reference(policy, facts, every)
    for minute in range(HORIZON):
        effort = compute(policy, [f for m, f in facts if m <= minute])
        alert = due_alert(effort, now=at(minute), after=at(minute - 1))
        assert (alert is not None) is expected[minute], minute
        if alert is not None:
            assert alert.at == at(minute)
            assert alert.missed == 0


@settings(max_examples=150, deadline=None)
@given(histories(), st.sets(st.integers(0, HORIZON - 1), min_size=1, max_size=6))
def test_sparse_sweeps_record_the_latest_alert_of_the_run_and_never_a_storm(case, sweeps):
    facts, every = case
    policy = with_interval(every)
    expected = reference(policy, facts, every)
    last: int | None = None
    for minute in sorted(sweeps):
        effort = compute(policy, [f for m, f in facts if m <= minute])
        after = at(last) if last is not None else None
        alert = due_alert(effort, now=at(minute), after=after)
        # Due alerts of the run still going at this sweep, later than the last recorded.
        start = effort.unassigned_since
        owed = [
            m
            for m in range(HORIZON)
            if expected[m]
            and m <= minute
            and (last is None or m > last)
            and start is not None
            and at(m) >= start
        ]
        if not owed:
            assert alert is None
            continue
        assert alert is not None
        assert alert.at == at(owed[-1])
        assert alert.missed == len(owed) - 1
        last = owed[-1]
