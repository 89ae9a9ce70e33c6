"""What intake does with a ticket, by its row of the support matrix (§4), and
the first-response clock of a ticket with no target (§4.2.7). Pure: no
database, the policy as shipped."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from supportdesk.policy import Coverage, default_policy
from supportdesk.policy.matrix import (
    COVERAGE_WORDS,
    THIRD_PARTY_FEE_SECTION,
    Intake,
    ScopeError,
    offered_categories,
    quote_section,
    scope_of,
)
from supportdesk.policy.sla import (
    Forwarded,
    Responded,
    ScopeChanged,
    SeverityChanged,
    Submitted,
    Waiver,
    alarms,
    compute,
    explain,
)

POLICY = default_policy()
ET = ZoneInfo("America/New_York")
# Monday 2026-11-30 09:00 Eastern, inside business hours.
MONDAY_9 = datetime(2026, 11, 30, 9, tzinfo=ET)
BILLING = Waiver("Billing assistance questions are answered by the finance team", "§4.2.7")


def at(hour: int, minute: int = 0, day: int = 30) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=ET)


@pytest.mark.parametrize(
    ("product", "category", "coverage", "intake", "source", "target"),
    [
        ("cloud-backup", "data-migration", "not-supported", Intake.OUT_OF_SCOPE, "§4.2.3", False),
        ("cloud-backup", "os-patching", "not-supported", Intake.OUT_OF_SCOPE, "§4.2.2", False),
        ("disaster-recovery", "os-patching", "supported", Intake.PROCEED, "§4", True),
        ("disaster-recovery", "hardware-upgrade", "fee", Intake.QUOTE, "§4.2.4", True),
        ("backup-disaster-recovery", "hardware-upgrade", "fee", Intake.QUOTE, "§4.2.4", True),
        ("cloud-backup", "billing", "finance", Intake.FINANCE, "§4.2.7", False),
        ("cloud-backup", "dashboard-configuration", "supported", Intake.PROCEED, "§4.1.1", True),
        (
            "disaster-recovery",
            "secondary-monitoring",
            "not-supported",
            Intake.OUT_OF_SCOPE,
            "§4.2.5",
            False,
        ),
    ],
)
def test_each_coverage_has_its_intake(product, category, coverage, intake, source, target):
    scope = scope_of(POLICY, product, category)
    assert scope.coverage == Coverage(coverage)
    assert scope.intake is intake
    assert scope.source == source
    assert scope.response_target is target
    assert scope.words == COVERAGE_WORDS[Coverage(coverage)]


def test_no_category_yet_proceeds_as_supported():
    scope = scope_of(POLICY, "cloud-backup", "")
    assert (scope.coverage, scope.intake, scope.source, scope.words) == (
        None,
        Intake.PROCEED,
        "",
        "",
    )
    assert scope.response_target
    assert scope.no_target_reason() == ""


def test_the_out_of_scope_answer_quotes_the_row_and_its_section():
    answer = scope_of(POLICY, "cloud-backup", "data-migration").answer()
    assert answer.startswith(
        "Your ticket's category, Data migrations, is not supported for Infrascale Cloud "
        "Backup (support policy §4.2.3)."
    )
    assert (
        "Infrascale will provide guidance on how to restore files and folders to a different"
        in (answer)
    )
    assert "reply" in answer


def test_why_there_is_no_target():
    billing = scope_of(POLICY, "disaster-recovery", "billing").no_target_reason()
    assert "finance team" in billing
    assert "no response-time target" in billing
    migration = scope_of(POLICY, "cloud-backup", "data-migration").no_target_reason()
    assert "not supported for Infrascale Cloud Backup" in migration
    assert scope_of(POLICY, "disaster-recovery", "hardware-upgrade").no_target_reason() == ""


@pytest.mark.parametrize(
    ("product", "category", "field", "words"),
    [
        ("toaster", "", "product", "product must be one of cloud-backup, "),
        ("toaster", "billing", "product", "'toaster' is not one"),
        ("", "billing", "product", "product must be one of"),
        ("cloud-backup", "astrology", "category", "'astrology' is not a support category"),
        (
            "cloud-backup",
            "hardware-upgrade",
            "category",
            "category 'hardware-upgrade' does not apply to product 'cloud-backup' (§4.2.4)",
        ),
        ("cloud-application-backup", "agent-installation", "category", "choose one of"),
    ],
)
def test_bad_products_and_categories_are_named(product, category, field, words):
    with pytest.raises(ScopeError) as refused:
        scope_of(POLICY, product, category)
    assert refused.value.field == field
    assert words in refused.value.message


def test_an_inapplicable_category_is_never_offered_and_always_refused():
    for product in POLICY.products:
        offered = {o.category.slug for o in offered_categories(POLICY, product.slug)}
        for category in POLICY.categories:
            if category.slug in offered:
                assert scope_of(POLICY, product.slug, category.slug).coverage is not None
            else:
                with pytest.raises(ScopeError):
                    scope_of(POLICY, product.slug, category.slug)


def test_what_a_quote_rests_on():
    assert quote_section(POLICY, "matrix", "disaster-recovery", "hardware-upgrade") == "§4.2.4"
    assert quote_section(POLICY, "third-party", "cloud-backup", "") == THIRD_PARTY_FEE_SECTION
    with pytest.raises(ScopeError, match="no work for a fee"):
        quote_section(POLICY, "matrix", "disaster-recovery", "os-patching")
    with pytest.raises(ScopeError, match="none set"):
        quote_section(POLICY, "matrix", "cloud-backup", "")


# -- the clock of a ticket with no target (§4.2.7) --------------------------------------------


def test_a_waived_ticket_has_no_due_time_and_no_alarms():
    state = compute(POLICY, (Submitted(at(9), 1, "email", no_target=BILLING),))
    assert state.response_due_at is None
    assert state.clock_started_at == at(9)
    assert state.waiver == BILLING
    assert alarms(POLICY, state) == ()
    # However long it waits, it is never breached.
    assert not compute(
        POLICY,
        (Submitted(at(9), 1, "email", no_target=BILLING),),
        now=datetime(2027, 1, 4, 9, tzinfo=ET),
    ).breached


def test_a_waived_ticket_still_records_its_first_response():
    events = (Submitted(at(9), 3, "portal", no_target=BILLING), Responded(at(15)))
    state = compute(POLICY, events)
    assert state.first_response_at == at(15)
    assert not state.breached
    lines = explain(POLICY, events).lines(ET)
    assert lines[0] == f"{BILLING.reason} (§4.2.7)."
    assert lines[-1].startswith("First response Mon 30 Nov 2026 15:00")


def test_a_waived_partner_ticket_stays_without_target_once_forwarded():
    events = (Submitted(at(9), 2, "portal", to_vendor=False, no_target=BILLING), Forwarded(at(10)))
    state = compute(POLICY, events)
    assert (state.tier, state.clock_started_at, state.response_due_at) == ("vendor", at(10), None)


def test_a_severity_change_of_a_waived_ticket_moves_nothing():
    events = (Submitted(at(9), 3, "email", no_target=BILLING), SeverityChanged(at(10), 2, "now"))
    state = compute(POLICY, events)
    assert state.response_due_at is None
    assert state.changes[0].rule == "no response target"


def test_waiving_later_keeps_a_breach_already_missed():
    events = (
        Submitted(at(9), 2, "email"),  # due 11:00
        ScopeChanged(at(12), BILLING),
    )
    state = compute(POLICY, events, now=at(13))
    assert state.response_due_at is None
    assert [b.due_at for b in state.breaches] == [at(11)]
    assert (
        explain(POLICY, events, now=at(13))
        .lines(ET)[-1]
        .startswith("Breached: no response by Mon 30 Nov 2026 11:00")
    )


def test_waiving_twice_says_it_once():
    events = (Submitted(at(9), 2, "email", no_target=BILLING), ScopeChanged(at(10), BILLING))
    assert len(compute(POLICY, events).notes) == 1


def test_the_target_counts_from_when_the_waiver_ends():
    events = (
        Submitted(at(9), 3, "email", no_target=BILLING),
        ScopeChanged(at(10), None, "Category set to Dashboard upgrades", "§4.1.3"),
    )
    state = compute(POLICY, events)
    assert state.waiver is None
    assert state.basis_at == at(10)
    assert state.response_due_at == at(14)  # Severity 3: 4 business hours from the change
    assert "Category set to Dashboard upgrades (§4.1.3)." in explain(POLICY, events).lines(ET)


def test_ending_no_waiver_changes_nothing():
    events = (Submitted(at(9), 3, "email"), ScopeChanged(at(10), None, "moved", "§4"))
    state = compute(POLICY, events)
    assert state.response_due_at == at(13)
    assert state.notes == ()


def test_ending_a_waiver_after_the_first_response_sets_no_target():
    events = (
        Submitted(at(9), 3, "email", no_target=BILLING),
        Responded(at(9, 30)),
        ScopeChanged(at(10), None),
    )
    state = compute(POLICY, events)
    assert (state.first_response_at, state.response_due_at) == (at(9, 30), None)
