"""The support matrix on screen (§4): the portal's form offers the product's
categories in words; an out-of-scope ticket shows the policy's answer; a
quote is accepted or declined with a button, once; the workspace sets the
category, overrides, offers quotes, and keeps a finance queue."""

from __future__ import annotations

import html
import re

import pytest
from django.utils import timezone

from supportdesk.tickets.actions import do_submit_ticket
from supportdesk.tickets.models import EventKind, Quote, Ticket, TicketEvent
from tests.web.conftest import htmx

pytestmark = pytest.mark.usefixtures("clock")

FORM = {
    "product": "cloud-backup",
    "severity": "3",
    "subject": "Move our backups",
    "description": "We bought a new server.",
}


def submitted(response) -> Ticket:
    assert response.status_code == 302, response.content.decode()
    number = response["Location"].rstrip("/").split("/")[-1]
    return Ticket.objects.get(pk=Ticket.pk_from_number(number))


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def submit(cast):
    """Open a ticket through the action for a product and category."""

    def make(
        user,
        subject="Backups fail",
        *,
        product="cloud-backup",
        category="",
        company=None,
        to_vendor=None,
    ):
        return do_submit_ticket(
            company=company or user.organization,
            requester=user,
            subject=subject,
            body="Please help.",
            product=product,
            category=category,
            severity=3,
            channel="portal",
            to_vendor=to_vendor,
            acting_user=user,
            now=timezone.now(),
        )

    return make


# -- the portal's form --------------------------------------------------------------------------


def test_the_form_says_what_each_category_means_for_the_product(cast, as_user):
    fragment = text(as_user(cast.ivan).get("/portal/new?product=disaster-recovery", headers=htmx()))
    options = dict(
        re.findall(r'<option value="([a-z-]+)" data-coverage="[a-z-]+" *>([^<]+)<', fragment)
    )
    assert options["os-patching"].endswith("— supported")
    assert options["hardware-upgrade"].endswith("— for a fee: you accept a quote before any work")
    assert "answered at once with the policy's guidance" in options["data-migration"]
    assert "finance team" in options["billing"]
    # Hardware upgrades do not apply to Cloud Backup: not offered there.
    backup = text(as_user(cast.ivan).get("/portal/new?product=cloud-backup", headers=htmx()))
    assert 'value="hardware-upgrade"' not in backup
    assert 'value="data-migration"' in backup


def test_choosing_a_category_says_what_follows(cast, as_user):
    fragment = text(
        as_user(cast.ivan).get(
            "/portal/new?product=cloud-backup&category=data-migration", headers=htmx()
        )
    )
    assert 'id="submit-category-note"' in fragment
    assert "Not supported for Infrascale Cloud Backup (§4.2.3)" in fragment
    assert "guidance on how to restore files and folders to a different machine" in fragment


def test_without_javascript_the_form_posts_back_for_the_products_categories(cast, as_user):
    ivan = as_user(cast.ivan)
    assert 'id="submit-refresh"' in ivan.get("/portal/new").content.decode()
    response = ivan.post("/portal/new", {**FORM, "product": "disaster-recovery", "refresh": "1"})
    page = text(response)
    assert response.status_code == 200
    assert 'value="hardware-upgrade"' in page
    assert 'value="Move our backups"' in page  # what was typed stays
    assert not Ticket.objects.exists()


def test_a_category_that_does_not_apply_is_refused_and_the_input_kept(cast, as_user):
    response = as_user(cast.ivan).post("/portal/new", {**FORM, "category": "hardware-upgrade"})
    assert response.status_code == 422
    page = text(response)
    assert "category 'hardware-upgrade' does not apply to product 'cloud-backup'" in page
    assert 'value="Move our backups"' in page
    assert not Ticket.objects.exists()


def test_an_unknown_category_is_refused(cast, as_user):
    response = as_user(cast.ivan).post("/portal/new", {**FORM, "category": "astrology"})
    assert response.status_code == 422
    error = re.search(r'id="submit-form-error">([^<]+)<', text(response))
    assert error is not None
    assert "category" in error[1]
    assert "astrology" in error[1]


# -- out of scope -----------------------------------------------------------------------------


def test_a_data_migration_is_answered_at_once_in_the_portal(cast, as_user):
    ivan = as_user(cast.ivan)
    ticket = submitted(ivan.post("/portal/new", {**FORM, "category": "data-migration"}))
    assert ticket.status == "out-of-scope"
    page = text(ivan.get(f"/portal/tickets/{ticket.number}/"))
    assert 'id="scope-answer"' in page
    assert "Out of scope (§4.2.3)" in page
    assert "guidance on how to restore files and folders to a different machine" in page
    assert "Out of scope</span>" in page  # the status badge
    assert "Answered as out of scope (§4.2.3)" in page  # the conversation


