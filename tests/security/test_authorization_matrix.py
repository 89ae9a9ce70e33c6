"""The authorization matrix: every URL pattern and every API operation, for
every role, against objects of every tenant (DESIGN.md §1).

The tables below classify each route: how its parameters are filled, who may
use it, what a POST sends and which POSTs must change something. The walk
tests fail when a URL pattern or API operation exists that the tables do not
know, so a new route cannot ship unclassified.

For each (route, role, object, method) the matrix asserts:

- a method the route does not take answers 405, whoever asks;
- anonymous visitors get the sign-in redirect (pages) or 401 (API);
- a role the route is not for, and an object outside the role's scope (or
  one that does not exist), answer 404 — never 200, 403 or 500 (a foreign id
  sent in a body answers as a missing one would: 422 on a page, 400 in the
  API);
- a POST changes the database exactly when the rules say this role may make
  the change (the bodies are valid, so a missing check would show up as a
  change); a refused POST leaves every ticket, event, message, attachment,
  watcher, saved reply and device as it was;
- no response ever contains text the role may not see: another tenant's
  ticket subjects, numbers, messages, file names and contents, events'
  notes, devices, saved replies, people and organization names, nor an
  internal note of another organization.

The data is built once per module inside a transaction that is rolled back at
the end; each request runs in a savepoint rolled back after it, so every
request meets the same starting state.
"""

from __future__ import annotations

import base64
import json
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.http import HttpResponseBase
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from supportdesk.accounts.models import ApiToken, Organization, Role, User
from supportdesk.api.api import api
from supportdesk.assets.models import Device, Product
from supportdesk.feedback import actions as feedback_actions
from supportdesk.feedback.models import Feedback
from supportdesk.mail.models import InboundMail, OutboundMail, Outcome, Review
from supportdesk.notifications.models import Notification
from supportdesk.policies.active import active_policy
from supportdesk.policies.models import PolicyVersion
from supportdesk.policy.load import default_policy_path
from supportdesk.remote import actions as remote_actions
from supportdesk.remote.models import RemoteAccess
from supportdesk.tickets import actions
from supportdesk.tickets.actions import Upload
from supportdesk.tickets.models import (
    Attachment,
    Message,
    SavedReply,
    Ticket,
    TicketEvent,
)
from tests.tenants import PERSONAS, Tenants, build_tenants

ROLES = (*PERSONAS, "anonymous")
VENDOR = frozenset({Role.ENGINEER, Role.MANAGER, Role.FINANCE, Role.ADMIN})
AGENTS = frozenset({Role.ENGINEER, Role.MANAGER, Role.ADMIN})
PARTNER = frozenset({Role.PARTNER_TECHNICIAN, Role.PARTNER_ADMIN})
SHARED_REPLY_KEEPERS = frozenset({Role.MANAGER, Role.ADMIN, Role.PARTNER_ADMIN})
MISSING_NUMBER = "SD-987654"
MISSING_ID = 987654
SIGN_IN = "/accounts/login/"

Person = User | None  # None: anonymous


# -- the scope model, written from DESIGN.md §1 rather than from access.py -------------


def is_vendor(p: Person) -> bool:
    return p is not None and p.role in VENDOR


def is_partner(p: Person) -> bool:
    return p is not None and p.role in PARTNER


def is_customer(p: Person) -> bool:
    return p is not None and p.role == Role.CUSTOMER


def sees_company(p: Person, company: Organization) -> bool:
    """Vendor staff see every company, partner staff their partner's, customers their own."""
    if p is None:
        return False
    if is_vendor(p):
        return True
    if is_partner(p):
        return company.parent_id == p.organization_id
    return company.pk == p.organization_id


def works(p: User, t: Ticket) -> bool:
    """On the side that works the ticket in its tier (§2.2)."""
    if t.tier == "partner":
        return is_partner(p) and p.organization_id == t.partner_id
    return p.role in AGENTS


def mail_visible(p: Person, ticket: Ticket | None) -> bool:
    """Vendor support staff see all the desk's mail; the rest of the vendor
    and partner staff see the mail of tickets they see."""
    if p is None or is_customer(p):
        return False
    if p.role in AGENTS:
        return True
    return ticket is not None and sees_company(p, ticket.company)


def customer_side(p: User, t: Ticket) -> bool:
    if is_customer(p):
        return p.organization_id == t.company_id
    if is_partner(p):
        return t.tier == "vendor" and p.organization_id == t.partner_id
    return False


# Outcomes of a POST by someone who may reach the object.
CHANGE, NOOP, REFUSE = "change", "noop", "refuse"


def allowed(condition: bool) -> str:
    return CHANGE if condition else REFUSE


# -- the data: two tickets per tenant, notes of every organization, files, devices ---------


@dataclass(frozen=True)
class Marker:
    """Text that only some people may ever see in a response."""

    what: str
    pattern: re.Pattern[str]
    visible: Callable[[Person], bool]


def mk(label: str) -> str:
    return f"mk_{label}_km"


@dataclass
class World:
    tenants: Tenants
    tickets: dict[str, Ticket]  # "acme-partner" …, as every request finds them
    devices: dict[str, Device]  # company key → its device
    attachments: dict[str, Attachment]
    replies: dict[str, SavedReply]
    inbound: dict[str, InboundMail]  # ticket key (or "unplaced") → mail waiting for staff
    outbound: dict[str, OutboundMail]  # ticket key → its acknowledgement
    markers: list[Marker]
    pages: dict[str, Client]  # persona → a signed-in browser client
    tokens: dict[str, str]  # persona → API bearer token
    api_client: Client = field(default_factory=Client)  # no session: bearer tokens only
    baseline: tuple[Any, ...] = ()
    hidden: dict[str, list[Marker]] = field(default_factory=dict)
    # Remote access (§2.3): one waiting, one granted, one expired; feedback (§2.4).
    accesses: dict[str, RemoteAccess] = field(default_factory=dict)
    feedback: dict[str, Feedback] = field(default_factory=dict)

    def person(self, role: str) -> Person:
        return self.tenants.people.get(role)

    def company_key(self, company_id: int) -> str:
        return next(
            k for k in ("acme", "globex", "initech") if self.tenants.org(k).pk == company_id
        )


def _select(model: Any, *columns: str) -> str:
    return f"SELECT {', '.join(columns)} FROM {model._meta.db_table} ORDER BY id"


# Raw SQL, compiled once: the matrix takes a snapshot after every POST.
SNAPSHOT_SQL = (
    "SELECT "
    + ", ".join(
        f"(SELECT COUNT(*) FROM {model._meta.db_table})"
        for model in (
            TicketEvent,
            Message,
            Attachment,
            Ticket.watchers.through,
            Device,
            PolicyVersion,
        )
    ),
    _select(
        Ticket,
        "id",
        "status",
        "severity",
        "requested_severity",
        "tier",
        "assignee_id",
        "event_count",
        "last_event_hash",
        "company_id",
    ),
    _select(SavedReply, "id", "organization_id", "owner_id", "title", "body"),
    _select(InboundMail, "id", "outcome", "review", "ticket_id", "reviewed_by_id", "review_note"),
    _select(Notification, "id", "user_id", "read_at"),
    _select(Feedback, "id", "state", "staff_note"),
    _select(RemoteAccess, "id", "state"),
)


def snapshot() -> tuple[Any, ...]:
    """Everything a POST could change that the matrix cares about: how many
    events, messages, attachments, watchers and devices there are, each
    ticket's state and history head (every change appends an event), and the
    saved replies."""
    with connection.cursor() as cursor:
        rows = []
        for sql in SNAPSHOT_SQL:
            cursor.execute(sql)
            rows.append(tuple(cursor.fetchall()))
    return tuple(rows)


