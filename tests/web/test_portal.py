"""The portal: submitting, following, replying, asking, closing."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from supportdesk.tickets import actions
from supportdesk.tickets.models import Attachment, Ticket, TicketEvent
from tests.web.conftest import htmx

pytestmark = pytest.mark.usefixtures("clock")

FORM = {
    "product": "cloud-backup",
    "severity": "3",
    "subject": "Backups slow",
    "description": "Since Tuesday the job takes twice as long.",
}


def submitted(response) -> Ticket:
    assert response.status_code == 302, response.content.decode()
    number = response["Location"].rstrip("/").split("/")[-1]
    return Ticket.objects.get(pk=Ticket.pk_from_number(number))


def test_the_form_offers_the_policys_choices(cast, as_user):
    page = as_user(cast.alice).get("/portal/new").content.decode()
    assert 'id="submit-form"' in page
    # Severity radios, each with its definition beside it.
    for level in (1, 2, 3, 4):
        assert f'id="submit-severity-{level}"' in page
    assert "Inquiry regarding a routine technical issue" in page
    # The §1.6.1 dedicated contact, shown for Severity 1 only (by desk.js).
    assert 'data-show-for-severity="1"' in page
    assert "require You to have dedicated resources available" in page
    # Alice's company's devices; no company choice for a customer.
    assert "ACME-FS01" in page
    assert "GLOBEX-DC1" not in page
    assert 'id="submit-company"' not in page
    assert 'id="submit-to-vendor"' not in page


def test_categories_follow_the_product(cast, as_user):
    alice = as_user(cast.alice)
    backup = alice.get("/portal/new?product=cloud-backup", headers=htmx()).content.decode()
    assert backup.lstrip().startswith('<div id="matrix-fields"')
    assert "<html" not in backup
    options = set(re.findall(r'<option value="([a-z-]+)"', backup))
    from supportdesk.policies.active import active_policy
    from supportdesk.policy.matrix import offered_categories

    for product in ("cloud-backup", "disaster-recovery"):
        fragment = alice.get(f"/portal/new?product={product}", headers=htmx()).content.decode()
        options = set(re.findall(r'<option value="([a-z-]+)"', fragment))
        expected = {o.category.slug for o in offered_categories(active_policy(), product)}
        assert options == expected, product


def test_a_customer_submits_with_a_device_and_files(cast, as_user):
    alice = as_user(cast.alice)
    response = alice.post(
        "/portal/new",
        {
            **FORM,
            "device": str(cast.acme_server.pk),
            "category": "agent-installation",
            "attachments": [
                SimpleUploadedFile("log.txt", b"line 1\n"),
                SimpleUploadedFile("more.txt", b"line 2\n"),
            ],
        },
    )
    ticket = submitted(response)
    assert response["Location"] == f"/portal/tickets/{ticket.number}/"
    assert ticket.device == cast.acme_server
    assert ticket.tier == "partner"
    assert ticket.response_due_at is None
    assert ticket.channel == "portal"
    assert sorted(a.filename for a in Attachment.objects.filter(ticket=ticket)) == [
        "log.txt",
        "more.txt",
    ]
    page = alice.get(response["Location"]).content.decode()
    assert f"{ticket.number} submitted." in page
    assert 'id="ticket-handler">Northwind IT<' in page


def test_another_companys_device_is_refused_and_the_input_kept(cast, as_user):
    response = as_user(cast.alice).post(
        "/portal/new", {**FORM, "device": str(cast.globex_server.pk)}
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert 'id="submit-form-error">choose one of the company&#x27;s devices<' in page
    assert 'value="Backups slow"' in page
    assert ">Since Tuesday the job takes twice as long.</textarea>" in page
    assert 'id="submit-severity-3" required checked' in page
    assert not Ticket.objects.exists()


def test_an_empty_subject_is_refused_by_the_action(cast, as_user):
    response = as_user(cast.ivan).post("/portal/new", {**FORM, "subject": "  "})
    assert response.status_code == 422
    assert "subject is required" in response.content.decode()


def test_severity_1_without_a_dedicated_contact_opens_as_2(cast, as_user):
    ticket = submitted(as_user(cast.ivan).post("/portal/new", {**FORM, "severity": "1"}))
    assert ticket.severity == 2
    page = as_user(cast.ivan).get(f"/portal/tickets/{ticket.number}/").content.decode()
    assert "Opened as Severity 2, not 1" in page
    assert "(§1.6.1)" in page

    ticket = submitted(
        as_user(cast.ivan).post(
            "/portal/new", {**FORM, "severity": "1", "dedicated_contact": "Ivan, +1 555 0100"}
        )
    )
    assert ticket.severity == 1
    assert ticket.dedicated_contact == "Ivan, +1 555 0100"


def test_partner_staff_choose_the_company_and_may_go_straight_to_the_vendor(cast, as_user):
    nora = as_user(cast.nora)
    page = nora.get("/portal/new").content.decode()
    assert "Acme Dental</option>" in page
    assert "Globex Clinic" not in page
    assert 'id="submit-to-vendor"' in page
    fragment = nora.get(f"/portal/new?company={cast.acme.pk}", headers=htmx()).content.decode()
    assert "ACME-FS01" in fragment

    response = nora.post("/portal/new", FORM)
    assert response.status_code == 422
    assert "choose the company the ticket is for" in response.content.decode()
    response = nora.post("/portal/new", {**FORM, "company": str(cast.globex.pk)})
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()

    kept = submitted(nora.post("/portal/new", {**FORM, "company": str(cast.acme.pk)}))
    assert kept.tier == "partner"
    sent = submitted(
        nora.post("/portal/new", {**FORM, "company": str(cast.acme.pk), "to_vendor": "on"})
    )
    assert sent.tier == "vendor"
    assert sent.response_due_at is not None
    # Partner staff land on the workspace's page for it.
    response = nora.post("/portal/new", {**FORM, "company": str(cast.acme.pk)})
    assert response["Location"].startswith("/desk/tickets/SD-")


def test_the_list_shows_the_companys_tickets_with_status_and_due_time(cast, as_user, submit):
    mine = submit(cast.alice, "Mine")
    colleague = submit(cast.adam, "A colleague's")
    submit(cast.gina, "Globex's")
    direct = submit(cast.ivan, "Initech's", severity=2)
    page = as_user(cast.alice).get("/portal/").content.decode()
    assert re.findall(r'<tr data-ticket="(SD-\d+)"', page) == [colleague.number, mine.number]
    assert 'title="No vendor response target"' in page
    page = as_user(cast.ivan).get("/portal/").content.decode()
    assert re.findall(r'<tr data-ticket="(SD-\d+)"', page) == [direct.number]
    assert 'data-due="2026-11-30T17:00:00Z"' in page

    actions.do_change_status(mine, status="resolved", acting_user=cast.alice, now=timezone.now())
    alice = as_user(cast.alice)
    assert mine.number not in alice.get("/portal/").content.decode()
    assert mine.number in alice.get("/portal/?show=closed").content.decode()
    assert mine.number in alice.get("/portal/?show=all").content.decode()


def test_reply_request_and_close_from_the_portal(cast, as_user, submit):
    ticket = submit(cast.ivan, "Restore hangs")
    ivan = as_user(cast.ivan)
    url = f"/portal/tickets/{ticket.number}/"
    page = ivan.get(url).content.decode()
    for form in ("reply-form", "request-severity-form", "status-form"):
        assert f'id="{form}"' in page
    assert 'id="note-form"' not in page
    assert "Severity 3 (Important) by portal: first response within 4 hours" in page

    response = ivan.post(url + "reply", {"body": "Log attached."}, headers=htmx())
    assert response.status_code == 200
    assert "Log attached." in response.content.decode()

    response = ivan.post(
        url + "severity-request",
        {"severity": "2", "justification": "Payroll restore blocked."},
        headers=htmx(),
    )
    assert response.status_code == 200
    assert 'id="pending-request"' in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.requested_severity == 2

    response = ivan.post(url + "status", {"status": "open"}, headers=htmx())
    assert response.status_code == 422
    assert "you can resolve, close, or reopen a resolved ticket" in response.content.decode()
    response = ivan.post(url + "status", {"status": "resolved"}, headers=htmx())
    assert response.status_code == 200
    assert 'id="status-open"' in response.content.decode()  # reopen is offered now
    response = ivan.post(url + "status", {"status": "closed"}, headers=htmx())
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="ticket-closed-note"' in body
    assert 'id="reply-form"' not in body
    ticket.refresh_from_db()
    assert ticket.status == "closed"
    assert TicketEvent.objects.filter(ticket=ticket, kind="status-changed").count() == 2


def test_customers_see_no_staff_controls(cast, as_user, submit):
    ticket = submit(cast.ivan, "Restore hangs")
    page = as_user(cast.ivan).get(f"/portal/tickets/{ticket.number}/").content.decode()
    for form in ("note-form", "call-form", "severity-form", "assign-form", "watchers-form"):
        assert f'id="{form}"' not in page