def test_an_engineer_overrides_with_a_reason(cast, as_user, submit):
    ticket = submit(cast.ivan, product="cloud-backup", category="data-migration")
    erin = as_user(cast.erin)
    page = text(erin.get(f"/desk/tickets/{ticket.number}/"))
    assert 'id="override-form"' in page
    assert "The customer was answered with this text" in page

    url = f"/desk/tickets/{ticket.number}/scope-override"
    refused = erin.post(url, {"reason": ""}, headers=htmx())
    assert refused.status_code == 422
    assert "reason is required" in refused.content.decode()

    done = erin.post(url, {"reason": "They restore to new hardware: supported."}, headers=htmx())
    assert done.status_code == 200
    ticket.refresh_from_db()
    assert ticket.status == "open"
    assert ticket.response_due_at is not None
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.SCOPE_OVERRIDDEN)
    assert event.data["reason"] == "They restore to new hardware: supported."
    assert 'id="override-form"' not in text(erin.get(f"/desk/tickets/{ticket.number}/"))


def test_the_customer_has_no_override(cast, as_user, submit):
    ticket = submit(cast.ivan, product="cloud-backup", category="data-migration")
    page = text(as_user(cast.ivan).get(f"/portal/tickets/{ticket.number}/"))
    assert 'id="override-form"' not in page


# -- quotes -----------------------------------------------------------------------------------


@pytest.fixture
def upgrade(cast, submit):
    return submit(cast.ivan, product="disaster-recovery", category="hardware-upgrade")


def offer(as_user, cast, ticket, **fields):
    data = {
        "amount": "1250.00",
        "currency": "USD",
        "description": "A larger appliance.",
        "reason": "matrix",
    }
    return as_user(cast.erin).post(
        f"/desk/tickets/{ticket.number}/quote", {**data, **fields}, headers=htmx()
    )


def test_the_customer_waits_for_a_quote_then_accepts_it_once(cast, as_user, upgrade):
    ivan = as_user(cast.ivan)
    portal = f"/portal/tickets/{upgrade.number}/"
    waiting = text(ivan.get(portal))
    assert "Awaiting quote" in waiting
    assert "support will send you a quote to accept or decline before any work" in waiting
    assert 'id="quote-accept"' not in waiting

    assert offer(as_user, cast, upgrade).status_code == 200
    page = text(ivan.get(portal))
    assert "1250.00 USD" in page
    assert "Quote (§4.2.4)" in page
    assert 'id="quote-accept"' in page
    assert 'id="quote-decline"' in page

    url = f"/portal/tickets/{upgrade.number}/quote/decision"
    accepted = ivan.post(url, {"decision": "accept"}, headers=htmx())
    assert accepted.status_code == 200
    assert 'id="quote-accept"' not in accepted.content.decode()
    upgrade.refresh_from_db()
    assert upgrade.status == "open"
    # A second answer: the buttons are gone, and a stale page's post is refused.
    again = ivan.post(url, {"decision": "decline"}, headers=htmx())
    assert again.status_code == 422
    assert "the quote was already accepted" in again.content.decode()
    assert Quote.objects.get().state == Quote.State.ACCEPTED
    assert "Accepted" in text(ivan.get(portal))


def test_a_declined_quote_resolves_the_ticket(cast, as_user, upgrade):
    offer(as_user, cast, upgrade)
    as_user(cast.ivan).post(
        f"/portal/tickets/{upgrade.number}/quote/decision", {"decision": "decline"}
    )
    upgrade.refresh_from_db()
    assert upgrade.status == "resolved"
    page = text(as_user(cast.ivan).get(f"/portal/tickets/{upgrade.number}/"))
    assert "Quote of 1250.00 USD declined: no work is done (§4.2.4)" in page


def test_a_bad_quote_is_shown_beside_the_form(cast, as_user, upgrade):
    refused = offer(as_user, cast, upgrade, amount="-3")
    assert refused.status_code == 422
    assert 'id="quote-form-error"' in refused.content.decode()
    assert not Quote.objects.exists()
    page = text(as_user(cast.erin).get(f"/desk/tickets/{upgrade.number}/"))
    assert 'id="quote-form"' in page
    offer(as_user, cast, upgrade)
    # One quote waits at a time: the form is gone until it is decided.
    assert 'id="quote-form"' not in text(as_user(cast.erin).get(f"/desk/tickets/{upgrade.number}/"))


