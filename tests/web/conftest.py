"""Named personas across two partners and a direct customer.

    Infrascale (vendor)      erin (engineer), mark (support manager)
    Northwind IT (partner)   nora (technician), nate (partner admin)
      └ Acme Dental          alice, adam (customer users)
    Contoso MSP (partner)    carl (technician)
      └ Globex Clinic        gina (customer user)
    Initech (direct)         ivan (customer user)

The clock is frozen on Monday 2026-11-30 10:00 Eastern, inside business
hours, so due times are the policy's worked numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client, override_settings

from supportdesk.accounts.models import Organization, Role, User
from supportdesk.assets.models import Device, Product
from supportdesk.tickets.actions import Upload, do_submit_ticket
from supportdesk.tickets.models import Ticket

# Monday 2026-11-30 10:00 EST
MONDAY_10_EST = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _attachments_dir(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "attachments"
    with override_settings(SUPPORTDESK_ATTACHMENTS_DIR=root):
        yield root


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(MONDAY_10_EST, tick=False) as traveller:
        yield traveller


@dataclass
class Cast:
    vendor: Organization
    northwind: Organization
    acme: Organization
    contoso: Organization
    globex: Organization
    initech: Organization
    erin: User
    mark: User
    nora: User
    nate: User
    alice: User
    adam: User
    carl: User
    gina: User
    ivan: User
    acme_server: Device
    globex_server: Device


def _org(kind: str, name: str, parent: Organization | None = None) -> Organization:
    slug = name.lower().replace(" ", "-")
    return Organization.objects.create(kind=kind, name=name, slug=slug, parent=parent)


def _user(email: str, name: str, org: Organization, role: str) -> User:
    return User.objects.create_user(email, None, name=name, organization=org, role=role)


@pytest.fixture
def cast(db: None) -> Cast:
    vendor = _org(Organization.Kind.VENDOR, "Infrascale")
    northwind = _org(Organization.Kind.PARTNER, "Northwind IT", vendor)
    acme = _org(Organization.Kind.COMPANY, "Acme Dental", northwind)
    contoso = _org(Organization.Kind.PARTNER, "Contoso MSP", vendor)
    globex = _org(Organization.Kind.COMPANY, "Globex Clinic", contoso)
    initech = _org(Organization.Kind.COMPANY, "Initech", vendor)
    backup = Product.objects.create(slug="cloud-backup", name="Infrascale Cloud Backup")
    return Cast(
        vendor=vendor,
        northwind=northwind,
        acme=acme,
        contoso=contoso,
        globex=globex,
        initech=initech,
        erin=_user("erin@infrascale.example", "Erin Engineer", vendor, Role.ENGINEER),
        mark=_user("mark@infrascale.example", "Mark Manager", vendor, Role.MANAGER),
        nora=_user("nora@northwind.example", "Nora Tech", northwind, Role.PARTNER_TECHNICIAN),
        nate=_user("nate@northwind.example", "Nate Admin", northwind, Role.PARTNER_ADMIN),
        alice=_user("alice@acme.example", "Alice Acme", acme, Role.CUSTOMER),
        adam=_user("adam@acme.example", "Adam Acme", acme, Role.CUSTOMER),
        carl=_user("carl@contoso.example", "Carl Contoso", contoso, Role.PARTNER_TECHNICIAN),
        gina=_user("gina@globex.example", "Gina Globex", globex, Role.CUSTOMER),
        ivan=_user("ivan@initech.example", "Ivan Initech", initech, Role.CUSTOMER),
        acme_server=Device.objects.create(
            company=acme, product=backup, name="ACME-FS01", version="8.1", operating_system="Win"
        ),
        globex_server=Device.objects.create(company=globex, product=backup, name="GLOBEX-DC1"),
    )


@pytest.fixture
def as_user(client: Client) -> Callable[[User], Client]:
    """A client signed in as the given persona (a fresh client each time)."""

    def sign_in(user: User) -> Client:
        c = Client()
        c.force_login(user)
        return c

    return sign_in


SubmitFn = Callable[..., Ticket]


@pytest.fixture
def submit(cast: Cast) -> SubmitFn:
    """Open a ticket through the action, as the persona given."""

    def make(
        user: User,
        subject: str = "Backups fail on FS01",
        *,
        body: str = "The nightly job stops at 40%.",
        severity: int = 3,
        company: Organization | None = None,
        to_vendor: bool | None = None,
        files: tuple[tuple[str, bytes], ...] = (),
        now: datetime | None = None,
        **extra: Any,
    ) -> Ticket:
        from django.utils import timezone

        return do_submit_ticket(
            company=company or user.organization,
            requester=user,
            subject=subject,
            body=body,
            product="cloud-backup",
            severity=severity,
            channel="portal",
            to_vendor=to_vendor,
            uploads=[Upload(name, content) for name, content in files],
            acting_user=user,
            now=now or timezone.now(),
            **extra,
        )

    return make


def htmx(**headers: str) -> dict[str, str]:
    """Headers of an htmx request."""
    return {"HX-Request": "true", **headers}
