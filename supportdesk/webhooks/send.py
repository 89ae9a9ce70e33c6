"""Posting a delivery: signed, to a public address only, retried with backoff.

The signature is HMAC-SHA256 over "<timestamp>.<body>" with the webhook's
secret, sent as `X-Supportdesk-Signature: t=<timestamp>,v1=<hex>`, so a
receiver can check both who sent it and that it is fresh. The host is
resolved once and every address it names must be public (unless the webhook
allows private ones); the connection goes to the address that was checked,
so a second lookup cannot point it elsewhere.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import socket
import ssl
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.db import connection, transaction
from django.utils import timezone

from supportdesk.webhooks.models import Delivery

log = logging.getLogger(__name__)

TIMEOUT = 10.0
# After the first attempt: 30 s, 2 min, 8 min, 32 min, about 2 h; then failed.
BACKOFF = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=8),
    timedelta(minutes=32),
    timedelta(hours=2),
)
MAX_ATTEMPTS = len(BACKOFF) + 1


class Refused(Exception):
    """The address may not be delivered to; retrying will not change that."""


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def checked_address(host: str, port: int, *, allow_private: bool) -> str:
    """An address of `host` to connect to, every one of them public unless
    private ones are allowed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ConnectionError(f"cannot resolve {host}: {exc}") from None
    addresses = [str(info[4][0]) for info in infos]
    if not allow_private:
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%")[0])
            if not ip.is_global or ip.is_multicast:
                raise Refused(
                    f"{host} resolves to {address}, a loopback, link-local or private "
                    "address; an admin may allow it on the webhook"
                )
    return addresses[0]


def post(url: str, body: bytes, headers: dict[str, str], *, allow_private: bool) -> int:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused(f"{url!r} is not an http(s) URL")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = checked_address(parts.hostname, port, allow_private=allow_private)
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        conn = _PinnedHTTPS(parts.hostname, address, port)
    else:
        conn = http.client.HTTPConnection(address, port, timeout=TIMEOUT)
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    host = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    try:
        conn.request("POST", path, body=body, headers={**headers, "Host": host})
        response = conn.getresponse()
        response.read(64 * 1024)
        return response.status
    finally:
        conn.close()


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to an address already checked, the certificate still verified
    against the host name."""

    def __init__(self, host: str, address: str, port: int) -> None:
        super().__init__(host, port, timeout=TIMEOUT, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def attempt(delivery_pk: int, *, now: datetime | None = None) -> Delivery | None:
    """Try a pending delivery once; record the outcome and, after a failure
    that may pass, when to try again."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_related("webhook")
            .select_for_update(of=("self",))
            .filter(pk=delivery_pk, state=Delivery.State.PENDING)
            .first()
        )
        if delivery is None:
            return None
        hook = delivery.webhook
        body = json.dumps(
            {"id": str(delivery.uid), **delivery.payload}, separators=(",", ":")
        ).encode()
        now = now or timezone.now()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "supportdesk-webhooks/1",
            "X-Supportdesk-Event": delivery.event,
            "X-Supportdesk-Delivery": str(delivery.uid),
            "X-Supportdesk-Signature": signature(hook.secret, int(now.timestamp()), body),
        }
        delivery.attempts += 1
        retry = True
        try:
            status = post(hook.url, body, headers, allow_private=hook.allow_private)
        except Refused as exc:
            delivery.last_status, delivery.last_error, retry = None, str(exc), False
        except (OSError, http.client.HTTPException) as exc:
            delivery.last_status, delivery.last_error = None, f"{type(exc).__name__}: {exc}"
        else:
            delivery.last_status = status
            delivery.last_error = "" if 200 <= status < 300 else f"answered {status}"
            retry = not 200 <= status < 300
            if not retry:
                delivery.state, delivery.delivered_at = Delivery.State.DELIVERED, now
        if retry and delivery.attempts < MAX_ATTEMPTS:
            delivery.next_attempt_at = now + BACKOFF[delivery.attempts - 1]
        elif delivery.state != Delivery.State.DELIVERED:
            delivery.state, delivery.next_attempt_at = Delivery.State.FAILED, None
            log.warning("webhook delivery %s failed: %s", delivery.uid, delivery.last_error)
        if delivery.state == Delivery.State.DELIVERED:
            delivery.next_attempt_at = None
        delivery.last_error = delivery.last_error[:1000]
        delivery.save()
        return delivery


def retry_due(now: datetime, *, batch: int = 50) -> int:
    """Try again every delivery whose backoff has run out; how many."""
    due = Delivery.objects.filter(state=Delivery.State.PENDING, next_attempt_at__lte=now).order_by(
        "next_attempt_at"
    )
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            pks = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:batch])
    else:
        pks = list(due.values_list("pk", flat=True)[:batch])
    for pk in pks:
        attempt(pk, now=now)
    return len(pks)