def test_the_engineer_withdraws_a_waiting_quote_with_a_reason(cast, as_user, upgrade):
    erin = as_user(cast.erin)
    desk = f"/desk/tickets/{upgrade.number}/"
    url = f"/desk/tickets/{upgrade.number}/quote/withdraw"
    assert 'id="quote-withdraw-form"' not in text(erin.get(desk))
    offer(as_user, cast, upgrade)
    assert 'id="quote-withdraw-form"' in text(erin.get(desk))

    nameless = erin.post(url, {"reason": ""}, headers=htmx())
    assert nameless.status_code == 422
    assert "reason is required" in nameless.content.decode()
    assert Quote.objects.get().state == Quote.State.OFFERED

    done = erin.post(url, {"reason": "Wrong appliance model."}, headers=htmx())
    assert done.status_code == 200
    answer = done.content.decode()
    # The side panel comes back with the offer form again, not the withdrawal.
    assert 'id="quote-form"' in answer
    assert 'id="quote-withdraw-form"' not in answer
    assert Quote.objects.get().state == Quote.State.WITHDRAWN
    portal = text(as_user(cast.ivan).get(f"/portal/tickets/{upgrade.number}/"))
    assert "Quote of 1250.00 USD withdrawn (§4.2.4)" in portal
    assert "Wrong appliance model." in portal
    assert 'id="quote-accept"' not in portal


def test_partner_staff_decide_the_quote_of_a_ticket_they_forwarded(cast, as_user, submit):
    ticket = submit(
        cast.nora,
        company=cast.acme,
        to_vendor=True,
        product="disaster-recovery",
        category="hardware-upgrade",
    )
    offer(as_user, cast, ticket)
    nora = as_user(cast.nora)
    assert 'id="quote-accept"' in text(nora.get(f"/desk/tickets/{ticket.number}/"))
    nora.post(f"/desk/tickets/{ticket.number}/quote/decision", {"decision": "accept"})
    assert Quote.objects.get().state == Quote.State.ACCEPTED


# -- the category, set in the workspace ----------------------------------------------------


def test_staff_set_the_category_of_a_ticket_that_came_without_one(cast, as_user, submit):
    ticket = submit(cast.ivan, product="cloud-backup")
    erin = as_user(cast.erin)
    page = text(erin.get(f"/desk/tickets/{ticket.number}/"))
    assert '<optgroup label="Infrascale Cloud Backup">' in page
    # Only what applies to each product is offered.
    assert 'value="cloud-backup:hardware-upgrade"' not in page
    assert 'value="disaster-recovery:hardware-upgrade"' in page

    url = f"/desk/tickets/{ticket.number}/category"
    refused = erin.post(url, {"scope": "cloud-backup:hardware-upgrade"}, headers=htmx())
    assert refused.status_code == 422
    done = erin.post(url, {"scope": "cloud-backup:data-deletion"}, headers=htmx())
    assert done.status_code == 200
    ticket.refresh_from_db()
    assert (ticket.category, ticket.status) == ("data-deletion", "out-of-scope")
    # The customer reads the policy's answer in the conversation.
    portal = text(as_user(cast.ivan).get(f"/portal/tickets/{ticket.number}/"))
    assert (
        "Your ticket's category, Backup and data deletion, is not supported for Infrascale"
        in portal
    )
    assert "(support policy §4.2.6)" in portal


# -- the finance queue ----------------------------------------------------------------------


def test_billing_questions_are_in_the_finance_queue_not_the_engineers(cast, as_user, submit):
    from supportdesk.accounts.models import Role, User

    fiona = User.objects.create_user(
        "fiona@infrascale.example", None, name="Fiona", organization=cast.vendor, role=Role.FINANCE
    )
    billing = submit(cast.ivan, "Invoice 42 is wrong", product="cloud-backup", category="billing")
    technical = submit(cast.ivan, "Agent offline")

    workspace = as_user(fiona).get("/desk/")
    page = text(workspace)
    assert 'id="queue-title">Finance<' in page
    assert billing.number in page
    assert technical.number not in page

    unassigned = text(as_user(cast.erin).get("/desk/queue/unassigned/"))
    assert technical.number in unassigned
    assert billing.number not in unassigned
    finance = text(as_user(cast.erin).get("/desk/queue/finance/"))
    assert billing.number in finance
