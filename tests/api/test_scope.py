"""The support matrix through the API (§4): what a ticket's category does at
once, quotes, the finance queue, and the bad input each step refuses."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from supportdesk.tickets.models import EventKind, Quote, Ticket, TicketEvent
from tests.api.conftest import MONDAY_9

pytestmark = pytest.mark.django_db


def refused(response, status):
    assert response.status_code == status, response.content
    return response.json()["detail"]


# -- the four tickets of "Done means" ------------------------------------------------------


def test_a_data_migration_for_cloud_backup_comes_back_out_of_scope_quoting_4_2_3(world, monday):
    ticket = world.ian.open(product="cloud-backup", category="data-migration")

    assert ticket["status"] == "out-of-scope"
    assert ticket["coverage"] == "not-supported"
    assert ticket["scope"]["section"] == "§4.2.3"
    assert (
        "guidance on how to restore files and folders to a different machine"
        in (ticket["scope"]["text"])
    )
    # Answered at once: nothing is due from the vendor while it stands out of scope.
    assert ticket["response_due_at"] is None
    events = world.ian.get(f"/tickets/{ticket['number']}/events").json()["items"]
    answer = next(e for e in events if e["kind"] == EventKind.OUT_OF_SCOPE)
    assert answer["public"] is True
    assert answer["data"]["section"] == "§4.2.3"
    assert "restore files and folders to a different machine" in answer["data"]["text"]


def test_os_patching_for_disaster_recovery_is_supported(world, monday):
    ticket = world.ian.open(product="disaster-recovery", category="os-patching", severity=2)

    assert ticket["status"] == "new"
    assert ticket["coverage"] == "supported"
    assert ticket["scope"]["intake"] == "proceed"
    assert ticket["response_due_at"] == "2026-11-30T16:00:00Z"  # Severity 2: 2 business hours
    assert ticket["quote"] is None


def test_a_hardware_upgrade_for_disaster_recovery_waits_for_a_quote(world, monday):
    ticket = world.ian.open(product="disaster-recovery", category="hardware-upgrade")

    assert ticket["status"] == "awaiting-quote"
    assert ticket["coverage"] == "fee"
    assert ticket["scope"] == {
        "coverage": "fee",
        "intake": "quote",
        "section": "§4.2.4",
        "text": ticket["scope"]["text"],
    }
    assert ticket["quote"] is None
    # The vendor still owes an answer: the quote itself, in time.
    assert ticket["response_due_at"] == "2026-11-30T18:00:00Z"  # Severity 3: 4 business hours


def test_a_billing_ticket_sits_in_the_finance_queue_without_a_due_time(world, monday):
    ticket = world.ian.open(category="billing", severity=2)

    assert ticket["coverage"] == "finance"
    assert ticket["response_due_at"] is None
    assert ticket["status"] == "new"
    queue = world.fred.get("/tickets", {"coverage": "finance"}).json()["items"]
    assert [t["number"] for t in queue] == [ticket["number"]]
    assert queue[0]["response_due_at"] is None
    sla = world.fred.get(f"/tickets/{ticket['number']}/sla").json()
    assert sla["due"] is None
    assert any("no response-time target" in line and "§4.2.7" in line for line in sla["lines"])
    # Nothing will ever be due: no warning, no breach, however long it waits.
    assert Ticket.objects.get().sla_next_at is None


def test_a_billing_ticket_is_fionas_to_answer_and_never_breaches(world, monday):
    number = world.ian.open(category="billing")["number"]
    with time_machine.travel(MONDAY_9 + timedelta(days=7), tick=False):
        answered = world.fred.post(f"/tickets/{number}/messages", {"body": "Invoice resent."})
        assert answered.status_code == 201
        ticket = world.ian.get(f"/tickets/{number}").json()
    assert ticket["breached"] is False
    assert ticket["first_response_at"] is not None


# -- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "detail"),
    [
        ({"category": "astrology"}, "'astrology' is not a support category"),
        ({"product": "toaster"}, "'toaster' is not one"),
        (
            {"product": "cloud-backup", "category": "hardware-upgrade"},
            "category 'hardware-upgrade' does not apply to product 'cloud-backup' (§4.2.4)",
        ),
        (
            {"product": "cloud-application-backup", "category": "agent-installation"},
            "does not apply to product 'cloud-application-backup'",
        ),
    ],
)
def test_unknown_or_inapplicable_categories_and_products_are_refused(world, monday, fields, detail):
    response = world.ian.post(
        "/tickets",
        {
            "subject": "Help",
            "description": "Please.",
            "severity": 3,
            "product": "cloud-backup",
            **fields,
        },
    )
    assert detail in refused(response, 400)
    assert not Ticket.objects.exists()


# -- quotes ----------------------------------------------------------------------------------


@pytest.fixture
def upgrade(world, monday):
    """Initech's hardware upgrade for its disaster-recovery appliance."""
    return world.ian.open(product="disaster-recovery", category="hardware-upgrade")["number"]


