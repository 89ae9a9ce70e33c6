"""A ticket's life in a real browser, across the tiers of DESIGN.md §2.2.

(a) A direct customer (Initech) submits a Severity 2 ticket in the portal;
    the engineer finds it at the top of the vendor queue with its due time,
    replies, and the customer sees the reply and the target met.
(b) A partner's customer (Acme Dental) submits; the ticket waits in
    Northwind's queue with no vendor due time until tech@northwind forwards
    it, and then the engineer sees it in the vendor queue with one.

The desk runs on the real clock. Portal tickets are accepted at any hour
(§1.5) and Severity 2 targets count business hours, so the due times are
never hard-coded: each one shown must equal `response_due_at` in the database.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from supportdesk.tickets import actions
from supportdesk.tickets.models import Ticket
from tests.e2e.conftest import PASSWORD, shot
from tests.tenants import Tenants, build_tenants

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tenants() -> Tenants:
    return build_tenants(password=PASSWORD)


def submit_in_portal(page: Page, subject: str, severity: int) -> Ticket:
    page.locator("#nav-new-ticket").click()
    expect(page.locator("#new-ticket-title")).to_be_visible()
    page.locator("#submit-product").select_option("cloud-backup")
    page.locator(f"#submit-severity-{severity}").check()
    page.locator("#submit-subject").fill(subject)
    page.locator("#submit-description").fill(
        "Every backup job on the file server fails at 40% since this morning."
    )
    page.locator("#submit-ticket").click()
    expect(page.locator("#ticket-subject")).to_have_text(subject)
    number = page.locator("#ticket-number").inner_text()
    return Ticket.objects.get(pk=Ticket.pk_from_number(number))


def due_shown(page: Page, number: str) -> datetime:
    """The due time the queue row of ticket `number` carries."""
    row = page.locator(f'tr[data-ticket="{number}"]')
    return datetime.fromisoformat(row.locator("time[data-testid=due]").get_attribute("datetime"))


def queue_numbers(page: Page) -> list[str]:
    return page.locator("tr[data-testid=queue-row]").evaluate_all(
        "rows => rows.map(r => r.dataset.ticket)"
    )


def open_ticket(tenants: Tenants, persona: str, subject: str, severity: int = 3) -> Ticket:
    """A ticket from earlier, opened by email."""
    user = tenants.people[persona]
    return actions.do_submit_ticket(
        company=user.organization,
        requester=user,
        subject=subject,
        body="Details inside.",
        product="cloud-backup",
        severity=severity,
        channel="email",
        acting_user=user,
        now=timezone.now(),
    )


def background_tickets(tenants: Tenants) -> list[Ticket]:
    """Other work in the vendor queue, all due later than a Severity 2 opened
    after them (Severity 3 and 4 targets are longer, in the same business hours)."""
    globex = open_ticket(tenants, "globex_user", "Agent will not start after the update")
    forwarded = actions.do_forward_to_vendor(
        globex, severity=3, acting_user=tenants.people["contoso_tech"], now=timezone.now()
    )
    return [
        open_ticket(tenants, "initech_user", "Restore of the payroll share is slow", 3),
        open_ticket(tenants, "initech_user", "How do I add a second admin?", 4),
        forwarded,
    ]


def test_a_direct_customer_is_answered_from_the_top_of_the_queue(
    tenants: Tenants, sign_in: Any, artifacts: Path
) -> None:
    background = background_tickets(tenants)

    customer = sign_in("initech_user")
    assert customer.url.endswith("/portal/"), customer.url  # customers land on their tickets
    ticket = submit_in_portal(customer, "Backups fail on INITECH-FS01", severity=2)
    assert ticket.tier == "vendor"
    assert ticket.severity == 2
    assert ticket.response_due_at is not None
    assert all(ticket.response_due_at < t.response_due_at for t in background)
    expect(customer.locator("#ticket-due [data-testid=due]")).to_have_attribute(
        "datetime", isoutc(ticket.response_due_at)
    )

    engineer = sign_in("engineer")
    expect(engineer.locator("#queue-title")).to_have_text("All open")
    numbers = queue_numbers(engineer)
    assert numbers[0] == ticket.number, numbers
    assert set(numbers) == {ticket.number, *(t.number for t in background)}
    assert due_shown(engineer, ticket.number) == ticket.response_due_at
    first = engineer.locator("tr[data-testid=queue-row]").first
    expect(first.locator("time[data-testid=due]")).to_contain_text("due in")
    shot(engineer, artifacts, "a1-vendor-queue")

    engineer.locator(f'tr[data-ticket="{ticket.number}"] a').first.click()
    expect(engineer.locator("#ticket-subject")).to_have_text(ticket.subject)
    expect(engineer.locator("#sla-lines")).to_contain_text("Severity 2")
    shot(engineer, artifacts, "a2-ticket-before-reply")
    reply = "The agent's cache volume is full; we cleared it. Tonight's backup should pass."
    engineer.locator("#reply-body").fill(reply)
    engineer.locator("#reply-submit").click()
    expect(engineer.locator("#timeline")).to_contain_text(reply)
    expect(engineer.locator("#ticket-due")).to_contain_text("responded")
    shot(engineer, artifacts, "a3-ticket-after-reply")

    ticket.refresh_from_db()
    assert ticket.first_response_at is not None
    assert ticket.first_response_at <= ticket.response_due_at
    assert not ticket.breached

    customer.reload()
    expect(customer.locator("#timeline")).to_contain_text(reply)
    met = customer.locator("#ticket-due [data-testid=due]")
    expect(met).to_have_text("responded")
    expect(met).to_have_class("due met")
    expect(customer.locator("#sla-lines")).to_contain_text("First response")
    shot(customer, artifacts, "a4-portal-answered")


def partner_tickets(tenants: Tenants) -> tuple[Ticket, Ticket]:
    """An older Acme ticket Northwind is working, and a Globex one of Contoso's."""
    return (
        open_ticket(tenants, "acme_user", "Retention policy question"),
        open_ticket(tenants, "globex_user", "Globex restore test failed"),
    )


