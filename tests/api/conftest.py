"""Named people across two partners and a direct customer, each with an API
client that carries their bearer token.

- Northwind IT (partner): Nina, technician; its company Acme Dental: Alice.
- Contoso MSP (partner): Carl, technician; its company Globex Clinic: Gary.
- Initech (direct customer of the vendor): Ian.
- The vendor: Erin, engineer; Fred, finance.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from supportdesk.accounts.models import ApiToken, Organization, Role, User
from supportdesk.assets.models import Device, Product

ET = ZoneInfo("America/New_York")
# Monday 30 November 2026, 09:00 Eastern (14:00 UTC): business hours.
MONDAY_9 = datetime(2026, 11, 30, 9, tzinfo=ET)


class Api:
    """A test client speaking JSON to /api/v1/ as one person."""

    def __init__(self, user: User | None, token: str | None) -> None:
        self.user = user
        self.token = token
        self.client = Client()

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        out = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        out.update(headers or {})
        return out

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: str) -> Any:
        return self.client.get(f"/api/v1{path}", params or {}, headers=self._headers(headers))

    def post(self, path: str, data: Any = None, *, raw: bytes | str | None = None, **headers: str):
        body = raw if raw is not None else json.dumps(data if data is not None else {})
        return self.client.post(
            f"/api/v1{path}",
            body,
            content_type="application/json",
            headers=self._headers(headers),
        )

    def open(self, **fields: Any) -> dict[str, Any]:
        """Open a ticket that must succeed; its JSON."""
        data = {
            "subject": "Backups fail",
            "description": "The nightly job stops at 40%.",
            "product": "cloud-backup",
            "severity": 3,
            **fields,
        }
        response = self.post("/tickets", data)
        assert response.status_code == 201, response.content
        return response.json()


@dataclass
class World:
    vendor: Organization
    northwind: Organization
    contoso: Organization
    acme: Organization
    globex: Organization
    initech: Organization
    acme_server: Device
    globex_server: Device
    erin: Api  # vendor engineer
    fred: Api  # vendor finance
    nina: Api  # Northwind technician
    carl: Api  # Contoso technician
    alice: Api  # Acme Dental customer (Northwind)
    gary: Api  # Globex Clinic customer (Contoso)
    ian: Api  # Initech customer (direct)
    nobody: Api  # no token at all


@pytest.fixture
def world(db) -> World:
    def org(kind: str, name: str, parent: Organization | None = None) -> Organization:
        slug = name.lower().replace(" ", "-")
        return Organization.objects.create(kind=kind, name=name, slug=slug, parent=parent)

    def person(name: str, email: str, organization: Organization, role: str) -> Api:
        user = User.objects.create_user(
            email, None, name=name, organization=organization, role=role
        )
        _, token = ApiToken.issue(user, "tests")
        return Api(user, token)

    vendor = org("vendor", "Vendor")
    northwind = org("partner", "Northwind IT", vendor)
    contoso = org("partner", "Contoso MSP", vendor)
    acme = org("company", "Acme Dental", northwind)
    globex = org("company", "Globex Clinic", contoso)
    initech = org("company", "Initech", vendor)
    backup = Product.objects.create(slug="cloud-backup", name="Cloud Backup")
    return World(
        vendor=vendor,
        northwind=northwind,
        contoso=contoso,
        acme=acme,
        globex=globex,
        initech=initech,
        acme_server=Device.objects.create(company=acme, product=backup, name="acme-srv-01"),
        globex_server=Device.objects.create(company=globex, product=backup, name="globex-srv-01"),
        erin=person("Erin Engineer", "erin@vendor.test", vendor, Role.ENGINEER),
        fred=person("Fred Finance", "fred@vendor.test", vendor, Role.FINANCE),
        nina=person("Nina Northwind", "nina@northwind.test", northwind, Role.PARTNER_TECHNICIAN),
        carl=person("Carl Contoso", "carl@contoso.test", contoso, Role.PARTNER_TECHNICIAN),
        alice=person("Alice Acme", "alice@acme.test", acme, Role.CUSTOMER),
        gary=person("Gary Globex", "gary@globex.test", globex, Role.CUSTOMER),
        ian=person("Ian Initech", "ian@initech.test", initech, Role.CUSTOMER),
        nobody=Api(None, None),
    )


@pytest.fixture
def monday():
    """The clock at Monday 09:00 Eastern, standing still."""
    with time_machine.travel(MONDAY_9, tick=False) as traveller:
        yield traveller
