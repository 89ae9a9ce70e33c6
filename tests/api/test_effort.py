"""Severity 1 continuous effort (§1.6) over the API: whether it is owed,
and recording the workaround that ends it."""

from datetime import timedelta

import pytest
import time_machine

from supportdesk.tickets import clock
from tests.api.conftest import MONDAY_9

pytestmark = pytest.mark.django_db

CONTACT = "Ian, +1 555 0100, on call all day"
WORKAROUND = "Restore from the local cache while the cloud vault is repaired."


def ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def refused(response, status):
    assert response.status_code == status, response.content
    return response.json()["detail"]


@pytest.fixture
def sev1(world, monday):
    """Ian's Severity 1, with the vendor and nobody on it."""
    return world.ian.open(severity=1, dedicated_contact=CONTACT)["number"]


def test_a_severity_1_says_continuous_effort_is_owed_until_a_workaround(world, sev1):
    ticket = ok(world.ian.get(f"/tickets/{sev1}"))
    assert ticket["continuous_effort_owed"] is True
    assert ticket["workaround_at"] is None

    ticket = ok(world.erin.post(f"/tickets/{sev1}/workaround", {"note": WORKAROUND}))
    assert ticket["number"] == sev1
    assert ticket["continuous_effort_owed"] is False
    assert ticket["workaround_at"] == "2026-11-30T14:00:00Z"

    # The customer reads the workaround in the history.
    events = ok(world.ian.get(f"/tickets/{sev1}/events"))["items"]
    provided = [e for e in events if e["kind"] == "workaround"]
    assert [(e["public"], e["data"]["note"], e["data"]["section"]) for e in provided] == [
        (True, WORKAROUND, "§1.6")
    ]


def test_other_tickets_owe_no_continuous_effort(world, monday):
    number = world.ian.open(severity=2)["number"]
    assert ok(world.ian.get(f"/tickets/{number}"))["continuous_effort_owed"] is False
    # Asked for Severity 1 without a dedicated contact: opened as Severity 2 (§1.6.1).
    number = world.ian.open(severity=1)["number"]
    assert ok(world.ian.get(f"/tickets/{number}"))["continuous_effort_owed"] is False
    # With the partner: its first-level support, not the vendor's promise.
    number = world.alice.open(severity=1, dedicated_contact="Alice")["number"]
    assert ok(world.alice.get(f"/tickets/{number}"))["continuous_effort_owed"] is False


def test_the_list_says_which_tickets_are_owed_effort(world, sev1, django_assert_num_queries):
    world.ian.open(severity=3)
    world.erin.get("/tickets")  # records the token's use, a write of its own
    with django_assert_num_queries(2):  # the token, the page: nothing per ticket
        items = ok(world.erin.get("/tickets", {"order": "newest"}))["items"]
    assert [(t["severity"], t["continuous_effort_owed"]) for t in items] == [(3, False), (1, True)]


def test_a_downgrade_ends_it(world, sev1):
    with time_machine.travel(MONDAY_9 + timedelta(minutes=20), tick=False):
        ticket = ok(
            world.erin.post(
                f"/tickets/{sev1}/severity", {"severity": 2, "reason": "one site only now"}
            )
        )
    assert ticket["continuous_effort_owed"] is False


def test_only_the_working_side_records_a_workaround(world, sev1):
    assert refused(world.ian.post(f"/tickets/{sev1}/workaround", {"note": "Me?"}), 404)
    assert refused(world.gary.post(f"/tickets/{sev1}/workaround", {"note": "Me?"}), 404)
    assert refused(world.nobody.post(f"/tickets/{sev1}/workaround", {"note": "Me?"}), 401)
    assert refused(world.erin.post("/tickets/SD-987654/workaround", {"note": "Hm"}), 404)
    assert ok(world.erin.get(f"/tickets/{sev1}"))["continuous_effort_owed"] is True


def test_a_workaround_needs_a_note_and_an_open_ticket(world, sev1):
    detail = refused(world.erin.post(f"/tickets/{sev1}/workaround", {"note": "  "}), 400)
    assert detail == "workaround note is required"
    assert refused(world.erin.post(f"/tickets/{sev1}/workaround", {}), 422)
    assert refused(world.erin.post(f"/tickets/{sev1}/workaround", {"note": 42}), 422)
    ok(world.erin.post(f"/tickets/{sev1}/status", {"status": "closed"}))
    detail = refused(world.erin.post(f"/tickets/{sev1}/workaround", {"note": "Late."}), 409)
    assert detail == "the ticket is no longer open"


def test_the_alerts_stop_once_a_workaround_is_recorded(world, sev1):
    clock.sweep(MONDAY_9 + timedelta(seconds=15))
    ok(world.erin.post(f"/tickets/{sev1}/workaround", {"note": WORKAROUND}))
    clock.sweep(MONDAY_9 + timedelta(minutes=45))
    kinds = [e["kind"] for e in ok(world.erin.get(f"/tickets/{sev1}/events"))["items"]]
    assert kinds.count("unassigned-alert") == 1
    # Staff see the alerts; the customer does not.
    customer = [e["kind"] for e in ok(world.ian.get(f"/tickets/{sev1}/events"))["items"]]
    assert "unassigned-alert" not in customer
