"""Demo data: the vendor, two partners, three companies, their people,
products, devices, saved replies and about 200 tickets with real histories.

Everything is created idempotently: what exists is left alone, and tickets
are only played when the demo companies have none. Tickets are written only
through the `do_*` actions, each step at its own explicit `now`, so their
histories, hash chains and SLA outcomes are the ones the desk itself would
have produced. A seeded random generator makes a run deterministic for a
given `now`; a step that would fall after `now` is not played, so recent
tickets are still open in the queues.
"""

from __future__ import annotations

import contextlib
import random
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from supportdesk.accounts.models import Organization, Role, User
from supportdesk.assets.models import BackupAccount, Device, Product, Release
from supportdesk.demo import stories
from supportdesk.demo.mail import seed_mail
from supportdesk.demo.stories import Issue
from supportdesk.feedback.actions import do_submit_feedback, do_triage_feedback
from supportdesk.feedback.models import Feedback
from supportdesk.mail.models import InboundMail, OutboundMail
from supportdesk.mail.outbound import take_queued
from supportdesk.policies.active import active_policy
from supportdesk.policy import BusinessCalendar, Coverage, Policy
from supportdesk.policy.intake import check_intake
from supportdesk.remote import actions as remote_actions
from supportdesk.tickets.actions import (
    do_assign,
    do_change_severity,
    do_change_status,
    do_decide_severity_request,
    do_forward_to_vendor,
    do_log_call,
    do_reply,
    do_request_severity,
    do_set_watchers,
    do_submit_ticket,
)
from supportdesk.tickets.escalation_actions import do_escalation_step
from supportdesk.tickets.models import (
    Channel,
    SavedReply,
    Status,
    Ticket,
    TicketEvent,
    Tier,
)

DEMO_PASSWORD = "supportdesk-demo"
DEFAULT_SEED = 20210914
TICKETS = 200
DAYS = 28
ET = ZoneInfo("America/New_York")


# -- who ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrgSpec:
    key: str
    kind: str
    name: str
    slug: str
    parent: str | None
    domains: str


ORGS = (
    OrgSpec("vendor", "vendor", "", "vendor", None, "vendor.example"),
    OrgSpec("northwind", "partner", "Northwind IT", "northwind-it", "vendor", "northwind.example"),
    OrgSpec("acme", "company", "Acme Dental", "acme-dental", "northwind", "acme.example"),
    OrgSpec("contoso", "partner", "Contoso MSP", "contoso-msp", "vendor", "contoso.example"),
    OrgSpec("globex", "company", "Globex Clinic", "globex-clinic", "contoso", "globex.example"),
    OrgSpec("initech", "company", "Initech", "initech", "vendor", "initech.example"),
)


@dataclass(frozen=True)
class UserSpec:
    email: str
    name: str
    org: str
    role: str
    phone: str = ""


USERS = (
    UserSpec("admin@vendor.example", "Alex Morgan", "vendor", Role.ADMIN),
    UserSpec("manager@vendor.example", "Sam Patel", "vendor", Role.MANAGER, "+1 310 555 0110"),
    UserSpec("engineer@vendor.example", "Jordan Lee", "vendor", Role.ENGINEER, "+1 310 555 0121"),
    UserSpec("engineer2@vendor.example", "Priya Nair", "vendor", Role.ENGINEER, "+1 310 555 0122"),
    UserSpec("engineer3@vendor.example", "Tomás Rivera", "vendor", Role.ENGINEER),
    UserSpec("finance@vendor.example", "Chris Okafor", "vendor", Role.FINANCE),
    UserSpec(
        "tech@northwind.example",
        "Morgan Blake",
        "northwind",
        Role.PARTNER_TECHNICIAN,
        "+1 617 555 0134",
    ),
    UserSpec("admin@northwind.example", "Riley Chen", "northwind", Role.PARTNER_ADMIN),
    UserSpec("user@acme.example", "Helen Park", "acme", Role.CUSTOMER, "+1 617 555 0177"),
    UserSpec("tech@contoso.example", "Jamie Novak", "contoso", Role.PARTNER_TECHNICIAN),
    UserSpec("user@globex.example", "Pat Rossi", "globex", Role.CUSTOMER, "+1 512 555 0163"),
    UserSpec("user@initech.example", "Dana Brooks", "initech", Role.CUSTOMER, "+1 212 555 0142"),
)

# -- what -------------------------------------------------------------------------------

# The demo's product roles, by the default policy's slugs. Another policy's
# products take the roles in order.
ROLES = {
    "backup": "cloud-backup",
    "app": "cloud-application-backup",
    "dr": "disaster-recovery",
    "bdr": "backup-disaster-recovery",
}

# Release histories: several versions lost support a year after their
# successor came out (§3.2), and some demo devices still run them.
RELEASES: dict[str, tuple[tuple[str, date], ...]] = {
    "backup": (
        ("8.0.0", date(2022, 4, 12)),
        ("8.1.0", date(2022, 11, 8)),
        ("8.2.0", date(2023, 6, 20)),
        ("8.3.0", date(2024, 2, 13)),
        ("8.4.0", date(2024, 9, 24)),
        ("8.5.0", date(2025, 5, 6)),
        ("8.6.0", date(2026, 1, 27)),
        ("8.7.0", date(2026, 9, 15)),
    ),
    "app": (
        ("3.0", date(2023, 3, 1)),
        ("3.1", date(2024, 4, 16)),
        ("3.2", date(2025, 8, 19)),
        ("3.3", date(2026, 6, 2)),
    ),
    "dr": (
        ("6.0", date(2022, 6, 7)),
        ("6.1", date(2023, 4, 18)),
        ("6.2", date(2024, 3, 26)),
        ("6.3", date(2025, 3, 11)),
        ("7.0", date(2026, 4, 21)),
    ),
    "bdr": (
        ("5.0", date(2022, 10, 4)),
        ("5.1", date(2023, 9, 12)),
        ("5.2", date(2024, 8, 20)),
        ("5.3", date(2025, 7, 15)),
        ("5.4", date(2026, 8, 4)),
    ),
}