def build_world() -> World:
    tenants = build_tenants()
    people = tenants.people
    alice, gina, ivan = people["acme_user"], people["globex_user"], people["initech_user"]
    nora, carl = people["northwind_tech"], people["contoso_tech"]
    erin, mark, nate = people["engineer"], people["manager"], people["partner_admin"]
    now = timezone.now()
    product = Product.objects.create(slug="cloud-backup", name="Cloud Backup")
    devices = {
        key: Device.objects.create(
            company=tenants.org(key), product=product, name=mk(f"device_{key}"), version="8.1"
        )
        for key in ("acme", "globex", "initech")
    }
    markers: list[Marker] = []
    attachments: dict[str, Attachment] = {}

    def mark_text(what: str, text: str, visible: Callable[[Person], bool]) -> None:
        markers.append(Marker(what, re.compile(re.escape(text)), visible))

    def in_ticket(t: Ticket) -> Callable[[Person], bool]:
        return lambda p: sees_company(p, t.company)

    def internal_of(t: Ticket, org: Organization) -> Callable[[Person], bool]:
        """An internal note stays with the organization that wrote it; the vendor reads all."""
        return lambda p: (
            sees_company(p, t.company)
            and (is_vendor(p) or (is_partner(p) and p is not None and p.organization_id == org.pk))
        )

    device_of = {device.company_id: device for device in devices.values()}

    def submit(user: User, key: str) -> Ticket:
        ticket = actions.do_submit_ticket(
            company=user.organization,
            requester=user,
            subject=f"Backups fail {mk(key + '_subject')}",
            body=f"The nightly job stops. {mk(key + '_description')}",
            product="cloud-backup",
            severity=3,
            channel="portal",
            device=device_of[user.organization_id],
            uploads=[Upload(f"{mk(key + '_file')}.txt", mk(key + "_content").encode())],
            acting_user=user,
            now=now,
        )
        visible = in_ticket(ticket)
        for part in ("subject", "description", "file", "content"):
            mark_text(f"{key} {part}", mk(f"{key}_{part}"), visible)
        markers.append(Marker(f"{key} number", re.compile(rf"{ticket.number}(?!\d)"), visible))
        attachments[f"{key} public"] = Attachment.objects.get(ticket=ticket)
        return ticket

    def reply(t: Ticket, user: User, key: str) -> None:
        actions.do_reply(t, body=f"Try this. {mk(key)}", acting_user=user, now=now)
        mark_text(key, mk(key), in_ticket(t))

    def note(t: Ticket, user: User, key: str) -> None:
        message = actions.do_reply(
            t,
            body=f"Between us: {mk(key)}",
            public=False,
            uploads=[Upload(f"{mk(key + '_file')}.txt", mk(key + "_content").encode())],
            acting_user=user,
            now=now,
        )
        visible = internal_of(t, user.organization)
        for part in ("", "_file", "_content"):
            mark_text(key + part, mk(key + part), visible)
        attachments[key] = Attachment.objects.get(message=message)

    def forward(t: Ticket, user: User, key: str) -> None:
        actions.do_forward_to_vendor(t, severity=3, note=mk(key), acting_user=user, now=now)
        mark_text(key, mk(key), in_ticket(t))

    def request(t: Ticket, user: User, key: str) -> None:
        actions.do_request_severity(
            t, severity=2, justification=f"Production is down. {mk(key)}", acting_user=user, now=now
        )
        mark_text(key, mk(key), in_ticket(t))

    def assign(t: Ticket, user: User) -> None:
        actions.do_assign(t, assignee=user, acting_user=user, now=now)

    # Acme Dental (Northwind IT): one ticket with the partner, one forwarded.
    acme_p = submit(alice, "acme_partner")
    reply(acme_p, nora, "acme_partner_reply")
    note(acme_p, nora, "acme_partner_note_northwind")
    assign(acme_p, nora)
    acme_v = submit(alice, "acme_vendor")
    note(acme_v, nora, "acme_vendor_note_northwind")
    forward(acme_v, nora, "acme_vendor_forward")
    reply(acme_v, erin, "acme_vendor_reply")
    note(acme_v, erin, "acme_vendor_note_vendor")
    assign(acme_v, mark)
    request(acme_v, alice, "acme_vendor_justification")
    # Globex Clinic (Contoso MSP): a pending request with the partner, one forwarded.
    globex_p = submit(gina, "globex_partner")
    note(globex_p, carl, "globex_partner_note_contoso")
    request(globex_p, gina, "globex_partner_justification")
    globex_v = submit(gina, "globex_vendor")
    forward(globex_v, carl, "globex_vendor_forward")
    note(globex_v, erin, "globex_vendor_note_vendor")
    # Initech (direct): both with the vendor, one with a pending request.
    initech_a = submit(ivan, "initech_a")
    reply(initech_a, erin, "initech_a_reply")
    note(initech_a, erin, "initech_a_note_vendor")
    assign(initech_a, mark)
    initech_b = submit(ivan, "initech_b")
    request(initech_b, ivan, "initech_b_justification")

    # Devices, people and organizations by name.
    for key, device in devices.items():
        company = tenants.org(key)
        mark_text(f"device {key}", device.name, lambda p, c=company: sees_company(p, c))
    for key in ("acme", "globex", "initech"):
        company = tenants.org(key)
        mark_text(f"company {key}", company.name, lambda p, c=company: sees_company(p, c))
    for key in ("acme_user", "globex_user", "initech_user"):
        company = people[key].organization
        mark_text(f"person {key}", people[key].name, lambda p, c=company: sees_company(p, c))
    for partner, staff in ((tenants.northwind, (nora, nate)), (tenants.contoso, (carl,))):

        def partner_visible(p: Person, partner: Organization = partner) -> bool:
            return is_vendor(p) or (
                p is not None
                and (
                    p.organization_id == partner.pk
                    or (is_customer(p) and p.organization.parent_id == partner.pk)
                )
            )

        mark_text(f"partner {partner.name}", partner.name, partner_visible)
        for person in staff:
            mark_text(f"person {person.email}", person.name, partner_visible)

    # Saved replies of every organization, shared and private.
    replies: dict[str, SavedReply] = {}
    for key, org, owner in (
        ("vendor_shared", tenants.vendor, None),
        ("engineer_private", tenants.vendor, erin),
        ("northwind_shared", tenants.northwind, None),
        ("northwind_tech_private", tenants.northwind, nora),
        ("contoso_shared", tenants.contoso, None),
    ):
        text = mk(f"saved_{key}")
        replies[key] = SavedReply.objects.create(
            organization=org, owner=owner, title=f"Reply {text}", body=f"Hello. {text}"
        )

        def reply_visible(p: Person, org: Organization = org, owner: User | None = owner) -> bool:
            return (
                p is not None
                and (is_vendor(p) or is_partner(p))
                and p.organization_id == org.pk
                and (owner is None or owner.pk == p.pk)
            )

        mark_text(f"saved reply {key}", text, reply_visible)

    # Mail: for each ticket, a mail held for staff and the acknowledgement we
    # sent; and one mail no ticket could take. The desk's mailbox is the
    # vendor's: its support staff see all of it, partner staff the mail of
    # their tickets, customers none of it (they read their tickets' messages).
    inbound: dict[str, InboundMail] = {}
    outbound: dict[str, OutboundMail] = {}
    mail_tickets = {
        "acme-partner": acme_p,
        "globex-vendor": globex_v,
        "initech-a": initech_a,
        "unplaced": None,
    }
    for key, ticket in mail_tickets.items():
        subject = mk(f"mail_in_{key}")
        raw = f"From: <stranger@elsewhere.example>\r\nSubject: {subject}\r\n\r\nHello.\r\n"
        inbound[key] = InboundMail.objects.create(
            source="matrix",
            raw=raw.encode(),
            size=len(raw),
            dedupe_key=f"id:{key}@matrix",
            sender="stranger@elsewhere.example",
            subject=subject,
            outcome=Outcome.HELD if ticket else Outcome.QUARANTINED,
            reason="sender" if ticket else "no usable sender",
            ticket=ticket,
            review=Review.WAITING,
        )
        mark_text(f"mail {key}", subject, lambda p, t=ticket: mail_visible(p, t))
        if ticket is None:
            continue
        ack_subject = mk(f"mail_out_{key}")
        outbound[key] = OutboundMail.objects.create(
            kind=OutboundMail.Kind.ACKNOWLEDGEMENT,
            ticket=ticket,
            message_id=f"ack-{key}@matrix",
            from_address="support@desk.example",
            to=[ticket.requester.email],
            subject=ack_subject,
            body="Thank you.",
            automatic=True,
        )
        mark_text(f"outbound {key}", ack_subject, lambda p, t=ticket: mail_visible(p, t))

    # Remote access (§2.3): Erin waits for Acme's answer on its forwarded
    # ticket, Initech granted access on its second, and Globex's grant on its
    # forwarded ticket ran out long ago.
    def ask(t: Ticket, key: str) -> RemoteAccess:
        access = remote_actions.do_request_remote_access(
            t, purpose=f"Check the agent. {mk(key)}", minutes=60, acting_user=erin, now=now
        )
        mark_text(key, mk(key), in_ticket(t))
        return access

    accesses = {
        "acme-vendor waiting": ask(acme_v, "acme_vendor_remote"),
        "initech-b granted": remote_actions.do_grant_remote_access(
            ask(initech_b, "initech_b_remote"), acting_user=ivan, now=now
        ),
        "globex-vendor expired": remote_actions.do_grant_remote_access(
            ask(globex_v, "globex_vendor_remote"), acting_user=gina, now=now
        ),
    }
    long_ago = now - timedelta(days=2)
    RemoteAccess.objects.filter(pk=accesses["globex-vendor expired"].pk).update(
        granted_at=long_ago, expires_at=long_ago + timedelta(hours=1)
    )
    accesses = {
        key: RemoteAccess.objects.select_related("ticket__company").get(pk=a.pk)
        for key, a in accesses.items()
    }

    # Product feedback (§2.4) of three companies and a partner.
    feedback: dict[str, Feedback] = {}
    for key, author in (("acme", alice), ("globex", gina), ("initech", ivan), ("northwind", nora)):
        text = mk(f"feedback_{key}")
        feedback[key] = feedback_actions.do_submit_feedback(
            product="cloud-backup", text=f"An idea. {text}", acting_user=author, now=now
        )
        mark_text(f"feedback {key}", text, lambda p, f=feedback[key]: feedback_visible(p, f))

    tickets = {
        "acme-partner": acme_p,
        "acme-vendor": acme_v,
        "globex-partner": globex_p,
        "globex-vendor": globex_v,
        "initech-a": initech_a,
        "initech-b": initech_b,
    }
    tickets = {k: Ticket.objects.get(pk=t.pk) for k, t in tickets.items()}
    pages: dict[str, Client] = {"anonymous": Client()}
    tokens: dict[str, str] = {}
    for role, user in people.items():
        pages[role] = Client()
        pages[role].force_login(user)
        tokens[role] = ApiToken.issue(user, "matrix")[1]
        # Something of each person's own to mark read.
        Notification.objects.create(user=user, event="sla.warning", title="A reminder")
    world = World(
        tenants=tenants,
        tickets=tickets,
        devices=devices,
        attachments=attachments,
        replies=replies,
        inbound=inbound,
        outbound=outbound,
        markers=markers,
        pages=pages,
        tokens=tokens,
        accesses=accesses,
        feedback=feedback,
    )
    world.baseline = snapshot()
    world.hidden = {
        role: [m for m in markers if not m.visible(world.person(role))] for role in ROLES
    }
    return world


