"""Escalations through the screens (§1.8): the customer asks in the portal,
a manager evaluates from the managers' queue, the engineer plans, updates,
confirms the checklist and de-escalates on the ticket page."""

from __future__ import annotations

import re

import pytest

from supportdesk.tickets.models import Escalation, EventKind, TicketEvent
from tests.web.conftest import htmx

pytestmark = pytest.mark.usefixtures("clock")


def escalate(client, number: str, step: str, *, portal: bool = False, **form: object):
    base = "/portal" if portal else "/desk"
    return client.post(f"{base}/tickets/{number}/escalation/{step}", form, headers=htmx())


def test_it_runs_an_escalation_from_the_portal_to_de_escalation(cast, as_user, submit):
    ivan, mark, erin = as_user(cast.ivan), as_user(cast.mark), as_user(cast.erin)
    number = submit(cast.ivan, "Restores fail for payroll", severity=2).number

    page = ivan.get(f"/portal/tickets/{number}/").content.decode()
    assert 'id="escalation-request-form"' in page
    assert "You need to communicate a critical business impact" in page  # the policy's reasons

    asked = escalate(
        ivan,
        number,
        "request",
        portal=True,
        reason="critical-business-impact",
        statement="Payroll cannot run until the restore works.",
    )
    assert asked.status_code == 200
    panel = asked.content.decode()
    assert 'id="escalation-state">requested<' in panel
    assert 'id="escalation-request-form"' not in panel  # one escalation at a time

    # The managers' queue shows it waiting; engineers see the queue, not the evaluate form.
    queue = mark.get("/desk/escalations/").content.decode()
    assert re.search(rf'<tr data-ticket="{number}">', queue)
    assert 'data-testid="escalations-requested">1<' in queue
    assert (
        'id="escalation-evaluate-form"' not in erin.get(f"/desk/tickets/{number}/").content.decode()
    )

    page = mark.get(f"/desk/tickets/{number}/").content.decode()
    assert 'id="escalation-evaluate-form"' in page
    assert '<option value="erin@infrascale.example"' in page
    accepted = escalate(
        mark, number, "evaluate", decision="accept", primary_engineer="erin@infrascale.example"
    )
    assert accepted.status_code == 200
    body = accepted.content.decode()
    assert 'id="escalation-engineer">Erin Engineer<' in body
    # The header comes back out of band: the ticket is Erin's now.
    assert 'id="ticket-assignee">Erin Engineer<' in body

    planned = escalate(
        erin,
        number,
        "plan",
        action_plan="Restore payroll from the 02:00 snapshot, then find the cause.",
        mode="phone",
        every_minutes="120",
        attendees="Ivan Initech\nMark Manager",
    )
    assert planned.status_code == 200, planned.content.decode()
    body = planned.content.decode()
    assert "Phone call, every 2 hours; attendees: Ivan Initech, Mark Manager" in body
    assert "Mon 30 Nov 2026 12:00 EST" in body  # next update due, 2 h after the plan

    assert escalate(erin, number, "update", note="Snapshot mounting.").status_code == 200

    # The customer sees the plan, and may say progress is insufficient.
    mine = ivan.get(f"/portal/tickets/{number}/").content.decode()
    assert 'id="escalation-insufficient-progress-form"' in mine
    assert 'id="escalation-plan-form"' not in mine
    low = escalate(ivan, number, "insufficient-progress", portal=True, statement="Still down.")
    assert 'id="escalation-level">level 2<' in low.content.decode()

    early = escalate(erin, number, "de-escalate", note="Looks fine.")
    assert early.status_code == 422
    assert "checklist" in early.content.decode().lower()

    for item, who in (
        ("action-plan-accepted", "Ivan Initech"),
        ("troubleshooting-on-track", "Erin Engineer"),
        ("parties-agree", "Ivan Initech"),
    ):
        assert escalate(erin, number, "confirm", item=item, confirmed_by=who).status_code == 200
    ended = escalate(erin, number, "de-escalate", note="Payroll restored; RCA on Friday.")
    assert ended.status_code == 200
    assert 'id="escalation-state">de-escalated<' in ended.content.decode()

    # The history tells the story, with the section, on both sides.
    history = ivan.get(f"/portal/tickets/{number}/").content.decode()
    for line in (
        "Escalation requested: critical business impact (§1.8)",
        "Escalation accepted; primary engineer Erin Engineer (§1.8)",
        "Communication plan: phone, every 2 hours (§1.8)",
        "Progress reported insufficient: escalation level 2",
        "De-escalation checklist: parties agree, confirmed by Ivan Initech (§1.8)",
        "De-escalated (§1.8)",
    ):
        assert line in history
    queue = mark.get("/desk/escalations/").content.decode()
    assert 'id="escalations-ended-table"' in queue
    assert Escalation.objects.get().status == "de-escalated"


def test_a_refused_step_keeps_what_was_typed_and_says_why(cast, as_user, submit):
    ivan, mark = as_user(cast.ivan), as_user(cast.mark)
    number = submit(cast.ivan, severity=2).number

    missing = escalate(ivan, number, "request", portal=True, reason="other", statement="")
    assert missing.status_code == 422
    assert 'id="escalation-request-error"' in missing.content.decode()

    escalate(ivan, number, "request", portal=True, reason="other", statement="We are stuck.")
    nobody = escalate(mark, number, "evaluate", decision="accept", primary_engineer="")
    assert nobody.status_code == 422
    assert "primary engineer" in nobody.content.decode().lower()
    declined = escalate(mark, number, "evaluate", decision="decline", note="")
    assert declined.status_code == 422
    assert not TicketEvent.objects.filter(kind=EventKind.ESCALATION, data__step="evaluate").exists()


def test_only_the_vendor_sees_the_managers_queue_and_nobody_takes_steps_not_theirs(
    cast, as_user, submit
):
    ivan, nora, gina = as_user(cast.ivan), as_user(cast.nora), as_user(cast.gina)
    number = submit(cast.ivan, severity=2).number
    escalate(ivan, number, "request", portal=True, reason="other", statement="We are stuck.")

    assert nora.get("/desk/escalations/").status_code == 404
    assert ivan.get("/desk/escalations/").status_code == 404
    # A customer cannot evaluate their own request, nor reach the workspace's URL.
    assert escalate(ivan, number, "evaluate", decision="accept").status_code == 404
    refused = escalate(
        ivan, number, "evaluate", portal=True, decision="accept", primary_engineer="Erin Engineer"
    )
    assert refused.status_code == 422
    # Another tenant's ticket is not there at all.
    assert (
        escalate(gina, number, "insufficient-progress", portal=True, statement="x").status_code
        == 404
    )
    assert as_user(cast.erin).post(f"/desk/tickets/{number}/escalation/nonsense").status_code == 404


def test_a_partner_ticket_is_escalated_only_once_forwarded(cast, as_user, submit):
    alice = as_user(cast.alice)
    ticket = submit(cast.alice, severity=2)
    page = alice.get(f"/portal/tickets/{ticket.number}/").content.decode()
    assert 'id="escalation-request-form"' not in page
    assert "once the ticket is forwarded to the vendor" in page
