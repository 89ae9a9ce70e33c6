"""Implementation hand-over on tickets (§2.1): a partner's implementation and
agent installation tickets after the vendor-led month are answered as
guidance, the history says so, and tickets the rule does not concern cost
no extra statement."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from supportdesk.accounts.models import Organization
from supportdesk.policies.active import active_policy
from supportdesk.tickets import handover, rows
from supportdesk.tickets.actions import do_submit_ticket
from supportdesk.tickets.audit import verify_ticket_chains
from supportdesk.tickets.models import EventKind, TicketEvent
from supportdesk.tickets.queries import describe
from tests.tickets.conftest import MONDAY_9

# Northwind's first implementation: Monday 2026-10-05. The vendor leads up to
# 2026-11-04 inclusive; from 2026-11-05 Northwind's side gets guidance.
FIRST = date(2026, 10, 5)


@pytest.fixture
def implemented(people):
    Organization.objects.filter(pk=people.northwind.pk).update(first_implementation_on=FIRST)
    people.northwind.first_implementation_on = FIRST
    return people


def submit(user, company, *, category="agent-installation", now=MONDAY_9, **kw):
    return do_submit_ticket(
        company=company,
        requester=user,
        subject="Agent will not install",
        body="The installer stops at 80%.",
        product="cloud-backup",
        category=category,
        severity=3,
        channel="portal",
        acting_user=user,
        now=now,
        **kw,
    )


def guidance_events(ticket):
    return list(TicketEvent.objects.filter(ticket=ticket, kind=EventKind.GUIDANCE_ONLY))


@pytest.mark.parametrize("category", ["agent-installation", "implementation"])
def test_after_the_month_a_partners_ticket_is_answered_as_guidance(implemented, category):
    ticket = submit(implemented.acme_user, implemented.acme, category=category)
    ticket.refresh_from_db()
    assert ticket.guidance_only
    (event,) = guidance_events(ticket)
    assert event.public
    assert event.actor is None
    assert event.data["section"] == "§2.1"
    assert event.data["guidance"] is True
    assert (event.data["first_implementation_on"], event.data["hands_over_on"]) == (
        "2026-10-05",
        "2026-11-05",
    )
    text, detail = describe(event, {}, {})
    assert text.startswith("Answered as guidance (§2.1): You will be trained on the installation")
    assert "installation and implementation were the partner's from 2026-11-05" in detail
    assert verify_ticket_chains(ticket.pk) == (1, [])


def test_partner_staff_tickets_too(implemented):
    ticket = submit(implemented.northwind_tech, implemented.acme, to_vendor=True)
    assert ticket.guidance_only
    assert len(guidance_events(ticket)) == 1


@pytest.mark.parametrize(
    ("submitted", "guidance"),
    [
        # 2026-11-04 23:59 Eastern is 2026-11-05 04:59 UTC: still the vendor's month.
        (datetime(2026, 11, 5, 4, 59, tzinfo=UTC), False),
        # 2026-11-05 00:00 Eastern (05:00 UTC): the first day of Northwind's own.
        (datetime(2026, 11, 5, 5, 0, tzinfo=UTC), True),
        # Before the first implementation the vendor leads too.
        (datetime(2026, 9, 1, 14, 0, tzinfo=UTC), False),
    ],
)
def test_the_month_ends_at_midnight_eastern(implemented, submitted, guidance):
    ticket = submit(implemented.acme_user, implemented.acme, now=submitted)
    assert ticket.guidance_only is guidance
    assert len(guidance_events(ticket)) == int(guidance)


def test_within_the_month_the_vendor_leads(people):
    Organization.objects.filter(pk=people.northwind.pk).update(
        first_implementation_on=date(2026, 11, 20)
    )
    people.acme.refresh_from_db()
    ticket = submit(people.acme_user, people.acme)
    assert not ticket.guidance_only
    assert guidance_events(ticket) == []


def test_no_recorded_date_the_vendor_leads(people):
    ticket = submit(people.acme_user, people.acme)
    assert not ticket.guidance_only
    assert guidance_events(ticket) == []


def test_other_categories_and_direct_customers_are_not_concerned(implemented):
    other = submit(implemented.acme_user, implemented.acme, category="dashboard-configuration")
    direct = submit(implemented.initech_user, implemented.initech)
    assert not other.guidance_only
    assert not direct.guidance_only
    assert guidance_events(other) == guidance_events(direct) == []


@pytest.mark.parametrize("category", ["agent-installation", "dashboard-configuration", ""])
def test_submission_reads_no_row_for_it(implemented, category):
    # The partner row comes with the company (the API's token query loads it
    # so): the rule then costs no statement, concerned or not.
    company = Organization.objects.select_related("parent").get(pk=implemented.acme.pk)
    with CaptureQueriesContext(connection) as queries:
        submit(implemented.acme_user, company, category=category)
    organization_table = Organization._meta.db_table
    assert not [q for q in queries.captured_queries if organization_table in q["sql"]]


def _set_category(ticket, category, now):
    """What staff setting the category does, as `do_set_category` will."""
    with transaction.atomic():
        locked = rows.locked_ticket(ticket.pk)
        locked.category = category
        event = handover.apply(active_policy(), locked, now=now)
        rows.save_changes.update(locked)
    return event


def test_setting_the_category_later_applies_it_and_says_so_once(implemented):
    # Mailed in without a category; staff set it afterwards.
    ticket = submit(implemented.acme_user, implemented.acme, category="")
    assert not ticket.guidance_only
    later = datetime(2026, 12, 1, 15, tzinfo=UTC)
    event = _set_category(ticket, "implementation", later)
    assert event is not None
    assert (event.at, event.data["guidance"], event.data["section"]) == (later, True, "§2.1")
    ticket.refresh_from_db()
    assert ticket.guidance_only
    # The same category again changes nothing and writes nothing.
    assert _set_category(ticket, "agent-installation", later) is None
    # Another category lifts it, and the history says so.
    lifted = _set_category(ticket, "dashboard-configuration", later)
    assert lifted is not None
    assert lifted.data["guidance"] is False
    assert describe(lifted, {}, {})[0] == "No longer answered as guidance only (§2.1)"
    ticket.refresh_from_db()
    assert not ticket.guidance_only
    assert len(guidance_events(ticket)) == 2
    assert verify_ticket_chains(ticket.pk) == (1, [])


def test_the_ticket_date_decides_not_the_day_staff_set_the_category(people):
    # Submitted on 2026-11-30, before Northwind's first implementation is
    # recorded as 2026-11-10: the vendor still leads on the ticket's date.
    ticket = submit(people.acme_user, people.acme, category="")
    Organization.objects.filter(pk=people.northwind.pk).update(
        first_implementation_on=date(2026, 11, 10)
    )
    assert _set_category(ticket, "implementation", datetime(2027, 3, 1, tzinfo=UTC)) is None
    ticket.refresh_from_db()
    assert not ticket.guidance_only


def test_a_policy_without_the_rule_leaves_every_ticket_hands_on(implemented, monkeypatch):
    import dataclasses

    from supportdesk.tickets import actions

    bare = dataclasses.replace(active_policy(), handover=None)
    monkeypatch.setattr(actions, "active_policy", lambda: bare)
    ticket = submit(implemented.acme_user, implemented.acme)
    assert not ticket.guidance_only
    assert handover.decision(bare, ticket) is None


def test_staff_setting_the_category_of_a_mailed_ticket(implemented):
    from supportdesk.tickets.actions import do_set_category

    mailed = do_submit_ticket(
        company=implemented.acme,
        requester=implemented.acme_user,
        subject="Installing the agent",
        body="How do I install it on the new server?",
        product="",
        severity=3,
        channel="email",
        acting_user=implemented.acme_user,
        now=MONDAY_9,
    )
    assert not mailed.guidance_only
    ticket = do_set_category(
        mailed,
        product="cloud-backup",
        category="agent-installation",
        acting_user=implemented.northwind_tech,
        now=MONDAY_9,
    )
    ticket.refresh_from_db()
    assert ticket.guidance_only
    (event,) = guidance_events(ticket)
    assert event.data["section"] == "§2.1"
    ticket = do_set_category(
        ticket,
        product="cloud-backup",
        category="dashboard-troubleshooting",
        acting_user=implemented.northwind_tech,
        now=MONDAY_9,
    )
    ticket.refresh_from_db()
    assert not ticket.guidance_only
    assert [e.data["guidance"] for e in guidance_events(ticket)] == [True, False]
    assert verify_ticket_chains(ticket.pk) == (1, [])
