"""An escalation in a real browser (§1.8): a direct customer asks for one in
the portal; the support manager finds it in the managers' queue, accepts it
with a primary engineer, records the plan and an update, confirms the
de-escalation checklist item by item and de-escalates. The customer then
reads the whole story, with its section, on the ticket."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from supportdesk.tickets import actions
from supportdesk.tickets.models import Escalation
from tests.e2e.conftest import PASSWORD, shot
from tests.tenants import Tenants, build_tenants

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tenants() -> Tenants:
    return build_tenants(password=PASSWORD)


def test_a_manager_takes_an_escalation_from_request_to_de_escalation(
    tenants: Tenants, sign_in: Any, artifacts: Path
) -> None:
    ivan = tenants.people["initech_user"]
    ticket = actions.do_submit_ticket(
        company=tenants.initech,
        requester=ivan,
        subject="Payroll restores fail",
        body="Every restore of the payroll share stops at 99%.",
        product="cloud-backup",
        severity=2,
        channel="portal",
        uploads=[],
        acting_user=ivan,
        now=timezone.now(),
    )

    customer = sign_in("initech_user")
    customer.goto(f"/portal/tickets/{ticket.number}/")
    request = customer.locator("#escalation-request-form")
    request.get_by_label("You need to communicate a critical business impact").check()
    request.locator("#escalation-statement").fill("Payroll cannot run until restores work.")
    request.locator("#escalation-request-submit").click()
    expect(customer.locator("#escalation-state")).to_have_text("requested")

    manager = sign_in("manager")
    manager.locator("#nav-escalations").click()
    expect(manager.get_by_test_id("escalations-requested")).to_have_text("1")
    manager.locator(f'#escalations-requested-table tr[data-ticket="{ticket.number}"] a').click()
    expect(manager.locator("#escalation-statement-shown")).to_contain_text("Payroll cannot run")

    manager.locator("#escalation-engineer-select").select_option(label="Erin Engineer")
    manager.locator("#escalation-accept").click()
    expect(manager.locator("#escalation-state")).to_have_text("active")
    expect(manager.locator("#ticket-assignee")).to_have_text("Erin Engineer")

    manager.locator("#escalation-action-plan-input").fill(
        "Restore payroll from the 02:00 snapshot; root cause afterwards."
    )
    manager.locator("#escalation-mode").select_option("phone")
    manager.locator("#escalation-every").select_option("120")
    manager.locator("#escalation-attendees").fill("Ivan Initech\nMark Manager")
    manager.locator("#escalation-plan-submit").click()
    expect(manager.locator("#escalation-plan")).to_have_text(
        "Phone call, every 2 hours; attendees: Ivan Initech, Mark Manager"
    )
    expect(manager.locator("#escalation-next-update")).to_be_visible()

    manager.locator("#escalation-update-note").fill("Snapshot mounted; restore running.")
    manager.locator("#escalation-update-submit").click()
    expect(manager.locator("#timeline")).to_contain_text("Escalation update given (§1.8)")

    # De-escalation is offered only once the checklist is complete.
    expect(manager.locator("#escalation-de-escalate-form")).to_have_count(0)
    expect(manager.locator("#escalation-deescalate-hint")).to_contain_text("3 to go")

    for item, person in (
        ("action-plan-accepted", "Ivan Initech"),
        ("troubleshooting-on-track", "Erin Engineer"),
        ("parties-agree", "Ivan Initech"),
    ):
        manager.locator("#escalation-item").select_option(item)
        manager.locator("#escalation-confirmed-by").fill(person)
        manager.locator("#escalation-confirm-submit").click()
        expect(manager.locator(f'#escalation-checklist li[data-item="{item}"]')).to_contain_text(
            f"confirmed by {person}"
        )

    manager.locator("#escalation-deescalate-note").fill("Payroll restored; RCA on Friday.")
    manager.locator("#escalation-de-escalate-submit").click()
    expect(manager.locator("#escalation-state")).to_have_text("de-escalated")
    shot(manager, artifacts, "escalation-de-escalated")

    customer.reload()
    timeline = customer.locator("#timeline")
    for line in (
        "Escalation requested: critical business impact (§1.8)",
        "Escalation accepted; primary engineer Erin Engineer (§1.8)",
        "Communication plan: phone, every 2 hours (§1.8)",
        "De-escalation checklist: parties agree, confirmed by Ivan Initech (§1.8)",
        "De-escalated (§1.8)",
    ):
        expect(timeline).to_contain_text(line)
    assert Escalation.objects.get(ticket=ticket).status == "de-escalated"
