"""Every policy version the desk has enforced, kept so a ticket is always
judged by the version it was opened under (DESIGN.md §2)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone


class PolicyVersion(models.Model):
    version = models.CharField(max_length=64, unique=True)
    # The date it takes effect, which may differ from the file's own
    # `[policy] effective`: an admin chooses it when uploading.
    effective = models.DateField()
    # The start of `effective` in the policy's business zone (UTC), so which
    # version is in force is a comparison of instants. Null on rows stored
    # before the column: read as `effective` in the policy file's zone.
    takes_effect_at = models.DateTimeField(null=True, blank=True)
    text = models.TextField()  # the TOML file as it was
    first_seen_at = models.DateTimeField(default=timezone.now)
    # Who uploaded it; null for the policy file the desk was started with.
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A scheduled version taken back before it took effect: it never governs
    # a ticket, and its version stays taken (the record says who and why).
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    withdrawn_reason = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        ordering: ClassVar = ["-effective", "-first_seen_at"]

    def __str__(self) -> str:
        return self.version