# company -> backup accounts -> devices (name, version, operating system)
DEVICES: dict[str, tuple[tuple[str, str, tuple[tuple[str, str, str], ...]], ...]] = {
    "acme": (
        (
            "Acme Dental – office backup",
            "backup",
            (
                ("ACME-FS01", "8.6.0", "Windows Server 2019 Standard"),
                ("ACME-XRAY-PC", "8.3.0", "Windows 10 Pro 22H2"),
                ("ACME-FRONTDESK", "8.7.0", "Windows 11 Pro 23H2"),
            ),
        ),
        (
            "Acme Dental – Microsoft 365",
            "app",
            (("acmedental.onmicrosoft.com", "3.3", "Microsoft 365"),),
        ),
    ),
    "globex": (
        (
            "Globex Clinic – DR appliance",
            "dr",
            (
                ("GLOBEX-DR01", "7.0", "Infrascale DR appliance (Rocky Linux 9)"),
                ("GLOBEX-EHR-SQL", "6.2", "Windows Server 2016 Standard"),
            ),
        ),
        (
            "Globex Clinic – workstations",
            "backup",
            (
                ("GLOBEX-WS-07", "8.5.0", "macOS 14 Sonoma"),
                ("GLOBEX-WS-12", "8.6.0", "Windows 11 Pro 24H2"),
            ),
        ),
        (
            "Globex Clinic – Google Workspace",
            "app",
            (("globexclinic.example", "3.2", "Google Workspace"),),
        ),
    ),
    "initech": (
        (
            "Initech – HQ BDR",
            "bdr",
            (
                ("INITECH-BDR01", "5.3", "Infrascale BDR appliance (Rocky Linux 9)"),
                ("INITECH-SQL01", "5.4", "Windows Server 2022 Datacenter"),
                ("INITECH-FS02", "5.1", "Windows Server 2019 Standard"),
            ),
        ),
        (
            "Initech – laptops",
            "backup",
            (
                ("INITECH-LAP-114", "8.4.0", "Windows 11 Pro 23H2"),
                ("INITECH-DEV-LNX", "8.6.0", "Ubuntu 22.04 LTS"),
                ("INITECH-MBP-07", "8.7.0", "macOS 15 Sequoia"),
            ),
        ),
        (
            "Initech – Microsoft 365",
            "app",
            (("initech.onmicrosoft.com", "3.3", "Microsoft 365"),),
        ),
    ),
}


# -- the report -------------------------------------------------------------------------


@dataclass
class Report:
    created: Counter[str] = field(default_factory=Counter)
    totals: dict[str, int] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # email, role, organization
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return any(self.created.values())


# -- entry point -------------------------------------------------------------------------


def seed_demo(
    *, now: datetime | None = None, seed: int = DEFAULT_SEED, tickets: bool = True
) -> Report:
    """Create what is missing of the demo data; return what was created.

    `now` is the demo's present: tickets were submitted in the `DAYS` before
    it and no step of their histories comes after it (default: the current
    minute). `tickets=False` leaves out the tickets (benchmarks bring their own)."""
    started = timezone.now()
    if now is None:
        now = started.replace(second=0, microsecond=0)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    policy = active_policy()
    report = Report()
    with transaction.atomic():
        orgs = _organizations(policy, report)
        _first_implementations(orgs, now)
        users = _users(orgs, report)
        products = _products(policy, report)
        devices = _devices(orgs, products, report)
        _saved_replies(orgs, users, report)
        companies = [orgs[k] for k in ("acme", "globex", "initech")]
        if tickets and not Ticket.objects.filter(company__in=companies).exists():
            cast = Cast(orgs, users, devices, products)
            director = Director(policy, cast, random.Random(seed), now.astimezone(UTC))
            director.play_all()
            report.created["tickets"] = director.played
        if tickets:
            report.created["mails"] = seed_mail(now.astimezone(UTC))
            report.created["feedback"] = _feedback(users, now.astimezone(UTC))
        # The stories' mail (acknowledgements, staff replies) went out when
        # it happened: in the outbox as sent, not delivered again now.
        OutboundMail.objects.filter(pk__in=take_queued(), state=OutboundMail.State.QUEUED).update(
            state=OutboundMail.State.SENT, sent_at=F("created_at")
        )
    report.totals = {
        "organizations": Organization.objects.filter(slug__in=[o.slug for o in ORGS]).count(),
        "users": User.objects.filter(email__in=[u.email for u in USERS]).count(),
        "products": Product.objects.count(),
        "releases": Release.objects.count(),
        "backup accounts": BackupAccount.objects.count(),
        "devices": Device.objects.count(),
        "saved replies": SavedReply.objects.count(),
        "tickets": Ticket.objects.count(),
        "mails": InboundMail.objects.count(),
        "ticket events": TicketEvent.objects.count(),
        "breached": Ticket.objects.filter(breached=True).count(),
        "open": Ticket.objects.exclude(status__in=[Status.RESOLVED, Status.CLOSED]).count(),
    }
    for spec in USERS:
        user = users[spec.email]
        report.logins.append((user.email, user.get_role_display(), user.organization.name))
    report.seconds = (timezone.now() - started).total_seconds()
    return report


# -- organizations, people, products, devices, saved replies ----------------------------


def _feedback(users: dict[str, User], now: datetime) -> int:
    """Product feedback (§2.4) from customers and a partner over the last
    weeks, some of it triaged by the support manager."""
    if Feedback.objects.exists():
        return 0
    manager = users["manager@vendor.example"]
    for n, (email, product, text, state, note) in enumerate(stories.FEEDBACK):
        submitted = now - timedelta(days=3 + 4 * n, hours=n)
        feedback = do_submit_feedback(
            product=product, text=text, acting_user=users[email], now=submitted
        )
        if state != Feedback.State.NEW:
            do_triage_feedback(
                feedback,
                state=state,
                note=note,
                acting_user=manager,
                now=submitted + timedelta(days=1),
            )
    return len(stories.FEEDBACK)


def _first_implementations(orgs: dict[str, Organization], now: datetime) -> None:
    """Northwind implemented long ago: its implementation and agent
    installation tickets are answered as guidance (§2.1). Contoso's first
    implementation was ten days before the demo's present, so the vendor
    still leads Contoso's. Set once: a date an admin changed stays."""
    dates = {"northwind": date(2023, 3, 6), "contoso": now.date() - timedelta(days=10)}
    for key, day in dates.items():
        Organization.objects.filter(pk=orgs[key].pk, first_implementation_on=None).update(
            first_implementation_on=day
        )
        orgs[key].refresh_from_db(fields=["first_implementation_on"])


