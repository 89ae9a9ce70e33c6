"""Tenants and people (DESIGN.md §1).

Tenancy is a tree: the vendor, its partners (MSPs), and companies, which
belong to a partner or, for direct customers, to the vendor. A user belongs
to one organization and has one role.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class Organization(models.Model):
    class Kind(models.TextChoices):
        VENDOR = "vendor", "Vendor"
        PARTNER = "partner", "Partner"
        COMPANY = "company", "Company"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    # A partner's parent is the vendor; a company's is its partner, or the
    # vendor for a direct customer. The vendor has none.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Comma-separated mail domains, to map senders to the company (mail issue).
    email_domains = models.CharField(max_length=500, blank=True)
    # The severity a ticket mailed in by this company opens at; Sev3 when
    # unset. A mail never opens at Sev1 on its own words (§1.6.1 asks for a call).
    default_severity = models.PositiveSmallIntegerField(null=True, blank=True)
    # A partner may forward every ticket of its companies to the vendor at once (§2.2).
    auto_forward = models.BooleanField(default=False)
    # A partner's first implementation (§2.1): the vendor leads installation
    # and implementation for the policy's hand-over period after it.
    first_implementation_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["name"]
        indexes: ClassVar = [models.Index(fields=["kind", "parent"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.first_implementation_on is not None and self.kind != self.Kind.PARTNER:
            raise ValidationError(
                {"first_implementation_on": "only a partner has a first implementation date"}
            )

    def partner(self) -> Organization | None:
        """The partner in charge of this company's first-level support (§2.2),
        or None for a direct customer (and for anything not a company)."""
        parent = self.parent
        if self.kind == self.Kind.COMPANY and parent is not None:
            return parent if parent.kind == self.Kind.PARTNER else None
        return None


class Role(models.TextChoices):
    CUSTOMER = "customer", "Customer user"
    PARTNER_TECHNICIAN = "partner-technician", "Partner technician"
    PARTNER_ADMIN = "partner-admin", "Partner admin"
    ENGINEER = "engineer", "Engineer"
    MANAGER = "manager", "Support manager"
    FINANCE = "finance", "Finance"
    ADMIN = "admin", "Admin"


VENDOR_ROLES = frozenset({Role.ENGINEER, Role.MANAGER, Role.FINANCE, Role.ADMIN})
PARTNER_ROLES = frozenset({Role.PARTNER_TECHNICIAN, Role.PARTNER_ADMIN})
# Roles that answer customers and change severities: the vendor's support staff.
VENDOR_AGENT_ROLES = frozenset({Role.ENGINEER, Role.MANAGER, Role.ADMIN})


class UserManager(BaseUserManager["User"]):
    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("a user needs an email address")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        if "organization" not in fields and "organization_id" not in fields:
            vendor = Organization.objects.filter(kind=Organization.Kind.VENDOR).first()
            if vendor is None:
                vendor = Organization.objects.create(
                    kind=Organization.Kind.VENDOR, name="Vendor", slug="vendor"
                )
            fields["organization"] = vendor
        fields.setdefault("role", Role.ADMIN)
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    name = models.CharField(max_length=200, blank=True)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="users")
    role = models.CharField(max_length=32, choices=Role.choices)
    phone = models.CharField(max_length=50, blank=True)
    is_active = models.BooleanField(default=True)
    # Django admin access; only vendor admins get it.
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering: ClassVar = ["email"]

    def __str__(self) -> str:
        return self.name or self.email

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@")[0]

    @property
    def is_vendor_staff(self) -> bool:
        return self.role in VENDOR_ROLES

    @property
    def is_vendor_agent(self) -> bool:
        return self.role in VENDOR_AGENT_ROLES

    @property
    def is_partner_staff(self) -> bool:
        return self.role in PARTNER_ROLES

    @property
    def is_customer(self) -> bool:
        return self.role == Role.CUSTOMER

    @property
    def works_tickets(self) -> bool:
        """Vendor or partner staff: uses the workspace rather than the portal."""
        return self.is_vendor_staff or self.is_partner_staff


class ApiToken(models.Model):
    """A bearer token for the REST API. Only a hash is stored; the token is
    shown once, when created."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"sd_{self.prefix}… ({self.user})"

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, name: str = "") -> tuple[ApiToken, str]:
        """A new token for `user`: the row, and the secret to show once."""
        prefix = secrets.token_hex(4)
        token = f"sd_{prefix}_{secrets.token_urlsafe(32)}"
        row = cls.objects.create(user=user, name=name, prefix=prefix, key_hash=cls.hash(token))
        return row, token
