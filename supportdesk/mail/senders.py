"""Who wrote a mail: a user by address, else a company by domain.

The policy promises no limit on tickets (§1.5), so a person we do not know
still gets a ticket: in the company their domain names, or in the catch-all
company (`SUPPORTDESK_MAIL_UNKNOWN_SENDERS=catch-all`, the default), as a
customer user created for them who can set a password to use the portal.
With `refuse` they get a polite answer and the mail waits for staff.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils.text import slugify

from supportdesk.accounts.models import Organization, Role, User
from supportdesk.accounts.rows import users_by_email
from supportdesk.lib.fastsql import Inserter
from supportdesk.mail.lookups import companies_naming_domain
from supportdesk.tickets.models import Ticket


@dataclass(frozen=True)
class Sender:
    address: str
    name: str
    user: User | None
    # The company the address belongs to, by user or by domain.
    company: Organization | None


class Directory:
    """Who's who for a batch of mail: each sender's user and each domain's
    company asked once, the users the batch creates remembered (a second
    mail from a new person finds them)."""

    def __init__(self) -> None:
        self.users: dict[str, User | None] = {}
        self.domains: dict[str, Organization | None] = {}
        self._catch_all: Organization | None = None

    def prefetch(self, addresses: Iterable[str]) -> None:
        wanted = {a.lower() for a in addresses} - self.users.keys()
        found = users_by_email(wanted)
        for address in wanted:
            self.users[address] = found.get(address)

    def identify(self, address: str, name: str) -> Sender:
        address = address.lower()
        if address not in self.users:
            self.prefetch([address])
        user = self.users[address]
        if user is not None:
            company = user.organization if user.is_customer else None
            return Sender(address, name, user, company)
        domain = address.rpartition("@")[2]
        if domain not in self.domains:
            self.domains[domain] = company_of_domain(domain)
        return Sender(address, name, None, self.domains[domain])

    def customer_for(self, sender: Sender, company: Organization) -> User:
        """The sender as a customer user of `company`, created if new. Created
        users have no password; the portal's password reset gives them one."""
        if sender.user is not None:
            return sender.user
        user = User(
            email=sender.address, name=sender.name[:200], organization=company, role=Role.CUSTOMER
        )
        user.set_unusable_password()
        _insert_user.insert(user)
        self.users[sender.address] = user
        return user

    def catch_all_company(self) -> Organization:
        if self._catch_all is None:
            self._catch_all = catch_all_company()
        return self._catch_all

    def mark(self) -> dict[str, User | None]:
        return dict(self.users)

    def rewind(self, mark: dict[str, User | None]) -> None:
        """Forget what was learnt since `mark`: its change was rolled back,
        and with it the users (and the catch-all company) it created."""
        self.users = mark
        self._catch_all = None


_insert_user = Inserter(User)


def company_of_domain(domain: str) -> Organization | None:
    domain = domain.strip().lower()
    if not domain:
        return None
    for company in companies_naming_domain(domain):
        if domain in company_domains(company):
            return company
    return None


def company_domains(company: Organization) -> set[str]:
    return {d.strip().lower() for d in company.email_domains.split(",") if d.strip()}


def is_participant(ticket: Ticket, sender: Sender) -> bool:
    """May this sender add to the ticket by mail? The ticket's company (its
    users and its mail domains), its watchers, the partner's staff, and the
    vendor's staff; a spoofable From alone never hijacks someone else's ticket."""
    user = sender.user
    if user is not None:
        if user.pk == ticket.requester_id or user.is_vendor_staff:
            return True
        if user.is_customer and user.organization_id == ticket.company_id:
            return True
        if user.is_partner_staff and user.organization_id == ticket.partner_id:
            return True
        return ticket.watchers.filter(pk=user.pk).exists()
    return sender.address.rpartition("@")[2] in company_domains(ticket.company)


def catch_all_company() -> Organization:
    """The company unknown senders' tickets belong to, made on first use as a
    direct customer of the vendor."""
    name = str(settings.SUPPORTDESK_MAIL_CATCH_ALL)
    slug = slugify(name)[:80] or "unknown-senders"
    existing = Organization.objects.filter(slug=slug).first()
    if existing is not None:
        return existing
    vendor = Organization.objects.filter(kind=Organization.Kind.VENDOR).order_by("pk").first()
    company, _ = Organization.objects.get_or_create(
        slug=slug,
        defaults={"kind": Organization.Kind.COMPANY, "name": name, "parent": vendor},
    )
    return company
