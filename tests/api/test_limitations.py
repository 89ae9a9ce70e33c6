"""The limits of support over the API (§3): third-party software and the
options for unsupported software (§3.3, §3.5), the clock that stands still
while work has ceased, "cannot reproduce" and reproduction steps (§3.2),
resolution causes and their report (§3.1, §3.4) — with bad input."""

from datetime import timedelta

import pytest
import time_machine

from tests.api.conftest import MONDAY_9
from tests.api.test_changes import ok, refused

pytestmark = pytest.mark.django_db

REPORT = "/reports/resolution-causes"
MONDAY = {"since": "2026-11-30", "until": "2026-11-30"}


def later(minutes: int):
    return time_machine.travel(MONDAY_9 + timedelta(minutes=minutes), tick=False)


@pytest.fixture
def veeam(world, monday):
    """Ian's Severity 3 ticket (due 13:00 Eastern, 18:00 UTC) naming one
    supported product and one the vendor does not support."""
    ticket = world.ian.open(third_party=["ConnectWise/Autotask", "Veeam Agent"])
    return ticket["number"]


# -- third-party software (§3.5) --------------------------------------------------------


def test_a_new_ticket_names_its_software_and_the_desk_answers_with_the_options(world, veeam):
    ticket = ok(world.ian.get(f"/tickets/{veeam}"))
    assert ticket["third_party"] == ["connectwise-autotask", "Veeam Agent"]
    assert ticket["first_response_at"] is None
    assert ticket["response_due_at"] == "2026-11-30T18:00:00Z"
    messages = ok(world.ian.get(f"/tickets/{veeam}/messages"))["items"]
    assert len(messages) == 2
    assert messages[1]["author"] is None
    assert messages[1]["body"].startswith("Veeam Agent is not among the third-party")
    events = ok(world.ian.get(f"/tickets/{veeam}/events"))["items"]
    recorded = next(e for e in events if e["kind"] == "third-party")
    assert recorded["data"]["unsupported"] == ["Veeam Agent"]
    assert recorded["data"]["offered"] is True


@pytest.mark.parametrize(
    ("third_party", "status", "words"),
    [
        ("Veeam Agent", 422, "third_party"),
        ([1, 2], 422, "third_party"),
        ([f"tool {i}" for i in range(21)], 400, "third_party: at most 20"),
        (["x" * 101], 400, "third_party: third-party name too long"),
    ],
)
def test_bad_software_is_refused_at_submission(world, monday, third_party, status, words):
    response = world.ian.post(
        "/tickets",
        {
            "subject": "Backups fail",
            "description": "Every job stops.",
            "product": "cloud-backup",
            "severity": 3,
            "third_party": third_party,
        },
    )
    assert words in refused(response, status) or words in str(response.json())


def test_the_working_side_records_software_later(world, monday):
    number = world.ian.open()["number"]
    ticket = ok(world.erin.post(f"/tickets/{number}/third-party", {"products": ["Acronis"]}))
    assert ticket["third_party"] == ["Acronis"]
    assert ticket["first_response_at"] is None  # the desk's answer is no first response
    body = ok(world.ian.get(f"/tickets/{number}/messages"))["items"][-1]["body"]
    assert body.startswith("Acronis is not among")
    # Not the customer's to record; the same answer as a ticket out of sight.
    refused(world.ian.post(f"/tickets/{number}/third-party", {"products": []}), 404)
    refused(world.erin.post(f"/tickets/{number}/third-party", {"products": "Acronis"}), 422)
    refused(world.erin.post(f"/tickets/{number}/third-party", {}), 422)


# -- the options (§3.3) and the paused clock ----------------------------------------------


