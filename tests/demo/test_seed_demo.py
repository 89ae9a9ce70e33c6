"""`supportdesk seed-demo`: the demo organizations, people and ticket histories.

The demo is seeded once for the module (it plays about 2,000 actions) inside
a transaction that is rolled back at the end; each test runs in a savepoint
within it.
"""

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings

from supportdesk import cli
from supportdesk.accounts.models import Organization, User
from supportdesk.assets.models import Device, Product, Release
from supportdesk.demo.build import DEMO_PASSWORD, TICKETS, USERS
from supportdesk.policies.active import active_policy
from supportdesk.policy.versions import Release as PolicyRelease
from supportdesk.policy.versions import version_status
from supportdesk.tickets.audit import verify_ticket_chains
from supportdesk.tickets.models import (
    OPEN_STATUSES,
    EventKind,
    SavedReply,
    Ticket,
    TicketEvent,
    Tier,
)

NOW = datetime(2026, 11, 26, 11, 0, tzinfo=UTC)  # a Thursday
# Tickets the demo's mail opens (supportdesk/demo/mail.py).
MAILED = 3
FAST_HASHING = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", now=NOW.isoformat(), stdout=out, **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """(first run's output, second run's output), with the demo in the database."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHING),
        transaction.atomic(),
    ):
        first = seed()
        second = seed()
        yield first, second
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded, db):
    return seeded


def test_the_first_run_creates_everything_and_prints_the_logins(demo):
    first, _ = demo
    assert first.startswith("Created 6 organizations, 12 users, 4 products")
    assert f"{TICKETS} tickets" in first
    assert f"password for all: {DEMO_PASSWORD}" in first
    for spec in USERS:
        assert spec.email in first


def test_a_second_run_changes_nothing_and_says_so(demo):
    _, second = demo
    assert second.startswith("Nothing changed: the demo data is already there.")
    assert f"{TICKETS + MAILED} tickets" in second
    assert "admin@vendor.example" in second
    counts = (Ticket.objects.count(), TicketEvent.objects.count(), User.objects.count())
    assert seed().startswith("Nothing changed")
    assert (Ticket.objects.count(), TicketEvent.objects.count(), User.objects.count()) == counts


def test_the_supportdesk_command_takes_the_hyphenated_name(capsys):
    # --help: a real run ends with Django closing every connection, which would
    # end the module's transaction on PostgreSQL.
    with pytest.raises(SystemExit) as done:
        cli.main(["seed-demo", "--help"])
    assert done.value.code == 0
    assert "--without-tickets" in capsys.readouterr().out


@pytest.mark.parametrize("spec", USERS, ids=lambda s: s.email)
def test_every_demo_login_works(demo, spec):
    client = Client()
    assert client.login(email=spec.email, password=DEMO_PASSWORD)


def test_the_tenancy_tree(demo):
    vendor = Organization.objects.get(kind="vendor")
    northwind = Organization.objects.get(name="Northwind IT", parent=vendor, kind="partner")
    contoso = Organization.objects.get(name="Contoso MSP", parent=vendor, kind="partner")
    assert Organization.objects.get(name="Acme Dental").parent == northwind
    assert Organization.objects.get(name="Globex Clinic").parent == contoso
    initech = Organization.objects.get(name="Initech")
    assert (initech.parent, initech.partner()) == (vendor, None)

    users = {u.email: u for u in User.objects.all()}
    assert len(users) == 12
    admin = users["admin@vendor.example"]
    assert (admin.role, admin.is_staff, admin.is_superuser) == ("admin", True, True)
    roles = {email: u.role for email, u in users.items()}
    assert roles["manager@vendor.example"] == "manager"
    assert roles["finance@vendor.example"] == "finance"
    assert roles["tech@northwind.example"] == "partner-technician"
    assert roles["admin@northwind.example"] == "partner-admin"
    assert roles["tech@contoso.example"] == "partner-technician"
    assert sorted(e for e, r in roles.items() if r == "engineer") == [
        "engineer2@vendor.example",
        "engineer3@vendor.example",
        "engineer@vendor.example",
    ]
    assert users["user@acme.example"].organization.name == "Acme Dental"
    assert users["user@globex.example"].organization.name == "Globex Clinic"
    assert users["user@initech.example"].organization.name == "Initech"
    assert not any(u.is_staff for e, u in users.items() if e != "admin@vendor.example")


