"""Who may call the API: bearer tokens, and the browser session with CSRF."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from supportdesk.accounts.models import ApiToken
from tests.api.conftest import MONDAY_9, Api

pytestmark = pytest.mark.django_db

TICKET = {"subject": "Hello", "description": "Hi", "product": "cloud-backup", "severity": 3}


def _assert_401(response):
    assert response.status_code == 401
    assert response.json() == {
        "detail": "authentication required: send Authorization: Bearer <token>"
    }
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_refuses_requests_without_a_token(world):
    _assert_401(world.nobody.get("/tickets"))
    _assert_401(world.nobody.post("/tickets", TICKET))


def test_it_refuses_an_unknown_token(world):
    _assert_401(Api(None, "sd_nope_nope").get("/tickets"))
    _assert_401(Api(None, "x" * 5000).get("/tickets"))
    _assert_401(world.alice.get("/tickets", Authorization="Basic YWxpY2U6cHc="))


def test_it_refuses_a_revoked_token(world):
    ApiToken.objects.filter(user=world.alice.user).update(revoked_at=timezone.now())
    _assert_401(world.alice.get("/tickets"))


def test_it_refuses_the_token_of_a_deactivated_user(world):
    world.alice.user.is_active = False
    world.alice.user.save()
    _assert_401(world.alice.get("/tickets"))


def test_it_records_last_use_at_most_once_a_minute(world):
    def last_used():
        return ApiToken.objects.get(user=world.alice.user).last_used_at

    with time_machine.travel(MONDAY_9, tick=False) as clock:
        assert world.alice.get("/tickets").status_code == 200
        first = last_used()
        assert first == MONDAY_9
        clock.shift(timedelta(seconds=59))
        world.alice.get("/tickets")
        assert last_used() == first
        clock.shift(timedelta(seconds=2))
        world.alice.get("/tickets")
        assert last_used() == MONDAY_9 + timedelta(seconds=61)


def test_the_browser_session_reads(world):
    client = Client()
    client.force_login(world.alice.user)
    response = client.get("/api/v1/tickets")
    assert response.status_code == 200
    assert response.json() == {"items": [], "next_cursor": None}


def test_a_session_write_needs_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.ian.user)
    refused = client.post("/api/v1/tickets", TICKET, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("CSRF check failed")

    secret = "a" * 32
    client.cookies["csrftoken"] = secret
    accepted = client.post(
        "/api/v1/tickets",
        TICKET,
        content_type="application/json",
        headers={"X-CSRFToken": secret},
    )
    assert accepted.status_code == 201
    assert accepted.json()["requester"]["name"] == "Ian Initech"


def test_a_bad_token_is_not_rescued_by_a_session(world):
    client = Client()
    client.force_login(world.alice.user)
    _assert_401(client.get("/api/v1/tickets", headers={"Authorization": "Bearer sd_wrong"}))


def test_an_anonymous_post_answers_401_not_a_csrf_refusal(world):
    client = Client(enforce_csrf_checks=True)
    _assert_401(client.post("/api/v1/tickets", TICKET, content_type="application/json"))
