"""The escalation of a ticket (§1.8) as a pure state machine."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from supportdesk.policy import default_policy
from supportdesk.policy.escalation import (
    KINDS,
    MAX_EVERY,
    MIN_EVERY,
    Actor,
    Confirm,
    Deescalate,
    EngageVendor,
    Evaluate,
    InsufficientProgress,
    MissedUpdate,
    Plan,
    Refused,
    Request,
    State,
    Status,
    Step,
    Update,
    allowed_steps,
    apply,
    compute,
    missed_updates,
    next_deadline,
    reminder_at,
    reminder_lead,
    unconfirmed,
)

ET = ZoneInfo("America/New_York")
POLICY = default_policy()
ITEMS = tuple(item.slug for item in POLICY.escalation.deescalation_checklist)
HOUR = timedelta(hours=1)
EXAMPLES_REMINDERS = int(os.environ.get("ESCALATION_EXAMPLES", "30")) * 3

# Personas.
CAROL = Actor("Carol Customer", "customer")
PAT = Actor("Pat Partner", "partner")
ERIN = Actor("Erin Engineer", "vendor")
MONA = Actor("Mona Manager", "vendor", manager=True)


def et(text: str) -> datetime:
    """An Eastern wall-clock time on Monday 2026-11-30 ("09:00") or a full
    ISO date and time."""
    if len(text) == 5:
        text = f"2026-11-30T{text}"
    return datetime.fromisoformat(text).replace(tzinfo=ET)


def request(at: str = "09:00", by: Actor = CAROL, **kw: str) -> Request:
    return Request(
        et(at),
        by,
        kw.get("reason", "critical-business-impact"),
        kw.get("statement", "Restores fail for every site; payroll runs tonight."),
    )


def accept(at: str = "09:00", by: Actor = MONA) -> Evaluate:
    return Evaluate(et(at), by, accept=True, note="Storage specialist", primary_engineer="Erin")


def plan(
    at: str = "09:00",
    *,
    mode: str = "email",
    every: timedelta = 4 * HOUR,
    attendees: tuple[str, ...] = ("Carol Customer",),
    by: Actor = ERIN,
) -> Plan:
    return Plan(et(at), by, "Collect logs, reproduce, patch.", mode, every, attendees)


def confirm_all(at: str = "09:00") -> tuple[Confirm, ...]:
    return tuple(Confirm(et(at), ERIN, item, "Carol Customer") for item in ITEMS)


def active(at: str = "09:00") -> State:
    return compute(POLICY, (request(at), accept(at)))


def planned(at: str = "09:00", **kw: object) -> State:
    return apply(POLICY, active(at), plan(at, **kw))


def refused(state: State | None, step: Step) -> Refused:
    with pytest.raises(Refused) as info:
        apply(POLICY, state, step)
    return info.value


# -- the path through -------------------------------------------------------------


def test_it_runs_from_request_to_de_escalation():
    steps = (
        request("09:00"),
        accept("09:30"),
        plan("10:00", mode="conference-call", attendees=("Carol Customer", "Mona Manager")),
        Update(et("13:00"), ERIN, "Patch built; testing on a copy."),
        EngageVendor(et("13:30"), ERIN, "Microsoft", "SR-2611300042", "ms-support@example.com"),
        *confirm_all("15:00"),
        Deescalate(et("15:30"), ERIN, "Restores run again."),
    )
    state = compute(POLICY, steps)
    assert state.status is Status.DEESCALATED
    assert state.level == 1
    assert state.primary_engineer == "Erin"
    assert state.plan is not None
    assert state.plan.mode == "conference-call"
    assert state.plan.attendees == ("Carol Customer", "Mona Manager")
    assert [v.case_reference for v in state.vendors] == ["SR-2611300042"]
    assert [c.item for c in state.confirmations] == list(ITEMS)
    assert state.confirmation(ITEMS[0]).confirmed_by == "Carol Customer"
    assert state.confirmation(ITEMS[0]).recorded_by == "Erin Engineer"
    assert state.ended_at == et("15:30")
    assert state.next_update_due is None
    assert state.history == steps


def test_it_opens_in_the_managers_queue():
    state = apply(POLICY, None, request())
    assert state.status is Status.REQUESTED
    assert state.level == 1
    assert state.reason == "critical-business-impact"
    assert state.requested_by == "Carol Customer"
    assert allowed_steps(POLICY, state, MONA) == ["evaluate"]
    assert allowed_steps(POLICY, state, ERIN) == []
    assert allowed_steps(POLICY, state, CAROL) == []


def test_a_partner_may_request():
    assert apply(POLICY, None, request(by=PAT)).requested_by == "Pat Partner"


def test_accepting_assigns_the_primary_engineer():
    state = active()
    assert state.status is Status.ACTIVE
    assert state.primary_engineer == "Erin"
    assert state.evaluation_note == "Storage specialist"
    assert state.next_update_due is None  # no plan yet


def test_declining_ends_the_escalation_with_the_reason():
    decline = Evaluate(et("10:00"), MONA, accept=False, note="Severity 1 covers this already")
    state = apply(POLICY, apply(POLICY, None, request()), decline)
    assert state.status is Status.DECLINED
    assert state.ended_at == et("10:00")
    assert state.evaluation_note == "Severity 1 covers this already"
    assert state.primary_engineer is None


def test_insufficient_progress_raises_the_level_and_owes_a_call():
    state = apply(POLICY, planned(), InsufficientProgress(et("11:00"), CAROL, "Nothing since 9"))
    assert state.level == 2
    assert state.call_requested_at == et("11:00")
    assert "insufficient-progress" not in allowed_steps(POLICY, state, CAROL)
    # The call is an update; once given, the customer may report again.
    state = apply(POLICY, state, Update(et("11:30"), ERIN, "Conference call held."))
    assert state.call_requested_at is None
    state = apply(POLICY, state, InsufficientProgress(et("12:00"), PAT, "Still failing"))
    assert state.level == 3


def test_insufficient_progress_voids_the_checklist():
    state = planned()
    for step in confirm_all("10:00"):
        state = apply(POLICY, state, step)
    state = apply(POLICY, state, InsufficientProgress(et("11:00"), CAROL, "Fails again"))
    assert state.confirmations == ()
    assert refused(state, Deescalate(et("11:05"), ERIN)).code == "conflict"


def test_a_new_plan_replaces_the_old_and_voids_the_checklist():
    state = planned()
    state = apply(POLICY, state, confirm_all("10:00")[0])
    state = apply(POLICY, state, plan("11:00", mode="phone", every=2 * HOUR))
    assert state.plan is not None
    assert state.plan.mode == "phone"
    assert state.next_update_due == et("13:00")
    assert state.confirmations == ()


def test_an_update_before_a_plan_sets_no_deadline():
    state = apply(POLICY, active(), Update(et("09:30"), ERIN, "Call set up for 10:00"))
    assert state.last_update_at == et("09:30")
    assert state.next_update_due is None


def test_a_new_request_after_the_end_starts_again_at_level_one():
    state = planned()
    state = apply(POLICY, state, InsufficientProgress(et("10:00"), CAROL, "No progress"))
    for step in confirm_all("11:00"):
        state = apply(POLICY, state, step)
    state = apply(POLICY, state, Deescalate(et("12:00"), ERIN))
    assert allowed_steps(POLICY, state, CAROL) == ["request"]
    again = apply(POLICY, state, request("14:00", reason="dissatisfied"))
    assert again.status is Status.REQUESTED
    assert again.level == 1
    assert again.reason == "dissatisfied"
    assert again.history == (request("14:00", reason="dissatisfied"),)


def test_allowed_steps_for_each_persona_while_active():
    state = planned()
    assert allowed_steps(POLICY, state, CAROL) == ["insufficient-progress"]
    assert allowed_steps(POLICY, state, ERIN) == ["plan", "update", "engage-vendor", "confirm"]
    assert allowed_steps(POLICY, state, MONA) == ["plan", "update", "engage-vendor", "confirm"]
    for step in confirm_all("10:00"):
        state = apply(POLICY, state, step)
    assert allowed_steps(POLICY, state, ERIN) == ["plan", "update", "engage-vendor", "de-escalate"]
    assert allowed_steps(POLICY, None, CAROL) == ["request"]
    assert allowed_steps(POLICY, None, MONA) == []


def test_compute_needs_a_request_first():
    with pytest.raises(ValueError, match="start with Request"):
        compute(POLICY, ())
    with pytest.raises(ValueError, match="start with Request"):
        compute(POLICY, (accept(),))


def test_naive_instants_are_a_value_error():
    with pytest.raises(ValueError, match="naive"):
        Update(datetime(2026, 11, 30, 9), ERIN, "hi")


@pytest.mark.parametrize(
    ("name", "side", "manager", "words"),
    [
        (" ", "customer", False, "needs a name"),
        ("Bob", "staff", False, "side 'staff'"),
        ("Bob", "customer", True, "support managers"),
    ],
)
def test_bad_actors_are_a_value_error(name, side, manager, words):
    with pytest.raises(ValueError, match=words):
        Actor(name, side, manager)


# -- refusals ---------------------------------------------------------------------


def ended_states() -> list[State]:
    declined = apply(
        POLICY, apply(POLICY, None, request()), Evaluate(et("09:00"), MONA, False, "Not needed")
    )
    state = planned()
    for step in confirm_all():
        state = apply(POLICY, state, step)
    return [declined, apply(POLICY, state, Deescalate(et("09:00"), ERIN))]


ALL_STEPS = (
    accept(),
    plan(),
    Update(et("10:00"), ERIN, "update"),
    InsufficientProgress(et("10:00"), CAROL, "slow"),
    EngageVendor(et("10:00"), ERIN, "VMware", "123", "support@vmware.example"),
    Confirm(et("10:00"), ERIN, ITEMS[0], "Carol"),
    Deescalate(et("10:00"), ERIN),
)


@pytest.mark.parametrize("step", ALL_STEPS, ids=lambda s: s.kind)
@pytest.mark.parametrize("state", ended_states(), ids=["declined", "de-escalated"])
def test_after_the_end_every_step_is_a_conflict(state, step):
    error = refused(state, step)
    assert error.code == "conflict"
    assert f"was {state.status}" in error.reason
    assert "§1.8" in error.reason


@pytest.mark.parametrize("step", ALL_STEPS, ids=lambda s: s.kind)
def test_without_an_escalation_only_a_request_goes(step):
    error = refused(None, step)
    assert error.code == "conflict"
    assert "no escalation" in error.reason


@pytest.mark.parametrize("step", ALL_STEPS[1:], ids=lambda s: s.kind)
def test_before_evaluation_only_evaluate_goes(step):
    error = refused(apply(POLICY, None, request()), step)
    assert error.code == "conflict"
    assert "must evaluate" in error.reason


def test_a_second_request_while_escalated_is_a_conflict():
    error = refused(active(), request("10:00"))
    assert error.code == "conflict"
    assert "already escalated" in error.reason
    assert "§1.8" in error.reason


def test_a_second_request_while_waiting_is_a_conflict():
    error = refused(apply(POLICY, None, request()), request("10:00", by=PAT))
    assert error.code == "conflict"
    assert "already waiting for a support manager" in error.reason


def test_evaluating_twice_is_a_conflict():
    error = refused(active(), accept("10:00"))
    assert (error.code, "already been evaluated" in error.reason) == ("conflict", True)


@pytest.mark.parametrize(
    ("state", "step", "words"),
    [
        (None, request(by=ERIN), "customer or partner"),
        (None, request(by=MONA), "customer or partner"),
        ("requested", accept(by=ERIN), "support manager"),
        ("requested", accept(by=CAROL), "support manager"),
        ("active", plan(by=CAROL), "vendor staff"),
        ("active", Update(et("10:00"), PAT, "hello"), "vendor staff"),
        ("active", InsufficientProgress(et("10:00"), ERIN, "slow"), "customer or partner"),
        ("active", EngageVendor(et("10:00"), CAROL, "X", "1", "x@x"), "vendor staff"),
        ("planned", Confirm(et("10:00"), CAROL, ITEMS[0], "Carol"), "vendor staff"),
        ("complete", Deescalate(et("10:00"), CAROL), "vendor staff"),
    ],
)
def test_a_step_by_the_wrong_person_is_forbidden(state, step, words):
    states = {
        None: None,
        "requested": apply(POLICY, None, request()),
        "active": active(),
        "planned": planned(),
        "complete": compute(POLICY, (request(), accept(), plan(), *confirm_all())),
    }
    error = refused(states[state], step)
    assert error.code == "forbidden"
    assert words in error.reason


@pytest.mark.parametrize(
    ("state", "step", "words"),
    [
        (None, request(reason="bored"), "'bored' is not a reason"),
        (None, request(statement="  "), "statement"),
        ("requested", Evaluate(et("10:00"), MONA, True, "ok", None), "primary engineer"),
        ("requested", Evaluate(et("10:00"), MONA, True, "ok", " "), "primary engineer"),
        ("requested", Evaluate(et("10:00"), MONA, False, ""), "saying why"),
        ("requested", Evaluate(et("10:00"), MONA, False, "no", "Erin"), "no primary engineer"),
        ("active", replace(plan(), action_plan=""), "action plan"),
        ("active", plan(mode="carrier-pigeon"), "'carrier-pigeon' is not a communication mode"),
        ("active", plan(every=timedelta(0)), "every 15 minutes to 7 days"),
        ("active", plan(every=-HOUR), "every 15 minutes"),
        ("active", plan(every=MIN_EVERY - timedelta(minutes=1)), "every 15 minutes"),
        ("active", plan(every=MAX_EVERY + timedelta(minutes=1)), "7 days"),
        ("active", plan(every=HOUR + timedelta(seconds=1)), "whole minutes"),
        ("active", plan(mode="conference-call", attendees=()), "conference call needs"),
        ("active", plan(attendees=("Carol", " ")), "attendee needs a name"),
        ("active", plan(attendees=("Carol", "Carol")), "listed twice"),
        ("active", Update(et("10:00"), ERIN, ""), "note"),
        ("active", InsufficientProgress(et("10:00"), CAROL, " "), "progress"),
        ("active", EngageVendor(et("10:00"), ERIN, "", "1", "x"), "vendor"),
        ("active", EngageVendor(et("10:00"), ERIN, "X", "", "x"), "case reference"),
        ("active", EngageVendor(et("10:00"), ERIN, "X", "1", ""), "contact"),
        ("planned", Confirm(et("10:00"), ERIN, "vibes-good", "Carol"), "not on the de-escalation"),
        ("planned", Confirm(et("10:00"), ERIN, ITEMS[0], " "), "named person"),
        ("planned", Update(et("08:59"), ERIN, "early"), "time order"),
    ],
)
def test_bad_input_is_invalid(state, step, words):
    states = {None: None, "requested": apply(POLICY, None, request()), "active": active()}
    states["planned"] = planned()
    error = refused(states[state], step)
    assert error.code == "invalid"
    assert words in error.reason


def test_invalid_reasons_and_modes_list_the_choices():
    assert "critical-business-impact" in refused(None, request(reason="x")).reason
    assert "conference-call" in refused(active(), plan(mode="x")).reason
    assert ITEMS[1] in refused(planned(), Confirm(et("10:00"), ERIN, "x", "C")).reason


def test_confirming_an_item_twice_is_a_conflict():
    state = apply(POLICY, planned(), Confirm(et("10:00"), ERIN, ITEMS[0], "Carol"))
    error = refused(state, Confirm(et("11:00"), MONA, ITEMS[0], "Dave"))
    assert error.code == "conflict"
    assert "already confirmed by Carol" in error.reason


def test_confirming_when_all_are_confirmed_is_a_conflict():
    state = compute(POLICY, (request(), accept(), plan(), *confirm_all()))
    error = refused(state, Confirm(et("10:00"), ERIN, ITEMS[0], "Carol"))
    assert error.code == "conflict"
    assert "already confirmed" in error.reason


def test_engaging_the_same_vendor_case_twice_is_a_conflict():
    step = EngageVendor(et("10:00"), ERIN, "Microsoft", "SR-1", "ms@example.com")
    state = apply(POLICY, active(), step)
    error = refused(state, replace(step, vendor=" microsoft", contact="other@example.com"))
    assert error.code == "conflict"
    assert "already recorded" in error.reason
    # Another case with the same vendor is a new record.
    assert len(apply(POLICY, state, replace(step, case_reference="SR-2")).vendors) == 2


@pytest.mark.parametrize("confirmed", range(len(ITEMS)))
def test_de_escalation_needs_every_item_confirmed(confirmed):
    state = compute(POLICY, (request(), accept(), plan(), *confirm_all()[:confirmed]))
    error = refused(state, Deescalate(et("10:00"), ERIN))
    assert error.code == "conflict"
    assert "§1.8" in error.reason
    for item in unconfirmed(POLICY, state):
        assert item.slug in error.reason


@pytest.mark.parametrize(
    "step",
    [Confirm(et("10:00"), ERIN, ITEMS[0], "Carol"), Deescalate(et("10:00"), ERIN)],
    ids=lambda s: s.kind,
)
def test_the_checklist_needs_a_plan(step):
    error = refused(active(), step)
    assert error.code == "conflict"
    assert "no action plan" in error.reason


def test_the_state_is_checked_before_the_person():
    # A customer pressing "update" on an ended escalation learns it ended:
    # nobody could take the step now.
    error = refused(ended_states()[1], Update(et("10:00"), CAROL, "?"))
    assert error.code == "conflict"


def test_a_refusal_shows_its_code():
    assert repr(Refused("No.", "conflict")) == "Refused('No.', 'conflict')"


# -- timers with a controlled clock -------------------------------------------------


def test_the_plan_sets_the_first_deadline():
    state = planned("09:00", every=4 * HOUR)
    assert state.next_update_due == et("13:00")
    assert next_deadline(state) == et("13:00")
    assert missed_updates(state, et("13:00")) == ()  # due at 13:00 is still on time


def test_an_update_moves_the_deadline():
    state = apply(POLICY, planned("09:00"), Update(et("12:00"), ERIN, "Logs read"))
    assert state.next_update_due == et("16:00")
    assert missed_updates(state, et("16:00")) == ()


def test_deadlines_without_an_update_are_missed_each_once():
    state = apply(POLICY, planned("09:00"), Update(et("12:00"), ERIN, "Logs read"))
    missed = missed_updates(state, et("21:00"))
    assert missed == (MissedUpdate(et("16:00"), "email"), MissedUpdate(et("20:00"), "email"))
    assert next_deadline(state, after=et("21:00")) == et("2026-12-01T00:00")
    assert next_deadline(state, after=et("20:00")) == et("20:00")
    assert missed_updates(state, et("16:01")) == (MissedUpdate(et("16:00"), "email"),)


def test_a_late_update_records_what_was_missed():
    state = apply(POLICY, planned("09:00"), Update(et("12:00"), ERIN, "Logs read"))
    before = missed_updates(state, et("21:00"))
    state = apply(POLICY, state, Update(et("21:00"), ERIN, "Sorry, late"))
    assert state.missed == before
    assert state.next_update_due == et("2026-12-01T01:00")
    assert missed_updates(state, et("2026-12-01T01:00")) == before


def test_after_de_escalation_there_are_no_deadlines():
    state = planned("09:00")
    for step in confirm_all("14:00"):
        state = apply(POLICY, state, step)
    state = apply(POLICY, state, Deescalate(et("15:00"), ERIN))
    assert state.next_update_due is None
    assert next_deadline(state) is None
    assert next_deadline(state, after=et("2026-12-05T09:00")) is None
    # The 13:00 update was missed before the end; nothing after it.
    assert missed_updates(state, et("2026-12-05T09:00")) == (MissedUpdate(et("13:00"), "email"),)


def test_frequency_is_elapsed_time_across_a_clock_change():
    # 2026-03-08 02:00 EST -> 03:00 EDT
    state = planned("2026-03-08T00:00", every=4 * HOUR)
    assert state.next_update_due == et("2026-03-08T05:00")


def test_timer_functions_refuse_naive_instants():
    with pytest.raises(ValueError, match="naive"):
        missed_updates(planned(), datetime(2026, 11, 30, 21))
    with pytest.raises(ValueError, match="naive"):
        next_deadline(planned(), after=datetime(2026, 11, 30, 21))


def test_deadlines_are_in_utc():
    due = planned().next_update_due
    assert due is not None
    assert due.utcoffset() == timedelta(0)


# -- reminders before an update is due ---------------------------------------------------

MINUTE = timedelta(minutes=1)


def test_the_reminder_comes_the_policys_lead_before_each_deadline():
    state = planned("09:00", every=4 * HOUR)
    assert POLICY.escalation.update_reminder == 30 * MINUTE  # the desk's choice, not §1.8's
    assert reminder_at(POLICY, state) == et("12:30")
    # With `after`: the reminder of the first deadline not missed by then.
    assert reminder_at(POLICY, state, after=et("12:45")) == et("12:30")
    assert reminder_at(POLICY, state, after=et("13:00")) == et("12:30")  # 13:00 is on time
    assert reminder_at(POLICY, state, after=et("13:01")) == et("16:30")


def test_an_update_moves_the_reminder():
    state = apply(POLICY, planned("09:00"), Update(et("12:45"), ERIN, "Logs read"))
    assert next_deadline(state) == et("16:45")
    assert reminder_at(POLICY, state) == et("16:15")


@pytest.mark.parametrize(
    ("every", "lead"),
    [
        (15 * MINUTE, 7.5 * MINUTE),  # the shortest plan: halfway
        (45 * MINUTE, 22.5 * MINUTE),
        (59 * MINUTE, 29.5 * MINUTE),
        (60 * MINUTE, 30 * MINUTE),  # twice the lead: both rules agree
        (61 * MINUTE, 30 * MINUTE),
        (4 * HOUR, 30 * MINUTE),
        (MAX_EVERY, 30 * MINUTE),
    ],
)
def test_a_plan_shorter_than_twice_the_lead_is_reminded_halfway(every, lead):
    assert reminder_lead(POLICY, every) == lead
    assert reminder_at(POLICY, planned("09:00", every=every)) == et("09:00") + every - lead


def test_the_lead_is_the_policys():
    hour_ahead = replace(POLICY, escalation=replace(POLICY.escalation, update_reminder=HOUR))
    assert reminder_at(hour_ahead, planned("09:00", every=4 * HOUR)) == et("12:00")
    assert reminder_at(hour_ahead, planned("09:00", every=HOUR)) == et("09:30")


def test_no_reminder_without_a_plan_in_force():
    assert reminder_at(POLICY, compute(POLICY, (request(),))) is None
    assert reminder_at(POLICY, active()) is None
    state = planned("09:00")
    for step in confirm_all("10:00"):
        state = apply(POLICY, state, step)
    ended = apply(POLICY, state, Deescalate(et("10:30"), ERIN))
    assert reminder_at(POLICY, ended) is None
    assert reminder_at(POLICY, ended, after=et("12:00")) is None


def test_reminders_are_elapsed_time_in_utc():
    # 2026-03-08 02:00 EST -> 03:00 EDT: 4 hours after midnight is 05:00 EDT.
    remind = reminder_at(POLICY, planned("2026-03-08T00:00", every=4 * HOUR))
    assert remind == et("2026-03-08T04:30")
    assert remind is not None
    assert remind.utcoffset() == timedelta(0)
    with pytest.raises(ValueError, match="naive"):
        reminder_at(POLICY, planned(), after=datetime(2026, 11, 30, 12))


@given(
    every=st.integers(15, 7 * 24 * 60).map(lambda m: m * MINUTE),
    lead=st.integers(1, 24 * 60).map(lambda m: m * MINUTE),
    wait=st.integers(0, 30 * 24 * 60).map(lambda m: m * MINUTE),
)
@settings(max_examples=EXAMPLES_REMINDERS, deadline=None, database=None)
def test_a_reminder_falls_in_the_second_half_of_its_cycle(every, lead, wait):
    policy = replace(POLICY, escalation=replace(POLICY.escalation, update_reminder=lead))
    state = planned("09:00", every=every)
    after = et("09:00") + wait
    due = next_deadline(state, after=after)
    remind = reminder_at(policy, state, after=after)
    assert due is not None
    assert remind is not None
    assert due - every / 2 <= remind < due
    assert due - remind <= lead
    assert due - remind == lead or every < 2 * lead


# -- the core stands alone ------------------------------------------------------------

PROBE = """
import sys
sys.modules["django"] = None
from supportdesk.policy import escalation
assert not any(n == "django" or n.startswith("django.") for n in sys.modules if sys.modules[n])
"""


def test_escalation_imports_without_django():
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


# -- random sequences -----------------------------------------------------------------


def mostly(good: list, bad: list) -> st.SearchStrategy:
    """A good value four times in five, a bad one otherwise, so random runs
    get past the first steps yet still try every refusal."""
    return st.integers(0, 4).flatmap(lambda i: st.sampled_from(bad if i == 4 else good))


ELI = Actor("Eli Engineer", "vendor")
CUSTOMER_SIDE = mostly([CAROL, PAT], [ERIN, MONA])
MANAGERS = mostly([MONA], [ERIN, CAROL])
STAFF = mostly([ERIN, MONA, ELI], [CAROL, PAT])
ANYONE = st.sampled_from([CAROL, PAT, ERIN, MONA, ELI])
NAMES = mostly(["Carol", "Erin", "Mona", "Dana at Acme"], ["", " "])
TEXT = mostly(["it broke", "better now"], ["", "  "])
REASONS = mostly([r.slug for r in POLICY.escalation.reasons], ["bored"])
MODES = mostly(list(POLICY.escalation.communication_modes), ["fax"])
EVERY = mostly(
    [timedelta(minutes=m) for m in (15, 90, 240, 24 * 60)],
    [timedelta(0), timedelta(minutes=14), timedelta(seconds=3601), MAX_EVERY * 2],
)
MINUTES = st.integers(0, 300)

PAST_STEPS = (request(), *ALL_STEPS)

EXAMPLES = int(os.environ.get("ESCALATION_EXAMPLES", "30"))
VALID_STATUSES = {"requested", "active", "declined", "de-escalated"}


class Escalations(RuleBasedStateMachine):
    """Random steps by random people at increasing times, with the
    invariants §1.8 and the desk's rules promise after each."""

    def __init__(self) -> None:
        super().__init__()
        self.state: State | None = None
        self.now = et("2026-11-27T18:00")
        self.presses = 0

    def attempt(self, step: Step) -> None:
        before = self.state
        snapshot = copy.deepcopy(before)
        allowed = allowed_steps(POLICY, before, step.by)
        missed_before = None if before is None else missed_updates(before, step.at)
        try:
            after = apply(POLICY, before, step)
        except Refused as error:
            assert self.state == snapshot  # nothing half-applied
            self.check_refusal(before, step, allowed, error)
            return
        assert step.kind in allowed
        assert after.history[-1] is step
        if isinstance(step, Deescalate):
            assert before is not None
            assert not unconfirmed(POLICY, before)
        if isinstance(step, Request):
            assert after.level == 1
        else:
            assert before is not None
            if before.status is Status.ACTIVE and after.status is Status.ACTIVE:
                assert after.level >= before.level
            # Whatever the step, each deadline missed so far stays missed, once.
            assert missed_updates(after, step.at) == missed_before
        self.state = after

    def check_refusal(
        self, before: State | None, step: Step, allowed: list[str], error: Refused
    ) -> None:
        assert error.code in ("conflict", "forbidden", "invalid")
        assert error.reason.strip()
        if error.code == "forbidden":
            assert step.kind not in allowed
        if step.kind not in allowed:
            assert error.code in ("conflict", "forbidden")
        if before is not None and before.ended and not isinstance(step, Request):
            assert error.code == "conflict"

    def at(self, minutes: int) -> datetime:
        self.now += timedelta(minutes=minutes)
        return self.now

    @rule(by=CUSTOMER_SIDE, minutes=MINUTES, reason=REASONS, text=TEXT)
    def request(self, by: Actor, minutes: int, reason: str, text: str) -> None:
        self.attempt(Request(self.at(minutes), by, reason, text))

    @rule(
        by=MANAGERS,
        minutes=MINUTES,
        accept=st.sampled_from([True, True, False]),
        note=TEXT,
        engineer=mostly([True], [None, "", "Eli"]),
    )
    def evaluate(self, by: Actor, minutes: int, accept: bool, note: str, engineer: object):
        # True stands for the good choice: a named engineer to accept, none to decline.
        named = ("Erin" if accept else None) if engineer is True else engineer
        assert named is None or isinstance(named, str)
        self.attempt(Evaluate(self.at(minutes), by, accept, note, named))

    @rule(
        by=STAFF,
        minutes=MINUTES,
        text=TEXT,
        mode=MODES,
        every=EVERY,
        attendees=st.lists(NAMES, max_size=3).map(tuple),
    )
    def plan(self, by, minutes, text, mode, every, attendees) -> None:
        self.attempt(Plan(self.at(minutes), by, text, mode, every, attendees))

    @rule(by=STAFF, minutes=st.integers(0, 600), note=TEXT)
    def update(self, by: Actor, minutes: int, note: str) -> None:
        self.attempt(Update(self.at(minutes), by, note))

    @rule(by=CUSTOMER_SIDE, minutes=MINUTES, text=TEXT)
    def insufficient_progress(self, by: Actor, minutes: int, text: str) -> None:
        self.attempt(InsufficientProgress(self.at(minutes), by, text))

    @rule(
        by=STAFF,
        minutes=MINUTES,
        vendor=mostly(["Microsoft", "VMware"], [""]),
        case=mostly(["1", "2"], [""]),
        contact=NAMES,
    )
    def engage_vendor(self, by: Actor, minutes: int, vendor: str, case: str, contact: str):
        self.attempt(EngageVendor(self.at(minutes), by, vendor, case, contact))

    @rule(by=STAFF, minutes=MINUTES, item=mostly(list(ITEMS), ["vibes"]), name=NAMES)
    def confirm(self, by: Actor, minutes: int, item: str, name: str) -> None:
        self.attempt(Confirm(self.at(minutes), by, item, name))

    @precondition(lambda self: self.state is not None and self.state.plan is not None)
    @rule(by=STAFF, minutes=MINUTES)
    def confirm_the_rest(self, by: Actor, minutes: int) -> None:
        """The engineer goes through the checklist in one sitting, so random
        runs reach de-escalation."""
        assert self.state is not None
        for item in unconfirmed(POLICY, self.state):
            self.attempt(Confirm(self.at(minutes), by, item.slug, "Carol Customer"))

    @rule(by=STAFF, minutes=MINUTES, note=TEXT)
    def deescalate(self, by: Actor, minutes: int, note: str) -> None:
        state = self.state
        step = Deescalate(self.at(minutes), by, note)
        if state is None or state.status is not Status.ACTIVE or unconfirmed(POLICY, state):
            with pytest.raises(Refused):
                apply(POLICY, state, step)
        self.attempt(step)

    @rule(by=ANYONE, kind=st.sampled_from(KINDS), minutes=MINUTES)
    def anyone_presses_any_button(self, by: Actor, kind: str, minutes: int) -> None:
        """Whoever presses whichever button, with good input that repeats no
        record: the machine takes the step exactly when `allowed_steps`
        shows it."""
        at = self.at(minutes)
        self.presses += 1
        item = next(iter(unconfirmed(POLICY, self.state)), None) if self.state else None
        steps: dict[str, Step] = {
            "request": Request(at, by, "dissatisfied", "slow"),
            "evaluate": Evaluate(at, by, True, "ok", "Erin"),
            "plan": Plan(at, by, "fix it", "email", 4 * HOUR, ("Carol",)),
            "update": Update(at, by, "news"),
            "insufficient-progress": InsufficientProgress(at, by, "slow"),
            "engage-vendor": EngageVendor(at, by, "Oracle", f"SR-{self.presses}", "o@example.com"),
            "confirm": Confirm(at, by, item.slug if item else ITEMS[0], "Carol"),
            "de-escalate": Deescalate(at, by),
        }
        shown = kind in allowed_steps(POLICY, self.state, by)
        try:
            apply(POLICY, self.state, steps[kind])
        except Refused as error:
            refusal: Refused | None = error
        else:
            refusal = None
        assert shown == (refusal is None), refusal
        self.attempt(steps[kind])

    @precondition(lambda self: self.state is not None and self.state.history)
    @rule(minutes=st.integers(1, 60), kind=st.sampled_from(PAST_STEPS))
    def step_in_the_past(self, minutes: int, kind: Step) -> None:
        assert self.state is not None
        step = replace(kind, at=self.state.history[-1].at - timedelta(minutes=minutes))
        with pytest.raises(Refused):
            apply(POLICY, self.state, step)

    @invariant()
    def the_state_is_valid(self) -> None:
        state = self.state
        if state is None:
            return
        assert state.status in VALID_STATUSES
        assert state.level == 1 + sum(isinstance(s, InsufficientProgress) for s in state.history)
        assert isinstance(state.history[0], Request)
        in_force = state.status is Status.ACTIVE and state.plan is not None
        assert (state.next_update_due is None) == (not in_force)
        assert (state.ended_at is not None) == state.ended
        if state.status is Status.DEESCALATED:
            assert not unconfirmed(POLICY, state)
        assert len({c.item for c in state.confirmations}) == len(state.confirmations)
        if state.confirmations:
            assert state.plan is not None

    @invariant()
    def deadlines_are_each_missed_once(self) -> None:
        if self.state is None:
            return
        later = self.now + timedelta(hours=30)
        missed = missed_updates(self.state, later)
        dues = [m.due_at for m in missed]
        assert dues == sorted(set(dues))
        assert all(due < later for due in dues)
        assert set(missed_updates(self.state, self.now)) <= set(missed)
        upcoming = next_deadline(self.state, after=later)
        if upcoming is not None:
            assert upcoming >= later
            assert upcoming not in dues

    @invariant()
    def each_reminder_comes_before_its_deadline(self) -> None:
        if self.state is None:
            return
        for after in (None, self.now, self.now + timedelta(hours=30)):
            remind = reminder_at(POLICY, self.state, after=after)
            due = next_deadline(self.state, after=after)
            assert (remind is None) == (due is None)
            if remind is not None and due is not None:
                plan = self.state.active_plan
                assert plan is not None
                assert due - min(plan.every / 2, POLICY.escalation.update_reminder) == remind

    @invariant()
    def the_buttons_match_the_machine(self) -> None:
        for actor in (CAROL, PAT, ERIN, MONA, ELI):
            kinds = allowed_steps(POLICY, self.state, actor)
            assert set(kinds) <= set(KINDS)
            if self.state is not None and self.state.ended:
                assert set(kinds) <= {"request"}


Escalations.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestEscalations = Escalations.TestCase