def test_products_releases_and_devices(demo):
    policy = active_policy()
    assert sorted(Product.objects.values_list("slug", flat=True)) == sorted(
        p.slug for p in policy.products
    )
    assert Release.objects.count() == 22
    # Some devices run a version whose support ended (§3.2), most do not.
    on = NOW.date()
    statuses = []
    for device in Device.objects.select_related("product"):
        releases = tuple(
            PolicyRelease(r.version, r.released_on) for r in device.product.releases.all()
        )
        statuses.append(version_status(policy, releases, device.version, on).supported)
    assert statuses.count(False) >= 3
    assert statuses.count(True) > statuses.count(False)
    for company in ("Acme Dental", "Globex Clinic", "Initech"):
        assert Device.objects.filter(company__name=company).count() >= 3


def test_saved_replies_for_the_vendor_and_northwind(demo):
    assert SavedReply.objects.filter(organization__kind="vendor", owner=None).count() == 8
    assert SavedReply.objects.filter(owner__email="engineer@vendor.example").count() == 1
    assert SavedReply.objects.filter(organization__name="Northwind IT").count() == 3


def test_tickets_spread_over_four_weeks_with_real_histories(demo):
    tickets = Ticket.objects.exclude(inbound_mail__source="demo")
    assert tickets.count() == TICKETS
    assert Ticket.objects.count() == TICKETS + MAILED
    first = tickets.order_by("submitted_at").first().submitted_at
    last = tickets.order_by("-submitted_at").first().submitted_at
    assert (NOW - first).days in (26, 27)
    assert last <= NOW
    assert not TicketEvent.objects.filter(at__gt=NOW).exists()
    assert tickets.filter(company__name="Initech").count() > 40
    assert tickets.filter(company__name="Acme Dental").count() > 40
    assert tickets.filter(company__name="Globex Clinic").count() > 30
    # submitted on weekends too (Eastern time)
    assert any(t.submitted_at.astimezone(cli_zone()).weekday() >= 5 for t in tickets)
    statuses = set(tickets.values_list("status", flat=True))
    assert {"new", "open", "pending-customer", "resolved", "closed"} <= statuses
    kinds = set(TicketEvent.objects.values_list("kind", flat=True))
    assert {
        EventKind.SUBMITTED,
        EventKind.MESSAGE,
        EventKind.CALL_LOGGED,
        EventKind.SEVERITY_CHANGED,
        EventKind.SEVERITY_REQUESTED,
        EventKind.SEVERITY_REQUEST_ACCEPTED,
        EventKind.SEVERITY_REQUEST_DECLINED,
        EventKind.STATUS_CHANGED,
        EventKind.ASSIGNED,
        EventKind.FORWARDED,
    } <= kinds
    assert TicketEvent.objects.filter(kind=EventKind.MESSAGE, public=False).exists()
    assert tickets.filter(category="billing", first_response_at__isnull=False).exists()


def cli_zone():
    from zoneinfo import ZoneInfo

    return ZoneInfo("America/New_York")


def test_some_breached_some_upgraded_some_downgraded(demo):
    assert Ticket.objects.filter(breached=True).count() >= 5
    assert Ticket.objects.filter(breached=False, first_response_at__isnull=False).count() > 100
    changes = TicketEvent.objects.filter(kind=EventKind.SEVERITY_CHANGED)
    directions = {"up" if e.data["to"] < e.data["from"] else "down" for e in changes}
    assert directions == {"up", "down"}
    assert all(e.data["reason"] for e in changes)
    # Upgraded in triage and answered after the new due time.
    assert Ticket.objects.filter(
        breached=True, events__kind=EventKind.SEVERITY_CHANGED, events__data__to=2
    ).exists()


def test_phone_tickets_only_when_the_phone_line_takes_them(demo):
    from supportdesk.policy.intake import check_intake

    policy = active_policy()
    phone = TicketEvent.objects.filter(kind=EventKind.SUBMITTED, data__channel="phone")
    assert phone.exists()
    for event in phone:
        assert check_intake(policy, "phone", event.data["severity"], event.at).accepted
    # The Saturday Severity 1 call, answered by a call back within the hour.
    weekend = [
        e.ticket
        for e in phone
        if e.at.astimezone(cli_zone()).weekday() >= 5 and e.data["opened_at_severity"] == 1
    ]
    ticket = next(t for t in weekend if t.response_due_at - t.submitted_at == timedelta(hours=1))
    assert ticket.submitted_at < ticket.first_response_at <= ticket.response_due_at
    assert ticket.events.filter(kind=EventKind.CALL_LOGGED, data__direction="outbound").exists()


