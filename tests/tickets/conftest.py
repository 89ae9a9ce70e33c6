"""Named people across two partners and a direct customer."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from supportdesk.accounts.models import Organization, Role, User

ET = ZoneInfo("America/New_York")
# Monday 30 November 2026, 09:00 Eastern: every channel is open.
MONDAY_9 = datetime(2026, 11, 30, 9, tzinfo=ET)


@dataclass
class People:
    vendor: Organization
    northwind: Organization
    acme: Organization
    contoso: Organization
    globex: Organization
    initech: Organization
    engineer: User
    manager: User
    finance: User
    northwind_tech: User
    contoso_tech: User
    acme_user: User
    globex_user: User
    initech_user: User


@pytest.fixture
def people(db) -> People:
    def org(kind, name, parent=None):
        return Organization.objects.create(
            kind=kind, name=name, slug=name.lower().replace(" ", "-"), parent=parent
        )

    def person(email, organization, role):
        return User.objects.create_user(email, "pw", organization=organization, role=role)

    vendor = org("vendor", "Vendor")
    northwind = org("partner", "Northwind IT", vendor)
    contoso = org("partner", "Contoso MSP", vendor)
    acme = org("company", "Acme Dental", northwind)
    globex = org("company", "Globex Clinic", contoso)
    initech = org("company", "Initech", vendor)
    return People(
        vendor,
        northwind,
        acme,
        contoso,
        globex,
        initech,
        engineer=person("engineer@vendor.example", vendor, Role.ENGINEER),
        manager=person("manager@vendor.example", vendor, Role.MANAGER),
        finance=person("finance@vendor.example", vendor, Role.FINANCE),
        northwind_tech=person("tech@northwind.example", northwind, Role.PARTNER_TECHNICIAN),
        contoso_tech=person("tech@contoso.example", contoso, Role.PARTNER_TECHNICIAN),
        acme_user=person("user@acme.example", acme, Role.CUSTOMER),
        globex_user=person("user@globex.example", globex, Role.CUSTOMER),
        initech_user=person("user@initech.example", initech, Role.CUSTOMER),
    )
