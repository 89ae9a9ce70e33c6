"""Webhooks against a real HTTP receiver on loopback: signed deliveries,
retries with backoff, and no delivery to private addresses unless allowed."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from supportdesk.tickets import clock
from supportdesk.webhooks import send
from supportdesk.webhooks.models import Delivery, Webhook
from supportdesk.webhooks.publish import forget_hooks
from tests.tickets.conftest import MONDAY_9
from tests.tickets.test_actions import submit

pytestmark = pytest.mark.django_db


class Receiver:
    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/desk"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self) -> list[str]:
        return [json.loads(body)["event"] for _, body in self.requests]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()


@pytest.fixture
def hook(receiver: Receiver) -> Callable[..., Webhook]:
    def make(**fields: Any) -> Webhook:
        fields.setdefault("allow_private", True)
        made = Webhook.objects.create(name="ops", url=receiver.url, **fields)
        forget_hooks()
        return made

    return make


def test_a_new_ticket_is_posted_signed(people, receiver, hook, django_capture_on_commit_callbacks):
    webhook = hook()
    with django_capture_on_commit_callbacks(execute=True):
        ticket = submit(people, people.initech_user, people.initech, severity=2)

    assert receiver.events() == ["ticket.created"]
    headers, body = receiver.requests[0]
    payload = json.loads(body)
    assert payload["ticket"]["number"] == ticket.number
    assert payload["ticket"]["severity"] == 2
    assert headers["X-Supportdesk-Event"] == "ticket.created"
    assert headers["X-Supportdesk-Delivery"] == payload["id"]
    timestamp, _, mac = headers["X-Supportdesk-Signature"].partition(",v1=")
    expected = hmac.new(
        webhook.secret.encode(), f"{timestamp[2:]}.".encode() + body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(mac, expected)
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 1, 200)


def test_a_failed_delivery_is_retried_with_backoff(
    people, receiver, hook, django_capture_on_commit_callbacks
):
    hook()
    receiver.statuses = [500, 503]
    with django_capture_on_commit_callbacks(execute=True):
        submit(people, people.initech_user, people.initech)
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_error) == (
        "pending",
        1,
        "answered 500",
    )
    first_retry = delivery.next_attempt_at
    assert first_retry is not None

    assert send.retry_due(first_retry - timedelta(seconds=1)) == 0
    assert send.retry_due(first_retry) == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("pending", 2)
    assert delivery.next_attempt_at == first_retry + send.BACKOFF[1]

    assert send.retry_due(delivery.next_attempt_at) == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 3, 200)
    assert len(receiver.requests) == 3
    assert len({json.loads(body)["id"] for _, body in receiver.requests}) == 1


def test_a_receiver_that_never_answers_well_ends_failed(people, receiver, hook):
    hook()
    receiver.statuses = [500] * send.MAX_ATTEMPTS
    delivery = Delivery.objects.create(
        webhook=Webhook.objects.get(), event="ticket.created", payload={"event": "ticket.created"}
    )
    for _ in range(send.MAX_ATTEMPTS):
        send.attempt(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.next_attempt_at) == (
        "failed",
        send.MAX_ATTEMPTS,
        None,
    )
    assert send.attempt(delivery.pk) is None  # a failed delivery is not tried again


def test_loopback_is_refused_unless_an_admin_allows_it(
    people, receiver, hook, django_capture_on_commit_callbacks
):
    hook(allow_private=False)
    with django_capture_on_commit_callbacks(execute=True):
        submit(people, people.initech_user, people.initech)
    delivery = Delivery.objects.get()
    assert delivery.state == "failed"
    assert "127.0.0.1" in delivery.last_error
    assert "private" in delivery.last_error
    assert receiver.requests == []


@pytest.mark.parametrize(
    "url", ["http://10.1.2.3/x", "http://169.254.169.254/latest", "http://[::1]/x", "ftp://a.b/"]
)
def test_private_link_local_and_odd_addresses_are_refused(url):
    with pytest.raises(send.Refused):
        send.post(url, b"{}", {}, allow_private=False)


def test_a_webhook_gets_only_the_events_it_asked_for(
    people, receiver, hook, django_capture_on_commit_callbacks
):
    hook(events=["sla.warning", "sla.breached"])
    with django_capture_on_commit_callbacks(execute=True):
        ticket = submit(people, people.initech_user, people.initech, severity=3)
    assert receiver.events() == []
    with django_capture_on_commit_callbacks(execute=True):
        clock.sweep(MONDAY_9 + timedelta(hours=4, minutes=1))  # just after the due time
    assert receiver.events() == ["sla.warning", "sla.breached"]
    breach = json.loads(receiver.requests[1][1])
    assert breach["ticket"]["number"] == ticket.number
    assert breach["ticket"]["breached"] is True
    assert breach["data"]["late"] is False
