"""One ticket over the API: reading it, and every change, allowed and refused."""

from datetime import timedelta

import pytest
import time_machine

from tests.api.conftest import MONDAY_9

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(world, monday):
    """Alice's Severity 3 ticket, with Northwind (partner tier)."""
    return world.alice.open()["number"]


@pytest.fixture
def initech(world, monday):
    """Ian's Severity 3 ticket, with the vendor, due 13:00 Eastern."""
    return world.ian.open()["number"]


def ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def refused(response, status):
    assert response.status_code == status, response.content
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    assert detail
    return detail


# -- reading -----------------------------------------------------------------------------


def test_read_a_ticket_by_its_number(world, initech):
    ticket = ok(world.ian.get(f"/tickets/{initech}"))
    assert ticket["number"] == initech
    assert ok(world.ian.get(f"/tickets/{initech.lower()}"))["number"] == initech
    assert ok(world.erin.get(f"/tickets/{initech.removeprefix('SD-')}"))["number"] == initech


@pytest.mark.parametrize("number", ["SD-abc", "SD-", "SD-99999999999999999999", "%00"])
def test_numbers_that_are_not_tickets_are_not_found(world, initech, number):
    assert refused(world.ian.get(f"/tickets/{number}"), 404) == "not found"


# -- messages ------------------------------------------------------------------------------


def test_the_customer_replies_and_staff_answer(world, initech):
    reply = ok(world.ian.post(f"/tickets/{initech}/messages", {"body": "Any news?"}), 201)
    assert reply["public"] is True
    assert reply["via"] == "api"
    assert reply["author"]["name"] == "Ian Initech"

    with time_machine.travel(MONDAY_9 + timedelta(minutes=30), tick=False):
        ok(world.erin.post(f"/tickets/{initech}/messages", {"body": "Looking now."}), 201)
    ticket = ok(world.ian.get(f"/tickets/{initech}"))
    assert ticket["first_response_at"] == "2026-11-30T14:30:00Z"
    assert ticket["status"] == "open"
    bodies = [m["body"] for m in ok(world.ian.get(f"/tickets/{initech}/messages"))["items"]]
    assert bodies == ["The nightly job stops at 40%.", "Any news?", "Looking now."]


def test_internal_notes_stay_with_staff(world, acme):
    refused(world.alice.post(f"/tickets/{acme}/messages", {"body": "psst", "public": False}), 404)
    note = ok(
        world.nina.post(f"/tickets/{acme}/messages", {"body": "Check the agent", "public": False}),
        201,
    )
    assert note["public"] is False

    def bodies(api):
        return [m["body"] for m in ok(api.get(f"/tickets/{acme}/messages"))["items"]]

    assert "Check the agent" in bodies(world.nina)
    assert "Check the agent" in bodies(world.erin)
    assert "Check the agent" not in bodies(world.alice)


def test_an_empty_reply_is_refused(world, initech):
    assert refused(world.ian.post(f"/tickets/{initech}/messages", {"body": "  "}), 400) == (
        "message is required"
    )


# -- severity --------------------------------------------------------------------------------


def test_staff_change_the_severity_with_a_reason(world, initech):
    with time_machine.travel(MONDAY_9 + timedelta(minutes=30), tick=False):
        ticket = ok(
            world.erin.post(f"/tickets/{initech}/severity", {"severity": 2, "reason": "Outage"})
        )
    assert ticket["severity"] == 2
    # Upgraded at 09:30 Eastern: 2 business hours from then, earlier than 13:00.
    assert ticket["response_due_at"] == "2026-11-30T16:30:00Z"


def test_severity_change_refusals(world, initech, acme):
    path = f"/tickets/{initech}/severity"
    assert "reason" in refused(world.erin.post(path, {"severity": 2, "reason": ""}), 400)
    assert "already" in refused(world.erin.post(path, {"severity": 3, "reason": "x"}), 409)
    refused(world.erin.post(path, {"severity": 9, "reason": "x"}), 400)
    refused(world.ian.post(path, {"severity": 2, "reason": "please"}), 404)
    # Northwind works Acme's ticket while it is with them; the vendor does not.
    refused(world.erin.post(f"/tickets/{acme}/severity", {"severity": 2, "reason": "x"}), 404)
    assert (
        ok(world.nina.post(f"/tickets/{acme}/severity", {"severity": 2, "reason": "x"}))["severity"]
        == 2
    )


def test_the_partner_forwards_to_the_vendor(world, acme):
    with time_machine.travel(MONDAY_9 + timedelta(hours=1), tick=False):
        ticket = ok(world.nina.post(f"/tickets/{acme}/forward", {"severity": 2, "note": "Yours"}))
    assert ticket["tier"] == "vendor"
    assert ticket["severity"] == 2
    assert ticket["clock_started_at"] == "2026-11-30T15:00:00Z"
    assert ticket["response_due_at"] == "2026-11-30T17:00:00Z"
    assert "already" in refused(world.nina.post(f"/tickets/{acme}/forward", {}), 409)


def test_only_the_partner_forwards(world, acme, initech):
    refused(world.alice.post(f"/tickets/{acme}/forward", {}), 404)
    refused(world.erin.post(f"/tickets/{acme}/forward", {}), 404)
    refused(world.ian.post(f"/tickets/{initech}/forward", {}), 404)
    assert "severity" in refused(world.nina.post(f"/tickets/{acme}/forward", {"severity": 7}), 400)