def _organizations(policy: Policy, report: Report) -> dict[str, Organization]:
    orgs: dict[str, Organization] = {}
    for spec in ORGS:
        if spec.kind == Organization.Kind.VENDOR:
            found = Organization.objects.filter(kind=spec.kind).order_by("pk").first()
        else:
            found = Organization.objects.filter(slug=spec.slug).first()
        if found is None:
            found = Organization.objects.create(
                kind=spec.kind,
                name=spec.name or policy.meta.vendor,
                slug=spec.slug,
                parent=orgs[spec.parent] if spec.parent else None,
                email_domains=spec.domains,
            )
            report.created["organizations"] += 1
        orgs[spec.key] = found
    return orgs


def _users(orgs: dict[str, Organization], report: Report) -> dict[str, User]:
    users: dict[str, User] = {}
    hashed = ""  # one hash for all: it is the same password, and hashing is slow on purpose
    for spec in USERS:
        user = User.objects.filter(email__iexact=spec.email).first()
        if user is None:
            hashed = hashed or make_password(DEMO_PASSWORD)
            admin = spec.role == Role.ADMIN
            user = User.objects.create(
                email=spec.email,
                password=hashed,
                name=spec.name,
                organization=orgs[spec.org],
                role=spec.role,
                phone=spec.phone,
                is_staff=admin,
                is_superuser=admin,
            )
            report.created["users"] += 1
        users[spec.email] = user
    return users


def _role_slugs(policy: Policy) -> dict[str, str]:
    """Demo product role -> the policy's product slug."""
    slugs = [p.slug for p in policy.products]
    return {
        role: slug if slug in slugs else slugs[index % len(slugs)]
        for index, (role, slug) in enumerate(ROLES.items())
    }


def _products(policy: Policy, report: Report) -> dict[str, Product]:
    """Policy product slug -> row, and demo role -> row."""
    rows: dict[str, Product] = {}
    for spec in policy.products:
        row, created = Product.objects.get_or_create(slug=spec.slug, defaults={"name": spec.name})
        report.created["products"] += created
        rows[spec.slug] = row
    for role, slug in _role_slugs(policy).items():
        rows[role] = rows[slug]
        for version, released_on in RELEASES[role]:
            _, created = Release.objects.get_or_create(
                product=rows[slug], version=version, defaults={"released_on": released_on}
            )
            report.created["releases"] += created
    return rows


def _devices(
    orgs: dict[str, Organization], products: dict[str, Product], report: Report
) -> dict[str, list[Device]]:
    """Company key -> its devices."""
    out: dict[str, list[Device]] = {}
    for key, accounts in DEVICES.items():
        company = orgs[key]
        out[key] = []
        for account_name, role, machines in accounts:
            account, created = BackupAccount.objects.get_or_create(
                company=company, name=account_name, defaults={"product": products[role]}
            )
            report.created["backup accounts"] += created
            for name, version, system in machines:
                device, created = Device.objects.get_or_create(
                    company=company,
                    name=name,
                    defaults={
                        "backup_account": account,
                        "product": account.product,
                        "version": version,
                        "operating_system": system,
                    },
                )
                report.created["devices"] += created
                out[key].append(device)
    return out


def _saved_replies(orgs: dict[str, Organization], users: dict[str, User], report: Report) -> None:
    wanted: list[tuple[Organization, User | None, str, str]] = [
        (orgs["vendor"], None, title, body) for title, body in stories.SAVED_REPLIES_VENDOR
    ]
    title, body = stories.SAVED_REPLY_PRIVATE
    wanted.append((orgs["vendor"], users["engineer@vendor.example"], title, body))
    wanted += [
        (orgs["northwind"], None, title, body) for title, body in stories.SAVED_REPLIES_PARTNER
    ]
    for org, owner, title, body in wanted:
        _, created = SavedReply.objects.get_or_create(
            organization=org, owner=owner, title=title, defaults={"body": body}
        )
        report.created["saved replies"] += created


# -- tickets ---------------------------------------------------------------------------


class Cast:
    """The people and things the stories are about."""

    def __init__(
        self,
        orgs: dict[str, Organization],
        users: dict[str, User],
        devices: dict[str, list[Device]],
        products: dict[str, Product],
    ) -> None:
        self.orgs = orgs
        self.users = users
        self.devices = devices
        self.products = products
        self.manager = users["manager@vendor.example"]
        self.finance = users["finance@vendor.example"]
        self.engineers = [
            users[e]
            for e in (
                "engineer@vendor.example",
                "engineer2@vendor.example",
                "engineer3@vendor.example",
            )
        ]
        self.customer = {
            "acme": users["user@acme.example"],
            "globex": users["user@globex.example"],
            "initech": users["user@initech.example"],
        }
        # company key -> (partner technician, partner admin or None)
        self.partner_staff: dict[str, tuple[User, User | None]] = {
            "acme": (users["tech@northwind.example"], users["admin@northwind.example"]),
            "globex": (users["tech@contoso.example"], None),
        }
        self.role_of = {row.pk: role for role, row in products.items() if role in ROLES}
        self.partner_name = {
            key: org.parent.name if org.parent and org.parent.kind == "partner" else ""
            for key, org in orgs.items()
            if org.kind == "company"
        }


@dataclass
class Plan:
    """How one ticket's story goes. Fields left None are decided while playing."""

    at: datetime
    company: str  # demo company key
    issue: Issue
    device: Device | None
    product: str
    category: str
    severity: int
    channel: str
    submitter: User
    requester: User
    to_vendor: bool | None = None
    contact: str = ""
    outage: bool = False
    # the partner's first level: untouched | wait | resolve | forward
    partner: str = "forward"
    forward_severity: int | None = None
    engineer: User | None = None
    assign_early: bool = False
    # before the first response: "" | upgrade | accept | decline
    triage: str = ""
    triage_to: int | None = None
    triage_reason: str = ""
    late: bool | None = None
    callback: bool = False  # Severity 1 by phone: the engineer calls back
    pending: bool = False
    note: bool = False
    later_change: str = ""  # after the first response: "" | upgrade | downgrade
    rounds: int = 0  # extra customer nudge / engineer update rounds
    inbound_call: bool = False
    outcome: str = "closed"  # open | pending | resolved | closed
    customer_closes: bool = True
    # §1.8: "" | requested (waiting for a manager) | running (accepted, planned)
    escalation: str = ""
    escalation_reason: str = ""
    escalation_statement: str = ""
    # §2.3: "" | requested (waiting for the customer) | granted (running now)
    remote: str = ""