def test_severity_1_without_a_dedicated_contact_opened_as_2(demo):
    submitted = TicketEvent.objects.filter(
        kind=EventKind.SUBMITTED, data__severity=1, data__opened_at_severity=2
    )
    assert submitted.exists()
    assert "§1.6.1" in {e.data["source"] for e in submitted}


def test_partner_tickets_forwarded_and_waiting(demo):
    forwarded = Ticket.objects.filter(events__kind=EventKind.FORWARDED).distinct()
    assert forwarded.count() >= 10
    for ticket in forwarded:
        assert ticket.tier == Tier.VENDOR
        assert ticket.clock_started_at == ticket.events.get(kind=EventKind.FORWARDED).at
    waiting = Ticket.objects.filter(
        company__name="Acme Dental", tier=Tier.PARTNER, status__in=OPEN_STATUSES
    )
    assert waiting.exists()
    assert all(t.response_due_at is None for t in waiting)
    newest = waiting.order_by("-submitted_at").first()
    # The submission and its description; and, answered as guidance, its note (§2.1).
    assert (newest.status, newest.event_count) == ("new", 2 + newest.guidance_only)
    assert newest.response_due_at is None


def test_every_hash_chain_verifies(demo):
    checked, problems = verify_ticket_chains()
    assert (checked, problems) == (TICKETS + MAILED, [])


def test_northwind_is_past_its_implementation_month_and_contoso_is_not(demo):
    from datetime import date

    northwind = Organization.objects.get(name="Northwind IT")
    contoso = Organization.objects.get(name="Contoso MSP")
    assert northwind.first_implementation_on == date(2023, 3, 6)
    assert contoso.first_implementation_on == NOW.date() - timedelta(days=10)
    # §2.1: Northwind's implementation and installation tickets are guidance.
    guided = Ticket.objects.filter(guidance_only=True)
    assert guided.exists()
    assert set(guided.values_list("partner__name", flat=True)) == {"Northwind IT"}
    categories = set(guided.values_list("category", flat=True))
    assert categories <= {"implementation", "agent-installation"}
    said = TicketEvent.objects.filter(kind=EventKind.GUIDANCE_ONLY, ticket__in=guided)
    assert said.count() == guided.count()
    assert {e.data["section"] for e in said} == {"§2.1"}


def test_a_ticket_on_a_version_out_of_support_is_flagged(demo):
    import time_machine

    from supportdesk.assets.adapters import ReleaseBook

    policy = active_policy()
    tickets = list(Ticket.objects.filter(device__isnull=False).select_related("device"))
    book = ReleaseBook.for_devices(t.device for t in tickets)
    judged = {t.pk: book.judge(policy, t.device, NOW.date()) for t in tickets}
    old = [t for t in tickets if (v := judged[t.pk]) is not None and v.out_of_support]
    assert old
    client = Client()
    client.force_login(User.objects.get(email="engineer@vendor.example"))
    with time_machine.travel(NOW, tick=False):
        page = client.get(f"/desk/tickets/{old[0].number}/").content.decode()
    assert 'id="ticket-version-flag"' in page


def test_remote_access_granted_now_and_one_request_waiting_for_initech(demo):
    from supportdesk.remote.models import RemoteAccess

    rows = list(RemoteAccess.objects.select_related("ticket__company").order_by("requested_at"))
    assert [(r.ticket.company.name, r.state) for r in rows] == [
        ("Initech", RemoteAccess.State.GRANTED),
        ("Initech", RemoteAccess.State.REQUESTED),
    ]
    granted, waiting = rows
    # The grant still runs at the demo's present: its window has not closed.
    assert granted.expires_at is not None
    assert granted.expires_at > NOW
    assert waiting.ticket.is_open
    assert verify_ticket_chains()[1] == []


def test_product_feedback_from_customers_and_a_partner_some_triaged(demo):
    from supportdesk.feedback.models import Feedback

    rows = list(Feedback.objects.select_related("organization").order_by("submitted_at"))
    assert len(rows) == 4
    assert {f.organization.name for f in rows} >= {"Acme Dental", "Northwind IT", "Initech"}
    triaged = [f for f in rows if f.state != Feedback.State.NEW]
    assert {f.state for f in triaged} == {Feedback.State.PLANNED, Feedback.State.DUPLICATE}
    assert all(f.triaged_by and f.triaged_by.email == "manager@vendor.example" for f in triaged)
    assert all(f.submitted_at < NOW for f in rows)
