"""The support matrix through the actions (§4): intake by coverage at
submission and when staff set the category later (as for a mailed ticket),
the override of "out of scope", quotes, and the finance queue."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from supportdesk.mail.models import OutboundMail
from supportdesk.tickets import quotes
from supportdesk.tickets.actions import (
    ActionError,
    do_change_status,
    do_forward_to_vendor,
    do_override_scope,
    do_reply,
    do_set_category,
    do_submit_ticket,
)
from supportdesk.tickets.adapters import effort_owed, sla_explanation
from supportdesk.tickets.audit import verify_ticket_chains
from supportdesk.tickets.models import EventKind, Message, Quote, Status, TicketEvent
from supportdesk.tickets.queries import QueueFilters, queue_tickets, timeline
from tests.tickets.conftest import ET, MONDAY_9

HOUR = timedelta(hours=1)


def submit(user, company, **kw):
    fields = {
        "subject": "Backups fail",
        "body": "Since the update every job fails.",
        "product": "cloud-backup",
        "severity": 3,
        "channel": "portal",
    }
    fields.update(kw)
    now = fields.pop("now", MONDAY_9)
    return do_submit_ticket(company=company, requester=user, acting_user=user, now=now, **fields)


def mailed(people, **kw):
    """A ticket as mail brings it: no product, no category."""
    return submit(people.initech_user, people.initech, channel="email", product="", **kw)


def kinds(ticket):
    return [e.kind for e in TicketEvent.objects.filter(ticket=ticket).order_by("seq")]


def offer(ticket, user, **kw):
    fields = {
        "amount": Decimal("800"),
        "currency": "usd",
        "description": "A bigger appliance.",
        "reason": "matrix",
    }
    fields.update(kw)
    return quotes.do_offer_quote(ticket, acting_user=user, now=MONDAY_9 + HOUR, **fields)


# -- at submission --------------------------------------------------------------------------


def test_a_supported_ticket_is_opened_as_ever(people):
    ticket = submit(people.initech_user, people.initech, category="dashboard-configuration")
    assert (ticket.status, ticket.coverage) == (Status.NEW, "supported")
    assert kinds(ticket) == [EventKind.SUBMITTED, EventKind.MESSAGE]
    assert ticket.response_due_at == MONDAY_9 + 4 * HOUR


def test_not_supported_answers_at_once_and_stops_the_clock(people):
    ticket = submit(people.initech_user, people.initech, category="data-migration", severity=1)
    assert ticket.status == Status.OUT_OF_SCOPE
    assert ticket.response_due_at is None
    assert ticket.sla_next_at is None  # no warning, breach or alert to come
    assert kinds(ticket) == [
        EventKind.SUBMITTED,
        EventKind.MESSAGE,
        EventKind.OUT_OF_SCOPE,
        EventKind.STATUS_CHANGED,
    ]
    answer = TicketEvent.objects.get(ticket=ticket, kind=EventKind.OUT_OF_SCOPE)
    assert answer.public
    assert answer.data["section"] == "§4.2.3"
    assert answer.data["text"].endswith("restore files and folders to a different machine.")
    # A Severity 1 answered as out of scope owes no continuous effort (§1.6).
    assert not effort_owed(ticket_policy(ticket), ticket)
    assert verify_ticket_chains()[1] == []


def ticket_policy(ticket):
    from supportdesk.policies.active import policy_for_version

    return policy_for_version(ticket.policy_version)


def test_the_customer_reads_the_answer_in_the_history(people):
    ticket = submit(people.initech_user, people.initech, category="data-migration")
    entries = timeline(people.initech_user, ticket)
    answered = next(e for e in entries if e.kind == EventKind.OUT_OF_SCOPE)
    assert answered.text == "Answered as out of scope (§4.2.3)"
    assert "different machine" in answered.detail


def test_a_fee_row_waits_for_a_quote_with_the_clock_running(people):
    ticket = submit(
        people.initech_user,
        people.initech,
        product="disaster-recovery",
        category="hardware-upgrade",
    )
    assert ticket.status == Status.AWAITING_QUOTE
    assert ticket.response_due_at == MONDAY_9 + 4 * HOUR
    changed = TicketEvent.objects.get(ticket=ticket, kind=EventKind.STATUS_CHANGED)
    assert changed.data["section"] == "§4.2.4"


def test_billing_has_no_target_and_no_effort_even_at_severity_1(people):
    ticket = submit(
        people.initech_user,
        people.initech,
        category="billing",
        severity=1,
        dedicated_contact="Ivan, +1 555 0100",
    )
    assert (ticket.status, ticket.coverage) == (Status.NEW, "finance")
    assert ticket.response_due_at is None
    assert ticket.sla_next_at is None
    assert not effort_owed(ticket_policy(ticket), ticket)
    lines = sla_explanation(ticket_policy(ticket), ticket).lines(ET)
    assert lines[-1] == (
        "Billing assistance questions are answered by the finance team and carry no "
        "response-time target (§4.2.7)."
    )


def test_a_partners_out_of_scope_ticket_stays_without_a_clock_once_forwarded(people):
    ticket = submit(people.acme_user, people.acme, category="data-deletion")
    assert (ticket.tier, ticket.status) == ("partner", Status.OUT_OF_SCOPE)
    ticket = do_forward_to_vendor(
        ticket, severity=3, acting_user=people.northwind_tech, now=MONDAY_9 + HOUR
    )
    # Forwarding opens it, as it opens any ticket the partner hands on.
    assert ticket.status == Status.OPEN
    assert ticket.response_due_at == MONDAY_9 + 5 * HOUR


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"product": "toaster"}, "product must be one of"),
        ({"category": "astrology"}, "'astrology' is not a support category"),
        ({"category": "hardware-upgrade"}, "does not apply to product 'cloud-backup'"),
        ({"channel": "email", "product": "", "category": "billing"}, "product must be one of"),
    ],
)
def test_bad_products_and_categories_are_refused(people, fields, words):
    with pytest.raises(ActionError, match=words):
        submit(people.initech_user, people.initech, **fields)


# -- set later, as for mail ---------------------------------------------------------------------


def test_a_mailed_ticket_gets_its_category_and_the_answer_goes_out_by_mail(people):
    ticket = mailed(people, severity=2)
    assert ticket.response_due_at == MONDAY_9 + 2 * HOUR
    ticket = do_set_category(
        ticket,
        product="cloud-backup",
        category="data-migration",
        acting_user=people.engineer,
        now=MONDAY_9 + HOUR,
    )
    assert (ticket.product, ticket.category, ticket.coverage) == (
        "cloud-backup",
        "data-migration",
        "not-supported",
    )
    assert ticket.status == Status.OUT_OF_SCOPE
    assert ticket.response_due_at is None
    answer = Message.objects.filter(ticket=ticket).latest("id")
    assert answer.author is None
    assert answer.is_public
    assert "(support policy §4.2.3)" in answer.body
    mail = OutboundMail.objects.get(ticket=ticket, ticket_message=answer)
    assert mail.to == [people.initech_user.email]
    assert "restore files and folders to a different machine" in mail.body
    # Automatic: not the vendor's first response.
    assert ticket.first_response_at is None
    category_set = TicketEvent.objects.get(ticket=ticket, kind=EventKind.CATEGORY_SET)
    assert category_set.data["from_product"] == ""
    assert category_set.actor == people.engineer
    assert verify_ticket_chains()[1] == []


def test_the_same_category_again_changes_nothing(people):
    ticket = submit(people.initech_user, people.initech, category="billing")
    before = ticket.event_count
    do_set_category(
        ticket,
        product="cloud-backup",
        category="billing",
        acting_user=people.finance,
        now=MONDAY_9,
    )
    ticket.refresh_from_db()
    assert ticket.event_count == before


def test_moving_out_of_a_fee_row_withdraws_the_quote_and_opens_the_ticket(people):
    ticket = submit(
        people.initech_user,
        people.initech,
        product="disaster-recovery",
        category="hardware-upgrade",
    )
    offer(ticket, people.engineer)
    ticket = do_set_category(
        ticket,
        product="disaster-recovery",
        category="os-patching",
        acting_user=people.engineer,
        now=MONDAY_9 + 2 * HOUR,
    )
    assert ticket.status == Status.OPEN
    assert Quote.objects.get().state == Quote.State.WITHDRAWN
    with pytest.raises(ActionError, match="already withdrawn"):
        quotes.do_decide_quote(
            ticket, accept=True, acting_user=people.initech_user, now=MONDAY_9 + 3 * HOUR
        )


def test_only_the_working_side_sets_the_category_of_an_open_ticket(people):
    ticket = mailed(people)
    with pytest.raises(ActionError) as refused:
        do_set_category(
            ticket,
            product="cloud-backup",
            category="billing",
            acting_user=people.initech_user,
            now=MONDAY_9,
        )
    assert refused.value.code == "forbidden"
    do_change_status(ticket, status="closed", acting_user=people.engineer, now=MONDAY_9)
    with pytest.raises(ActionError) as closed:
        do_set_category(
            ticket,
            product="cloud-backup",
            category="billing",
            acting_user=people.engineer,
            now=MONDAY_9,
        )
    assert closed.value.code == "conflict"


# -- override -------------------------------------------------------------------------------------


def test_override_needs_a_reason_and_restarts_the_clock_from_then(people):
    ticket = submit(people.initech_user, people.initech, category="data-migration", severity=2)
    with pytest.raises(ActionError, match="reason is required"):
        do_override_scope(ticket, reason="  ", acting_user=people.engineer, now=MONDAY_9 + HOUR)
    ticket = do_override_scope(
        ticket, reason="A restore, in fact.", acting_user=people.engineer, now=MONDAY_9 + HOUR
    )
    assert ticket.status == Status.OPEN
    assert ticket.response_due_at == MONDAY_9 + 3 * HOUR
    with pytest.raises(ActionError, match="not out of scope") as again:
        do_override_scope(ticket, reason="Again.", acting_user=people.engineer, now=MONDAY_9)
    assert again.value.code == "conflict"


def test_the_status_form_cannot_reopen_an_out_of_scope_ticket(people):
    ticket = submit(people.initech_user, people.initech, category="data-migration")
    with pytest.raises(ActionError, match="Override"):
        do_change_status(ticket, status="open", acting_user=people.engineer, now=MONDAY_9)
    # Closing it is fine.
    ticket = do_change_status(ticket, status="resolved", acting_user=people.engineer, now=MONDAY_9)
    assert ticket.status == Status.RESOLVED


def test_the_customer_cannot_override(people):
    ticket = submit(people.initech_user, people.initech, category="data-migration")
    with pytest.raises(ActionError) as refused:
        do_override_scope(ticket, reason="Please.", acting_user=people.initech_user, now=MONDAY_9)
    assert refused.value.code == "forbidden"


# -- quotes --------------------------------------------------------------------------------------


@pytest.fixture
def upgrade(people):
    return submit(
        people.initech_user,
        people.initech,
        product="disaster-recovery",
        category="hardware-upgrade",
    )


def test_a_quote_is_the_first_response_and_accepted_once(people, upgrade):
    quote = offer(upgrade, people.engineer)
    assert (quote.amount, quote.currency, quote.state) == (Decimal("800.00"), "USD", "offered")
    upgrade.refresh_from_db()
    assert upgrade.first_response_at == MONDAY_9 + HOUR
    quote = quotes.do_decide_quote(
        upgrade, accept=True, acting_user=people.initech_user, now=MONDAY_9 + 2 * HOUR
    )
    assert quote.state == Quote.State.ACCEPTED
    assert quote.decided_by == people.initech_user
    with pytest.raises(ActionError, match="already accepted") as twice:
        quotes.do_decide_quote(
            upgrade, accept=True, acting_user=people.initech_user, now=MONDAY_9 + 3 * HOUR
        )
    assert twice.value.code == "conflict"
    accepted = TicketEvent.objects.get(ticket=upgrade, kind=EventKind.QUOTE_ACCEPTED)
    assert accepted.data | {"quote": None} == {
        "quote": None,
        "amount": "800.00",
        "currency": "USD",
        "description": "A bigger appliance.",
        "reason": "matrix",
        "section": "§4.2.4",
        "side": "customer",
    }
    upgrade.refresh_from_db()
    assert upgrade.status == Status.OPEN


def test_a_quote_offered_by_the_partner_is_not_the_vendors_first_response(people):
    ticket = submit(
        people.acme_user, people.acme, product="disaster-recovery", category="hardware-upgrade"
    )
    offer(ticket, people.northwind_tech)
    ticket = do_forward_to_vendor(
        ticket, severity=3, acting_user=people.northwind_tech, now=MONDAY_9 + 2 * HOUR
    )
    assert ticket.first_response_at is None


def test_a_declined_quote_resolves_the_ticket_and_a_new_one_may_follow_a_reopening(people, upgrade):
    offer(upgrade, people.engineer)
    quotes.do_decide_quote(
        upgrade, accept=False, acting_user=people.initech_user, now=MONDAY_9 + 2 * HOUR
    )
    upgrade.refresh_from_db()
    assert upgrade.status == Status.RESOLVED
    declined = TicketEvent.objects.get(ticket=upgrade, kind=EventKind.QUOTE_DECLINED)
    assert declined.public
    assert (declined.data["amount"], declined.data["section"]) == ("800.00", "§4.2.4")
    # The customer reopens: a new quote may be offered.
    do_reply(upgrade, body="Send a cheaper one?", acting_user=people.initech_user, now=MONDAY_9)
    assert offer(upgrade, people.engineer, amount=Decimal("500")).state == "offered"


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"amount": Decimal("0")}, "amount must be more than 0"),
        ({"amount": Decimal("1.005")}, "at most 2 decimal places"),
        ({"amount": Decimal("NaN")}, "more than 0"),
        ({"amount": Decimal("1e12")}, "at most 9999999999.99"),
        ({"currency": "€"}, "3-letter code"),
        ({"description": ""}, "description is required"),
        ({"reason": "whim"}, "reason must be one of matrix, third-party"),
    ],
)
def test_a_bad_quote_is_refused(people, upgrade, fields, words):
    with pytest.raises(ActionError, match=words):
        offer(upgrade, people.engineer, **fields)
    assert not Quote.objects.exists()


def test_who_offers_and_who_decides(people, upgrade):
    for outsider in (people.initech_user, people.northwind_tech):
        with pytest.raises(ActionError) as refused:
            offer(upgrade, outsider)
        assert refused.value.code == "forbidden"
    offer(upgrade, people.engineer)
    for outsider in (people.engineer, people.globex_user):
        with pytest.raises(ActionError) as refused:
            quotes.do_decide_quote(upgrade, accept=True, acting_user=outsider, now=MONDAY_9)
        assert refused.value.code == "forbidden"


def test_a_third_party_quote_may_be_offered_on_any_open_ticket(people):
    ticket = submit(people.initech_user, people.initech)
    quote = offer(ticket, people.engineer, reason="third-party")
    offered = TicketEvent.objects.get(ticket=ticket, kind=EventKind.QUOTE_OFFERED)
    assert (quote.reason, offered.data["section"]) == ("third-party", "§3.3")
    ticket.refresh_from_db()
    assert ticket.status == Status.AWAITING_QUOTE


def test_the_customer_is_told_of_a_quote_by_mail(people):
    ticket = submit(people.initech_user, people.initech)
    offer(
        ticket,
        people.engineer,
        amount=Decimal("450.00"),
        description="Two hours on site.",
        reason="third-party",
    )
    [told] = Message.objects.filter(ticket=ticket, author=people.engineer)
    assert told.is_public
    assert "450.00 USD" in told.body
    assert "Two hours on site." in told.body
    mail = OutboundMail.objects.get(ticket=ticket, ticket_message=told)
    assert mail.to == [people.initech_user.email]


def test_a_declined_third_party_quote_leaves_work_ceased_not_resolved(people):
    """§3.3: without the paid work, the unsupported software stays the
    obstacle: work ceases until it is removed; the ticket is not closed."""
    ticket = submit(people.initech_user, people.initech)
    offer(ticket, people.engineer, reason="third-party")
    quotes.do_decide_quote(
        ticket, accept=False, acting_user=people.initech_user, now=MONDAY_9 + timedelta(hours=1)
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.WORK_CEASED
    [changed] = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.STATUS_CHANGED).order_by(
        "-seq"
    )[:1]
    assert "until the unsupported software is removed" in changed.data["reason"]


def withdraw(ticket, user, reason="The amount was wrong; a corrected quote follows."):
    return quotes.do_withdraw_quote(
        ticket, reason=reason, acting_user=user, now=MONDAY_9 + 2 * HOUR
    )


def test_a_withdrawn_quote_cannot_be_accepted_and_another_may_follow(people, upgrade):
    offer(upgrade, people.engineer)
    quote = withdraw(upgrade, people.engineer)
    assert (quote.state, quote.decided_by) == (Quote.State.WITHDRAWN, people.engineer)
    with pytest.raises(ActionError, match="already withdrawn") as late:
        quotes.do_decide_quote(
            upgrade, accept=True, acting_user=people.initech_user, now=MONDAY_9 + 3 * HOUR
        )
    assert late.value.code == "conflict"
    # A fee row's work still needs a quote (§4): the ticket waits for the next.
    upgrade.refresh_from_db()
    assert upgrade.status == Status.AWAITING_QUOTE
    assert offer(upgrade, people.engineer, amount=Decimal("700")).state == "offered"
    withdrawn = TicketEvent.objects.get(ticket=upgrade, kind=EventKind.QUOTE_WITHDRAWN)
    assert withdrawn.public
    assert (withdrawn.data["amount"], withdrawn.data["section"]) == ("800.00", "§4.2.4")
    assert withdrawn.data["why"] == "The amount was wrong; a corrected quote follows."
    assert verify_ticket_chains()[1] == []


def test_the_customer_is_told_why_a_quote_was_withdrawn(people, upgrade):
    offer(upgrade, people.engineer)
    withdraw(upgrade, people.engineer)
    told = Message.objects.filter(ticket=upgrade, author=people.engineer).order_by("id").last()
    assert told is not None
    assert told.is_public
    assert "withdrawn our quote of 800.00 USD" in told.body
    assert "a corrected quote follows" in told.body
    assert OutboundMail.objects.filter(ticket=upgrade, ticket_message=told).exists()
    entries = [e.text for e in timeline(people.initech_user, upgrade)]
    assert "Quote of 800.00 USD withdrawn (§4.2.4)" in entries


def test_a_withdrawn_third_party_quote_puts_the_ticket_back_to_work(people):
    ticket = submit(people.initech_user, people.initech)
    offer(ticket, people.engineer, reason="third-party")
    withdraw(ticket, people.engineer, reason="No fee after all: we go on.")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_only_the_working_side_withdraws_a_waiting_quote_with_a_reason(people, upgrade):
    with pytest.raises(ActionError, match="no quote is waiting") as none:
        withdraw(upgrade, people.engineer)
    assert none.value.code == "conflict"
    offer(upgrade, people.engineer)
    with pytest.raises(ActionError, match="only the working side") as customer:
        withdraw(upgrade, people.initech_user)
    assert customer.value.code == "forbidden"
    with pytest.raises(ActionError, match="reason is required"):
        withdraw(upgrade, people.engineer, reason="  ")
    assert Quote.objects.get(ticket=upgrade).state == Quote.State.OFFERED


# -- the finance queue --------------------------------------------------------------------------


def test_the_finance_queue_holds_billing_questions_only(people):
    billing = submit(people.initech_user, people.initech, category="billing")
    other = submit(people.initech_user, people.initech)
    finance = queue_tickets(people.finance, "finance", QueueFilters(), now=MONDAY_9)
    assert list(finance) == [billing]
    unassigned = queue_tickets(people.engineer, "unassigned", QueueFilters(), now=MONDAY_9)
    assert list(unassigned) == [other]