def machine_tags(device: Device) -> set[str]:
    """What kind of machine a device is, from its operating system."""
    system = device.operating_system
    if "appliance" in system:
        return {"appliance"}
    if system in ("Microsoft 365", "Google Workspace"):
        return {system.lower().replace(" ", "-")}
    tags = {"server"} if "Server" in system or "Ubuntu" in system else {"workstation"}
    if system.startswith("Windows"):
        tags.add("windows-server" if "server" in tags else "windows")
        tags.add("windows")
    if system.startswith("macOS"):
        tags.add("mac")
    return tags


class Later(Exception):
    """The story's next step would come after the demo's present."""


def _pick[T](rng: random.Random, weighted: Sequence[tuple[T, float]]) -> T:
    values = [v for v, _ in weighted]
    weights = [w for _, w in weighted]
    return rng.choices(values, weights)[0]


class Director:
    """Plays the demo's tickets through the do_* actions, step by step."""

    def __init__(self, policy: Policy, cast: Cast, rng: random.Random, now: datetime) -> None:
        self.policy = policy
        self.cast = cast
        self.rng = rng
        self.now = now
        self.staffed: BusinessCalendar | None = (
            policy.calendar("staffed") if any(k == "staffed" for k, _ in policy.calendars) else None
        )
        self.cursor = now
        self.played = 0

    # -- time ------------------------------------------------------------------------

    def minutes(self, low: float, high: float) -> timedelta:
        return timedelta(seconds=self.rng.randint(int(low * 60), int(high * 60)))

    def step(self, at: datetime) -> datetime:
        """The next step's instant: after the previous one, never after now.
        Always UTC: an event's hash covers `at.isoformat()`, and the database
        gives instants back in UTC."""
        at = max(at.astimezone(UTC), self.cursor + timedelta(minutes=1))
        if at > self.now:
            raise Later
        self.cursor = at
        return at

    def staff_time(self, at: datetime, *, on_call: bool = False) -> datetime:
        """When staff get to something due at `at`: then if staffed, else soon
        after the next opening (on call: at once)."""
        if on_call or self.staffed is None or self.staffed.is_open(at):
            return at
        return self.staffed.next_opening(at) + self.minutes(2, 50)

    def customer_time(self, at: datetime) -> datetime:
        """Customers write from 07:00 to 22:00 their time, any day."""
        local = at.astimezone(ET)
        if 7 <= local.hour < 22:
            return at
        day = local.date() if local.hour < 7 else local.date() + timedelta(days=1)
        return datetime.combine(day, time(7, self.rng.randint(0, 59)), ET)

    def submission_times(self, count: int) -> Iterator[datetime]:
        """Instants over the last DAYS, mostly weekday office hours, some
        evenings, nights and weekends."""
        produced = 0
        span = DAYS * 24 * 60
        while produced < count:
            at = self.now - timedelta(minutes=self.rng.randint(10, span))
            local = at.astimezone(ET)
            weekend = local.weekday() >= 5
            if 8 <= local.hour < 18:
                weight = 0.18 if weekend else 1.0
            elif 6 <= local.hour < 23:
                weight = 0.1 if weekend else 0.3
            else:
                weight = 0.04 if weekend else 0.08
            if self.rng.random() < weight:
                produced += 1
                yield at.replace(second=self.rng.randint(0, 59), microsecond=0)

    def recent_day(
        self, days_ago: int, weekdays: Sequence[int], hour: int, minute: int
    ) -> datetime:
        """The latest day at least `days_ago` before now on one of `weekdays`, at local time."""
        day = self.now.astimezone(ET).date() - timedelta(days=days_ago)
        while day.weekday() not in weekdays:
            day -= timedelta(days=1)
        return datetime.combine(day, time(hour, minute), ET).astimezone(UTC)

    # -- plans -------------------------------------------------------------------------

    def company_of(self, key: str) -> Organization:
        return self.cast.orgs[key]

    def category_for(self, issue: Issue, product: str) -> str:
        if not issue.category:
            return ""
        try:
            cell = self.policy.coverage(product, issue.category)
        except KeyError:
            return ""
        return "" if cell.coverage == Coverage.NOT_APPLICABLE else issue.category

    def devices_for(self, company: str, issue: Issue) -> list[Device]:
        roles = self.cast.role_of
        kinds = set(stories.MACHINES.get(issue.key, ()))
        return [
            d
            for d in self.cast.devices[company]
            if roles[d.product_id] in issue.products and (not kinds or kinds & machine_tags(d))
        ]

    def device_for(self, company: str, issue: Issue, name: str | None = None) -> Device | None:
        devices = self.devices_for(company, issue)
        if name is not None:
            devices = [d for d in devices if d.name == name] or devices
        return self.rng.choice(devices) if devices else None

    def base_plan(
        self,
        at: datetime,
        company: str,
        issue: Issue,
        *,
        severity: int,
        channel: str,
        submitter: User | None = None,
        device: str | None = None,
    ) -> Plan:
        chosen = self.device_for(company, issue, device)
        if chosen is not None:
            product = self.cast.role_of[chosen.product_id]
            slug = self.cast.products[product].slug
        else:
            slug = self.cast.products[self.rng.choice(issue.products)].slug
        requester = self.cast.customer[company]
        submitter = submitter or requester
        plan = Plan(
            at=at,
            company=company,
            issue=issue,
            device=chosen,
            product=slug,
            category=self.category_for(issue, slug),
            severity=severity,
            channel=channel,
            submitter=submitter,
            requester=requester,
            to_vendor=True if submitter.is_partner_staff else None,
        )
        if severity == 1:
            plan.contact = f"{requester.name}, {requester.phone or '+1 555 0100'} (mobile)"
        plan.engineer = (
            self.cast.finance
            if plan.category == "billing"
            else self.rng.choice(self.cast.engineers)
        )
        return plan

    def random_plan(self, at: datetime) -> Plan:
        rng = self.rng
        company = _pick(rng, [("initech", 0.38), ("acme", 0.34), ("globex", 0.28)])
        # How-to and billing questions (Severity 4 only) come half as often as problems.
        issue = _pick(
            rng,
            [
                (i, 1.0 if i.severities == ((4, 1),) else 2.0)
                for i in stories.ISSUES
                if self.devices_for(company, i)
            ],
        )
        severity = _pick(rng, issue.severities)
        # Only issues that can hurt production change severity on the way.
        serious = min(level for level, _ in issue.severities) <= 2
        partnered = company in self.cast.partner_staff
        submitter = self.cast.customer[company]
        if partnered and rng.random() < 0.22:
            submitter = self.cast.partner_staff[company][0]
        if submitter.is_partner_staff:
            channels = [("portal", 0.6), ("email", 0.25), ("phone", 0.15)]
        elif partnered:
            channels = [("email", 0.5), ("portal", 0.5)]
        else:
            channels = [("email", 0.35), ("portal", 0.3), ("api", 0.08), ("chat", 0.1)]
            channels.append(("phone", 0.17 if severity > 1 else 0.6))
        channel = _pick(rng, channels)
        if not check_intake(self.policy, channel, severity, at).accepted:
            channel = rng.choice([Channel.EMAIL, Channel.PORTAL])
        plan = self.base_plan(
            at, company, issue, severity=severity, channel=channel, submitter=submitter
        )
        if severity == 1 and rng.random() < 0.15:
            plan.contact = ""  # §1.6.1: opens as Severity 2
        plan.callback = severity == 1 and channel == Channel.PHONE and bool(plan.contact)
        if partnered and not submitter.is_partner_staff:
            plan.partner = (
                "forward"
                if severity == 1
                else _pick(rng, [("forward", 0.55), ("resolve", 0.3), ("wait", 0.15)])
            )
            if serious and severity > 1 and rng.random() < 0.2:
                plan.forward_severity = severity - 1
        plan.assign_early = rng.random() < 0.45
        if serious and severity > 1 and rng.random() < 0.25:
            plan.triage = _pick(rng, [("upgrade", 0.4), ("accept", 0.35), ("decline", 0.25)])
        plan.pending = rng.random() < 0.35
        plan.note = rng.random() < 0.35
        if serious and rng.random() < 0.2:
            plan.later_change = "downgrade" if severity < 4 and rng.random() < 0.7 else "upgrade"
        plan.rounds = _pick(rng, [(0, 0.6), (1, 0.3), (2, 0.1)])
        plan.inbound_call = rng.random() < 0.1
        plan.outcome = _pick(
            rng, [("closed", 0.45), ("resolved", 0.25), ("pending", 0.1), ("open", 0.2)]
        )
        plan.customer_closes = rng.random() < 0.6
        return plan

    def scenario_plans(self) -> list[Plan]:
        """Stories every demo has, whatever day it is seeded."""
        cast = self.cast
        issues = {i.key: i for i in stories.ISSUES}
        weekdays, saturday = (0, 1, 2, 3, 4), (5,)
        plans = []

        # An Acme ticket that Northwind has not picked up yet: no vendor clock.
        waiting = self.base_plan(
            self.now - timedelta(minutes=95),
            "acme",
            issues["vss"],
            severity=3,
            channel=Channel.PORTAL,
            device="ACME-FS01",
        )
        waiting.partner = "untouched"
        plans.append(waiting)

        # Saturday morning Severity 1 on the phone line: 60 minutes, wall clock.
        weekend = self.base_plan(
            self.recent_day(3, saturday, 10, 20),
            "initech",
            issues["appliance-down"],
            severity=1,
            channel=Channel.PHONE,
            device="INITECH-BDR01",
        )
        weekend.callback, weekend.late, weekend.note = True, False, True
        weekend.engineer = cast.users["engineer@vendor.example"]
        plans.append(weekend)

        # Upgraded from 4 to 2 in triage, answered after the new due time: breached.
        upgraded = self.base_plan(
            self.recent_day(6, weekdays, 9, 10),
            "initech",
            issues["offline"],
            severity=4,
            channel=Channel.EMAIL,
            device="INITECH-LAP-114",
        )
        upgraded.triage, upgraded.triage_to, upgraded.late = "upgrade", 2, True
        upgraded.triage_reason = stories.UPGRADE_REASONS[1]
        plans.append(upgraded)

        # Severity 1 without a dedicated contact opens as 2 (§1.6.1), then is
        # upgraded once the partner names one.
        no_contact = self.base_plan(
            self.recent_day(4, weekdays, 14, 5),
            "globex",
            issues["local-virt"],
            severity=1,
            channel=Channel.PORTAL,
            submitter=cast.partner_staff["globex"][0],
            device="GLOBEX-EHR-SQL",
        )
        no_contact.contact = ""
        no_contact.triage, no_contact.triage_to, no_contact.late = "upgrade", 1, False
        no_contact.triage_reason = (
            "Pat Rossi (+1 512 555 0163) is now dedicated to the issue (§1.6.1); production "
            "server down with no workaround."
        )
        plans.append(no_contact)

        # A storage outage on the vendor's side: three reports within half an hour.
        outage_day = self.recent_day(9, weekdays, 10, 5)
        for offset, company, channel, submitter in (
            (0, "initech", Channel.PORTAL, None),
            (7, "acme", Channel.EMAIL, cast.partner_staff["acme"][0]),
            (26, "globex", Channel.PHONE, cast.partner_staff["globex"][0]),
        ):
            plan = self.base_plan(
                outage_day + timedelta(minutes=offset),
                company,
                stories.OUTAGE,
                severity=1,
                channel=channel,
                submitter=submitter,
            )
            plan.contact, plan.outage, plan.late = "", True, False
            plan.engineer = cast.engineers[offset % 3]
            plan.outcome, plan.pending, plan.rounds = "closed", False, 0
            plans.append(plan)

        # Acme asks for Severity 2 after Northwind forwarded it; the vendor declines.
        declined = self.base_plan(
            self.recent_day(5, weekdays, 8, 40),
            "acme",
            issues["slow"],
            severity=3,
            channel=Channel.EMAIL,
            device="ACME-FS01",
        )
        declined.partner, declined.triage, declined.late = "forward", "decline", False
        plans.append(declined)

        # Initech asks for Severity 2 with a justification; accepted.
        accepted = self.base_plan(
            self.recent_day(3, weekdays, 11, 15),
            "initech",
            issues["vss"],
            severity=3,
            channel=Channel.PORTAL,
            device="INITECH-SQL01",
        )
        accepted.triage, accepted.late = "accept", False
        plans.append(accepted)

        # Downgraded once a workaround is in place.
        downgraded = self.base_plan(
            self.recent_day(7, weekdays, 15, 30),
            "globex",
            issues["replication-stalled"],
            severity=2,
            channel=Channel.EMAIL,
            device="GLOBEX-DR01",
        )
        downgraded.partner, downgraded.later_change, downgraded.outcome = (
            "forward",
            "downgrade",
            "resolved",
        )
        plans.append(downgraded)

        # A billing question answered by Finance.
        billing = self.base_plan(
            self.recent_day(8, weekdays, 13, 0),
            "initech",
            issues["invoice"],
            severity=4,
            channel=Channel.EMAIL,
        )
        billing.outcome = "closed"
        plans.append(billing)

        # Forwarded by Northwind, answered late by the vendor.
        late = self.base_plan(
            self.recent_day(10, weekdays, 16, 45),
            "acme",
            issues["m365-permissions"],
            severity=2,
            channel=Channel.PORTAL,
        )
        late.partner, late.late, late.outcome = "forward", True, "closed"
        plans.append(late)

        # Escalations (§1.8): one running under a plan, one waiting for a manager.
        # Each is played on its own short timeline (escalation_stage).
        running = self.base_plan(
            self.now - timedelta(hours=6, minutes=40),
            "initech",
            issues["replication-stalled"],
            severity=2,
            channel=Channel.PORTAL,
        )
        running.escalation = "running"
        running.escalation_reason = "critical-business-impact"
        running.escalation_statement = stories.ESCALATION_STATEMENTS[0]
        plans.append(running)

        # Opened by Contoso for its customer, so at the vendor's tier at once.
        waiting = self.base_plan(
            self.now - timedelta(hours=2),
            "globex",
            issues["slow"],
            severity=2,
            channel=Channel.PORTAL,
            submitter=cast.partner_staff["globex"][0],
        )
        waiting.escalation = "requested"
        waiting.escalation_reason = "dissatisfied"
        waiting.escalation_statement = stories.ESCALATION_STATEMENTS[1]
        plans.append(waiting)

        # Remote access (§2.3): one grant running now, one request the
        # customer (user@initech.example) has yet to answer in the portal.
        for remote, hours in (("granted", 3), ("requested", 1.5)):
            story = self.base_plan(
                self.now - timedelta(hours=hours),
                "initech",
                issues["vss"],
                severity=3,
                channel=Channel.PORTAL,
            )
            story.remote = remote
            plans.append(story)

        return plans

    # -- playing -------------------------------------------------------------------------

    def play_all(self) -> None:
        plans = self.scenario_plans()
        times = list(self.submission_times(TICKETS - len(plans)))
        plans += [self.random_plan(at) for at in times]
        plans.sort(key=lambda p: p.at)
        for plan in plans:
            self.play(plan)

    def play(self, plan: Plan) -> None:
        self.cursor = plan.at - timedelta(minutes=1)
        with contextlib.suppress(Later):
            self._play(plan)

    def text(self, template: str, plan: Plan, *, to: User | None = None) -> str:
        device = plan.device
        company = self.company_of(plan.company)
        addressee = to or plan.requester
        fields = {
            "device": device.name if device else company.name,
            "os": device.operating_system if device else "",
            "version": device.version if device else "the current version",
            "company": company.name,
            "product": self.policy.product(plan.product).name,
            "customer": addressee.name.split()[0],
            "engineer": plan.engineer.name if plan.engineer else "Support",
            "contact": plan.contact or plan.requester.name,
            "account": device.backup_account.name
            if device and device.backup_account
            else company.name,
            "invoice": f"INV-{2026_00000 + plan.at.toordinal() % 90_000}",
            "partner": self.cast.partner_name.get(plan.company, ""),
            "weekday": (plan.at - timedelta(days=1)).astimezone(ET).strftime("%A"),
            "domain": (company.email_domains.split(",")[0] or "example.com").strip(),
        }
        return template.format(**fields)

    def _play(self, plan: Plan) -> None:
        t = self.step(plan.at)
        ticket = do_submit_ticket(
            company=self.company_of(plan.company),
            requester=plan.requester,
            subject=self.text(plan.issue.subject, plan),
            body=self.text(plan.issue.body, plan),
            product=plan.product,
            severity=plan.severity,
            channel=plan.channel,
            category=plan.category,
            device=plan.device,
            dedicated_contact=plan.contact,
            vendor_outage=plan.outage,
            to_vendor=plan.to_vendor,
            acting_user=plan.submitter,
            now=t,
        )
        self.played += 1
        if ticket.tier == Tier.PARTNER:
            forwarded = self.partner_stage(plan, ticket)
            if forwarded is None:
                return
            ticket = forwarded
        if plan.escalation:
            self.escalation_stage(plan, ticket)
        elif plan.remote:
            self.remote_stage(plan, ticket)
        else:
            self.vendor_stage(plan, ticket)

    def remote_stage(self, plan: Plan, ticket: Ticket) -> None:
        """A first response, then the engineer asks for remote access to
        look at the machine (§2.3); unless the story leaves the request
        waiting, the customer grants it, and it runs now."""
        engineer = plan.engineer or self.cast.engineers[0]
        t = self.step(self.cursor + self.minutes(20, 40))
        do_reply(
            ticket,
            body=self.text(plan.issue.reply, plan),
            via=self.via(plan),
            acting_user=engineer,
            now=t,
        )
        t = self.step(self.cursor + self.minutes(10, 20))
        access = remote_actions.do_request_remote_access(
            ticket,
            purpose=self.text(stories.REMOTE_PURPOSE, plan),
            tool="ScreenConnect",
            acting_user=engineer,
            now=t,
        )
        if plan.remote == "granted":
            t = self.step(self.cursor + self.minutes(5, 15))
            remote_actions.do_grant_remote_access(access, acting_user=plan.requester, now=t)

    def escalation_stage(self, plan: Plan, ticket: Ticket) -> None:
        """A first response, then the customer escalates (§1.8); unless the
        story leaves it waiting for a manager, the manager accepts it with a
        primary engineer, who sets the communication plan and gives the first
        update on time. Escalations are worked at any hour: no staffed time."""
        cast = self.cast
        t = self.step(self.cursor + self.minutes(15, 35))
        do_reply(
            ticket,
            body=self.text(plan.issue.reply, plan),
            via=self.via(plan),
            acting_user=plan.engineer or cast.engineers[0],
            now=t,
        )
        t = self.step(self.cursor + self.minutes(20, 60))
        do_escalation_step(
            ticket,
            step="request",
            fields={"reason": plan.escalation_reason, "statement": plan.escalation_statement},
            acting_user=plan.requester,
            now=t,
        )
        if plan.escalation == "requested":
            return
        engineer = plan.engineer or cast.engineers[0]
        t = self.step(self.cursor + self.minutes(10, 30))
        do_escalation_step(
            ticket,
            step="evaluate",
            fields={
                "accept": True,
                "primary_engineer": engineer.email,
                "note": f"{engineer.name} knows this product best; I will join the calls.",
            },
            acting_user=cast.manager,
            now=t,
        )
        t = self.step(self.cursor + self.minutes(15, 40))
        do_escalation_step(
            ticket,
            step="plan",
            fields={
                "action_plan": stories.ESCALATION_PLAN,
                "mode": "phone",
                "every_minutes": 240,
                "attendees": [plan.requester.name, engineer.name, cast.manager.name],
            },
            acting_user=engineer,
            now=t,
        )
        t = self.step(self.cursor + timedelta(hours=3, minutes=35))
        do_escalation_step(
            ticket,
            step="update",
            fields={"note": stories.ESCALATION_UPDATE},
            acting_user=engineer,
            now=t,
        )

    def via(self, plan: Plan) -> str:
        return plan.channel if plan.channel in (Channel.EMAIL, Channel.CHAT) else Channel.PORTAL

    def partner_stage(self, plan: Plan, ticket: Ticket) -> Ticket | None:
        """First-level support at the partner; the ticket once forwarded to
        the vendor, else None. (Actions that return the ticket return it
        fresh; the demo reads only what those change.)"""
        if plan.partner == "untouched":
            return None
        rng = self.rng
        tech, admin = self.cast.partner_staff[plan.company]
        urgent = ticket.severity == 1
        t = self.step(self.staff_time(self.cursor + self.minutes(10, 150), on_call=urgent))
        do_assign(ticket, assignee=tech, acting_user=admin or tech, now=t)
        t = self.step(t + self.minutes(1, 10))
        do_reply(
            ticket,
            body=self.text(rng.choice(stories.PARTNER_FIRST), plan),
            via=self.via(plan),
            acting_user=tech,
            now=t,
        )
        if not urgent:
            t = self.step(self.customer_time(self.cursor + self.minutes(15, 300)))
            do_reply(
                ticket,
                body=self.text(rng.choice(stories.PARTNER_CUSTOMER), plan),
                via=self.via(plan),
                acting_user=plan.requester,
                now=t,
            )
        if plan.partner == "wait":
            return None
        if plan.partner == "resolve":
            t = self.step(self.staff_time(self.cursor + self.minutes(30, 900)))
            do_reply(
                ticket,
                body=self.text(rng.choice(stories.PARTNER_RESOLVE), plan),
                via=self.via(plan),
                acting_user=tech,
                now=t,
            )
            do_change_status(
                ticket,
                status=Status.RESOLVED,
                reason="fixed at first level",
                acting_user=tech,
                now=self.step(t),
            )
            if plan.customer_closes:
                t = self.step(self.customer_time(self.cursor + self.minutes(60, 2880)))
                do_change_status(
                    ticket,
                    status=Status.CLOSED,
                    reason=rng.choice(stories.CUSTOMER_THANKS),
                    acting_user=plan.requester,
                    now=t,
                )
            return None
        delay = self.minutes(10, 60) if urgent else self.minutes(30, 360)
        t = self.step(self.staff_time(self.cursor + delay, on_call=urgent))
        do_reply(
            ticket,
            body=self.text(rng.choice(stories.PARTNER_NOTES), plan),
            public=False,
            acting_user=tech,
            now=t,
        )
        delay = self.minutes(5, 30) if urgent else self.minutes(20, 1800)
        t = self.step(self.staff_time(self.cursor + delay, on_call=urgent))
        ticket = do_forward_to_vendor(
            ticket,
            severity=plan.forward_severity,
            note=self.text(rng.choice(stories.FORWARD_NOTES), plan),
            acting_user=tech,
            now=t,
        )
        if admin is not None and rng.random() < 0.5:
            ticket = do_set_watchers(ticket, watchers=[admin], acting_user=tech, now=self.step(t))
        return ticket

    def vendor_stage(self, plan: Plan, ticket: Ticket) -> None:
        rng = self.rng
        cast = self.cast
        worker = plan.engineer or cast.engineers[0]
        forwarded = ticket.partner_id is not None
        # Who the vendor talks to: the partner's technician once a ticket is
        # forwarded (or when the partner opened it), else the requester.
        if plan.submitter.is_partner_staff or (forwarded and rng.random() < 0.6):
            customer = cast.partner_staff[plan.company][0]
        else:
            customer = plan.requester
        urgent = ticket.severity == 1
        on_call = urgent or plan.outage

        if plan.assign_early or urgent:
            t = self.step(self.staff_time(self.cursor + self.minutes(3, 40), on_call=on_call))
            ticket = do_assign(ticket, assignee=worker, acting_user=cast.manager, now=t)

        if plan.triage == "upgrade" and ticket.severity > 1:
            target = plan.triage_to or ticket.severity - 1
            t = self.step(self.staff_time(self.cursor + self.minutes(10, 50), on_call=on_call))
            ticket = do_change_severity(
                ticket,
                severity=target,
                reason=plan.triage_reason or rng.choice(stories.UPGRADE_REASONS),
                acting_user=cast.manager,
                now=t,
            )
        elif plan.triage in ("accept", "decline") and ticket.severity > 1:
            t = self.step(self.customer_time(self.cursor + self.minutes(5, 90)))
            ticket = do_request_severity(
                ticket,
                severity=ticket.severity - 1,
                justification=rng.choice(stories.JUSTIFICATIONS),
                acting_user=customer,
                now=t,
            )
            t = self.step(self.staff_time(self.cursor + self.minutes(10, 90)))
            accept = plan.triage == "accept"
            ticket = do_decide_severity_request(
                ticket,
                accept=accept,
                reason=rng.choice(stories.ACCEPT_REASONS if accept else stories.DECLINE_REASONS),
                acting_user=cast.manager if rng.random() < 0.5 else worker,
                now=t,
            )

        t = self.step(self.first_response_at(plan, ticket))
        if plan.callback:
            do_log_call(
                ticket,
                summary=self.text(stories.CALL_OUTBOUND[0], plan, to=customer),
                direction="outbound",
                minutes=rng.randint(8, 35),
                acting_user=worker,
                now=t,
            )
            t = self.step(t + self.minutes(2, 10))
        do_reply(
            ticket,
            body=self.text(plan.issue.reply, plan, to=customer),
            via=self.via(plan),
            acting_user=worker,
            now=t,
        )
        if ticket.assignee_id is None and rng.random() < 0.7:
            ticket = do_assign(ticket, assignee=worker, acting_user=worker, now=self.step(t))
        # A ticket answered as out of scope (§4) stays so: waiting on the
        # customer would take it on without an engineer's override.
        if plan.pending and ticket.status != Status.OUT_OF_SCOPE:
            do_change_status(
                ticket,
                status=Status.PENDING_CUSTOMER,
                reason=stories.WAITING_FOR_CUSTOMER,
                acting_user=worker,
                now=self.step(t),
            )
        if plan.note:
            t = self.step(self.staff_time(self.cursor + self.minutes(5, 120), on_call=on_call))
            do_reply(
                ticket,
                body=self.text(plan.issue.note or rng.choice(stories.INTERNAL_NOTES), plan),
                public=False,
                acting_user=worker,
                now=t,
            )

        t = self.step(self.customer_time(self.cursor + self.minutes(15, 600 if not urgent else 60)))
        do_reply(
            ticket,
            body=self.text(plan.issue.customer, plan),
            via=self.via(plan),
            acting_user=customer,
            now=t,
        )
        if plan.later_change:
            reasons: Sequence[str]
            if plan.later_change == "downgrade" and ticket.severity < 4:
                level, reasons = ticket.severity + 1, stories.DOWNGRADE_REASONS
            elif plan.later_change == "upgrade" and ticket.severity > 1:
                level, reasons = ticket.severity - 1, stories.UPGRADE_REASONS
            else:
                level, reasons = 0, ()
            if level:
                t = self.step(self.staff_time(self.cursor + self.minutes(10, 240), on_call=on_call))
                ticket = do_change_severity(
                    ticket,
                    severity=level,
                    reason=rng.choice(reasons),
                    acting_user=worker,
                    now=t,
                )
        t = self.step(self.staff_time(self.cursor + self.minutes(10, 300), on_call=on_call))
        do_reply(
            ticket,
            body=self.text(plan.issue.followup, plan, to=customer),
            via=self.via(plan),
            acting_user=worker,
            now=t,
        )
        for _ in range(plan.rounds):
            t = self.step(self.customer_time(self.cursor + self.minutes(240, 2880)))
            do_reply(
                ticket,
                body=rng.choice(stories.CUSTOMER_NUDGE),
                via=self.via(plan),
                acting_user=customer,
                now=t,
            )
            t = self.step(self.staff_time(self.cursor + self.minutes(20, 480)))
            do_reply(
                ticket,
                body=rng.choice(stories.ENGINEER_UPDATE),
                via=self.via(plan),
                acting_user=worker,
                now=t,
            )
        if plan.inbound_call and worker.role != Role.FINANCE:
            t = self.step(self.staff_time(self.cursor + self.minutes(60, 1440)))
            do_log_call(
                ticket,
                summary=self.text(rng.choice(stories.CALL_INBOUND), plan, to=customer),
                direction="inbound",
                minutes=rng.randint(4, 25),
                acting_user=worker,
                now=t,
            )

        if plan.outcome == "open":
            return
        if plan.outcome == "pending":
            if ticket.status != Status.OUT_OF_SCOPE:
                do_change_status(
                    ticket,
                    status=Status.PENDING_CUSTOMER,
                    reason=stories.WAITING_FOR_CUSTOMER,
                    acting_user=worker,
                    now=self.step(self.cursor),
                )
            return
        t = self.step(self.staff_time(self.cursor + self.minutes(30, 1800 if not urgent else 240)))
        do_reply(
            ticket,
            body=self.text(plan.issue.resolution, plan, to=customer),
            via=self.via(plan),
            acting_user=worker,
            now=t,
        )
        do_change_status(
            ticket, status=Status.RESOLVED, reason="fixed", acting_user=worker, now=self.step(t)
        )
        if plan.outcome != "closed":
            return
        if plan.customer_closes:
            t = self.step(self.customer_time(self.cursor + self.minutes(30, 2880)))
            do_change_status(
                ticket,
                status=Status.CLOSED,
                reason=rng.choice(stories.CUSTOMER_THANKS),
                acting_user=customer,
                now=t,
            )
        else:
            t = self.step(self.staff_time(self.cursor + timedelta(days=3) + self.minutes(0, 240)))
            do_change_status(
                ticket,
                status=Status.CLOSED,
                reason=stories.ENGINEER_CLOSE,
                acting_user=worker,
                now=t,
            )

    def first_response_at(self, plan: Plan, ticket: Ticket) -> datetime:
        """On time or late, as the plan says or as the hour makes likely."""
        rng = self.rng
        start = self.cursor
        due = ticket.response_due_at
        urgent = ticket.severity == 1 or plan.outage
        if due is None:
            return self.staff_time(start + self.minutes(30, 240))
        late = plan.late
        if late is None:
            unstaffed = self.staffed is not None and not self.staffed.is_open(due)
            late = rng.random() < (0.3 if unstaffed and not urgent else 0.07)
        if late:
            return self.staff_time(due + self.minutes(5, 360), on_call=urgent)
        room = due - start
        if room <= timedelta(minutes=4):
            return start
        if plan.channel == Channel.CHAT or plan.callback:
            return start + min(self.minutes(1, 40), room / 2)
        at = start + room * rng.uniform(0.1, 0.85)
        if not urgent and self.staffed is not None and not self.staffed.is_open(at):
            opening = self.staffed.next_opening(at)
            if opening < due - timedelta(minutes=5):
                at = min(opening + self.minutes(1, 20), due - timedelta(minutes=2))
        return at