@pytest.fixture(scope="module")
def world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    files = tmp_path_factory.mktemp("attachments")
    # Thousands of deliberate 404s and 405s: log only what would page someone (500s).
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    with (
        override_settings(
            SUPPORTDESK_ATTACHMENTS_DIR=files,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        yield build_world()
        transaction.set_rollback(True)
    request_log.setLevel(level)


# -- what the tables say ----------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One way to fill a route's parameters."""

    label: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    query: str = ""
    htmx: bool = False
    # Whether the object is in this person's scope (a missing one is in nobody's).
    scope: Callable[[Person], bool] = lambda p: True
    obj: Any = None
    tenant: str | None = None  # the company or organization the object belongs to


Rule = Callable[[User, Target], str]
Body = Callable[[World, Target, User | None], dict[str, Any]]


@dataclass(frozen=True)
class Post:
    """A POST body, and whether it changes something for this person and object."""

    label: str
    body: Body
    rule: Rule
    # Tenants where some role must make the change (proves the body is valid there);
    # None: every tenant the route's targets belong to.
    changes_in: frozenset[str] | None = None


@dataclass(frozen=True)
class Route:
    fill: str
    methods: frozenset[str]
    # Who may use it once signed in (others: 404). None: public, no sign-in.
    who: Callable[[User], bool] | None
    posts: tuple[Post, ...] = ()
    ok: int = 200  # an in-scope GET
    done: frozenset[int] = frozenset({303})  # an allowed POST
    refused: frozenset[int] = frozenset({422})  # an in-scope POST the rules refuse
    foreign: dict[str, frozenset[int]] = field(
        default_factory=lambda: {"GET": frozenset({404}), "POST": frozenset({404})}
    )
    public: dict[str, frozenset[int]] = field(default_factory=dict)  # for who=None
    shows: Callable[[World, Target], list[str]] | None = None  # an in-scope GET shows these
    fresh_client: bool = False  # the request ends the session (sign-out)
    htmx_post: bool = False  # POST as htmx does (HX-Request: true)
    url: str | None = None  # for unnamed patterns


GET, POST = frozenset({"GET"}), frozenset({"POST"})
OK = frozenset({200})
BOTH = frozenset({"GET", "POST"})
API_OPERATION = "api operation"  # a pattern the API table classifies


def staff(p: User) -> bool:
    return p.role in VENDOR | PARTNER


def customers(p: User) -> bool:
    return p.role == Role.CUSTOMER


def submitters(p: User) -> bool:
    return p.role == Role.CUSTOMER or p.role in PARTNER


def anyone(p: User) -> bool:
    return True


def statuses(*codes: int) -> frozenset[int]:
    return frozenset(codes)


# Rules per action, read from DESIGN.md §1–§2 and the actions' docstrings.


def reply_rule(p: User, t: Target) -> str:
    ticket = t.obj
    return allowed(
        works(p, ticket) or (is_vendor(p) and ticket.tier == "vendor") or customer_side(p, ticket)
    )


def note_rule(p: User, t: Target) -> str:
    return allowed(works(p, t.obj) or is_vendor(p))


def working_rule(p: User, t: Target) -> str:
    return allowed(works(p, t.obj))


def customer_rule(p: User, t: Target) -> str:
    return allowed(customer_side(p, t.obj))


def request_rule(p: User, t: Target) -> str:
    # One request at a time: a pending one waits for the working side (§1.7.2).
    return allowed(customer_side(p, t.obj) and t.obj.requested_severity is None)


def escalate_rule(p: User, t: Target) -> str:
    # Escalations are the vendor's (§1.8, §2.2): a ticket still with the
    # partner cannot be escalated yet.
    return allowed(customer_side(p, t.obj) and t.obj.tier == "vendor")


def decide_rule(p: User, t: Target) -> str:
    return allowed(works(p, t.obj) and t.obj.requested_severity is not None)


def take_rule(p: User, t: Target) -> str:
    if not works(p, t.obj):
        return REFUSE
    return NOOP if t.obj.assignee_id == p.pk else CHANGE


def status_rule(p: User, t: Target) -> str:
    return allowed(works(p, t.obj) or customer_side(p, t.obj))


def forward_rule(p: User, t: Target) -> str:
    ticket = t.obj
    return allowed(
        is_partner(p) and p.organization_id == ticket.partner_id and ticket.tier == "partner"
    )


def edit_reply_rule(p: User, t: Target) -> str:
    reply = t.obj
    if reply.owner_id is not None:
        return allowed(reply.owner_id == p.pk)
    return allowed(p.role in SHARED_REPLY_KEEPERS)


def review_rule(p: User, t: Target) -> str:
    """Mail waiting for staff is settled by the vendor's support staff."""
    return allowed(p.role in AGENTS)


def attach_body(w: World, t: Target, p: User | None) -> dict[str, Any]:
    mail = t.obj
    ticket = mail.ticket if mail is not None and mail.ticket else w.tickets["initech-a"]
    return {"ticket": ticket.number, "visibility": "internal"}


def always_rule(p: User, t: Target) -> str:
    return CHANGE


# Remote access (§2.3): the working side asks when nothing waits or runs;
# the customer side grants or declines what waits; either side revokes a
# running grant, and the working side withdraws what waits. An expired
# grant takes nothing.


def access_state(a: RemoteAccess) -> str:
    if a.state == "granted" and a.expires_at is not None and a.expires_at <= timezone.now():
        return "expired"
    return a.state


def remote_request_rule(p: User, t: Target) -> str:
    ticket = t.obj
    busy = any(access_state(a) in ("requested", "granted") for a in ticket.remote_accesses.all())
    return allowed(works(p, ticket) and ticket.is_open and not busy)


def remote_answer_rule(p: User, t: Target) -> str:
    return allowed(customer_side(p, t.obj.ticket) and access_state(t.obj) == "requested")


def remote_revoke_rule(p: User, t: Target) -> str:
    state, ticket = access_state(t.obj), t.obj.ticket
    if state == "requested":
        return allowed(works(p, ticket))
    return allowed(state == "granted" and (works(p, ticket) or customer_side(p, ticket)))


def feedback_visible(p: Person, f: Feedback) -> bool:
    """The vendor's staff read all feedback; others their organization's own."""
    return p is not None and (is_vendor(p) or p.organization_id == f.organization_id)


def form(**fields: Any) -> Body:
    return lambda w, t, p: dict(fields)


# Only Acme's request waits for an answer; Initech's grant is the one running.
WAITING, RUNNING = frozenset({"acme"}), frozenset({"initech"})
REMOTE_ASK = Post("ask", form(purpose="Check the agent.", minutes="60"), remote_request_rule)
REMOTE_GRANT = Post("grant", form(), remote_answer_rule, changes_in=WAITING)
REMOTE_DECLINE = Post("decline", form(note="Not now."), remote_answer_rule, changes_in=WAITING)
REMOTE_REVOKE = Post("revoke", form(note="Done."), remote_revoke_rule, changes_in=WAITING | RUNNING)


def watch_self(w: World, t: Target, p: User | None) -> dict[str, Any]:
    return {"watchers": [p.pk] if p is not None else []}


# Someone of another tenant, named in a body: a customer who cannot see the
# ticket, and a partner technician who cannot work it.
STRANGERS = {"acme": "globex_user", "globex": "initech_user", "initech": "acme_user"}
STRANGE_TECHS = {"acme": "contoso_tech", "globex": "northwind_tech", "initech": "contoso_tech"}


def stranger(w: World, t: Target, table: dict[str, str]) -> User:
    company = t.tenant or "acme"
    return w.tenants.people[table[company]]


def watch_stranger(w: World, t: Target, p: User | None) -> dict[str, Any]:
    return {"watchers": [stranger(w, t, STRANGERS).pk]}


def assign_stranger(w: World, t: Target, p: User | None) -> dict[str, Any]:
    return {"assignee": stranger(w, t, STRANGE_TECHS).pk}


def never(p: User, t: Target) -> str:
    return REFUSE


NOTHING = frozenset[str]()  # a body no role may ever apply

# A policy file with a version of its own, to upload and schedule.
NEW_POLICY = (
    default_policy_path()
    .read_text(encoding="utf-8")
    .replace('version = "2021-09-14+desk.1"', 'version = "matrix-2"', 1)
)


def schedule_form() -> dict[str, Any]:
    """The confirmation of a reviewed upload, for a date to come."""
    text = base64.b64encode(NEW_POLICY.encode()).decode()
    return {"text": text, "against": active_policy().version, "effective": "2099-01-01"}


def saved_reply_form(w: World, t: Target, p: User | None) -> dict[str, Any]:
    body = {"title": "Changed title", "body": "Changed body"}
    if t.obj is not None and t.obj.owner_id is None:
        body["shared"] = "on"
    return body


def submit_form(w: World, t: Target, p: User | None) -> dict[str, Any]:
    device = t.obj
    return {
        "company": device.company_id,
        "product": "cloud-backup",
        "device": device.pk,
        "severity": "3",
        "subject": "Agent offline",
        "description": "Since this morning.",
    }


def create_json(w: World, t: Target, p: User | None) -> dict[str, Any]:
    device = t.obj
    body = {
        "subject": "Agent offline",
        "description": "Since this morning.",
        "product": "cloud-backup",
        "severity": 3,
        "device_id": t.kwargs["device_id"],
    }
    if device is not None:
        body["company_id"] = device.company_id
    return body


def may_submit_for(p: User, t: Target) -> str:
    device = t.obj
    if is_customer(p):
        return allowed(device.company_id == p.organization_id)
    return allowed(sees_company(p, device.company))


def subject_of(w: World, t: Target) -> list[str]:
    return [t.obj.subject]


# Companies with a partner: only their tickets can be forwarded.
PARTNERED = frozenset({"acme", "globex"})
# Organizations whose saved replies some role here may edit (Contoso's shared
# reply needs a Contoso partner admin, and the roles have Northwind's).
KEPT_REPLIES = frozenset({"infrascale", "northwind-it"})

# A quote for support beside an unsupported application (§3.3): one any open
# ticket may get (a matrix quote needs a `fee` row).
QUOTE_FORM = form(amount="450.00", currency="USD", description="Go on.", reason="third-party")

TICKET_POSTS = {
    "reply": Post("reply", form(body="We are on it."), reply_rule),
    "note": Post("note", form(body="Internal: check the agent log."), note_rule),
    "call": Post(
        "call",
        form(direction="outbound", minutes="5", summary="Called the customer.", public="on"),
        working_rule,
    ),
    "severity": Post("severity", form(severity="2", reason="Production impact."), working_rule),
    # In the workspace only partner staff ask, on tickets they forwarded
    # (Acme's forwarded one has a request pending already).
    "request": Post(
        "request",
        form(severity="2", justification="All backups fail."),
        request_rule,
        changes_in=frozenset({"globex"}),
    ),
    "decide": Post("decide", form(decision="accept", reason="Agreed."), decide_rule),
    "assign": Post("take", form(take="on"), take_rule),
    "status": Post("status", form(status="resolved", reason="Fixed."), status_rule),
    "forward": Post(
        "forward",
        form(severity="2", note="Over to the vendor."),
        forward_rule,
        changes_in=PARTNERED,  # Initech has no partner
    ),
    "watchers": Post("watchers", watch_self, status_rule),
    # The working side records a workaround on an open ticket (§1.6).
    "workaround": Post("workaround", form(note="Restore from the local cache."), working_rule),
    # §3.5: the working side records third-party software; §3.2: cannot reproduce.
    "third_party": Post("third party", form(products="Veeam Agent"), working_rule),
    "cannot_reproduce": Post("cannot reproduce", form(note="Tried twice."), working_rule),
    # §3.3: the world offers no options, so every answer is refused, for all.
    "third_party_option": Post("option", form(option="ii"), never, changes_in=NOTHING),
    "watch a stranger": Post("watch a stranger", watch_stranger, never, changes_in=NOTHING),
    "assign a stranger": Post("assign a stranger", assign_stranger, never, changes_in=NOTHING),
    # §4: the working side sets the category and offers quotes; the world has
    # no ticket out of scope and no quote, so overriding and deciding are
    # refused, for all.
    "category": Post("category", form(scope="cloud-backup:dashboard-configuration"), working_rule),
    "scope_override": Post("override", form(reason="In scope."), never, changes_in=NOTHING),
    "quote": Post("quote", QUOTE_FORM, working_rule),
    "quote_decide": Post("decide quote", form(decision="accept"), never, changes_in=NOTHING),
    "quote_withdraw": Post(
        "withdraw quote", form(reason="Wrong amount."), never, changes_in=NOTHING
    ),
}


# The ticket pages' forms post with htmx, and so does the matrix: an allowed
# change answers the changed fragments (200), a refusal the form with its error (422).


ESCALATE = Post(
    "escalate",
    form(reason="critical-business-impact", statement="The clinic cannot restore."),
    escalate_rule,
)


def workspace_action(*names: str) -> Route:
    posts = tuple(TICKET_POSTS[name] for name in names)
    return Route("ticket", POST, staff, posts=posts, done=OK, htmx_post=True)


def portal_action(post: Post) -> Route:
    return Route("ticket", POST, customers, posts=(post,), done=OK, htmx_post=True)


# Every URL pattern outside admin/ and static files: route name (or pattern) → how to use it.
ROUTES: dict[str, Route | str] = {
    "home": Route("none", GET, None, public={"GET": statuses(302)}),
    "healthz": Route("none", GET, None, public={"GET": statuses(200)}),
    "accounts:login": Route(
        "login", BOTH, None, public={"GET": statuses(200), "POST": statuses(200)}
    ),
    "accounts:logout": Route("none", POST, None, public={"POST": statuses(302)}, fresh_client=True),
    "accounts:password_reset": Route(
        "password_reset", BOTH, None, public={"GET": statuses(200), "POST": statuses(302)}
    ),
    "accounts:password_reset_done": Route("none", GET, None, public={"GET": statuses(200)}),
    "accounts:password_reset_confirm": Route(
        "reset_link", BOTH, None, public={"GET": statuses(200), "POST": statuses(200)}
    ),
    "policies:statement": Route("none", GET, None, public={"GET": statuses(200)}),
    # Policy versions (issue 6, part 9): the vendor's staff read them, its
    # admins upload one (reviewed first: nothing stored) and confirm it.
    "policies:versions": Route("none", GET, is_vendor),
    "policies:upload": Route(
        "none",
        BOTH,
        lambda p: p.role == Role.ADMIN,
        posts=(Post("review", form(text=NEW_POLICY), lambda p, t: NOOP, changes_in=NOTHING),),
        done=OK,
    ),
    "policies:confirm": Route(
        "none",
        POST,
        lambda p: p.role == Role.ADMIN,
        posts=(Post("schedule", lambda w, t, p: schedule_form(), always_rule),),
    ),
    # A scheduled version is withdrawn by an admin; the world has none, so
    # every admin's withdrawal is refused, and everyone else's is not found.
    "policies:withdraw": Route(
        "none",
        POST,
        lambda p: p.role == Role.ADMIN,
        posts=(
            Post(
                "withdraw",
                form(version="matrix-none", reason="A mistake."),
                never,
                changes_in=NOTHING,
            ),
        ),
    ),
    "portal:contact": Route("none", GET, None, public={"GET": statuses(200)}),
    # The workspace: vendor and partner staff.
    "tickets:workspace": Route("queue_filters", GET, staff),
    "tickets:queue": Route("queue", GET, staff),
    "tickets:ticket": Route("ticket", GET, staff, shows=subject_of),
    "tickets:reply": workspace_action("reply"),
    "tickets:note": workspace_action("note"),
    "tickets:call": workspace_action("call"),
    "tickets:severity": workspace_action("severity"),
    "tickets:request": workspace_action("request"),
    "tickets:decide": workspace_action("decide"),
    "tickets:assign": workspace_action("assign", "assign a stranger"),
    "tickets:status": workspace_action("status"),
    "tickets:forward": workspace_action("forward"),
    "tickets:watchers": workspace_action("watchers", "watch a stranger"),
    "tickets:workaround": workspace_action("workaround"),
    "tickets:category": workspace_action("category"),
    "tickets:scope_override": workspace_action("scope_override"),
    "tickets:quote": workspace_action("quote"),
    # Partner staff decide the quotes of tickets they forwarded.
    "tickets:quote_decide": workspace_action("quote_decide"),
    "tickets:quote_withdraw": workspace_action("quote_withdraw"),
    "tickets:third_party": workspace_action("third_party"),
    "tickets:third_party_option": workspace_action("third_party_option"),
    "tickets:cannot_reproduce": workspace_action("cannot_reproduce"),
    # Partner staff ask for escalations of their customers' forwarded tickets.
    "tickets:escalation_step": Route(
        "escalation_request",
        POST,
        staff,
        # Initech has no partner: only partner staff ask here.
        posts=(replace(ESCALATE, changes_in=PARTNERED),),
        done=OK,
        htmx_post=True,
    ),
    # The managers' queue: every escalation, so the vendor's staff only.
    "tickets:escalations": Route("none", GET, lambda p: p.role in VENDOR),
    # Breaches are the vendor's internal record (§1.7.3 report): its staff only.
    "tickets:breach_report": Route("report_periods", GET, is_vendor),
    "tickets:saved_replies": Route(
        "none",
        BOTH,
        staff,
        posts=(Post("create", form(title="Mine", body="My reply."), always_rule),),
        done=statuses(302),
    ),
    "tickets:saved_reply_edit": Route(
        "saved_reply",
        BOTH,
        staff,
        posts=(Post("edit", saved_reply_form, edit_reply_rule, changes_in=KEPT_REPLIES),),
        done=statuses(302),
        shows=lambda w, t: [t.obj.title],
    ),
    "tickets:saved_reply_delete": Route(
        "saved_reply",
        POST,
        staff,
        posts=(Post("delete", form(), edit_reply_rule, changes_in=KEPT_REPLIES),),
        done=statuses(302),
    ),
    "tickets:attachment": Route("attachment", GET, anyone, shows=lambda w, t: [mk_content(t.obj)]),
    # The portal: customers follow their company's tickets; partner staff may submit.
    "portal:tickets": Route("portal_list", GET, customers),
    "mail:inbox": Route("mail_lists", GET, staff),
    "mail:inbound": Route("inbound_mail", GET, staff, shows=lambda w, t: [t.obj.subject]),
    "mail:raw": Route("inbound_mail", GET, staff, shows=lambda w, t: [t.obj.subject]),
    "mail:reprocess": Route(
        "inbound_mail", POST, staff, posts=(Post("again", form(), review_rule),)
    ),
    "mail:attach": Route(
        "inbound_mail",
        POST,
        staff,
        posts=(Post("as a note", attach_body, review_rule),),
    ),
    "mail:discard": Route(
        "inbound_mail", POST, staff, posts=(Post("spam", form(reason="spam"), review_rule),)
    ),
    "mail:outbox": Route("none", GET, staff),
    "mail:outbound": Route("outbound_mail", GET, staff, shows=lambda w, t: [t.obj.subject]),
    # Each person's own notifications: nothing to address, nothing to leak.
    "notifications:inbox": Route("none", GET, staff),
    "notifications:read": Route("none", POST, staff, posts=(Post("read", form(), always_rule),)),
    "portal:new": Route(
        "submit",
        BOTH,
        submitters,
        posts=(Post("submit", submit_form, may_submit_for),),
        done=statuses(302),
        # A foreign company lists no devices; a foreign device is refused like a missing one.
        foreign={"GET": statuses(200), "POST": statuses(422)},
    ),
    "portal:ticket": Route("ticket", GET, customers, shows=subject_of),
    "portal:reply": portal_action(
        Post("reply", form(body="Thanks, still failing."), customer_rule)
    ),
    "portal:request": portal_action(
        Post("request", form(severity="2", justification="All backups fail."), request_rule)
    ),
    "portal:status": portal_action(Post("status", form(status="resolved"), customer_rule)),
    "portal:quote_decide": portal_action(TICKET_POSTS["quote_decide"]),
    "portal:third_party_option": portal_action(TICKET_POSTS["third_party_option"]),
    "portal:escalation_step": Route(
        "escalation_request", POST, customers, posts=(ESCALATE,), done=OK, htmx_post=True
    ),
    # Remote access (§2.3): the workspace asks, withdraws and revokes, and a
    # partner answers there for a ticket it forwarded; customers answer in the portal.
    "remote:request": Route("ticket", POST, staff, posts=(REMOTE_ASK,), done=OK, htmx_post=True),
    **{
        f"remote:{prefix}{post.label}": Route(
            "remote_access",
            POST,
            who,
            # Customers revoke only the running grant: withdrawing is the working side's.
            posts=(
                replace(post, changes_in=RUNNING) if prefix and post is REMOTE_REVOKE else post,
            ),
            done=OK,
            htmx_post=True,
        )
        for prefix, who in (("", staff), ("portal_", customers))
        for post in (REMOTE_GRANT, REMOTE_DECLINE, REMOTE_REVOKE)
    },
    # Product feedback (§2.4): customers and partners give it, the vendor triages it.
    "feedback:submit": Route(
        "none",
        BOTH,
        submitters,
        posts=(Post("give", form(product="cloud-backup", text="An idea."), always_rule),),
    ),
    "feedback:triage": Route("feedback_lists", GET, is_vendor),
    "feedback:detail": Route(
        "feedback",
        BOTH,
        is_vendor,
        posts=(Post("triage", form(state="planned", note="Next quarter."), always_rule),),
        shows=lambda w, t: [t.obj.text],
    ),
    # The API's own pages; its operations are in API_OPERATIONS.
    # Ninja's document views answer any method; they only read the schema.
    "api-v1:openapi-json": Route(
        "none", BOTH, None, public={"GET": statuses(200), "POST": statuses(200)}
    ),
    "api-v1:openapi-view": Route(
        "none", BOTH, None, public={"GET": statuses(200), "POST": statuses(200)}
    ),
    "api-v1:api-root": Route(
        "none", BOTH, None, public={"GET": statuses(404), "POST": statuses(404)}
    ),
    "api/v1/ [not_found]": Route(
        "none",
        BOTH,
        None,
        public={"GET": statuses(404), "POST": statuses(404)},
        url="/api/v1/no/such/thing",
    ),
    **{
        f"api-v1:{name}": API_OPERATION
        for name in (
            "create_ticket",
            "list_tickets",
            "get_ticket",
            "list_messages",
            "create_message",
            "list_events",
            "get_sla",
            "change_severity",
            "forward_ticket",
            "request_severity",
            "decide_severity_request",
            "change_status",
            "change_assignee",
            "record_workaround",
            "set_category",
            "override_scope",
            "offer_quote",
            "accept_quote",
            "decline_quote",
            "withdraw_quote",
            "list_products",
            "list_devices",
            "get_device",
            "get_escalation",
            "request_escalation",
            "evaluate_escalation",
            "plan_escalation",
            "update_escalation",
            "report_insufficient_progress",
            "engage_vendor",
            "confirm_checklist_item",
            "deescalate",
            "get_breach_report",
            "list_policy_versions",
            "list_remote_access",
            "request_remote_access",
            "grant_remote_access",
            "decline_remote_access",
            "revoke_remote_access",
            "submit_feedback",
            "list_feedback",
            "get_feedback",
            "triage_feedback",
            "record_third_party",
            "choose_third_party_option",
            "cannot_reproduce",
            "get_resolution_cause_report",
        )
    },
}


def mk_content(attachment: Attachment) -> str:
    return attachment.filename.removesuffix(".txt").removesuffix("_file_km") + "_content_km"


def api_op(fill: str, methods: frozenset[str], *posts: Post, **kw: Any) -> Route:
    kw.setdefault("done", statuses(200))
    return Route(fill, methods, anyone, posts=posts, refused=statuses(400, 404, 409), **kw)


# Every API operation: "METHOD /api/v1/path" → how to use it.
API_OPERATIONS: dict[str, Route] = {
    "POST /api/v1/tickets": api_op(
        "device",
        POST,
        Post("create", create_json, may_submit_for),
        done=statuses(201),
        foreign={"POST": statuses(400)},  # "company_id: no company N", as for a missing one
    ),
    "GET /api/v1/tickets": api_op("ticket_lists", GET),
    "GET /api/v1/tickets/{number}": api_op("ticket", GET, shows=subject_of),
    "GET /api/v1/tickets/{number}/messages": api_op("ticket", GET),
    "POST /api/v1/tickets/{number}/messages": api_op(
        "ticket",
        POST,
        Post("reply", form(body="We are on it.", public=True), reply_rule),
        Post("note", form(body="Internal: agent log.", public=False), note_rule),
        done=statuses(201),
    ),
    "GET /api/v1/tickets/{number}/events": api_op("ticket", GET),
    "GET /api/v1/tickets/{number}/sla": api_op("ticket", GET),
    "POST /api/v1/tickets/{number}/severity": api_op(
        "ticket", POST, Post("severity", form(severity=2, reason="Impact."), working_rule)
    ),
    "POST /api/v1/tickets/{number}/forward": api_op(
        "ticket",
        POST,
        Post(
            "forward",
            form(severity=2, note="Over to you."),
            forward_rule,
            changes_in=PARTNERED,
        ),
    ),
    "POST /api/v1/tickets/{number}/severity-requests": api_op(
        "ticket",
        POST,
        Post("request", form(severity=2, justification="All backups fail."), request_rule),
    ),
    "POST /api/v1/tickets/{number}/severity-requests/decision": api_op(
        "ticket", POST, Post("decide", form(accept=True, reason="Agreed."), decide_rule)
    ),
    "POST /api/v1/tickets/{number}/status": api_op(
        "ticket", POST, Post("status", form(status="resolved", reason="Fixed."), status_rule)
    ),
    "POST /api/v1/tickets/{number}/assignee": api_op(
        "ticket",
        POST,
        Post("take", form(assignee="me"), take_rule),
        Post("assign a stranger", assign_stranger, never, changes_in=NOTHING),
    ),
    "POST /api/v1/tickets/{number}/workaround": api_op(
        "ticket",
        POST,
        Post("workaround", form(note="Restore from the local cache."), working_rule),
    ),
    # §4: as in the workspace (TICKET_POSTS).
    "POST /api/v1/tickets/{number}/category": api_op(
        "ticket",
        POST,
        Post("category", form(category="dashboard-configuration"), working_rule),
    ),
    "POST /api/v1/tickets/{number}/scope-override": api_op(
        "ticket", POST, Post("override", form(reason="In scope."), never, changes_in=NOTHING)
    ),
    "POST /api/v1/tickets/{number}/quote": api_op(
        "ticket", POST, Post("quote", QUOTE_FORM, working_rule), done=statuses(201)
    ),
    **{
        f"POST /api/v1/tickets/{{number}}/quote/{decision}": api_op(
            "ticket", POST, Post(decision, form(), never, changes_in=NOTHING)
        )
        for decision in ("accept", "decline")
    },
    "POST /api/v1/tickets/{number}/quote/withdraw": api_op(
        "ticket",
        POST,
        Post("withdraw", form(reason="Wrong amount."), never, changes_in=NOTHING),
    ),
    "GET /api/v1/tickets/{number}/escalation": api_op("ticket", GET),
    "POST /api/v1/tickets/{number}/escalation": api_op(
        "ticket",
        POST,
        Post(
            "escalate",
            form(reason="critical-business-impact", statement="The clinic cannot restore."),
            escalate_rule,
        ),
    ),
    # The world holds no escalation, so every later step is refused, for all.
    **{
        f"POST /api/v1/tickets/{{number}}/escalation/{step}": api_op(
            "ticket", POST, Post(step, body, never, changes_in=NOTHING)
        )
        for step, body in (
            ("evaluate", form(accept=True, primary_engineer="Erin Engineer")),
            ("plan", form(action_plan="Restore.", mode="email", every_minutes=240)),
            ("update", form(note="Restoring now.")),
            ("insufficient-progress", form(statement="Nothing moved.")),
            ("engage-vendor", form(vendor="Microsoft", case_reference="42", contact="ops")),
            ("confirm", form(item="parties-agree", confirmed_by="Alice")),
            ("de-escalate", form(note="Back on track.")),
        )
    },
    "GET /api/v1/reports/breaches": Route(
        "report_periods", GET, is_vendor, refused=statuses(400, 404, 409)
    ),
    "GET /api/v1/policy/versions": Route("none", GET, is_vendor, refused=statuses(400, 404, 409)),
    # §3: third-party software, the options of §3.3, cannot reproduce (§3.2).
    "POST /api/v1/tickets/{number}/third-party": api_op(
        "ticket", POST, Post("third party", form(products=["Veeam Agent"]), working_rule)
    ),
    "POST /api/v1/tickets/{number}/third-party/option": api_op(
        "ticket", POST, Post("option", form(option="ii"), never, changes_in=NOTHING)
    ),
    "POST /api/v1/tickets/{number}/cannot-reproduce": api_op(
        "ticket", POST, Post("cannot reproduce", form(note="Tried twice."), working_rule)
    ),
    # Resolution causes (§3.1, §3.4): the vendor's own report.
    "GET /api/v1/reports/resolution-causes": Route(
        "report_periods", GET, is_vendor, refused=statuses(400, 404, 409)
    ),
    # Remote access (§2.3).
    "GET /api/v1/tickets/{number}/remote-access": api_op("ticket", GET),
    "POST /api/v1/tickets/{number}/remote-access": api_op(
        "ticket",
        POST,
        replace(REMOTE_ASK, body=form(purpose="Check the agent.", minutes=60)),
        done=statuses(201),
    ),
    **{
        f"POST /api/v1/tickets/{{number}}/remote-access/{{access_id}}/{post.label}": api_op(
            "remote_access_api", POST, post
        )
        for post in (REMOTE_GRANT, REMOTE_DECLINE, REMOTE_REVOKE)
    },
    # Product feedback (§2.4).
    "POST /api/v1/feedback": api_op(
        "none",
        POST,
        Post(
            "give",
            form(product="cloud-backup", text="An idea."),
            lambda p, t: allowed(submitters(p)),
        ),
        done=statuses(201),
    ),
    "GET /api/v1/feedback": api_op("feedback_lists", GET),
    "GET /api/v1/feedback/{feedback_id}": api_op(
        "feedback_api", GET, shows=lambda w, t: [t.obj.text]
    ),
    "POST /api/v1/feedback/{feedback_id}/triage": api_op(
        "feedback_api",
        POST,
        Post(
            "triage",
            form(state="planned", note="Next quarter."),
            lambda p, t: allowed(is_vendor(p)),
        ),
    ),
    "GET /api/v1/products": api_op("none", GET),
    "GET /api/v1/devices": api_op("device_lists", GET),
    "GET /api/v1/devices/{device_id}": api_op("device", GET, shows=lambda w, t: [t.obj.name]),
}


# -- filling parameters --------------------------------------------------------------------


def fill(world: World, kind: str) -> list[Target]:
    t = world.tenants
    companies = {key: t.org(key) for key in ("acme", "globex", "initech")}
    match kind:
        case "none":
            return [Target("-")]
        case "login":
            return [
                Target("wrong password", obj={"username": "alice@acme.example", "password": "x"})
            ]
        case "password_reset":
            return [Target("unknown address", obj={"email": "nobody@example.invalid"})]
        case "reset_link":
            return [Target("bogus link", {"uidb64": "MQ", "token": "set-password"})]
        case "ticket":
            targets = [
                Target(
                    key,
                    {"number": ticket.number},
                    scope=lambda p, c=ticket.company: sees_company(p, c),
                    obj=ticket,
                    tenant=world.company_key(ticket.company_id),
                )
                for key, ticket in world.tickets.items()
            ]
            return [*targets, Target("missing", {"number": MISSING_NUMBER}, scope=lambda p: False)]
        case "escalation_request":
            # The first step of an escalation, on every ticket page's step URL.
            return [
                replace(target, kwargs={**target.kwargs, "step": "request"})
                for target in fill(world, "ticket")
            ]
        case "attachment":
            targets = [
                Target(
                    key,
                    {"pk": a.pk},
                    scope=lambda p, a=a: attachment_visible(p, a),
                    obj=a,
                    tenant=world.company_key(a.ticket.company_id),
                )
                for key, a in world.attachments.items()
            ]
            return [*targets, Target("missing", {"pk": MISSING_ID}, scope=lambda p: False)]
        case "saved_reply":
            targets = [
                Target(
                    key,
                    {"pk": r.pk},
                    scope=lambda p, r=r: saved_reply_visible(p, r),
                    obj=r,
                    tenant=r.organization.slug,
                )
                for key, r in world.replies.items()
            ]
            return [*targets, Target("missing", {"pk": MISSING_ID}, scope=lambda p: False)]
        case "device":
            targets = [
                Target(
                    key,
                    {"device_id": d.pk},
                    scope=lambda p, d=d: sees_company(p, d.company),
                    obj=d,
                    tenant=key,
                )
                for key, d in world.devices.items()
            ]
            return [*targets, Target("missing", {"device_id": MISSING_ID}, scope=lambda p: False)]
        case "submit":
            # GET: the fields that depend on the company (htmx), for each company;
            # POST: a ticket with each company's device.
            return [
                Target(
                    key,
                    query=f"?company={d.company_id}&product=cloud-backup",
                    htmx=True,
                    scope=lambda p, d=d: may_submit_for(p, Target("", obj=d)) == CHANGE,
                    obj=d,
                    tenant=key,
                )
                for key, d in world.devices.items()
            ]
        case "queue":
            # Every queue as wide as it goes (any tier, any status); the
            # default view of each is a part of that (the workspace: below).
            slugs = ("mine", "unassigned", "severity", "breaching", "open", "finance")
            return [Target(slug, {"queue": slug}, query="?tier=any&status=all") for slug in slugs]
        case "queue_filters":
            searches = ["", "?tier=any&status=all&q=mk_"]
            searches += [f"?tier=any&status=all&company={c.pk}" for c in companies.values()]
            searches += [f"?tier=any&q={ticket.number}" for ticket in world.tickets.values()]
            return [Target(q or "-", query=q) for q in searches]
        case "inbound_mail":
            targets = [
                Target(
                    key,
                    {"pk": m.pk},
                    scope=lambda p, t=m.ticket: mail_visible(p, t),
                    obj=m,
                    tenant=world.company_key(m.ticket.company_id) if m.ticket else None,
                )
                for key, m in world.inbound.items()
            ]
            return [*targets, Target("missing", {"pk": MISSING_ID}, scope=lambda p: False)]
        case "outbound_mail":
            targets = [
                Target(
                    key,
                    {"pk": m.pk},
                    scope=lambda p, t=m.ticket: mail_visible(p, t),
                    obj=m,
                    tenant=world.company_key(m.ticket.company_id),
                )
                for key, m in world.outbound.items()
            ]
            return [*targets, Target("missing", {"pk": MISSING_ID}, scope=lambda p: False)]
        case "mail_lists":
            searches = ["", "?view=all", "?view=all&outcome=held", "?view=waiting&outcome=bogus"]
            return [Target(q or "-", query=q) for q in searches]
        case "portal_list":
            return [Target(q or "-", query=q) for q in ("", "?show=all", "?show=closed")]
        case "ticket_lists":
            searches = ["", "?tier=partner", "?q=mk_", "?status=new,open,pending-customer"]
            searches += [f"?company={c.pk}" for c in companies.values()]
            searches += ["?order=newest&limit=1"]
            return [Target(q or "-", query=q) for q in searches]
        case "device_lists":
            searches = ["", *(f"?company={c.pk}" for c in companies.values())]
            return [Target(q or "-", query=q) for q in searches]
        case "report_periods":
            # The default (the last 30 days), a range of dates, and instants.
            searches = ["", "?since=2001-01-01&until=2001-12-31", "?until=2001-06-01T00:00:00Z"]
            return [Target(q or "-", query=q) for q in searches]
        case "remote_access" | "remote_access_api":
            # Each request on its own ticket; one named under another ticket,
            # and one that does not exist, answer as missing.
            name = "pk" if kind == "remote_access" else "access_id"
            targets = [
                Target(
                    key,
                    {"number": a.ticket.number, name: a.pk},
                    scope=lambda p, c=a.ticket.company: sees_company(p, c),
                    obj=a,
                    tenant=world.company_key(a.ticket.company_id),
                )
                for key, a in world.accesses.items()
            ]
            elsewhere = world.tickets["initech-a"].number
            granted = world.accesses["initech-b granted"].pk
            return [
                *targets,
                Target("elsewhere", {"number": elsewhere, name: granted}, scope=lambda p: False),
                Target("missing", {"number": elsewhere, name: MISSING_ID}, scope=lambda p: False),
            ]
        case "feedback" | "feedback_api":
            name = "pk" if kind == "feedback" else "feedback_id"
            targets = [
                Target(
                    key,
                    {name: f.pk},
                    scope=lambda p, f=f: feedback_visible(p, f),
                    obj=f,
                    tenant=key,
                )
                for key, f in world.feedback.items()
            ]
            return [*targets, Target("missing", {name: MISSING_ID}, scope=lambda p: False)]
        case "feedback_lists":
            searches = ["", "?state=new", "?state=planned&product=cloud-backup"]
            return [Target(q or "-", query=q) for q in searches]
    raise AssertionError(f"no fill {kind!r}")


def attachment_visible(p: Person, a: Attachment) -> bool:
    ticket = a.ticket
    if not sees_company(p, ticket.company) or p is None:
        return False
    message = a.message
    if message is None or message.visibility == Message.Visibility.PUBLIC:
        return True
    return is_vendor(p) or (is_partner(p) and p.organization_id == message.author_org_id)


def saved_reply_visible(p: Person, r: SavedReply) -> bool:
    return (
        p is not None
        and (is_vendor(p) or is_partner(p))
        and p.organization_id == r.organization_id
        and (r.owner_id is None or r.owner_id == p.pk)
    )


# -- sending, and judging the answer ----------------------------------------------------------


@dataclass
class Answer:
    status: int
    body: str
    location: str
    hx_redirect: str
    changed: bool


def read(response: HttpResponseBase) -> str:
    """The body. (The test client closes the response, and a file's once it is
    read; closing again would fire request_finished, which drops a database
    connection that is inside a transaction.)"""
    if getattr(response, "streaming", False):
        data = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    else:
        data = response.content  # type: ignore[attr-defined]
    return data.decode("utf-8", "replace")


def send(
    world: World, role: str, method: str, url: str, body: Any, *, api_call: bool, htmx: bool
) -> Answer:
    """One request. A POST runs in a savepoint that is rolled back after the
    snapshot that tells whether it changed anything."""
    client = world.api_client if api_call else world.pages[role]
    headers: dict[str, str] = {}
    if htmx:
        headers["HX-Request"] = "true"
    if api_call and role != "anonymous":
        headers["Authorization"] = f"Bearer {world.tokens[role]}"
    if method == "GET":  # reads write nothing the matrix looks at
        try:
            response = client.get(url, headers=headers)
        except Exception as exc:  # the view crashed: a 500 in production
            return Answer(500, repr(exc), "", "", False)
        return Answer(
            response.status_code,
            read(response),
            response.get("Location", ""),
            response.get("HX-Redirect", ""),
            False,
        )
    savepoint = transaction.savepoint_create()
    try:
        try:
            if api_call:
                response = client.post(
                    url, json.dumps(body), content_type="application/json", headers=headers
                )
            else:
                response = client.post(url, body, headers=headers)
        except Exception as exc:  # the view crashed: a 500 in production
            return Answer(500, repr(exc), "", "", False)
        text = read(response)
        # 405, 401 and the sign-in redirect come from guards in front of the view:
        # nothing ran that could have written.
        guarded = response.status_code in (401, 405) or (
            response.status_code == 302 and response.get("Location", "").startswith(SIGN_IN)
        )
        changed = not guarded and snapshot() != world.baseline
    finally:
        transaction.savepoint_rollback(savepoint)
    return Answer(
        response.status_code,
        text,
        response.get("Location", ""),
        response.get("HX-Redirect", ""),
        changed,
    )


def judge(
    world: World,
    role: str,
    route: Route,
    target: Target,
    method: str,
    post: Post | None,
    answer: Answer,
    url: str,
    *,
    api_call: bool,
) -> tuple[list[str], str | None]:
    """The problems with one answer, and the outcome it was meant to have."""
    p = world.person(role)
    problems: list[str] = []
    outcome: str | None = None
    if method not in route.methods:
        expected: frozenset[int] | str = statuses(405)
    elif route.who is None:
        expected = route.public[method]
    elif p is None:
        expected = "sign in"
    elif not route.who(p):
        expected = statuses(404)
    elif not target.scope(p):
        expected = route.foreign.get(method, statuses(404))
    elif method == "GET":
        expected = statuses(route.ok)
    else:
        assert post is not None
        outcome = post.rule(p, target)
        expected = route.refused if outcome == REFUSE else route.done

    if expected == "sign in":
        if api_call:
            if answer.status != 401:
                problems.append(f"answered {answer.status}, expected 401")
        elif answer.status == 302:
            if not answer.location.startswith(SIGN_IN):
                problems.append(f"redirected to {answer.location!r}, not to sign in")
        elif answer.status == 204 and answer.hx_redirect:
            if not answer.hx_redirect.startswith(SIGN_IN):
                problems.append(f"htmx redirect to {answer.hx_redirect!r}, not to sign in")
        else:
            problems.append(f"answered {answer.status}, expected the sign-in redirect")
    elif answer.status not in expected:
        problems.append(f"answered {answer.status}, expected {sorted(expected)}")
    if answer.status in (403, 500):
        problems.append(f"{answer.status}: {answer.body[:300]}")

    must_change = outcome == CHANGE
    if answer.changed and not must_change:
        problems.append("CHANGED the database")
    if must_change and not answer.changed and answer.status in route.done:
        problems.append("changed nothing, though this role may (is the body valid?)")

    for marker in world.hidden[role]:
        # A page may echo what was asked (the search box keeps "SD-12"); that tells nothing.
        if marker.pattern.search(answer.body) and not marker.pattern.search(url):
            problems.append(f"shows {marker.what} ({marker.pattern.pattern})")
    if (
        method == "GET"
        and route.shows is not None
        and p is not None
        and route.who is not None
        and route.who(p)
        and target.scope(p)
    ):
        for text in route.shows(world, target):
            if text not in answer.body:
                problems.append(f"in-scope page does not show {text!r}")
    return problems, outcome


def run_matrix(
    world: World,
    key: str,
    route: Route,
    url_for: Callable[[Target], str],
    *,
    api_call: bool,
    methods: tuple[str, ...] = ("GET", "POST"),
) -> None:
    failures: list[str] = []
    changed_in: dict[str, set[str | None]] = {post.label: set() for post in route.posts}
    targets = fill(world, route.fill)
    # A method the route does not take is refused before any lookup: two
    # objects (one real, one missing) per role are enough to show it.
    sample = {id(t): t for t in (targets[0], targets[-1])}
    # A missing object goes first: an object outside the scope must answer
    # exactly as it does (the same 404, word for word), so ids leak nothing.
    missing = [t for t in targets if t.label == "missing"]
    ordered = missing + [t for t in targets if t.label != "missing"]
    for role in ROLES:
        p = world.person(role)
        not_found: dict[tuple[str, str], str] = {}
        for target in ordered:
            url = url_for(target)
            for method in methods:
                if method not in route.methods and id(target) not in sample:
                    continue
                posts: tuple[Post | None, ...] = (None,)
                if method == "POST" and route.posts and "POST" in route.methods:
                    posts = route.posts
                for post in posts:
                    if post is not None:
                        body = post.body(world, target, world.person(role))
                    elif isinstance(target.obj, dict):
                        body = target.obj
                    else:
                        body = {}
                    htmx = target.htmx or (method == "POST" and route.htmx_post)
                    answer = send(world, role, method, url, body, api_call=api_call, htmx=htmx)
                    problems, outcome = judge(
                        world, role, route, target, method, post, answer, url, api_call=api_call
                    )
                    if post is not None and outcome == CHANGE and answer.changed:
                        changed_in[post.label].add(target.tenant)
                    said = (method, post.label if post else "")
                    if answer.status == 404 and target.label == "missing":
                        not_found[said] = answer.body
                    elif (
                        answer.status == 404
                        and said in not_found
                        and answer.body != not_found[said]
                        and p is not None
                        and not target.scope(p)
                    ):
                        problems.append(
                            f"404 differs from a missing object's: {answer.body[:200]!r}"
                        )
                    label = f" [{post.label}]" if post is not None and len(posts) > 1 else ""
                    failures += [
                        f"{role:>14} {method} {url}{label} ({target.label}): {problem}"
                        for problem in problems
                    ]
    for post in route.posts:
        if not set(methods) & route.methods & {"POST"}:
            continue
        tenants = {t.tenant for t in targets if t.tenant is not None}
        if post.changes_in == NOTHING:
            continue
        wanted = post.changes_in if post.changes_in is not None else tenants
        seen = changed_in[post.label]
        unchanged = sorted(set(wanted) - seen) if wanted else ([] if seen else ["any tenant"])
        if unchanged:
            failures.append(f"{key} [{post.label}]: no role changed anything in {unchanged}")
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures)


# -- walking the routes ----------------------------------------------------------------------


def walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[str]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = ":".join(n for n in (namespace, pattern.namespace or "") if n)
            yield from walk(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            if pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name
            else:
                yield f"{route} [{getattr(pattern.callback, '__name__', '?')}]"


def walked_routes() -> set[str]:
    static = settings.STATIC_URL.lstrip("/")
    keys = set()
    for pattern in get_resolver().url_patterns:
        if str(pattern.pattern).startswith(("admin/", static)):
            continue
        keys.update(walk([pattern]))
    return keys


def walked_operations() -> dict[str, str]:
    """'METHOD /path' → operationId, from the OpenAPI document the API serves."""
    schema = api.get_openapi_schema()
    return {
        f"{method.upper()} {path}": op["operationId"]
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
    }


def test_every_url_pattern_is_classified() -> None:
    walked = walked_routes()
    assert walked - ROUTES.keys() == set(), "URL patterns missing from ROUTES: classify them"
    assert ROUTES.keys() - walked == set(), "ROUTES lists patterns that no longer exist"


def test_every_api_operation_is_classified(client: Client) -> None:
    operations = walked_operations()
    assert operations.keys() - API_OPERATIONS.keys() == set(), "classify these API operations"
    assert API_OPERATIONS.keys() - operations.keys() == set(), "these API operations are gone"
    # The document the API serves says the same, and each operation has its URL pattern.
    served = client.get("/api/v1/openapi.json").json()
    assert {
        f"{method.upper()} {path}" for path, ops in served["paths"].items() for method in ops
    } == operations.keys()
    api_patterns = {key for key, route in ROUTES.items() if route == API_OPERATION}
    assert api_patterns == {f"api-v1:{op_id}" for op_id in operations.values()}


@pytest.mark.parametrize("key", sorted(k for k, r in ROUTES.items() if r != API_OPERATION))
@pytest.mark.usefixtures("db")
def test_page_matrix(world: World, key: str) -> None:
    """GET and POST on every URL pattern but the API's operations, for every role."""
    route = ROUTES[key]
    assert isinstance(route, Route)

    def url_for(target: Target) -> str:
        return (route.url or reverse(key, kwargs=target.kwargs)) + target.query

    api_call = key.startswith("api")
    if not route.fresh_client:
        run_matrix(world, key, route, url_for, api_call=api_call)
        return
    # Signing out ends the session: each role signs in on a client of its own.
    saved = dict(world.pages)
    try:
        for role in PERSONAS:
            world.pages[role] = Client()
            world.pages[role].force_login(world.tenants.people[role])
        run_matrix(world, key, route, url_for, api_call=api_call)
    finally:
        world.pages.update(saved)


def api_paths() -> dict[str, str]:
    """Each API path → the fill of its operations."""
    paths: dict[str, str] = {}
    for key, route in API_OPERATIONS.items():
        paths.setdefault(key.split(" ", 1)[1], route.fill)
    return paths


@pytest.mark.parametrize("path", sorted(api_paths()))
@pytest.mark.usefixtures("db")
def test_api_matrix(world: World, path: str) -> None:
    """GET and POST on every API path, for every role; a method with no operation
    answers 405."""

    def url_for(target: Target) -> str:
        return path.format(**target.kwargs) + target.query

    for method in ("GET", "POST"):
        key = f"{method} {path}"
        no_operation = Route(api_paths()[path], frozenset(), anyone)
        route = API_OPERATIONS.get(key, no_operation)
        run_matrix(world, key, route, url_for, api_call=True, methods=(method,))


# -- the API's lists of messages and events, item by item ---------------------------------------


def event_visible(p: User, event: TicketEvent) -> bool:
    """Public events for everyone who sees the ticket; a partner's own internal
    ones (assignments) for its staff; all of them for the vendor."""
    if is_vendor(p) or event.public:
        return True
    return is_partner(p) and event.data.get("org") == p.organization_id


def message_visible(p: User, message: Message) -> bool:
    if is_vendor(p) or message.visibility == Message.Visibility.PUBLIC:
        return True
    return is_partner(p) and message.author_org_id == p.organization_id


@pytest.mark.usefixtures("db")
def test_the_api_lists_exactly_the_messages_and_events_each_role_may_see(world: World) -> None:
    failures = []
    for role in PERSONAS:
        p = world.tenants.people[role]
        auth = {"Authorization": f"Bearer {world.tokens[role]}"}
        for key, ticket in world.tickets.items():
            if not sees_company(p, ticket.company):
                continue
            base = f"/api/v1/tickets/{ticket.number}"
            events = world.api_client.get(f"{base}/events", headers=auth).json()["items"]
            wanted = [
                e.seq
                for e in TicketEvent.objects.filter(ticket=ticket).order_by("seq")
                if event_visible(p, e)
            ]
            if [e["seq"] for e in events] != wanted:
                failures.append(f"{role} {key} events {[e['seq'] for e in events]} != {wanted}")
            messages = world.api_client.get(f"{base}/messages", headers=auth).json()["items"]
            wanted = [
                m.pk
                for m in Message.objects.filter(ticket=ticket).order_by("created_at", "id")
                if message_visible(p, m)
            ]
            if [m["id"] for m in messages] != wanted:
                failures.append(f"{role} {key} messages {[m['id'] for m in messages]} != {wanted}")
    assert not failures, "\n".join(failures)
