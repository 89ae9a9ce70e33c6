"""The tenant tree of DESIGN.md §1 with one person per role, for tests that
walk every role (the authorization matrix) or sign in through the browser
(the end-to-end tests).

    Infrascale (vendor)      erin (engineer), mark (manager), fiona (finance), ada (admin)
    Northwind IT (partner)   tech@northwind (technician), nate (partner admin)
      └ Acme Dental          alice (customer user)
    Contoso MSP (partner)    carl (technician)
      └ Globex Clinic        gina (customer user)
    Initech (direct)         ivan (customer user)

Plain functions rather than fixtures, so a module-scoped fixture (built once
per module) and a live-server test (built per test, committed) can share them.
"""

from __future__ import annotations

from dataclasses import dataclass

from supportdesk.accounts.models import Organization, Role, User

# Persona key → (email, display name, organization key, role). The keys are
# the roles the authorization matrix walks.
PERSONAS: dict[str, tuple[str, str, str, str]] = {
    "acme_user": ("alice@acme.example", "Alice Acme", "acme", Role.CUSTOMER),
    "globex_user": ("gina@globex.example", "Gina Globex", "globex", Role.CUSTOMER),
    "initech_user": ("ivan@initech.example", "Ivan Initech", "initech", Role.CUSTOMER),
    "northwind_tech": (
        "tech@northwind.example",
        "Nora Northwind",
        "northwind",
        Role.PARTNER_TECHNICIAN,
    ),
    "contoso_tech": ("carl@contoso.example", "Carl Contoso", "contoso", Role.PARTNER_TECHNICIAN),
    "partner_admin": ("nate@northwind.example", "Nate Northwind", "northwind", Role.PARTNER_ADMIN),
    "engineer": ("erin@infrascale.example", "Erin Engineer", "vendor", Role.ENGINEER),
    "manager": ("mark@infrascale.example", "Mark Manager", "vendor", Role.MANAGER),
    "finance": ("fiona@infrascale.example", "Fiona Finance", "vendor", Role.FINANCE),
    "admin": ("ada@infrascale.example", "Ada Admin", "vendor", Role.ADMIN),
}


@dataclass
class Tenants:
    vendor: Organization
    northwind: Organization
    contoso: Organization
    acme: Organization
    globex: Organization
    initech: Organization
    people: dict[str, User]

    def org(self, key: str) -> Organization:
        org = getattr(self, key)
        assert isinstance(org, Organization)
        return org

    @property
    def companies(self) -> list[Organization]:
        return [self.acme, self.globex, self.initech]


def build_tenants(password: str | None = None) -> Tenants:
    """The organizations and one user per persona (password unusable unless given)."""

    def org(kind: str, name: str, parent: Organization | None = None) -> Organization:
        slug = name.lower().replace(" ", "-")
        return Organization.objects.create(kind=kind, name=name, slug=slug, parent=parent)

    vendor = org(Organization.Kind.VENDOR, "Infrascale")
    northwind = org(Organization.Kind.PARTNER, "Northwind IT", vendor)
    contoso = org(Organization.Kind.PARTNER, "Contoso MSP", vendor)
    tenants = Tenants(
        vendor=vendor,
        northwind=northwind,
        contoso=contoso,
        acme=org(Organization.Kind.COMPANY, "Acme Dental", northwind),
        globex=org(Organization.Kind.COMPANY, "Globex Clinic", contoso),
        initech=org(Organization.Kind.COMPANY, "Initech", vendor),
        people={},
    )
    for key, (email, name, org_key, role) in PERSONAS.items():
        tenants.people[key] = User.objects.create_user(
            email, password, name=name, organization=tenants.org(org_key), role=role
        )
    return tenants