def test_option_two_ceases_work_and_the_clock_stands_still(world, veeam):
    with later(60):  # 10:00 EST
        ticket = ok(world.ian.post(f"/tickets/{veeam}/third-party/option", {"option": "ii"}))
    assert ticket["status"] == "work-ceased"
    assert ticket["response_due_at"] is None
    lines = ok(world.erin.get(f"/tickets/{veeam}/sla"))["lines"]
    assert any(line.startswith("Clock stopped since Mon 30 Nov 2026 10:00 EST") for line in lines)

    # Choosing again is refused: the ticket's state, not the input.
    with later(61):
        detail = refused(
            world.ian.post(f"/tickets/{veeam}/third-party/option", {"option": "i"}), 409
        )
    assert detail == "option (ii) was already chosen for this software (§3.3)"

    # Veeam removed at 11:30 EST: due 90 minutes later than 13:00, at 14:30 EST.
    with later(150):
        ticket = ok(
            world.erin.post(f"/tickets/{veeam}/third-party", {"products": ["connectwise-autotask"]})
        )
    assert ticket["status"] == "open"
    assert ticket["response_due_at"] == "2026-11-30T19:30:00Z"


@pytest.mark.parametrize(("option", "status"), [("iii", 400), ("", 400), (2, 422)])
def test_an_unknown_option_is_bad_input(world, veeam, option, status):
    refused(world.ian.post(f"/tickets/{veeam}/third-party/option", {"option": option}), status)


def test_only_the_customer_side_answers_the_options(world, veeam):
    for api in (world.erin, world.gary, world.nina):
        refused(api.post(f"/tickets/{veeam}/third-party/option", {"option": "i"}), 404)


def test_no_options_to_answer(world, monday):
    number = world.ian.open(third_party=["storagecraft-shadowprotect"])["number"]
    detail = refused(world.ian.post(f"/tickets/{number}/third-party/option", {"option": "i"}), 409)
    assert detail.startswith("no options are waiting")


def test_the_for_fee_continuation_is_a_quote(world, veeam):
    with later(60):
        ok(world.ian.post(f"/tickets/{veeam}/third-party/option", {"option": "for-fee"}))
    with later(70):
        ticket = ok(
            world.erin.post(
                f"/tickets/{veeam}/quote",
                {
                    "amount": "450.00",
                    "currency": "USD",
                    "description": "Support beside Veeam Agent",
                    "reason": "third-party",
                },
            ),
            201,
        )
    assert ticket["quote"]["reason"] == "third-party"
    assert ticket["quote"]["section"] == "§3.3"


# -- cannot reproduce (§3.2) --------------------------------------------------------------


def test_cannot_reproduce_asks_for_the_steps(world, monday):
    number = world.ian.open(category="dashboard-troubleshooting")["number"]
    with later(30):
        ticket = ok(
            world.erin.post(f"/tickets/{number}/cannot-reproduce", {"note": "Tried twice."})
        )
    assert ticket["status"] == "pending-customer"
    assert ticket["first_response_at"] == "2026-11-30T14:30:00Z"
    body = ok(world.ian.get(f"/tickets/{number}/messages"))["items"][-1]["body"]
    assert body.startswith("Tried twice.\n\nWe could not reproduce the issue")
    events = ok(world.ian.get(f"/tickets/{number}/events"))["items"]
    assert any(e["kind"] == "reproduction-requested" for e in events)
    # Without a note, the policy's words alone.
    ok(world.erin.post(f"/tickets/{number}/cannot-reproduce", {}))


def test_cannot_reproduce_refused(world, monday):
    number = world.ian.open()["number"]
    refused(world.ian.post(f"/tickets/{number}/cannot-reproduce", {}), 404)
    refused(world.erin.post(f"/tickets/{number}/cannot-reproduce", {"note": 3}), 422)
    ok(world.erin.post(f"/tickets/{number}/status", {"status": "closed"}))
    refused(world.erin.post(f"/tickets/{number}/cannot-reproduce", {}), 409)


