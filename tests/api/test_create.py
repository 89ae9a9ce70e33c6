"""POST /tickets: where a ticket starts, when it is due, and retries."""

from datetime import datetime

import pytest
import time_machine

from supportdesk.tickets.audit import verify_ticket_chains
from supportdesk.tickets.models import IdempotencyKey, Message, Ticket
from tests.api.conftest import ET

pytestmark = pytest.mark.django_db

TICKET = {
    "subject": "Backups fail",
    "description": "The nightly job stops at 40%.",
    "product": "cloud-backup",
    "severity": 3,
}


def test_a_partner_customers_ticket_starts_with_the_partner(world, monday):
    ticket = world.alice.open(severity=2)
    assert ticket["number"].startswith("SD-")
    assert ticket["tier"] == "partner"
    assert ticket["partner"] == {"id": world.northwind.pk, "name": "Northwind IT"}
    assert ticket["company"] == {"id": world.acme.pk, "name": "Acme Dental"}
    assert ticket["response_due_at"] is None
    assert ticket["clock_started_at"] is None
    assert ticket["channel"] == "api"
    assert ticket["status"] == "new"
    assert ticket["requester"] == {"id": world.alice.user.pk, "name": "Alice Acme"}


def test_a_direct_customers_ticket_is_due_by_the_policy(world, monday):
    ticket = world.ian.open(severity=2)
    assert ticket["tier"] == "vendor"
    assert ticket["partner"] is None
    # Monday 09:00 Eastern plus 2 business hours.
    assert ticket["response_due_at"] == "2026-11-30T16:00:00Z"
    assert ticket["submitted_at"] == "2026-11-30T14:00:00Z"
    assert ticket["breached"] is False
    assert ticket["first_response_at"] is None
    assert ticket["policy_version"]


@pytest.mark.parametrize(
    ("submitted", "fields", "due"),
    [
        # Fri 23:00 EST, Severity 2: counting starts Monday 00:00 Eastern.
        (datetime(2026, 11, 27, 23, tzinfo=ET), {"severity": 2}, "2026-11-30T06:00:00Z"),
        # Sat 10:00 EST, Severity 1 not by phone: 2 business hours, not 60 minutes.
        (
            datetime(2026, 11, 28, 10, tzinfo=ET),
            {"severity": 1, "dedicated_contact": "Ian, +1 555 0100"},
            "2026-11-30T07:00:00Z",
        ),
        # 2026-03-08 02:00 EST -> 03:00 EDT: Fri 22:00 EST, Severity 3 (4 business hours).
        (datetime(2026, 3, 6, 22, tzinfo=ET), {"severity": 3}, "2026-03-09T06:00:00Z"),
    ],
)
def test_worked_examples_by_api(world, submitted, fields, due):
    with time_machine.travel(submitted, tick=False):
        assert world.ian.open(**fields)["response_due_at"] == due


def test_severity_1_without_a_dedicated_contact_opens_as_severity_2(world, monday):
    ticket = world.ian.open(severity=1)
    assert ticket["severity"] == 2
    events = world.ian.get(f"/tickets/{ticket['number']}/events").json()["items"]
    submitted = events[0]
    assert submitted["kind"] == "submitted"
    assert submitted["data"]["severity"] == 1
    assert submitted["data"]["opened_at_severity"] == 2
    assert submitted["data"]["source"] == "§1.6.1"
    sla = world.ian.get(f"/tickets/{ticket['number']}/sla").json()
    assert sla["notes"][0]["source"] == "§1.6.1"


@pytest.mark.parametrize(
    "fields", [{"dedicated_contact": "Ian, +1 555 0100"}, {"vendor_outage": True}]
)
def test_severity_1_stays_with_a_contact_or_for_a_vendor_outage(world, monday, fields):
    assert world.ian.open(severity=1, **fields)["severity"] == 1


def test_body_is_another_name_for_description(world, monday):
    ticket = world.ian.open(description=None, body="Said as body")
    messages = world.ian.get(f"/tickets/{ticket['number']}/messages").json()["items"]
    assert [m["body"] for m in messages] == ["Said as body"]


def test_description_and_body_together_are_refused(world):
    response = world.ian.post("/tickets", {**TICKET, "body": "again"})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("description:")


def test_a_category_brings_its_coverage(world, monday):
    ticket = world.ian.open(category="billing")
    assert ticket["category"] == "billing"
    assert ticket["coverage"] == "finance"


def test_partner_staff_name_the_company(world, monday):
    missing = world.nina.post("/tickets", TICKET)
    assert missing.status_code == 400
    assert missing.json()["detail"].startswith("company_id:")

    with_partner = world.nina.open(company_id=world.acme.pk)
    assert with_partner["tier"] == "partner"
    assert with_partner["requester"]["name"] == "Nina Northwind"

    to_vendor = world.nina.open(company_id=world.acme.pk, to_vendor=True, severity=2)
    assert to_vendor["tier"] == "vendor"
    assert to_vendor["response_due_at"] == "2026-11-30T16:00:00Z"


def test_vendor_staff_open_for_any_company(world, monday):
    ticket = world.erin.open(company_id=world.acme.pk)
    assert ticket["tier"] == "vendor"
    assert ticket["company"]["name"] == "Acme Dental"