QUOTE = {"amount": "1250.00", "currency": "usd", "description": "A larger appliance, installed."}


def test_the_engineer_quotes_and_the_customer_accepts_once(world, upgrade):
    offered = world.erin.post(f"/tickets/{upgrade}/quote", QUOTE)
    assert offered.status_code == 201, offered.content
    ticket = offered.json()
    assert ticket["status"] == "awaiting-quote"
    assert ticket["quote"]["amount"] == "1250.00"
    assert ticket["quote"]["currency"] == "USD"
    assert ticket["quote"]["section"] == "§4.2.4"
    assert ticket["quote"]["state"] == "offered"
    # The quote answers the customer: the first response is given.
    assert ticket["first_response_at"] is not None

    accepted = world.ian.post(f"/tickets/{upgrade}/quote/accept")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "open"
    assert accepted.json()["quote"]["state"] == "accepted"

    assert "already accepted" in refused(world.ian.post(f"/tickets/{upgrade}/quote/accept"), 409)
    assert "already accepted" in refused(world.ian.post(f"/tickets/{upgrade}/quote/decline"), 409)
    assert Quote.objects.get().state == Quote.State.ACCEPTED
    outcome = TicketEvent.objects.get(kind=EventKind.QUOTE_ACCEPTED)
    assert outcome.data["amount"] == "1250.00"
    assert outcome.data["currency"] == "USD"
    assert outcome.data["section"] == "§4.2.4"


def test_a_declined_quote_resolves_the_ticket_with_its_outcome(world, upgrade):
    world.erin.post(f"/tickets/{upgrade}/quote", QUOTE)
    declined = world.ian.post(f"/tickets/{upgrade}/quote/decline")
    assert declined.json()["status"] == "resolved"
    assert declined.json()["quote"]["state"] == "declined"
    events = world.ian.get(f"/tickets/{upgrade}/events").json()["items"]
    assert [e["kind"] for e in events if e["kind"].startswith("quote")] == [
        "quote-offered",
        "quote-declined",
    ]


def test_one_quote_waits_at_a_time(world, upgrade):
    world.erin.post(f"/tickets/{upgrade}/quote", QUOTE)
    again = world.erin.post(f"/tickets/{upgrade}/quote", {**QUOTE, "amount": 999})
    assert "already waiting" in refused(again, 409)


def test_the_engineer_withdraws_a_quote_and_offers_another(world, upgrade):
    world.erin.post(f"/tickets/{upgrade}/quote", QUOTE)
    withdrawn = world.erin.post(
        f"/tickets/{upgrade}/quote/withdraw", {"reason": "Wrong appliance model."}
    )
    assert withdrawn.status_code == 200, withdrawn.content
    assert withdrawn.json()["quote"]["state"] == "withdrawn"
    assert withdrawn.json()["status"] == "awaiting-quote"  # a fee row still needs one
    assert "already withdrawn" in refused(world.ian.post(f"/tickets/{upgrade}/quote/accept"), 409)
    again = world.erin.post(f"/tickets/{upgrade}/quote", {**QUOTE, "amount": "990.00"})
    assert again.status_code == 201, again.content
    events = world.ian.get(f"/tickets/{upgrade}/events").json()["items"]
    assert [e["kind"] for e in events if e["kind"].startswith("quote")] == [
        "quote-offered",
        "quote-withdrawn",
        "quote-offered",
    ]