def test_reproduction_steps_with_a_new_ticket(world, monday):
    ticket = world.ian.open(
        category="dashboard-troubleshooting", reproduction_steps="1. Sign in\n2. Open Devices"
    )
    first = ok(world.ian.get(f"/tickets/{ticket['number']}/messages"))["items"][0]
    assert first["body"].endswith("Steps to reproduce (§3.2):\n1. Sign in\n2. Open Devices")
    response = world.ian.post(
        "/tickets",
        {
            "subject": "Invoice",
            "description": "Twice billed.",
            "product": "cloud-backup",
            "category": "billing",
            "severity": 4,
            "reproduction_steps": "1. Pay",
        },
    )
    assert refused(response, 400).startswith(
        "reproduction_steps: reproduction steps are for the troubleshooting categories"
    )


# -- resolution causes and their report (§3.1, §3.4) -------------------------------------------


def test_resolving_with_a_cause_and_the_report(world, monday):
    dr = world.ian.open(product="disaster-recovery")["number"]
    backup = world.ian.open()["number"]
    with later(30):
        ticket = ok(
            world.erin.post(
                f"/tickets/{dr}/status",
                {"status": "resolved", "reason": "Port 443 blocked", "cause": "local-firewall"},
            )
        )
        assert ticket["resolution_cause"] == "local-firewall"
        # §3.4 is for the disaster-recovery products only: not for cloud-backup.
        detail = refused(
            world.erin.post(f"/tickets/{backup}/status", {"status": "closed", "cause": "power"}),
            400,
        )
    assert detail == (
        "cause 'power' (§3.4(d)) applies only to disaster-recovery, backup-disaster-recovery, "
        "not to cloud-backup"
    )
    assert ok(world.erin.get(f"/tickets/{backup}"))["status"] == "new"
    ok(world.erin.post(f"/tickets/{backup}/status", {"status": "closed", "cause": "policy-breach"}))

    report = ok(world.erin.get(REPORT, MONDAY))
    assert report["since"] == "2026-11-30T05:00:00Z"
    assert report["total"] == 2
    rows = {row["cause"]: row for row in report["causes"]}
    assert rows["local-firewall"] == {
        "cause": "local-firewall",
        "title": "Your local firewall settings",
        "section": "§3.4(a)",
        "count": 1,
    }
    assert rows["policy-breach"]["count"] == 1
    assert rows["policy-breach"]["section"] == "§3.1(7)"
    assert rows["power"]["count"] == 0
    assert len(report["causes"]) == 12


def test_a_bad_cause_is_refused(world, monday):
    number = world.ian.open(product="disaster-recovery")["number"]
    assert refused(
        world.erin.post(f"/tickets/{number}/status", {"status": "resolved", "cause": "nope"}),
        400,
    ).startswith("cause must be one of: updates-not-applied")
    refused(world.erin.post(f"/tickets/{number}/status", {"status": "open", "cause": "power"}), 400)
    refused(
        world.ian.post(f"/tickets/{number}/status", {"status": "resolved", "cause": "power"}), 400
    )
    refused(world.erin.post(f"/tickets/{number}/status", {"status": "resolved", "cause": 1}), 422)
    assert ok(world.erin.get(f"/tickets/{number}"))["resolution_cause"] is None


def test_ceasing_work_over_the_api_needs_a_reason(world, monday):
    number = world.ian.open()["number"]
    detail = refused(world.erin.post(f"/tickets/{number}/status", {"status": "work-ceased"}), 400)
    assert detail == "ceasing work needs a reason (§3.3)"


def test_the_report_is_the_vendors(world, monday):
    ok(world.fred.get(REPORT))
    for api in (world.ian, world.nina):
        assert refused(api.get(REPORT), 404) == "not found"
    refused(world.nobody.get(REPORT), 401)
    assert refused(world.erin.get(REPORT, {"since": "yesterday"}), 400).startswith("since:")
    refused(world.erin.get(REPORT, {"since": "2026-12-01", "until": "2026-11-01"}), 400)
