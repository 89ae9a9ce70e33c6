"""Product feedback (§2.4): suggestions and comments about the Services,
apart from tickets, and the vendor staff's triage of them."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models

from supportdesk.accounts.models import Organization


class Feedback(models.Model):
    class State(models.TextChoices):
        NEW = "new", "New"
        PLANNED = "planned", "Planned"
        DECLINED = "declined", "Declined"
        DUPLICATE = "duplicate", "Duplicate"
        DONE = "done", "Done"

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The author's organization when they wrote it: who may read it (tenancy).
    # Led by the (organization, submitted_at) index, which serves its lookups.
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    product = models.CharField(max_length=80)  # a product slug of the policy
    text = models.TextField()
    submitted_at = models.DateTimeField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.NEW)
    # The staff's note: what is planned, why declined, which it duplicates.
    staff_note = models.TextField(blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    triaged_at = models.DateTimeField(null=True, blank=True)
    # The notice the author was shown (§2.4), by policy version.
    policy_version = models.CharField(max_length=64)

    class Meta:
        ordering: ClassVar = ["-submitted_at", "-id"]
        verbose_name_plural = "feedback"
        indexes: ClassVar = [
            # The triage list: by state, newest first.
            models.Index(fields=["state", "-submitted_at"], name="feedback_state_recent"),
            models.Index(fields=["organization", "-submitted_at"], name="feedback_org_recent"),
        ]

    def __str__(self) -> str:
        return f"feedback {self.pk} on {self.product} ({self.state})"
