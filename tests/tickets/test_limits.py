"""Limits of support (§3.1, §3.2, §3.4): resolving or closing with a
resolution cause and its section, the report that counts them, "cannot
reproduce", and the reproduction steps a new ticket comes with."""

from datetime import timedelta

import pytest

from supportdesk.tickets.actions import (
    ActionError,
    do_change_status,
    do_forward_to_vendor,
    do_reply,
    do_submit_ticket,
)
from supportdesk.tickets.limitations import do_cannot_reproduce
from supportdesk.tickets.models import EventKind, Message, Status, Ticket, TicketEvent
from supportdesk.tickets.queries import timeline
from supportdesk.tickets.reports import report_period, resolution_cause_report
from tests.tickets.conftest import ET, MONDAY_9

MIN = timedelta(minutes=1)


def submit(people, user=None, company=None, **kw) -> Ticket:
    fields = {
        "subject": "Replication stalls",
        "body": "The appliance stops replicating at night.",
        "product": "disaster-recovery",
        "severity": 3,
        "channel": "portal",
        "now": MONDAY_9,
    }
    fields.update(kw)
    user = user or people.initech_user
    return do_submit_ticket(
        company=company or user.organization, requester=user, acting_user=user, **fields
    )


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def last(ticket: Ticket, kind: EventKind) -> TicketEvent:
    event = TicketEvent.objects.filter(ticket=ticket, kind=kind).last()
    assert event is not None
    return event


def resolve(people, ticket, cause, status="resolved", who="engineer", at=MONDAY_9 + MIN):
    return do_change_status(
        ticket, status=status, cause=cause, acting_user=getattr(people, who), now=at
    )


# -- resolution causes (§3.1, §3.4) ---------------------------------------------------------


def test_resolving_with_a_cause_records_it_with_its_section(people):
    ticket = submit(people)
    resolve(people, ticket, "local-firewall")
    ticket = fresh(ticket)
    assert ticket.status == Status.RESOLVED
    assert ticket.resolution_cause == "local-firewall"
    data = last(ticket, EventKind.STATUS_CHANGED).data
    assert data["cause"] == "local-firewall"
    assert data["cause_title"] == "Your local firewall settings"
    assert data["section"] == "§3.4(a)"
    texts = [e.text for e in timeline(people.initech_user, ticket)]
    assert (
        "Status changed from New to Resolved; cause: Your local firewall settings (§3.4(a))"
        in texts
    )


def test_closing_keeps_the_cause_and_reopening_clears_it(people):
    ticket = submit(people)
    resolve(people, ticket, "power")
    resolve(people, ticket, "", status="closed", at=MONDAY_9 + 2 * MIN)
    assert fresh(ticket).resolution_cause == "power"

    other = submit(people)
    resolve(people, other, "policy-breach")
    do_change_status(other, status="open", acting_user=people.engineer, now=MONDAY_9 + 2 * MIN)
    assert fresh(other).resolution_cause == ""


def test_a_cause_given_to_a_resolved_ticket_is_recorded(people):
    ticket = submit(people)
    resolve(people, ticket, "")
    resolve(people, ticket, "server-settings", at=MONDAY_9 + 2 * MIN)
    ticket = fresh(ticket)
    assert ticket.resolution_cause == "server-settings"
    texts = [e.text for e in timeline(people.engineer, ticket)]
    assert "Resolution cause recorded: Server settings (§3.4(c))" in texts
    # The same again changes nothing.
    count = ticket.event_count
    resolve(people, ticket, "server-settings", at=MONDAY_9 + 3 * MIN)
    assert fresh(ticket).event_count == count


@pytest.mark.parametrize(
    ("product", "status", "cause", "message"),
    [
        ("disaster-recovery", "resolved", "gremlins", "cause must be one of: updates-not-applied"),
        ("disaster-recovery", "pending-customer", "power", "when resolving or closing"),
        ("cloud-backup", "closed", "local-firewall", "applies only to disaster-recovery"),
    ],
)
def test_a_cause_the_policy_refuses(people, product, status, cause, message):
    ticket = submit(people, product=product)
    with pytest.raises(ActionError, match=message) as refused:
        resolve(people, ticket, cause, status=status)
    assert refused.value.code == "invalid"
    assert fresh(ticket).status == Status.NEW


def test_only_the_working_side_gives_a_cause(people):
    ticket = submit(people)
    with pytest.raises(ActionError, match="only the working side records a resolution cause"):
        resolve(people, ticket, "power", who="initech_user")
    resolve(people, ticket, "", who="initech_user")
    assert fresh(ticket).status == Status.RESOLVED


