"""GET /tickets: each person's scope, the filters, and cursor pages."""

from datetime import timedelta

import pytest
import time_machine

from tests.api.conftest import MONDAY_9

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets(world, monday):
    """One ticket per company: Acme's (Northwind, partner tier), Globex's
    (Contoso, partner tier) and Initech's (vendor tier)."""
    return {
        "acme": world.alice.open(subject="Acme backups fail")["number"],
        "globex": world.gary.open(subject="Globex restore slow")["number"],
        "initech": world.ian.open(subject="Initech agent offline", severity=2)["number"],
    }


def numbers(api, **params):
    response = api.get("/tickets", params)
    assert response.status_code == 200, response.content
    return {t["number"] for t in response.json()["items"]}


def test_each_person_sees_their_own_subtree(world, tickets):
    assert numbers(world.alice) == {tickets["acme"]}
    assert numbers(world.nina) == {tickets["acme"]}
    assert numbers(world.gary) == {tickets["globex"]}
    assert numbers(world.carl) == {tickets["globex"]}
    assert numbers(world.ian) == {tickets["initech"]}
    assert numbers(world.erin) == set(tickets.values())


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "", None),
        ("get", "/messages", None),
        ("get", "/events", None),
        ("get", "/sla", None),
        ("post", "/messages", {"body": "hello?"}),
        ("post", "/severity", {"severity": 1, "reason": "now"}),
        ("post", "/forward", {"note": "take it"}),
        ("post", "/severity-requests", {"severity": 1, "justification": "all down"}),
        ("post", "/severity-requests/decision", {"accept": True}),
        ("post", "/status", {"status": "closed"}),
        ("post", "/assignee", {"assignee": "me"}),
    ],
)
def test_another_tenants_ticket_is_not_found_like_a_missing_one(world, tickets, method, path, body):
    def call(number):
        if method == "get":
            return world.carl.get(f"/tickets/{number}{path}")
        return world.carl.post(f"/tickets/{number}{path}", body)

    theirs = call(tickets["acme"])
    missing = call("SD-999999")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json() == {"detail": "not found"}


def test_a_customer_sees_nothing_of_a_sibling_company(world, tickets):
    assert numbers(world.gary, company=world.acme.pk) == set()
    assert numbers(world.gary, q="Acme") == set()


def test_filters(world, tickets):
    erin = world.erin
    assert numbers(erin, tier="vendor") == {tickets["initech"]}
    assert numbers(erin, tier="partner") == {tickets["acme"], tickets["globex"]}
    assert numbers(erin, severity=2) == {tickets["initech"]}
    assert numbers(erin, company=world.globex.pk) == {tickets["globex"]}
    assert numbers(erin, q="restore") == {tickets["globex"]}
    assert numbers(erin, status="new") == set(tickets.values())
    assert numbers(erin, status="open,closed") == set()
    assert numbers(erin, assignee="none") == set(tickets.values())


def test_assignee_filters(world, tickets):
    world.nina.post(f"/tickets/{tickets['acme']}/assignee", {"assignee": "me"})
    assert numbers(world.nina, assignee="me") == {tickets["acme"]}
    assert numbers(world.erin, assignee=str(world.nina.user.pk)) == {tickets["acme"]}
    assert numbers(world.erin, assignee="me") == set()
    assert numbers(world.nina, assignee="none") == set()


def test_breaching_lists_tickets_due_within_the_hour(world, tickets):
    # Initech's Severity 2 is due at 11:00 Eastern.
    assert numbers(world.erin, breaching="true") == set()
    with time_machine.travel(MONDAY_9 + timedelta(hours=1, minutes=1), tick=False):
        assert numbers(world.erin, breaching="true") == {tickets["initech"]}
    with time_machine.travel(MONDAY_9 + timedelta(hours=5), tick=False):
        assert numbers(world.erin, breaching="true") == {tickets["initech"]}
        world.erin.post(f"/tickets/{tickets['initech']}/messages", {"body": "On it."})
        assert numbers(world.erin, breaching="true") == set()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "sleeping"}, "status"),
        ({"assignee": "someone"}, "assignee"),
        ({"limit": 101}, "limit"),
        ({"limit": 0}, "limit"),
        ({"severity": "high"}, "severity"),
        ({"company": "10" * 20}, "company"),
        ({"tier": "gold"}, "tier"),
        ({"cursor": "garbage"}, "cursor"),
        ({"order": "random"}, "order"),
    ],
)
def test_bad_filters_name_the_field(world, params, field):
    response = world.erin.get("/tickets", params)
    assert response.status_code in (400, 422)
    assert response.json()["detail"].startswith(f"{field}:")


def walk(api, **params):
    """Every page of a listing: the numbers in order, and how many pages."""
    seen, pages, cursor = [], 0, None
    while True:
        response = api.get("/tickets", {**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200
        page = response.json()
        seen += [t["number"] for t in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            return seen, pages


def test_pages_by_due_time_then_tickets_without_one(world, monday):
    # Opened in this order; severities give due times 4h, 2h, 24h, none, 2h (business).
    acme_first = world.alice.open()["number"]
    sev3 = world.ian.open(severity=3)["number"]
    sev2 = world.ian.open(severity=2)["number"]
    sev4 = world.ian.open(severity=4)["number"]
    acme_second = world.alice.open()["number"]
    sev2_later = world.ian.open(severity=2)["number"]
    everything = [sev2, sev2_later, sev3, sev4, acme_first, acme_second]
    assert walk(world.erin, limit=2) == (everything, 3)
    assert walk(world.erin, limit=4) == (everything, 2)
    assert walk(world.erin, limit=100) == (everything, 1)
    assert walk(world.alice, limit=1) == ([acme_first, acme_second], 2)


def test_pages_newest_first(world, monday):
    opened = [world.ian.open()["number"] for _ in range(5)]
    assert walk(world.ian, order="newest", limit=2) == (opened[::-1], 3)


def test_a_cursor_belongs_to_its_ordering(world, monday):
    for _ in range(2):
        world.ian.open()
    cursor = world.ian.get("/tickets", {"limit": 1}).json()["next_cursor"]
    response = world.ian.get("/tickets", {"order": "newest", "cursor": cursor})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("cursor:")


def test_a_page_costs_the_same_queries_however_long(world, monday, django_assert_num_queries):
    for _ in range(5):
        world.alice.open()
    world.nina.post(f"/tickets/{world.alice.open()['number']}/assignee", {"assignee": "me"})
    world.erin.get("/tickets")  # records the token's use, a write of its own
    # The token with its user, then the page with every related row joined.
    with django_assert_num_queries(2):
        assert len(world.erin.get("/tickets").json()["items"]) == 6