def test_a_customer_asks_for_more_and_staff_decide(world, initech):
    path = f"/tickets/{initech}/severity-requests"
    ticket = ok(world.ian.post(path, {"severity": 2, "justification": "Payroll is down"}))
    assert ticket["requested_severity"] == 2
    assert ticket["severity"] == 3

    refused(world.ian.post(f"{path}/decision", {"accept": True}), 404)
    assert "reason" in refused(world.erin.post(f"{path}/decision", {"accept": False}), 400)
    ticket = ok(world.erin.post(f"{path}/decision", {"accept": True}))
    assert ticket["severity"] == 2
    assert ticket["requested_severity"] is None
    assert "no pending" in refused(world.erin.post(f"{path}/decision", {"accept": True}), 409)


def test_severity_request_refusals(world, initech):
    path = f"/tickets/{initech}/severity-requests"
    assert "justification" in refused(
        world.ian.post(path, {"severity": 2, "justification": " "}), 400
    )
    assert "not higher" in refused(world.ian.post(path, {"severity": 4, "justification": "x"}), 400)
    refused(world.erin.post(path, {"severity": 2, "justification": "x"}), 404)


# -- status and assignee ------------------------------------------------------------------------


def test_status_changes(world, initech):
    path = f"/tickets/{initech}/status"
    ticket = ok(world.erin.post(path, {"status": "pending-customer", "reason": "Need logs"}))
    assert ticket["status"] == "pending-customer"
    refused(world.ian.post(path, {"status": "on-hold"}), 404)
    assert "status must be one of" in refused(world.erin.post(path, {"status": "asleep"}), 400)
    assert ok(world.ian.post(path, {"status": "closed"}))["status"] == "closed"
    assert "closed" in refused(world.erin.post(path, {"status": "open"}), 409)


def test_assigning(world, initech, acme):
    path = f"/tickets/{initech}/assignee"
    ticket = ok(world.erin.post(path, {"assignee": "me"}))
    assert ticket["assignee"] == {"id": world.erin.user.pk, "name": "Erin Engineer"}
    ticket = ok(world.erin.post(path, {"assignee": None}))
    assert ticket["assignee"] is None
    ticket = ok(world.erin.post(path, {"assignee": world.fred.user.pk}))
    assert ticket["assignee"]["name"] == "Fred Finance"

    cannot = "assignee: that person cannot work this ticket"
    assert refused(world.erin.post(path, {"assignee": world.nina.user.pk}), 400) == cannot
    assert refused(world.erin.post(path, {"assignee": 987654}), 400) == cannot
    refused(world.ian.post(path, {"assignee": "me"}), 404)
    refused(world.ian.post(path, {"assignee": None}), 404)
    # With the partner, its own staff work the ticket.
    assert ok(world.nina.post(f"/tickets/{acme}/assignee", {"assignee": "me"}))["assignee"]


def test_the_assignee_field_is_required(world, initech):
    response = world.erin.post(f"/tickets/{initech}/assignee", {})
    assert response.status_code == 422
    assert response.json()["detail"] == "assignee: required"


# -- history and the clock ------------------------------------------------------------------------


def test_events_show_each_side_what_it_may_see(world, acme):
    ok(world.nina.post(f"/tickets/{acme}/assignee", {"assignee": "me"}))

    def kinds(api):
        return [e["kind"] for e in ok(api.get(f"/tickets/{acme}/events"))["items"]]

    assert kinds(world.alice) == ["submitted", "message"]
    assert kinds(world.nina) == ["submitted", "message", "assigned"]
    assert kinds(world.erin) == ["submitted", "message", "assigned"]
    first = ok(world.erin.get(f"/tickets/{acme}/events"))["items"][0]
    assert first["seq"] == 1
    assert first["at"] == "2026-11-30T14:00:00Z"
    assert first["actor"]["name"] == "Alice Acme"
    assert len(first["hash"]) == 64


def test_the_sla_explains_itself(world, initech):
    sla = ok(world.ian.get(f"/tickets/{initech}/sla"))
    assert sla["number"] == initech
    assert sla["due"] == "2026-11-30T18:00:00Z"
    assert sla["target"]["minutes"] == 240
    assert sla["target"]["calendar"] == "business"
    assert sla["target"]["source"] == "§1.6"
    assert sla["calendar"] == "business"
    assert sla["segments"] == [
        {"start": "2026-11-30T14:00:00Z", "end": "2026-11-30T18:00:00Z", "minutes": 240.0}
    ]
    assert sla["changes"] == sla["notes"] == sla["breaches"] == []
    assert sla["time_zone"] == "America/New_York"
    assert sla["lines"][-1] == "Due Mon 30 Nov 2026 13:00 EST."
    utc = ok(world.ian.get(f"/tickets/{initech}/sla", {"tz": "UTC"}))
    assert utc["lines"][-1] == "Due Mon 30 Nov 2026 18:00 UTC."


def test_the_sla_records_changes_and_breaches(world, initech):
    with time_machine.travel(MONDAY_9 + timedelta(hours=6), tick=False):
        ok(world.erin.post(f"/tickets/{initech}/severity", {"severity": 4, "reason": "Minor"}))
        sla = ok(world.erin.get(f"/tickets/{initech}/sla"))
    assert sla["breached"] is True
    assert sla["breaches"][0]["due_at"] == "2026-11-30T18:00:00Z"
    assert sla["changes"][0]["kind"] == "downgrade"
    assert sla["changes"][0]["reason"] == "Minor"


def test_the_sla_of_a_ticket_with_the_partner(world, acme):
    sla = ok(world.alice.get(f"/tickets/{acme}/sla"))
    assert sla["due"] is None
    assert sla["target"] is None
    assert sla["lines"] == ["No vendor response target yet: the ticket is with the partner (§2.2)."]


def test_an_unknown_time_zone_is_refused(world, initech):
    for tz in ("Mars/Olympus", "../../etc/passwd"):
        assert refused(world.ian.get(f"/tickets/{initech}/sla", {"tz": tz}), 400).startswith("tz:")
