"""A downgrade marked mis-assigned by the customer (§1.7.3) over the API, and
the breach report that keeps its breaches apart from the vendor's own."""

from datetime import timedelta

import pytest
import time_machine

from supportdesk.tickets import clock
from tests.api.conftest import MONDAY_9
from tests.api.test_changes import ok, refused

pytestmark = pytest.mark.django_db

# Severity 2 by the API on Monday 09:00 Eastern is due at 11:00 (16:00 UTC).
DUE = "2026-11-30T16:00:00Z"
REPORT = "/reports/breaches"
MONDAY = {"since": "2026-11-30", "until": "2026-11-30"}


@pytest.fixture
def breached(world, monday):
    """Ian's Severity 2 and Alice's forwarded Severity 2, both missed at
    11:00; at 12:00 staff downgrade Ian's as mis-assigned by the customer."""
    ian = world.ian.open(severity=2, subject="Payroll backup")["number"]
    alice = world.alice.open(severity=2, subject="Dental images")["number"]
    ok(world.nina.post(f"/tickets/{alice}/forward", {"severity": 2}))
    clock.sweep(MONDAY_9 + timedelta(hours=2, minutes=5))
    with time_machine.travel(MONDAY_9 + timedelta(hours=3), tick=False):
        ticket = ok(
            world.erin.post(
                f"/tickets/{ian}/severity",
                {"severity": 3, "reason": "A test restore, not production", "misassigned": True},
            )
        )
    assert ticket["severity"] == 3
    return {"ian": ian, "alice": alice}


def test_the_sla_says_the_breach_was_under_a_misassigned_severity(world, breached):
    sla = ok(world.erin.get(f"/tickets/{breached['ian']}/sla"))
    assert sla["breaches"] == [
        {"due_at": DUE, "severity": 2, "seen_at": "2026-11-30T17:00:00Z", "misassigned": True}
    ]
    assert sla["changes"][0]["misassigned"] is True
    assert any("mis-assigned by the customer (§1.7.3)" in line for line in sla["lines"])
    events = ok(world.erin.get(f"/tickets/{breached['ian']}/events"))["items"]
    changed = [e for e in events if e["kind"] == "severity-changed"]
    assert changed[0]["data"]["misassigned"] is True
    assert changed[0]["data"]["section"] == "§1.7.3"


def test_an_upgrade_cannot_be_marked_misassigned(world, monday):
    number = world.ian.open()["number"]
    body = {"severity": 2, "reason": "Worse", "misassigned": True}
    assert "only a downgrade" in refused(world.erin.post(f"/tickets/{number}/severity", body), 400)
    assert "misassigned" in refused(
        world.erin.post(f"/tickets/{number}/severity", {**body, "misassigned": "yes"}), 422
    )


def test_the_report_splits_the_vendors_breaches_from_misassigned_ones(world, breached):
    report = ok(world.erin.get(REPORT, MONDAY))
    assert (report["since"], report["until"]) == ("2026-11-30T05:00:00Z", "2026-12-01T05:00:00Z")
    vendor, misassigned = report["vendor"], report["misassigned"]
    assert vendor["count"] == 1
    assert vendor["by_severity"] == [{"severity": 2, "count": 1}]
    assert vendor["items"][0]["ticket"] == breached["alice"]
    assert vendor["items"][0]["company"] == "Acme Dental"
    assert vendor["items"][0]["downgraded_at"] is None
    assert misassigned == {
        "count": 1,
        "by_severity": [{"severity": 2, "count": 1}],
        "items": [
            {
                "ticket": breached["ian"],
                "subject": "Payroll backup",
                "company": "Initech",
                "severity": 2,
                "due_at": DUE,
                "downgraded_at": "2026-11-30T17:00:00Z",
                "downgraded_to": 3,
                "downgrade_reason": "A test restore, not production",
            }
        ],
    }
    # Finance is vendor staff too.
    assert ok(world.fred.get(REPORT, MONDAY))["misassigned"]["count"] == 1


def test_by_default_the_report_covers_the_last_30_days(world, breached):
    with time_machine.travel(MONDAY_9 + timedelta(days=30, hours=1), tick=False):
        assert ok(world.erin.get(REPORT))["vendor"]["count"] == 1
    with time_machine.travel(MONDAY_9 + timedelta(days=31), tick=False):
        assert ok(world.erin.get(REPORT))["vendor"]["count"] == 0


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"since": "last week"}, "since: give a date (2026-11-30) or an instant"),
        ({"until": "2026-11-30T10:00"}, "until: give a date"),
        ({"since": "2026-12-01", "until": "2026-11-01"}, "since: must be before until"),
        ({"since": "2020-01-01", "until": "2026-01-01"}, "at most 366 days"),
    ],
)
def test_bad_dates_answer_400_with_a_message(world, monday, params, message):
    assert message in refused(world.erin.get(REPORT, params), 400)


def test_the_report_is_the_vendors_staffs_only(world, breached):
    for someone in (world.nina, world.carl, world.alice, world.ian):
        assert refused(someone.get(REPORT, MONDAY), 404) == "not found"
    assert world.nobody.get(REPORT).status_code == 401
