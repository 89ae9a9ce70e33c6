"""Every policy version the desk has enforced, kept so a ticket is always
judged by the version it was opened under (DESIGN.md §2)."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone


class PolicyVersion(models.Model):
    version = models.CharField(max_length=64, unique=True)
    effective = models.DateField()
    text = models.TextField()  # the TOML file as it was
    first_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-effective", "-first_seen_at"]

    def __str__(self) -> str:
        return self.version
