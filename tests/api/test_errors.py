"""Bad input answers a JSON 4xx naming what is wrong, never a 500."""

import json

import pytest

from supportdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db

TICKET = {
    "subject": "Backups fail",
    "description": "The nightly job stops at 40%.",
    "product": "cloud-backup",
    "severity": 3,
}


def nested(depth):
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    ("raw", "status", "detail"),
    [
        ("{bad", 400, "malformed JSON: Expecting property name"),
        ('{"subject": "x",}', 400, "malformed JSON"),
        ('{"severity": NaN}', 400, "malformed JSON: NaN is not JSON"),
        (b'{"subject": "\xff"}', 400, "malformed JSON: the body is not UTF-8"),
        ('{"severity": ' + "9" * 5000 + "}", 400, "malformed JSON"),
        (nested(33), 400, "JSON nested deeper than 32 levels"),
        (nested(200_000), 400, "JSON nested deeper than 32 levels"),
        (nested(32), 422, "body: Input should be a valid dictionary"),
        ("[]", 422, "body: Input should be a valid dictionary"),
        ("null", 422, "body: Input should be a valid dictionary"),
        ("", 422, "body: required"),
        (" " * (1024 * 1024 + 1), 413, "request body over 1048576 bytes"),
        (" " * (3 * 1024 * 1024), 413, "request body over 1048576 bytes"),
    ],
)
def test_bodies_that_are_not_a_ticket(world, raw, status, detail):
    response = world.ian.post("/tickets", raw=raw)
    assert response.status_code == status, response.content
    assert response.json()["detail"].startswith(detail)
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ({"severity": "2"}, "severity: Input should be a valid integer"),
        ({"severity": 2.0}, "severity: Input should be a valid integer"),
        ({"severity": True}, "severity: Input should be a valid integer"),
        ({"vendor_outage": "yes"}, "vendor_outage: Input should be a valid boolean"),
        ({"subject": 5}, "subject: Input should be a valid string"),
        ({"subject": ["a"]}, "subject: Input should be a valid string"),
        ({"company_id": "1"}, "company_id: Input should be a valid integer"),
        ({"company_id": 2**70}, "company_id: Input should be less than or equal to"),
        ({"device_id": -1}, "device_id: Input should be greater than or equal to 1"),
        ({"colour": "red"}, "colour: unknown field"),
        ({"subject": "\ud800"}, "subject: Value error, must be valid Unicode text"),
    ],
)
def test_wrong_types_and_unknown_fields_name_the_field(world, change, detail):
    response = world.ian.post("/tickets", {**TICKET, **change})
    assert response.status_code == 422
    body = response.json()
    assert body["detail"].startswith(detail)
    assert body["errors"][0]["field"] == detail.split(":")[0]


def test_missing_fields_are_each_named(world):
    response = world.ian.post("/tickets", {"description": "only this"})
    assert response.status_code == 422
    assert response.json()["detail"] == "subject: required; product: required; severity: required"


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ({"subject": "x" * 251}, "subject is too long (251 characters; at most 250)"),
        ({"subject": "x" * 500_000}, "subject is too long (500000 characters; at most 250)"),
        ({"subject": " \t "}, "subject is required"),
        ({"severity": 2**80}, "severity must be one of [1, 2, 3, 4]"),
        ({"severity": 0}, "severity must be one of [1, 2, 3, 4]"),
        ({"category": "astrology"}, "category must be one of"),
    ],
)
def test_values_the_rules_refuse(world, monday, change, detail):
    response = world.ian.post("/tickets", {**TICKET, **change})
    assert response.status_code == 400
    assert response.json()["detail"].startswith(detail)
    assert not Ticket.objects.exists()


def test_nul_characters_never_reach_the_database(world, monday):
    ticket = world.ian.open(subject="Back\x00ups", dedicated_contact="I\x00an")
    assert ticket["subject"] == "Backups"
    assert ticket["dedicated_contact"] == "Ian"


def test_a_wrong_method_answers_json(world):
    response = world.ian.client.delete(
        "/api/v1/tickets", headers={"Authorization": f"Bearer {world.ian.token}"}
    )
    assert response.status_code == 405
    assert response.json()["detail"].startswith("method DELETE not allowed")
    assert "POST" in response["Allow"]


def test_an_unknown_path_answers_json(world):
    for path in ("/nothing-here", "/tickets/SD-1/whatever"):
        response = world.ian.get(path)
        assert response.status_code == 404
        assert response.json() == {"detail": "not found"}
    assert world.ian.post("/nothing-here", {}).status_code == 404


def test_the_openapi_document_loads(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    for path in (
        "/api/v1/tickets",
        "/api/v1/tickets/{number}",
        "/api/v1/tickets/{number}/messages",
        "/api/v1/tickets/{number}/events",
        "/api/v1/tickets/{number}/sla",
        "/api/v1/tickets/{number}/severity",
        "/api/v1/tickets/{number}/forward",
        "/api/v1/tickets/{number}/severity-requests",
        "/api/v1/tickets/{number}/severity-requests/decision",
        "/api/v1/tickets/{number}/status",
        "/api/v1/tickets/{number}/assignee",
        "/api/v1/products",
        "/api/v1/devices",
        "/api/v1/devices/{device_id}",
    ):
        assert path in paths
    assert paths["/api/v1/tickets"]["post"]["operationId"] == "create_ticket"
    schemes = document["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    create = document["components"]["schemas"]["TicketCreate"]
    assert create["additionalProperties"] is False


def test_the_docs_page_loads(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_a_bug_answers_json_not_a_page(world, monday, monkeypatch, caplog):
    from supportdesk.api import tickets as api_tickets

    number = world.ian.open()["number"]

    def broken(ticket):
        raise RuntimeError("boom")

    monkeypatch.setattr(api_tickets, "ticket_out", broken)
    response = world.ian.get(f"/tickets/{number}")
    assert response.status_code == 500
    assert response.json() == {"detail": "internal error"}
    assert "boom" in caplog.text