def test_the_report_counts_each_ticket_once_under_its_last_cause(people):
    a, b, c = submit(people), submit(people), submit(people)
    resolve(people, a, "power")
    resolve(people, b, "power")
    resolve(people, c, "improper-installation")
    # c is reopened and resolved again with another cause: it counts once, there.
    do_change_status(c, status="open", acting_user=people.engineer, now=MONDAY_9 + 2 * MIN)
    resolve(people, c, "hardware-age", at=MONDAY_9 + 3 * MIN)
    # A partner's customer's ticket, resolved by the vendor after the forward.
    acme = submit(people, user=people.acme_user)
    do_forward_to_vendor(
        acme, severity=3, acting_user=people.northwind_tech, now=MONDAY_9 + 2 * MIN
    )
    resolve(people, acme, "power", at=MONDAY_9 + 4 * MIN)

    period = report_period("2026-11-30", "2026-11-30", now=MONDAY_9, zone=ET)
    report = resolution_cause_report(people.engineer, period)
    counts = {row.cause: (row.count, row.section) for row in report.causes}
    assert counts["power"] == (3, "§3.4(d)")
    assert counts["hardware-age"] == (1, "§3.4(e)")
    assert counts["improper-installation"] == (0, "§3.1(3)")
    assert report.total == 4
    assert [row.cause for row in report.causes][:2] == [
        "updates-not-applied",
        "unauthorised-alterations",
    ]
    # Scoped like every read: Northwind sees its customer's ticket only.
    mine = resolution_cause_report(people.northwind_tech, period)
    assert mine.total == 1
    # Another day holds none.
    earlier = report_period("2026-11-29", "2026-11-29", now=MONDAY_9, zone=ET)
    assert resolution_cause_report(people.engineer, earlier).total == 0


# -- cannot reproduce (§3.2) ---------------------------------------------------------------


def test_cannot_reproduce_asks_for_steps_and_waits_for_the_customer(people):
    ticket = submit(people)
    message = do_cannot_reproduce(
        ticket, note="Tried on 8.1 twice.", acting_user=people.engineer, now=MONDAY_9 + MIN
    )
    ticket = fresh(ticket)
    assert ticket.status == Status.PENDING_CUSTOMER
    assert message.is_public
    assert message.author == people.engineer
    assert message.body.startswith("Tried on 8.1 twice.\n\nWe could not reproduce the issue")
    assert "demonstrable and reproducible" in message.body
    # The engineer's request answers the customer: a first response.
    assert ticket.first_response_at == MONDAY_9 + MIN
    event = last(ticket, EventKind.REPRODUCTION_REQUESTED)
    assert event.data == {"note": "Tried on 8.1 twice.", "category": "", "section": "§3.2"}
    status = last(ticket, EventKind.STATUS_CHANGED).data
    assert (status["from"], status["to"], status["section"]) == ("new", "pending-customer", "§3.2")
    texts = [(e.text, e.detail) for e in timeline(people.initech_user, ticket) if not e.message]
    assert (
        "Could not reproduce the issue: reproduction steps requested (§3.2)",
        "Tried on 8.1 twice.",
    ) in texts

    # The customer's steps put it back to work.
    do_reply(ticket, body="1. Open…", acting_user=people.initech_user, now=MONDAY_9 + 2 * MIN)
    assert fresh(ticket).status == Status.OPEN


def test_cannot_reproduce_without_a_note_asks_in_the_policys_words(people):
    ticket = submit(people)
    message = do_cannot_reproduce(ticket, acting_user=people.engineer, now=MONDAY_9 + MIN)
    assert message.body.startswith("We could not reproduce the issue you reported.")


@pytest.mark.parametrize(("who", "code"), [("initech_user", "forbidden"), ("finance", "forbidden")])
def test_only_the_working_side_cannot_reproduce(people, who, code):
    ticket = submit(people)
    with pytest.raises(ActionError) as refused:
        do_cannot_reproduce(ticket, acting_user=getattr(people, who), now=MONDAY_9)
    assert refused.value.code == code


def test_cannot_reproduce_on_a_ticket_not_at_work(people):
    closed = submit(people)
    do_change_status(closed, status="closed", acting_user=people.engineer, now=MONDAY_9)
    with pytest.raises(ActionError, match="no longer open"):
        do_cannot_reproduce(closed, acting_user=people.engineer, now=MONDAY_9)
    ceased = submit(people)
    do_change_status(
        ceased, status="work-ceased", reason="x", acting_user=people.engineer, now=MONDAY_9
    )
    with pytest.raises(ActionError, match="work ceased: put it back to work first") as refused:
        do_cannot_reproduce(ceased, acting_user=people.engineer, now=MONDAY_9)
    assert refused.value.code == "conflict"


# -- reproduction steps with a new ticket (§3.2) ---------------------------------------------


def test_a_troubleshooting_ticket_keeps_its_steps_below_the_description(people):
    ticket = submit(
        people,
        product="cloud-backup",
        category="dashboard-troubleshooting",
        reproduction_steps="1. Sign in\n2. Open Devices",
    )
    body = Message.objects.filter(ticket=ticket).first().body  # type: ignore[union-attr]
    assert body == (
        "The appliance stops replicating at night.\n\n"
        "Steps to reproduce (§3.2):\n1. Sign in\n2. Open Devices"
    )


def test_steps_for_another_category_are_refused(people):
    with pytest.raises(ActionError, match="reproduction_steps: reproduction steps are for"):
        submit(people, product="cloud-backup", category="billing", reproduction_steps="1. Pay")
    assert not Ticket.objects.exists()
    # Blank steps are no steps.
    submit(people, product="cloud-backup", category="billing", reproduction_steps="  ")
    assert Ticket.objects.count() == 1