def test_only_partner_staff_choose_the_tier(world):
    response = world.alice.post("/tickets", {**TICKET, "to_vendor": True})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("to_vendor:")


def test_a_device_of_the_company_is_attached(world, monday):
    ticket = world.alice.open(device_id=world.acme_server.pk)
    assert ticket["device"] == {"id": world.acme_server.pk, "name": "acme-srv-01"}


@pytest.mark.parametrize("who", ["alice", "nina"])
def test_another_tenants_ids_answer_like_missing_ones(world, who):
    api = getattr(world, who)
    company = world.acme.pk if who == "nina" else None

    def refusal(**fields):
        response = api.post("/tickets", {**TICKET, "company_id": company, **fields})
        assert response.status_code == 400
        return response.json()["detail"]

    assert (
        refusal(device_id=world.globex_server.pk)
        == f"device_id: no device {world.globex_server.pk}"
    )
    assert refusal(device_id=987654) == "device_id: no device 987654"
    assert refusal(company_id=world.globex.pk) == f"company_id: no company {world.globex.pk}"
    assert refusal(company_id=987654) == "company_id: no company 987654"
    assert not Ticket.objects.exists()


def test_a_customer_may_name_their_own_company(world, monday):
    assert world.alice.open(company_id=world.acme.pk)["company"]["id"] == world.acme.pk


def test_an_unknown_product_is_refused_with_the_choices(world):
    response = world.ian.post("/tickets", {**TICKET, "product": "toaster"})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("product must be one of cloud-backup")


def test_the_channel_is_not_the_clients_to_choose(world):
    response = world.ian.post("/tickets", {**TICKET, "channel": "phone"})
    assert response.status_code == 422
    assert response.json()["detail"] == "channel: unknown field"


# -- Idempotency-Key ---------------------------------------------------------------------


def test_a_retried_create_returns_the_first_result(world, monday):
    first = world.ian.post("/tickets", TICKET, **{"Idempotency-Key": "k-1"})
    again = world.ian.post("/tickets", TICKET, **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1


def test_a_reused_key_with_another_body_conflicts(world, monday):
    world.ian.post("/tickets", TICKET, **{"Idempotency-Key": "k-1"})
    response = world.ian.post("/tickets", {**TICKET, "severity": 2}, **{"Idempotency-Key": "k-1"})
    assert response.status_code == 409
    assert "different request body" in response.json()["detail"]
    assert Ticket.objects.count() == 1


def test_keys_belong_to_one_user(world, monday):
    world.ian.post("/tickets", TICKET, **{"Idempotency-Key": "k-1"})
    other = world.alice.post("/tickets", TICKET, **{"Idempotency-Key": "k-1"})
    assert other.status_code == 201
    assert Ticket.objects.count() == 2


def test_without_a_key_each_create_is_a_ticket(world, monday):
    world.ian.open()
    world.ian.open()
    assert Ticket.objects.count() == 2
    assert not IdempotencyKey.objects.exists()


def test_a_refused_create_is_not_remembered(world, monday):
    bad = world.ian.post("/tickets", {**TICKET, "product": "toaster"}, **{"Idempotency-Key": "k"})
    assert bad.status_code == 400
    assert not IdempotencyKey.objects.exists()


@pytest.mark.parametrize("key", ["", "   ", "k" * 201])
def test_an_unusable_key_is_refused(world, key):
    response = world.ian.post("/tickets", TICKET, **{"Idempotency-Key": key})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Idempotency-Key:")
    assert not Ticket.objects.exists()


def test_a_create_that_loses_a_race_for_its_key_answers_the_winners_result(
    world, monday, monkeypatch
):
    from supportdesk.api import tickets as api_tickets

    first = world.ian.post("/tickets", TICKET, **{"Idempotency-Key": "k-1"})
    real_replay = api_tickets._replay
    calls = []

    def late_replay(*args):
        # The first look finds nothing, as when the winner has not committed yet.
        calls.append(args)
        return None if len(calls) == 1 else real_replay(*args)

    monkeypatch.setattr(api_tickets, "_replay", late_replay)
    again = world.ian.post("/tickets", TICKET, **{"Idempotency-Key": "k-1"})
    assert len(calls) == 2
    assert again.status_code == 201
    assert again.content == first.content
    assert Ticket.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_ticket_opened_outside_any_transaction_is_whole(world, monday):
    """Committed for real (no test transaction around it): on PostgreSQL the
    ticket, its message and its events go in as one statement. Then the
    engineer's reply appends to the same chain."""
    opened = world.ian.open(severity=2)
    ticket = Ticket.objects.get(pk=int(opened["number"].removeprefix("SD-")))
    assert ticket.event_count == 2
    events = list(ticket.events.order_by("seq"))
    assert [e.kind for e in events] == ["submitted", "message"]
    message = Message.objects.get(ticket=ticket)
    assert events[1].data["message"] == message.pk
    assert message.body == "The nightly job stops at 40%."
    assert ticket.last_event_hash == events[-1].hash
    assert ticket.response_due_at.isoformat() == "2026-11-30T16:00:00+00:00"
    answer = world.erin.post(f"/tickets/{ticket.number}/messages", {"body": "Looking now."})
    assert answer.status_code == 201, answer.content
    assert verify_ticket_chains(ticket.pk) == (1, [])
    assert Ticket.objects.get(pk=ticket.pk).event_count >= 3
