"""Webhooks: where a ticket's changes are posted, and every delivery tried.

Admins manage both in the Django admin; the delivery log is read-only there.
"""

from __future__ import annotations

import secrets
import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from supportdesk.tickets.models import Ticket
from supportdesk.tickets.notify import EVENTS


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class Webhook(models.Model):
    name = models.CharField(max_length=200)
    url = models.URLField(
        max_length=500, help_text="http:// or https://; receives a POST per event"
    )
    secret = models.CharField(
        max_length=100,
        default=new_secret,
        help_text="signs each delivery (X-Supportdesk-Signature: t=…,v1=HMAC-SHA256)",
    )
    events = models.JSONField(
        default=list,
        blank=True,
        help_text=f"event names to send ({', '.join(EVENTS)}, and escalation.<step> "
        "for each escalation step); empty sends them all",
    )
    active = models.BooleanField(default=True)
    # Deliveries to loopback, link-local and private addresses are refused, so
    # a webhook cannot be aimed at the desk's own network, unless allowed here.
    allow_private = models.BooleanField(
        default=False,
        help_text="allow a loopback, link-local or private address (an internal receiver)",
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.name} → {self.url}"

    def wants(self, event: str) -> bool:
        return self.active and (not self.events or event in self.events)


class Delivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=50)
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    payload = models.JSONField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        indexes: ClassVar = [
            # The worker's retry sweep reads only deliveries waiting to retry.
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_retry_due",
                condition=Q(state="pending", next_attempt_at__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.webhook.name}: {self.state}"
