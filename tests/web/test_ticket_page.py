"""The workspace ticket page and its htmx action forms."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from supportdesk.tickets import actions, saved_replies
from supportdesk.tickets.models import Message, Ticket
from tests.web.conftest import htmx

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def ticket(cast, submit) -> Ticket:
    return submit(cast.ivan, "Restore hangs at 99%", severity=3)


def url(ticket: Ticket, action: str = "") -> str:
    return f"/desk/tickets/{ticket.number}/{action}"


def test_the_page_shows_the_ticket_and_why_it_is_due(cast, as_user, ticket):
    page = as_user(cast.erin).get(url(ticket)).content.decode()
    assert f'<span class="number" id="ticket-number">{ticket.number}</span>' in page
    assert "Initech" in page
    assert "Infrascale Cloud Backup" in page
    assert "Severity 3 — Important" in page
    assert 'id="ticket-policy-version">2021-09-14+desk.1<' in page
    assert 'data-due="2026-11-30T19:00:00Z"' in page
    assert "Severity 3 (Important) by portal: first response within 4 hours" in page
    assert "Due Mon 30 Nov 2026 14:00 EST." in page
    # Every form a vendor engineer uses on a new vendor-tier ticket.
    for form in ("reply", "note", "call", "severity", "assign", "status", "watchers"):
        assert f'id="{form}-form"' in page, form
    assert 'id="forward-form"' not in page
    assert 'id="decide-form"' not in page
    # The severity form explains each level.
    assert "Critical production issue affecting all users" in page


def test_a_reply_swaps_the_form_and_updates_the_rest_out_of_band(cast, as_user, ticket):
    response = as_user(cast.erin).post(
        url(ticket, "reply"), {"body": "Please send the log."}, headers=htmx()
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert body.lstrip().startswith('<form id="reply-form"')
    assert '<textarea id="reply-body" name="body" rows="6"></textarea>' in body
    for part in ("ticket-header", "sla", "timeline", "attachments"):
        assert re.search(rf'<\w+ id="{part}"[^>]*hx-swap-oob="true"', body), part
    assert "Please send the log." in body
    ticket.refresh_from_db()
    assert ticket.first_response_at is not None
    assert ticket.status == "open"
    assert 'id="ticket-actions" class="side" hx-swap-oob="true"' in body  # status changed


def test_without_htmx_a_reply_redirects_to_the_timeline(cast, as_user, ticket):
    response = as_user(cast.erin).post(url(ticket, "reply"), {"body": "Hello"})
    assert response.status_code == 303
    assert response["Location"] == f"/desk/tickets/{ticket.number}/#timeline"


def test_a_refused_action_shows_its_message_beside_the_form_and_keeps_the_text(
    cast, as_user, ticket
):
    erin = as_user(cast.erin)
    response = erin.post(
        url(ticket, "severity"), {"severity": "2", "reason": "   "}, headers=htmx()
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert body.lstrip().startswith('<form id="severity-form"')
    assert 'id="severity-form-error">a severity change needs a reason</p>' in body
    assert 'id="severity-2" checked' in body

    response = erin.post(url(ticket, "reply"), {"body": "  "}, headers=htmx())
    assert response.status_code == 422
    assert "message is required" in response.content.decode()

    # Without htmx: the whole page, with the error in place and the text kept.
    response = erin.post(url(ticket, "call"), {"direction": "sideways", "summary": "Called Ivan"})
    page = response.content.decode()
    assert response.status_code == 422
    assert "<html" in page
    assert 'id="call-form-error"' in page
    assert ">Called Ivan</textarea>" in page


def test_changing_severity_moves_the_due_time(cast, as_user, ticket):
    response = as_user(cast.erin).post(
        url(ticket, "severity"),
        {"severity": "2", "reason": "Production restore blocked"},
        headers=htmx(),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#ticket-actions"
    assert body.lstrip().startswith('<div id="ticket-actions"')
    ticket.refresh_from_db()
    assert ticket.severity == 2
    # Upgraded at 10:00 to Severity 2: due min(14:00, 12:00) = 12:00 EST.
    assert 'data-due="2026-11-30T17:00:00Z"' in body
    assert "Production restore blocked" in body


def test_a_customers_severity_request_is_decided_on_the_page(cast, as_user, ticket):
    ivan, erin = as_user(cast.ivan), as_user(cast.erin)
    response = ivan.post(
        f"/portal/tickets/{ticket.number}/severity-request",
        {"severity": "1", "justification": ""},
        headers=htmx(),
    )
    assert response.status_code == 422
    assert "needs a justification" in response.content.decode()
    response = ivan.post(
        f"/portal/tickets/{ticket.number}/severity-request",
        {"severity": "2", "justification": "All restores blocked for payroll."},
        headers=htmx(),
    )
    assert response.status_code == 200

    page = erin.get(url(ticket)).content.decode()
    assert 'id="decide-form"' in page
    assert "All restores blocked for payroll." in page
    response = erin.post(url(ticket, "severity-decision"), {"decision": "decline"}, headers=htmx())
    assert response.status_code == 422
    assert "declining a request needs a reason" in response.content.decode()
    response = erin.post(url(ticket, "severity-decision"), {"decision": "accept"}, headers=htmx())
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.severity == 2
    assert ticket.requested_severity is None
    assert 'id="decide-form"' not in response.content.decode()


def test_take_it_and_assign(cast, as_user, ticket):
    erin = as_user(cast.erin)
    response = erin.post(url(ticket, "assign"), {"take": "on"}, headers=htmx())
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.assignee == cast.erin
    assert 'id="assign-take"' not in response.content.decode()
    erin.post(url(ticket, "assign"), {"assignee": str(cast.mark.pk)}, headers=htmx())
    ticket.refresh_from_db()
    assert ticket.assignee == cast.mark
    # Someone who cannot work the ticket is not a choice.
    response = erin.post(url(ticket, "assign"), {"assignee": str(cast.nora.pk)}, headers=htmx())
    assert response.status_code == 422
    ticket.refresh_from_db()
    assert ticket.assignee == cast.mark


def test_status_call_and_watchers(cast, as_user, ticket):
    erin = as_user(cast.erin)
    response = erin.post(
        url(ticket, "call"),
        {
            "direction": "outbound",
            "minutes": "12",
            "summary": "Walked Ivan through it",
            "public": "on",
        },
        headers=htmx(),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Outbound call, 12 min" in body
    response = erin.post(
        url(ticket, "status"),
        {"status": "pending-customer", "reason": "Waiting for log"},
        headers=htmx(),
    )
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.status == "pending-customer"
    response = erin.post(
        url(ticket, "watchers"),
        {"watchers": [str(cast.mark.pk), str(cast.ivan.pk)]},
        headers=htmx(),
    )
    assert response.status_code == 200
    assert set(ticket.watchers.all()) == {cast.mark, cast.ivan}
    # Someone who cannot see the ticket is not a choice.
    response = erin.post(url(ticket, "watchers"), {"watchers": [str(cast.gina.pk)]}, headers=htmx())
    assert response.status_code == 422


def test_closing_hides_the_compose_forms(cast, as_user, ticket):
    response = as_user(cast.erin).post(url(ticket, "status"), {"status": "closed"}, headers=htmx())
    body = response.content.decode()
    assert 'id="compose" class="compose" aria-label="Write" hx-swap-oob="true"' in body
    assert 'id="ticket-closed-note"' in body
    assert 'id="reply-form"' not in body


def test_internal_notes_are_styled_apart_for_staff(cast, as_user, ticket):
    erin = as_user(cast.erin)
    erin.post(url(ticket, "note"), {"body": "Customer's NAS is EOL."}, headers=htmx())
    page = erin.get(url(ticket)).content.decode()
    assert 'class="message kind-message internal"' in page
    assert 'data-testid="internal-note"' in page
    assert "Internal note</span>" in page


def test_the_partner_works_its_tier_and_then_follows_the_vendor(cast, as_user, submit):
    ticket = submit(cast.alice, "Agent offline", severity=3)
    nora = as_user(cast.nora)
    page = nora.get(url(ticket)).content.decode()
    assert 'id="forward-form"' in page
    assert 'id="severity-form"' in page  # the partner works its own tier
    assert "No vendor response target yet" in page
    nora.post(url(ticket, "forward"), {"severity": "3", "note": ""}, headers=htmx())
    page = nora.get(url(ticket)).content.decode()
    # Now the customer side: reply and ask, no longer change or forward.
    assert 'id="forward-form"' not in page
    assert 'id="severity-form"' not in page
    assert 'id="reply-form"' in page
    assert 'id="request-severity-form"' in page
    assert 'id="note-form"' not in page


def test_the_vendor_reads_a_partner_tier_ticket_and_may_note_it(cast, as_user, submit):
    ticket = submit(cast.alice, "Agent offline")
    page = as_user(cast.erin).get(url(ticket)).content.decode()
    assert 'id="read-only-note"' in page
    assert 'id="note-form"' in page
    assert 'id="reply-form"' not in page


def test_saved_replies_are_offered_in_the_reply_box(cast, as_user, ticket):
    saved_replies.do_save_saved_reply(
        None,
        title="Need logs",
        body="Please attach <the> logs.",
        shared=True,
        acting_user=cast.mark,
    )
    saved_replies.do_save_saved_reply(
        None, title="Contoso's", body="Not ours", shared=True, acting_user=cast.nate
    )
    page = as_user(cast.erin).get(url(ticket)).content.decode()
    assert 'id="saved-reply-picker"' in page
    assert "Please attach &lt;the&gt; logs.</template>" in page
    assert "Not ours" not in page


def test_the_ticket_page_answers_htmx_with_fragments(cast, as_user, ticket):
    response = as_user(cast.erin).get(url(ticket), headers=htmx())
    body = response.content.decode()
    assert "<html" not in body
    assert body.lstrip().startswith('<header id="ticket-header"')


def test_the_timeline_merges_events_and_messages_in_order(cast, as_user, ticket):
    now = timezone.now()
    actions.do_reply(ticket, body="First answer", acting_user=cast.erin, now=now)
    actions.do_change_status(
        ticket, status="pending-customer", reason="Need logs", acting_user=cast.erin, now=now
    )
    actions.do_reply(ticket, body="Here are the logs", acting_user=cast.ivan, now=now)
    page = as_user(cast.erin).get(url(ticket)).content.decode()
    order = [
        page.index("Submitted by portal"),
        page.index("The nightly job stops at 40%."),
        page.index("First answer"),
        page.index("Status changed from Open to Pending customer"),
        page.index("Here are the logs"),
        page.index("Status changed from Pending customer to Open"),
    ]
    assert order == sorted(order)
    assert Message.objects.filter(ticket=ticket).count() == 3
