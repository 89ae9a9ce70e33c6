"""Policy versions: a new one is checked before it is stored, takes effect at
the start of its date, and never touches the tickets opened before it."""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from supportdesk.policies import active
from supportdesk.policies.actions import PolicyRefused, do_schedule_policy_version, review_policy
from supportdesk.policies.active import (
    active_policy,
    policy_for_version,
    remember_active_policy,
)
from supportdesk.policies.models import PolicyVersion
from supportdesk.tickets import actions
from supportdesk.tickets.models import Ticket
from tests.policies.conftest import (
    DEC_1_START,
    FILE_VERSION,
    MONDAY_10_EST,
    SEV3_HOURS,
    policy_text,
    sev3_in,
)

pytestmark = pytest.mark.usefixtures("clock")


def schedule(tenants, text, effective=date(2026, 12, 1), against=FILE_VERSION):
    return do_schedule_policy_version(
        text,
        effective=effective,
        reviewed_against=against,
        acting_user=tenants.people["admin"],
        now=timezone.now(),
    )


# -- a file with errors is refused, with the key named, and nothing changes --------------


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        (
            (SEV3_HOURS, SEV3_HOURS.replace('calendar = "business"', 'calendar = "office"')),
            "severities[2].targets[0].calendar: expected one of business, staffed, always",
        ),
        (
            (SEV3_HOURS, SEV3_HOURS.replace("hours = 4", "hours = -4")),
            "severities[2].targets[0].hours",
        ),
        (('change_rule = "from-change"', 'change_rule = "whenever"'), "severity_rules.change_rule"),
        (
            ("[severity_rules]\n", "[severity_rules]\nchange_rules = 1\n"),
            "severity_rules.change_rules: unknown key",
        ),
        (('vendor = "Infrascale"', "vendor = "), "not valid TOML"),
    ],
)
def test_a_file_with_errors_is_refused_naming_the_key(tenants, edit, named):
    text = policy_text("2026-12-01", edit)
    for attempt in (
        lambda: review_policy(text, now=timezone.now()),
        lambda: schedule(tenants, text),
    ):
        with pytest.raises(PolicyRefused) as refused:
            attempt()
        assert named in refused.value.message
        assert refused.value.message.startswith("the uploaded file: ")
    assert not PolicyVersion.objects.exists()
    assert active_policy().version == FILE_VERSION


@pytest.mark.parametrize("version", [FILE_VERSION, "2026-12-01"])
def test_a_version_must_be_new(tenants, version):
    schedule(tenants, policy_text("2026-12-01"))
    with pytest.raises(
        PolicyRefused, match=re.escape(f"policy.version: version '{version}' exists")
    ):
        schedule(tenants, policy_text(version, sev3_in(8)))
    assert list(PolicyVersion.objects.values_list("version", flat=True)) == ["2026-12-01"]


def test_the_effective_date_is_today_or_later(tenants):
    # Monday 2026-11-30 in the policy's zone (it is 10:00 there, 15:00 UTC).
    with pytest.raises(PolicyRefused, match="effective: 2026-11-29 has passed; choose 2026-11-30"):
        schedule(tenants, policy_text("v2"), effective=date(2026, 11, 29))
    assert not PolicyVersion.objects.exists()


def test_only_an_admin_schedules_a_version(tenants):
    for persona in ("engineer", "manager", "finance", "partner_admin", "acme_user"):
        with pytest.raises(PolicyRefused) as refused:
            do_schedule_policy_version(
                policy_text("v2"),
                effective=date(2026, 12, 1),
                reviewed_against=FILE_VERSION,
                acting_user=tenants.people[persona],
                now=timezone.now(),
            )
        assert refused.value.code == "forbidden"
    assert not PolicyVersion.objects.exists()


def test_a_review_of_a_policy_no_longer_active_is_done_again(tenants):
    schedule(tenants, policy_text("v2"), effective=date(2026, 11, 30))
    with pytest.raises(PolicyRefused) as refused:
        schedule(tenants, policy_text("v3"), against=FILE_VERSION)
    assert refused.value.code == "conflict"
    assert "the active policy is now version v2" in refused.value.message


# -- which version is active ----------------------------------------------------------------


def test_a_future_version_becomes_active_at_the_start_of_its_date(tenants, clock):
    stored = schedule(tenants, policy_text("2026-12-01", sev3_in(8)))
    assert stored.takes_effect_at == DEC_1_START
    assert stored.uploaded_by == tenants.people["admin"]
    assert active_policy().version == FILE_VERSION
    assert active_policy.next_change_at() == DEC_1_START
    # The last microsecond of Monday, Eastern: still the file.
    clock.move_to(DEC_1_START - timedelta(microseconds=1))
    assert active_policy().version == FILE_VERSION
    # No cache to clear: the process knew when its answer would run out.
    clock.move_to(DEC_1_START)
    policy = active_policy()
    assert policy.version == "2026-12-01"
    assert policy.meta.effective == date(2026, 12, 1)
    assert policy.severity(3).targets[0].duration == timedelta(hours=8)
    assert active_policy.next_change_at() is None


def test_the_stored_date_is_the_effective_one(tenants, clock):
    """The file says 2026-12-01; the admin chose a later date, which wins."""
    schedule(tenants, policy_text("2026-12-01"), effective=date(2026, 12, 7))
    clock.move_to(DEC_1_START + timedelta(days=2))
    assert active_policy().version == FILE_VERSION
    clock.move_to(DEC_1_START + timedelta(days=6))
    assert active_policy().meta.effective == date(2026, 12, 7)


