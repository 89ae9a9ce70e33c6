"""Remote access to a customer's Service (§2.3), one row per request.

The ticket's history holds every step (`remote-access-*` events); this row
keeps what the ticket page and the API ask of it without folding the
history: the request, its answer, when a grant ends and who revoked it. A
grant past `expires_at` is expired; nothing is written when that happens
(policy/remote_access.py reads it from the clock).
"""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from supportdesk.tickets.models import Ticket


class RemoteAccess(models.Model):
    class State(models.TextChoices):
        REQUESTED = "requested", "Waiting for the customer"
        GRANTED = "granted", "Granted"
        DECLINED = "declined", "Declined"
        REVOKED = "revoked", "Revoked"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="remote_accesses")
    purpose = models.TextField()
    # The tool the engineer will connect with (ScreenConnect, RDP …), as typed.
    tool = models.CharField(max_length=100, blank=True)
    minutes = models.PositiveIntegerField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    declined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    declined_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    # What the person who declined or revoked said, if anything.
    note = models.TextField(blank=True)

    class Meta:
        ordering: ClassVar = ["-requested_at", "-id"]
        constraints: ClassVar = [
            # One request waiting for the customer per ticket.
            models.UniqueConstraint(
                fields=["ticket"],
                name="remote_access_one_requested",
                condition=Q(state="requested"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} remote access {self.pk} ({self.state})"

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.minutes)