def test_a_partner_ticket_reaches_the_vendor_queue_when_forwarded(
    tenants: Tenants, sign_in: Any, artifacts: Path
) -> None:
    acme_older, globex = partner_tickets(tenants)
    customer = sign_in("acme_user")
    ticket = submit_in_portal(customer, "Agent offline on ACME-FS01", severity=2)
    assert ticket.tier == "partner"
    assert ticket.response_due_at is None
    expect(customer.locator("#ticket-handler")).to_have_text("Northwind IT")
    expect(customer.locator("#sla-lines")).to_contain_text("with the partner")
    shot(customer, artifacts, "b1-portal-with-partner")

    engineer = sign_in("engineer")
    assert queue_numbers(engineer) == []  # with the partner: not the vendor's yet

    tech = sign_in("northwind_tech")
    row = tech.locator(f'tr[data-ticket="{ticket.number}"]')
    expect(row).to_be_visible()
    # Northwind's queue: its companies' tickets, none of Contoso's.
    assert sorted(queue_numbers(tech)) == sorted([ticket.number, acme_older.number])
    assert not re.search(rf"{globex.number}(?!\d)", tech.content())
    expect(row.locator(".tier-partner")).to_have_text("Partner")
    no_target = row.locator("[data-testid=due]")
    expect(no_target).to_have_text("—")
    expect(no_target).to_have_attribute("title", "No vendor response target")
    shot(tech, artifacts, "b2-partner-queue")

    row.locator("a").first.click()
    expect(tech.locator("#forward-form")).to_be_visible()
    tech.locator("#forward-severity-2").check()
    tech.locator("#forward-note").fill(
        "Agent reinstalled, still offline; please check the server side."
    )
    tech.locator("#forward-submit").click()
    expect(tech.locator("#timeline")).to_contain_text("Forwarded to the vendor at Severity 2")
    expect(tech.locator("#forward-form")).to_have_count(0)
    shot(tech, artifacts, "b3-partner-ticket-forwarded")

    ticket.refresh_from_db()
    assert ticket.tier == "vendor"
    assert ticket.response_due_at is not None

    engineer.reload()
    assert queue_numbers(engineer) == [ticket.number]
    assert due_shown(engineer, ticket.number) == ticket.response_due_at
    shot(engineer, artifacts, "b4-vendor-queue")

    engineer.locator(f'tr[data-ticket="{ticket.number}"] a').first.click()
    expect(engineer.locator("#ticket-due [data-testid=due]")).to_have_attribute(
        "datetime", isoutc(ticket.response_due_at)
    )
    expect(engineer.locator("#timeline")).to_contain_text("please check the server side")
    shot(engineer, artifacts, "b5-vendor-ticket")


def isoutc(value: datetime) -> str:
    """As the desk writes due times into `datetime` attributes."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