def test_a_withdrawal_needs_a_reason_a_waiting_quote_and_the_working_side(world, upgrade):
    assert "no quote is waiting" in refused(
        world.erin.post(f"/tickets/{upgrade}/quote/withdraw", {"reason": "Oops."}), 409
    )
    world.erin.post(f"/tickets/{upgrade}/quote", QUOTE)
    assert "reason" in refused(world.erin.post(f"/tickets/{upgrade}/quote/withdraw", {}), 422)
    assert "reason is required" in refused(
        world.erin.post(f"/tickets/{upgrade}/quote/withdraw", {"reason": " "}), 400
    )
    assert refused(
        world.ian.post(f"/tickets/{upgrade}/quote/withdraw", {"reason": "Too dear."}), 404
    ) == ("only the working side withdraws a quote")
    assert Quote.objects.get().state == Quote.State.OFFERED


def test_nothing_to_accept_before_a_quote(world, upgrade):
    assert "no quote" in refused(world.ian.post(f"/tickets/{upgrade}/quote/accept"), 409)


@pytest.mark.parametrize(
    ("change", "status", "detail"),
    [
        ({"amount": 0}, 422, "amount"),
        ({"amount": "-5"}, 422, "amount"),
        ({"amount": "lots"}, 422, "amount"),
        ({"amount": "12.345"}, 422, "amount"),
        ({"amount": "1e12"}, 422, "amount"),
        ({"currency": "dollars"}, 400, "currency must be a 3-letter code"),
        ({"description": "  "}, 400, "description is required"),
        ({"reason": "whim"}, 422, "reason"),
    ],
)
def test_a_bad_quote_is_refused_with_the_field_named(world, upgrade, change, status, detail):
    response = world.erin.post(f"/tickets/{upgrade}/quote", {**QUOTE, **change})
    assert detail in refused(response, status)
    assert not Quote.objects.exists()


def test_only_the_working_side_quotes_and_only_the_customer_side_decides(world, upgrade):
    # Strangers and the wrong side alike: not found, as for a missing ticket.
    assert refused(world.ian.post(f"/tickets/{upgrade}/quote", QUOTE), 404) == (
        "only the working side offers quotes"
    )
    assert refused(world.carl.post(f"/tickets/{upgrade}/quote", QUOTE), 404) == "not found"
    world.erin.post(f"/tickets/{upgrade}/quote", QUOTE)
    assert refused(world.erin.post(f"/tickets/{upgrade}/quote/accept"), 404)
    assert refused(world.gary.post(f"/tickets/{upgrade}/quote/accept"), 404) == "not found"
    assert Quote.objects.get().state == Quote.State.OFFERED


def test_a_supported_ticket_has_nothing_to_quote_from_the_matrix(world, monday):
    number = world.ian.open(product="disaster-recovery", category="os-patching")["number"]
    detail = refused(world.erin.post(f"/tickets/{number}/quote", QUOTE), 409)
    assert "no work for a fee" in detail


# -- out of scope, and overriding it ------------------------------------------------------------


@pytest.fixture
def migration(world, monday):
    return world.ian.open(product="cloud-backup", category="data-migration", severity=2)["number"]


def test_an_engineer_overrides_out_of_scope_with_a_reason(world, migration):
    assert "reason is required" in refused(
        world.erin.post(f"/tickets/{migration}/scope-override", {"reason": " "}), 400
    )
    with time_machine.travel(MONDAY_9 + timedelta(hours=1), tick=False):
        response = world.erin.post(
            f"/tickets/{migration}/scope-override", {"reason": "A restore to new hardware."}
        )
    ticket = response.json()
    assert ticket["status"] == "open"
    # The response clock runs from the override: Severity 2, 2 business hours.
    assert ticket["response_due_at"] == "2026-11-30T17:00:00Z"
    again = world.erin.post(f"/tickets/{migration}/scope-override", {"reason": "Again."})
    assert "not out of scope" in refused(again, 409)


