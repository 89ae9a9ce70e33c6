"""Third-party software and the non-supported-application workflow (§3.3,
§3.5), and the response clock that stands still while work has ceased."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from supportdesk.policy import PolicyError, default_policy, parse_policy
from supportdesk.policy import thirdparty as tp
from supportdesk.policy.load import default_policy_path
from supportdesk.policy.sla import (
    ClockResumed,
    ClockStopped,
    Responded,
    SeverityChanged,
    Submitted,
    compute,
    explain,
    warning_at,
)

ET = ZoneInfo("America/New_York")
POLICY = default_policy()
T0 = datetime(2026, 11, 30, 14, tzinfo=UTC)


def et(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ET)


def z(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# -- recording the software (§3.5) --------------------------------------------------


@pytest.mark.parametrize(
    ("names", "products", "supported", "unsupported"),
    [
        ([], (), (), ()),
        (["  ", ""], (), (), ()),
        (["connectwise-autotask"], ("connectwise-autotask",), ("connectwise-autotask",), ()),
        # The policy's name, in any case and spacing, is its slug.
        (
            ["storagecraft   SHADOWPROTECT"],
            ("storagecraft-shadowprotect",),
            ("storagecraft-shadowprotect",),
            (),
        ),
        (["Veeam Agent"], ("Veeam Agent",), (), ("Veeam Agent",)),
        (
            ["Veeam Agent", "veeam agent", "ConnectWise/Autotask", "Acronis"],
            ("Veeam Agent", "connectwise-autotask", "Acronis"),
            ("connectwise-autotask",),
            ("Veeam Agent", "Acronis"),
        ),
    ],
)
def test_read_software(names, products, supported, unsupported):
    software = tp.read_software(POLICY, names)
    assert software == tp.Software(products, supported, unsupported)


def test_read_software_refuses_too_long_and_too_many():
    with pytest.raises(tp.BadNames, match="at most 100"):
        tp.read_software(POLICY, ["x" * 101])
    with pytest.raises(tp.BadNames, match="at most 20 third-party products"):
        tp.read_software(POLICY, [f"tool {i}" for i in range(21)])
    # Control characters are dropped, not kept.
    assert tp.read_software(POLICY, ["Ve\x00eam\x07"]).products == ("Veeam",)


def test_display_name():
    assert tp.display_name(POLICY, "connectwise-autotask") == "ConnectWise/Autotask"
    assert tp.display_name(POLICY, "Veeam Agent") == "Veeam Agent"


# -- the options of §3.3 --------------------------------------------------------------


def test_options_are_numbered_as_the_policy_numbers_them():
    assert [o.code for o in tp.options(POLICY)] == ["i", "ii"]
    assert tp.choices(POLICY) == ("i", "ii", "for-fee")
    assert tp.option_text(POLICY, "ii").startswith("cease work on the case")
    assert "for-fee" in tp.option_text(POLICY, "for-fee")
    with pytest.raises(KeyError):
        tp.option_text(POLICY, "iii")


def test_the_offer_names_the_software_and_quotes_the_policy():
    text = tp.offer_text(POLICY, ["Veeam Agent", "Acronis"])
    assert text.startswith(
        "Veeam Agent, Acronis are not among the third-party applications Infrascale "
        "supports (§3.5)."
    )
    assert POLICY.third_party.text in text
    assert "The options (§3.3):" in text
    assert "(i) remove the non-supported application" in text
    assert "(ii) cease work on the case" in text
    assert "for-fee" in text
    assert tp.offer_text(POLICY, ["Acronis"]).startswith("Acronis is not among")


def recorded(unsupported, offered=True, at=T0):
    return tp.SoftwareRecorded(at, tuple(unsupported), offered)


def chosen(option, at=T0):
    return tp.OptionChosen(at, option)


def test_the_workflow_folds_offers_and_answers():
    wf = tp.fold([recorded(["Veeam"])])
    assert wf.awaiting_choice
    assert tp.check_choice(POLICY, wf, "ii") is None

    wf = tp.fold([recorded(["Veeam"]), chosen("ii")])
    assert not wf.awaiting_choice
    assert wf.option == "ii"
    assert wf.open_offer

    # The software taken off: nothing is offered any more.
    wf = tp.fold([recorded(["Veeam"]), chosen("ii"), recorded([], offered=False)])
    assert not wf.open_offer
    assert wf.offered == ("Veeam",)

    # New unsupported software: a new offer, a new answer.
    wf = tp.fold([recorded(["Veeam"]), chosen("i"), recorded(["Veeam", "Acronis"])])
    assert wf.awaiting_choice
    assert wf.offered == ("Veeam", "Acronis")


@pytest.mark.parametrize(
    ("steps", "choice", "refusal", "conflict"),
    [
        ([recorded(["Veeam"])], "iii", "option must be one of i, ii, for-fee (§3.3)", False),
        ([recorded(["Veeam"])], "", "option must be one of", False),
        ([], "i", "no options are waiting", True),
        ([recorded(["Veeam"]), recorded([], offered=False)], "i", "no options are waiting", True),
        ([recorded(["Veeam"]), chosen("i")], "ii", "option (i) was already chosen", True),
        ([recorded(["Veeam"]), chosen("i")], "i", "option (i) was already chosen", True),
        ([recorded(["Veeam"]), chosen("i")], "for-fee", "already chosen", True),
        ([recorded(["Veeam"]), chosen("for-fee")], "for-fee", "already asked for", True),
    ],
)
def test_what_the_customer_may_not_choose(steps, choice, refusal, conflict):
    found = tp.check_choice(POLICY, tp.fold(steps), choice)
    assert found is not None
    assert refusal in found.message
    assert found.conflict is conflict


def test_an_option_after_asking_for_a_fee():
    """A customer who asked for a price and declined it still chooses."""
    wf = tp.fold([recorded(["Veeam"]), chosen("for-fee")])
    assert wf.fee_requested
    assert wf.awaiting_choice
    assert tp.check_choice(POLICY, wf, "ii") is None


def test_needs_offer_only_for_names_never_offered():
    wf = tp.fold([recorded(["Veeam"])])
    assert not tp.needs_offer(wf, tp.read_software(POLICY, ["veeam"]))
    assert not tp.needs_offer(wf, tp.read_software(POLICY, ["connectwise-autotask"]))
    assert tp.needs_offer(wf, tp.read_software(POLICY, ["Veeam", "Acronis"]))
    assert tp.needs_offer(tp.Workflow(), tp.read_software(POLICY, ["Acronis"]))


# -- the policy file -----------------------------------------------------------------------


def default_text() -> str:
    return default_policy_path().read_text(encoding="utf-8")


def test_the_default_policy_names_the_section_of_the_options():
    assert POLICY.third_party.source == "§3.5"
    assert POLICY.third_party.options_section == "§3.3"


def test_a_file_without_options_source_cites_the_third_party_section():
    text = default_text().replace('options_source = "§3.3"\n', "", 1)
    assert parse_policy(text).third_party.options_section == "§3.5"


def test_a_bad_options_source_is_refused_with_its_key():
    text = default_text().replace('options_source = "§3.3"', "options_source = 3", 1)
    with pytest.raises(PolicyError, match=r"third_party\.options_source: expected a string"):
        parse_policy(text)


# -- the clock stands still while work has ceased (§3.3) --------------------------------
# Business hours: Monday 00:00 to Friday 24:00 Eastern (DESIGN.md §2).


def sev(level, at="2026-11-30T09:00", channel="email"):
    return Submitted(et(at), level, channel, dedicated_contact=True)


def stop(at, reason="Unsupported filter driver"):
    return ClockStopped(et(at), reason)


def resume(at):
    return ClockResumed(et(at))


@pytest.mark.parametrize(
    ("events", "due"),
    [
        # Sev3 Mon 09:00 EST is due 13:00; stopped 10:00-11:30: due 14:30 EST.
        ((sev(3), stop("2026-11-30T10:00"), resume("2026-11-30T11:30")), "2026-11-30T19:30Z"),
        # Two stops of an hour each: due two hours later, 15:00 EST.
        (
            (
                sev(3),
                stop("2026-11-30T09:30"),
                resume("2026-11-30T10:30"),
                stop("2026-11-30T12:00"),
                resume("2026-11-30T13:00"),
            ),
            "2026-11-30T20:00Z",
        ),
        # Sev2 Fri 22:00 EST is due Fri 24:00; stopped at 23:00 with an hour
        # left, resumed Sat 10:00 (closed): the hour runs Mon 00:00-01:00 EST.
        (
            (sev(2, "2026-11-27T22:00"), stop("2026-11-27T23:00"), resume("2026-11-28T10:00")),
            "2026-11-30T06:00Z",
        ),
        # Stopped and resumed while closed (Saturday): nothing moves.
        (
            (sev(2, "2026-11-28T09:00"), stop("2026-11-28T10:00"), resume("2026-11-29T10:00")),
            "2026-11-30T07:00Z",
        ),
        # A stop that begins after the due time moves nothing.
        ((sev(3), stop("2026-11-30T14:00"), resume("2026-11-30T15:00")), "2026-11-30T18:00Z"),
        # Stopped and resumed at the same instant: nothing moves.
        ((sev(3), stop("2026-11-30T10:00"), resume("2026-11-30T10:00")), "2026-11-30T18:00Z"),
        # A second stop while stopped, and a resume while running, are no-ops.
        (
            (
                sev(3),
                resume("2026-11-30T09:10"),
                stop("2026-11-30T10:00"),
                stop("2026-11-30T10:30"),
                resume("2026-11-30T11:00"),
            ),
            "2026-11-30T19:00Z",
        ),
    ],
)
def test_the_due_time_moves_out_by_the_open_time_stopped(events, due):
    assert compute(POLICY, events).response_due_at == z(due)


def test_across_the_end_of_daylight_saving_time():
    # 2026-11-01 02:00 EDT -> 01:00 EST
    # Sev4 (24 business hours) Fri 2026-10-30 12:00 EDT: 12 hours Friday and
    # 12 Monday, due Mon 12:00 EST. Stopped Fri 20:00 EDT with 16 hours left
    # (4 Friday, 12 Monday), resumed Mon 06:00 EST: due Mon 22:00 EST.
    plain = (sev(4, "2026-10-30T12:00"),)
    assert compute(POLICY, plain).response_due_at == z("2026-11-02T17:00Z")
    events = (*plain, stop("2026-10-30T20:00"), resume("2026-11-02T06:00"))
    assert compute(POLICY, events).response_due_at == z("2026-11-03T03:00Z")


def test_while_stopped_nothing_is_due_and_nothing_breaches():
    events = (sev(3), stop("2026-11-30T10:00"))
    state = compute(POLICY, events, now=et("2026-12-04T10:00"))
    assert state.response_due_at is None
    assert not state.breached
    assert state.paused_since == et("2026-11-30T10:00")
    assert warning_at(POLICY, state) is None
    lines = explain(POLICY, events).lines(ET)
    assert lines[-1] == (
        "Clock stopped since Mon 30 Nov 2026 10:00 EST: Unsupported filter driver (§3.3); no "
        "response is due until it runs again, and the time it stands still does not count."
    )


def test_a_breach_before_the_stop_stays():
    events = (sev(3), stop("2026-11-30T14:00"))
    state = compute(POLICY, events, now=et("2026-12-04T10:00"))
    assert state.response_due_at == z("2026-11-30T18:00Z")
    assert [b.seen_at for b in state.breaches] == [et("2026-11-30T14:00")]


def test_after_resuming_a_missed_target_breaches():
    events = (sev(3), stop("2026-11-30T10:00"), resume("2026-11-30T11:30"))
    assert not compute(POLICY, events, now=et("2026-11-30T14:30")).breached
    state = compute(POLICY, events, now=et("2026-11-30T14:31"))
    assert state.breaches[0].due_at == z("2026-11-30T19:30Z")


def test_a_response_while_stopped_is_in_time():
    events = (sev(3), stop("2026-11-30T10:00"), Responded(et("2026-11-30T16:00")))
    state = compute(POLICY, events, now=et("2026-12-01T10:00"))
    assert state.met is True
    # The due time as it stood, the stop taken as ending at the response:
    # 3 hours were left at 10:00, so 19:00 EST.
    assert state.response_due_at == z("2026-12-01T00:00Z")
    # After the first response the clock no longer moves.
    later = compute(POLICY, (*events, resume("2026-11-30T17:00")))
    assert later.response_due_at == z("2026-12-01T00:00Z")


def test_an_upgrade_while_stopped():
    # Sev4 Mon 09:00 is due Tue 09:00. Stopped 10:00; upgraded to Sev2 at
    # 11:00, due then at the change plus 2 hours, counted once it runs again:
    # resumed 12:00, due 14:00 EST.
    events = (
        sev(4),
        stop("2026-11-30T10:00"),
        SeverityChanged(et("2026-11-30T11:00"), 2, "outage"),
        resume("2026-11-30T12:00"),
    )
    state = compute(POLICY, events)
    assert state.response_due_at == z("2026-11-30T19:00Z")
    change = state.changes[0]
    # Reported as if the clock ran again at the change.
    assert change.due_before == z("2026-12-01T15:00Z")
    assert change.due_after == z("2026-11-30T18:00Z")


def test_a_downgrade_after_a_stop_counts_from_submission_less_the_stop():
    # Sev2 Mon 09:00 (due 11:00); stopped 09:30-10:30; downgraded to Sev3 at
    # 10:45: submission plus 4 hours, plus the hour stopped: 14:00 EST.
    events = (
        sev(2),
        stop("2026-11-30T09:30"),
        resume("2026-11-30T10:30"),
        SeverityChanged(et("2026-11-30T10:45"), 3, "less urgent"),
    )
    assert compute(POLICY, events).response_due_at == z("2026-11-30T19:00Z")


def test_the_warning_and_the_explanation_leave_the_stop_out():
    events = (sev(3), stop("2026-11-30T10:00"), resume("2026-11-30T11:30"))
    state = compute(POLICY, events)
    # 75% of 4 hours from 09:00, with the 90 minutes stopped: 13:30 EST.
    assert warning_at(POLICY, state) == et("2026-11-30T13:30")
    explanation = explain(POLICY, events)
    assert [(s.start, s.end) for s in explanation.segments] == [
        (et("2026-11-30T09:00"), et("2026-11-30T10:00")),
        (et("2026-11-30T11:30"), et("2026-11-30T14:30")),
    ]
    assert sum((s.duration for s in explanation.segments), timedelta()) == timedelta(hours=4)
    assert (
        "Clock stopped Mon 30 Nov 2026 10:00 EST to Mon 30 Nov 2026 11:30 EST: Unsupported "
        "filter driver (§3.3); that time does not count."
    ) in explanation.lines(ET)


def test_a_stop_before_the_vendor_clock_starts_counts_from_the_forward():
    from supportdesk.policy.sla import Forwarded

    events = (
        Submitted(et("2026-11-30T08:00"), 3, "portal", to_vendor=False),
        stop("2026-11-30T08:30"),
        Forwarded(et("2026-11-30T09:00"), 3),
    )
    assert compute(POLICY, events).response_due_at is None
    state = compute(POLICY, (*events, resume("2026-11-30T09:00")))
    assert state.response_due_at == z("2026-11-30T18:00Z")
