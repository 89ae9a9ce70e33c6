"""Severity 1 continuous effort (§1.6) on the ticket pages: the workspace
shows that effort is owed and records the workaround; the customer reads
that one was provided."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from supportdesk.tickets import clock
from supportdesk.tickets.models import Ticket
from tests.web.conftest import htmx

pytestmark = pytest.mark.usefixtures("clock")

WORKAROUND = "Restore from the local cache while the cloud vault is repaired."
BADGE = "Continuous effort owed (§1.6)"


@pytest.fixture
def sev1(cast, submit) -> Ticket:
    return submit(
        cast.ivan, "Every restore fails", severity=1, dedicated_contact="Ivan, +1 555 0100"
    )


def url(ticket: Ticket, action: str = "") -> str:
    return f"/desk/tickets/{ticket.number}/{action}"


def test_the_header_says_effort_is_owed_and_the_form_records_a_workaround(cast, as_user, sev1):
    erin = as_user(cast.erin)
    page = erin.get(url(sev1)).content.decode()
    assert 'id="ticket-effort"' in page
    assert BADGE in page
    assert "nobody has it: the support managers are alerted" in page
    assert '<form id="workaround-form"' in page
    assert 'id="workaround-note"' in page
    assert 'id="workaround-submit"' in page

    response = erin.post(url(sev1, "workaround"), {"note": WORKAROUND}, headers=htmx())
    body = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#ticket-actions"
    assert BADGE not in body  # the header, swapped out of band
    assert 'id="ticket-workaround">provided Mon 30 Nov 2026 10:00 EST' in body
    assert "Workaround provided (§1.6)" in body  # the timeline
    assert WORKAROUND in body
    assert '<textarea id="workaround-note" name="note" rows="3"></textarea>' in body
    sev1.refresh_from_db()
    assert sev1.workaround_at == timezone.now()


def test_taking_the_ticket_keeps_the_effort_owed_but_ends_the_alerts(cast, as_user, sev1):
    erin = as_user(cast.erin)
    erin.post(url(sev1, "assign"), {"take": "on"}, headers=htmx())
    page = erin.get(url(sev1)).content.decode()
    assert BADGE in page
    assert "the support managers are alerted" not in page


def test_a_workaround_needs_a_note(cast, as_user, sev1):
    erin = as_user(cast.erin)
    response = erin.post(url(sev1, "workaround"), {"note": "  "}, headers=htmx())
    assert response.status_code == 422
    body = response.content.decode()
    assert body.lstrip().startswith('<form id="workaround-form"')
    assert 'id="workaround-form-error">workaround note is required</p>' in body

    response = erin.post(url(sev1, "workaround"), {"note": WORKAROUND})
    assert response.status_code == 303
    assert response["Location"] == f"/desk/tickets/{sev1.number}/#workaround-form"


def test_other_tickets_show_no_badge_and_still_take_a_workaround(cast, as_user, submit):
    ticket = submit(cast.ivan, severity=3)
    page = as_user(cast.erin).get(url(ticket)).content.decode()
    assert 'id="ticket-effort"' not in page
    assert '<form id="workaround-form"' in page


def test_the_partner_working_its_tier_records_one_and_cannot_on_the_vendors(cast, as_user, submit):
    with_partner = submit(cast.alice, severity=2)
    nora = as_user(cast.nora)
    assert '<form id="workaround-form"' in nora.get(url(with_partner)).content.decode()
    forwarded = submit(cast.alice, "Vault offline", severity=2)
    nora.post(url(forwarded, "forward"), {"severity": "1", "note": "over to you"})
    page = nora.get(url(forwarded)).content.decode()
    assert '<form id="workaround-form"' not in page
    response = nora.post(url(forwarded, "workaround"), {"note": "Mine"}, headers=htmx())
    assert response.status_code == 422
    assert "only the working side records a workaround" in response.content.decode()


def test_the_alerts_read_plainly_in_the_staff_history_only(cast, as_user, sev1):
    clock.sweep(timezone.now() + timedelta(seconds=15))
    page = as_user(cast.erin).get(url(sev1)).content.decode()
    assert "Severity 1 (Critical) and nobody has it: alert 1 to the support managers (§1.6)" in (
        page
    )
    portal = as_user(cast.ivan).get(f"/portal/tickets/{sev1.number}/").content.decode()
    assert "nobody has it" not in portal


def test_the_customer_reads_that_a_workaround_was_provided(cast, as_user, sev1):
    as_user(cast.erin).post(url(sev1, "workaround"), {"note": WORKAROUND})
    page = as_user(cast.ivan).get(f"/portal/tickets/{sev1.number}/").content.decode()
    assert 'id="ticket-workaround">A workaround was provided Mon 30 Nov 2026 10:00 EST' in page
    assert "Workaround provided (§1.6)" in page
    assert WORKAROUND in page
