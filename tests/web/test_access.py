"""Each page renders for the roles that may use it, and answers 404 (never
403) to everyone else; anonymous visitors are sent to sign in."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def tickets(cast, submit):
    """An Initech ticket with the vendor, and an Acme ticket with Northwind."""
    return {
        "initech": submit(cast.ivan, "Initech restore").number,
        "acme": submit(cast.alice, "Acme agent").number,
    }


def test_it_sends_everyone_home(cast, as_user, client):
    assert client.get("/")["Location"] == "/accounts/login/"
    assert as_user(cast.erin).get("/")["Location"] == "/desk/"
    assert as_user(cast.nora).get("/")["Location"] == "/desk/"
    assert as_user(cast.ivan).get("/")["Location"] == "/portal/"


@pytest.mark.parametrize(
    "url",
    [
        "/desk/",
        "/desk/queue/mine/",
        "/desk/saved-replies/",
        "/portal/",
        "/portal/new",
        "/desk/tickets/SD-1/",
        "/portal/tickets/SD-1/",
    ],
)
def test_it_asks_anonymous_visitors_to_sign_in(db, client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize(
    ("persona", "status"),
    [("erin", 200), ("mark", 200), ("nora", 200), ("carl", 200), ("alice", 404), ("ivan", 404)],
)
def test_the_workspace_is_for_staff(cast, as_user, persona, status):
    c = as_user(getattr(cast, persona))
    for url in ("/desk/", "/desk/queue/breaching/", "/desk/saved-replies/"):
        assert c.get(url).status_code == status, url


def test_an_unknown_queue_is_not_found(cast, as_user):
    assert as_user(cast.erin).get("/desk/queue/nonsense/").status_code == 404


@pytest.mark.parametrize(
    ("persona", "ticket", "status"),
    [
        ("erin", "initech", 200),
        ("erin", "acme", 200),  # the vendor reads everything
        ("nora", "acme", 200),
        ("nate", "acme", 200),
        ("carl", "acme", 404),  # another partner's company
        ("nora", "initech", 404),  # a direct customer's ticket
        ("alice", "acme", 404),  # customers use the portal
    ],
)
def test_the_workspace_ticket_page(cast, as_user, tickets, persona, ticket, status):
    response = as_user(getattr(cast, persona)).get(f"/desk/tickets/{tickets[ticket]}/")
    assert response.status_code == status


@pytest.mark.parametrize(
    ("persona", "ticket", "status"),
    [
        ("ivan", "initech", 200),
        ("alice", "acme", 200),
        ("adam", "acme", 200),  # a colleague at the same company
        ("gina", "acme", 404),
        ("ivan", "acme", 404),
        ("alice", "initech", 404),
        ("erin", "initech", 404),  # staff use the workspace
        ("nora", "acme", 404),
    ],
)
def test_the_portal_ticket_page(cast, as_user, tickets, persona, ticket, status):
    response = as_user(getattr(cast, persona)).get(f"/portal/tickets/{tickets[ticket]}/")
    assert response.status_code == status


def test_missing_and_malformed_ticket_numbers_are_not_found(cast, as_user, tickets):
    erin, ivan = as_user(cast.erin), as_user(cast.ivan)
    for number in ("SD-999999", "SD-abc", "SD-99999999999999999999"):
        assert erin.get(f"/desk/tickets/{number}/").status_code == 404
        assert ivan.get(f"/portal/tickets/{number}/").status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"),
    [("ivan", 200), ("alice", 200), ("nora", 200), ("carl", 200), ("erin", 404), ("mark", 404)],
)
def test_the_submit_form_is_for_customers_and_partner_staff(cast, as_user, persona, status):
    assert as_user(getattr(cast, persona)).get("/portal/new").status_code == status


@pytest.mark.parametrize(("persona", "status"), [("ivan", 200), ("nora", 404), ("erin", 404)])
def test_the_portal_list_is_for_customers(cast, as_user, persona, status):
    assert as_user(getattr(cast, persona)).get("/portal/").status_code == status


def test_the_contact_page_is_public(db, client):
    page = client.get("/portal/contact").content.decode()
    assert "+1 877 896 3616" in page
    assert "+44 800 160 1454" in page
    assert "+61 3 8820 5049" in page
    assert 'data-channel="phone"' in page
    assert "Severity 1: wall-clock time (24 hours a day" in page
    assert 'href="/policy"' in page


@pytest.mark.parametrize("action", ["reply", "note", "severity", "assign", "status", "forward"])
def test_actions_on_a_ticket_out_of_reach_are_not_found(cast, as_user, tickets, action):
    response = as_user(cast.carl).post(f"/desk/tickets/{tickets['acme']}/{action}", {"body": "x"})
    assert response.status_code == 404


def test_a_customer_cannot_post_to_workspace_actions(cast, as_user, tickets):
    response = as_user(cast.alice).post(f"/desk/tickets/{tickets['acme']}/note", {"body": "x"})
    assert response.status_code == 404


def test_actions_answer_only_posts(cast, as_user, tickets):
    assert as_user(cast.erin).get(f"/desk/tickets/{tickets['initech']}/reply").status_code == 405


def test_an_htmx_post_after_the_session_ended_sends_the_window_to_sign_in(db, client):
    response = client.post(
        "/desk/tickets/SD-1/reply",
        {"body": "x"},
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/desk/tickets/SD-1/"},
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/accounts/login/?next=/desk/tickets/SD-1/"