def test_a_version_effective_today_is_active_at_once(tenants):
    schedule(tenants, policy_text("v2"), effective=date(2026, 11, 30))
    assert active_policy().version == "v2"


def test_of_two_versions_for_one_date_the_later_stored_wins(tenants, clock):
    schedule(tenants, policy_text("v2"))
    clock.shift(60)
    schedule(tenants, policy_text("v2-fixed", sev3_in(6)))
    clock.move_to(DEC_1_START)
    assert active_policy().version == "v2-fixed"


def test_an_older_file_version_does_not_win_back(tenants, clock):
    """The file's version, stored once tickets were opened under it, counts
    with its own date: a version of a later date stays in force."""
    remember_active_policy()
    schedule(tenants, policy_text("v2"), effective=date(2026, 11, 30))
    clock.shift(3600)
    active.forget_policies()
    assert active_policy().version == "v2"


def test_other_processes_see_a_new_version_within_the_recheck(tenants, monkeypatch):
    """One query per RECHECK_SECONDS at most, however many tickets ask."""
    ticks = [0.0]
    fake_time = SimpleNamespace(time=active.time.time, monotonic=lambda: ticks[0])
    monkeypatch.setattr(active, "time", fake_time)
    active.active_policy.cache_clear()
    assert active_policy().version == FILE_VERSION
    # Another process stores a version effective today: no cache is cleared here.
    PolicyVersion.objects.create(
        version="v2",
        effective=date(2026, 11, 30),
        takes_effect_at=MONDAY_10_EST - timedelta(hours=10),
        text=policy_text("v2"),
    )
    ticks[0] = active.RECHECK_SECONDS - 0.001
    assert active_policy().version == FILE_VERSION
    ticks[0] = active.RECHECK_SECONDS
    assert active_policy().version == "v2"


def test_the_hot_path_asks_the_database_once_per_recheck(tenants, django_assert_num_queries):
    active.active_policy.cache_clear()
    with django_assert_num_queries(1):
        for _ in range(500):
            active_policy()


def test_a_stored_version_that_no_longer_loads_is_skipped(tenants, caplog):
    PolicyVersion.objects.create(
        version="broken",
        effective=date(2026, 11, 30),
        takes_effect_at=MONDAY_10_EST - timedelta(hours=10),
        text="this is not TOML",
    )
    active.forget_policies()
    with caplog.at_level(logging.ERROR, logger="supportdesk.policies.active"):
        assert active_policy().version == FILE_VERSION
    assert "stored policy version broken no longer loads" in caplog.text


def test_without_stored_versions_the_file_is_in_force(tenants):
    active.forget_policies()
    assert active_policy().version == FILE_VERSION
    assert active_policy.next_change_at() is None


# -- tickets keep the version they were opened under -------------------------------------


def test_a_ticket_opened_before_keeps_its_version_and_its_target(tenants, clock, open_ticket):
    before = open_ticket(timezone.now(), "Opened on Monday")
    # Severity 3 under the file: 4 business hours, Monday 10:00 -> 14:00 EST.
    assert before.policy_version == FILE_VERSION
    assert before.response_due_at == MONDAY_10_EST + timedelta(hours=4)
    schedule(tenants, policy_text("2026-12-01", sev3_in(8)))

    clock.move_to(DEC_1_START + timedelta(hours=10))  # Tuesday 10:00 EST
    after = open_ticket(timezone.now(), "Opened on Tuesday")
    assert after.policy_version == "2026-12-01"
    assert after.response_due_at == DEC_1_START + timedelta(hours=18)  # 8 business hours
    # A change to the old ticket recomputes its clock by its own version.
    actions.do_reply(
        before,
        body="Looking into it.",
        public=False,
        acting_user=tenants.people["engineer"],
        now=timezone.now(),
    )
    before = Ticket.objects.get(pk=before.pk)
    assert before.policy_version == FILE_VERSION
    assert before.response_due_at == MONDAY_10_EST + timedelta(hours=4)
    assert before.breached  # 4 hours, not 8, went by unanswered
    assert policy_for_version(before.policy_version).severity(3).targets[0].duration == timedelta(
        hours=4
    )


def test_policy_for_version_knows_stored_versions(tenants, clock):
    schedule(tenants, policy_text("v2", sev3_in(8)), effective=date(2026, 11, 30))
    schedule(tenants, policy_text("v3", sev3_in(6)), effective=date(2026, 12, 1), against="v2")
    assert active_policy().version == "v2"
    assert policy_for_version("v2") is active_policy()
    assert policy_for_version("v3").severity(3).targets[0].duration == timedelta(hours=6)
    assert policy_for_version(FILE_VERSION).severity(3).targets[0].duration == timedelta(hours=4)
    # A version never recorded is judged by the active rules.
    assert policy_for_version("never-recorded") is active_policy()


def test_the_files_version_is_recorded_once(tenants):
    schedule(tenants, policy_text("v2"), effective=date(2026, 11, 30))
    remember_active_policy()
    remember_active_policy()
    file_row = PolicyVersion.objects.get(version=FILE_VERSION)
    assert file_row.effective == date(2021, 9, 14)
    assert file_row.uploaded_by is None
    assert PolicyVersion.objects.count() == 2
