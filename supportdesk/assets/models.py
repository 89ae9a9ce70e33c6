"""What a ticket is about: products and their releases, backup accounts and
devices (product, version, operating system)."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from supportdesk.accounts.models import Organization


class Product(models.Model):
    """A product of the policy's support matrix (§4), by its policy slug."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name


class Release(models.Model):
    """A released version of a product; support for it may end a set time
    after its successor's release (§3.2)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="releases")
    version = models.CharField(max_length=50)
    released_on = models.DateField()

    class Meta:
        ordering: ClassVar = ["product", "released_on"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["product", "version"], name="release_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.product} {self.version}"


class BackupAccount(models.Model):
    company = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="backup_accounts"
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT)
    name = models.CharField(max_length=200)

    class Meta:
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name


class Device(models.Model):
    company = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="devices")
    backup_account = models.ForeignKey(
        BackupAccount, null=True, blank=True, on_delete=models.SET_NULL, related_name="devices"
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT)
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=50, blank=True)
    operating_system = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering: ClassVar = ["name"]
        indexes: ClassVar = [models.Index(fields=["company", "name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.product.name} {self.version})".strip()