def test_the_customer_cannot_override_nor_reopen_out_of_scope_by_status(world, migration):
    assert refused(
        world.ian.post(f"/tickets/{migration}/scope-override", {"reason": "Please."}), 404
    )
    detail = refused(world.erin.post(f"/tickets/{migration}/status", {"status": "open"}), 409)
    assert "Override" in detail


# -- setting the category later (a mailed ticket names none) ----------------------------------


@pytest.fixture
def mailed(world, monday):
    """A ticket with no category yet, as mail brings them."""
    return world.ian.open(product="cloud-backup", severity=3)["number"]


def test_setting_a_not_supported_category_answers_the_customer(world, mailed):
    response = world.erin.post(f"/tickets/{mailed}/category", {"category": "data-deletion"})
    ticket = response.json()
    assert ticket["status"] == "out-of-scope"
    assert ticket["scope"]["section"] == "§4.2.6"
    assert ticket["response_due_at"] is None
    messages = world.ian.get(f"/tickets/{mailed}/messages").json()["items"]
    assert (
        "The management and deletion of data is solely Your responsibility"
        in (messages[-1]["body"])
    )
    assert "§4.2.6" in messages[-1]["body"]


def test_setting_billing_moves_the_ticket_to_finance_with_no_target(world, mailed):
    ticket = world.erin.post(f"/tickets/{mailed}/category", {"category": "billing"}).json()
    assert ticket["coverage"] == "finance"
    assert ticket["response_due_at"] is None
    assert [
        t["number"] for t in world.fred.get("/tickets", {"coverage": "finance"}).json()["items"]
    ] == [mailed]
    # Not a billing question after all: the target counts again from the change.
    with time_machine.travel(MONDAY_9 + timedelta(hours=2), tick=False):
        back = world.fred.post(f"/tickets/{mailed}/category", {"category": "dashboard-upgrades"})
    assert back.json()["response_due_at"] == "2026-11-30T20:00:00Z"


def test_setting_a_fee_category_waits_for_a_quote(world, mailed):
    ticket = world.erin.post(
        f"/tickets/{mailed}/category",
        {"product": "backup-disaster-recovery", "category": "hardware-upgrade"},
    ).json()
    assert (ticket["product"], ticket["status"]) == ("backup-disaster-recovery", "awaiting-quote")


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"category": "astrology"}, "'astrology' is not a support category"),
        ({"category": "hardware-upgrade"}, "does not apply to product 'cloud-backup'"),
        ({"product": "toaster", "category": None}, "'toaster' is not one"),
    ],
)
def test_setting_a_bad_category_is_refused(world, mailed, body, detail):
    assert detail in refused(world.erin.post(f"/tickets/{mailed}/category", body), 400)
    assert Ticket.objects.get().category == ""


def test_the_customer_side_does_not_set_the_category(world, mailed):
    response = world.ian.post(f"/tickets/{mailed}/category", {"category": "billing"})
    assert refused(response, 404)
    assert Ticket.objects.get().category == ""


def test_a_page_reads_its_quotes_at_once(world, monday, django_assert_num_queries):
    for _ in range(3):
        number = world.ian.open(product="disaster-recovery", category="hardware-upgrade")["number"]
        world.erin.post(f"/tickets/{number}/quote", QUOTE)
    world.ian.open()
    world.erin.get("/tickets")  # records the token's use, a write of its own
    # The token with its user, the page, and the page's quotes: none per ticket.
    with django_assert_num_queries(3):
        items = world.erin.get("/tickets").json()["items"]
    assert [t["quote"] is not None for t in items].count(True) == 3
