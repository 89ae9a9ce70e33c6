"""The severity lifecycle's history (§1.7): each change with its section, a
downgrade that says the customer mis-assigned the severity (§1.7.3), and
the breach report that keeps such breaches apart from the vendor's own."""

from datetime import datetime, timedelta

import pytest

from supportdesk.accounts.access import visible_messages
from supportdesk.tickets import clock
from supportdesk.tickets.actions import (
    ActionError,
    do_change_severity,
    do_decide_severity_request,
    do_note_by_desk,
    do_request_severity,
)
from supportdesk.tickets.audit import verify_ticket_chains
from supportdesk.tickets.models import EventKind, Ticket, TicketEvent
from supportdesk.tickets.queries import timeline
from supportdesk.tickets.reports import BadPeriod, Period, breach_report, report_period
from tests.tickets.conftest import ET, MONDAY_9
from tests.tickets.test_actions import submit

HOUR = timedelta(hours=1)
# Sev2 by portal at Monday 09:00 Eastern is due 11:00; Sev3 at 13:00.
SEV2_DUE = MONDAY_9 + 2 * HOUR
SEV3_DUE = MONDAY_9 + 4 * HOUR
MONDAY = Period(MONDAY_9 - 9 * HOUR, MONDAY_9 + 15 * HOUR)


def last(ticket: Ticket, kind: EventKind) -> TicketEvent:
    event = TicketEvent.objects.filter(ticket=ticket, kind=kind).order_by("seq").last()
    assert event is not None
    return event


def test_a_misassigned_downgrade_records_why_and_its_section(people):
    ticket = submit(people, people.initech_user, people.initech, severity=2)
    do_change_severity(
        ticket,
        severity=3,
        reason="One test server, production is fine",
        misassigned=True,
        acting_user=people.engineer,
        now=MONDAY_9 + HOUR,
    )
    event = last(ticket, EventKind.SEVERITY_CHANGED)
    assert event.data == {
        "from": 2,
        "to": 3,
        "reason": "One test server, production is fine",
        "misassigned": True,
        "section": "§1.7.3",
    }
    [entry] = [e for e in timeline(people.engineer, ticket) if e.kind == event.kind]
    assert entry.text.endswith("mis-assigned by the customer (§1.7.3)")
    assert entry.detail == "One test server, production is fine"
    assert verify_ticket_chains() == (1, [])


def test_misassigned_needs_a_downgrade_and_a_reason(people):
    ticket = submit(people, people.initech_user, people.initech, severity=3)
    with pytest.raises(ActionError, match="only a downgrade") as refused:
        do_change_severity(
            ticket,
            severity=2,
            reason="x",
            misassigned=True,
            acting_user=people.engineer,
            now=MONDAY_9,
        )
    assert refused.value.code == "invalid"
    with pytest.raises(ActionError, match="needs a reason"):
        do_change_severity(
            ticket,
            severity=4,
            reason=" ",
            misassigned=True,
            acting_user=people.engineer,
            now=MONDAY_9,
        )
    assert not TicketEvent.objects.filter(ticket=ticket, kind=EventKind.SEVERITY_CHANGED).exists()


def test_every_severity_event_cites_its_section(people):
    ticket = submit(people, people.initech_user, people.initech, severity=3)
    engineer, customer = people.engineer, people.initech_user
    do_change_severity(ticket, severity=4, reason="Minor", acting_user=engineer, now=MONDAY_9)
    do_change_severity(ticket, severity=3, reason="Worse", acting_user=engineer, now=MONDAY_9)
    do_request_severity(
        ticket, severity=2, justification="Payroll down", acting_user=customer, now=MONDAY_9
    )
    do_decide_severity_request(
        ticket, accept=False, reason="Not yet", acting_user=engineer, now=MONDAY_9
    )
    do_request_severity(
        ticket, severity=2, justification="Still down", acting_user=customer, now=MONDAY_9
    )
    do_decide_severity_request(ticket, accept=True, acting_user=engineer, now=MONDAY_9)
    sections = [
        (e.kind, e.data["section"])
        for e in TicketEvent.objects.filter(ticket=ticket, kind__startswith="severity").order_by(
            "seq"
        )
    ]
    assert sections == [
        (EventKind.SEVERITY_CHANGED, "§1.7.1"),
        (EventKind.SEVERITY_CHANGED, "§1.7.2"),
        (EventKind.SEVERITY_REQUESTED, "§1.7.2"),
        (EventKind.SEVERITY_REQUEST_DECLINED, "§1.7.2"),
        (EventKind.SEVERITY_REQUESTED, "§1.7.2"),
        (EventKind.SEVERITY_REQUEST_ACCEPTED, "§1.7.2"),
    ]
    texts = [e.text for e in timeline(engineer, ticket) if e.kind.startswith("severity")]
    assert texts[0] == "Severity changed from 3 to Severity 4 (Minor) (§1.7.1)"
    assert texts[3] == "Declined the request for Severity 2 (Major/Urgent) (§1.7.2)"


def test_a_second_request_waits_for_the_first_to_be_decided(people):
    ticket = submit(people, people.initech_user, people.initech, severity=3)
    do_request_severity(
        ticket,
        severity=2,
        justification="Payroll down",
        acting_user=people.initech_user,
        now=MONDAY_9,
    )
    with pytest.raises(ActionError, match="already waiting") as refused:
        do_request_severity(
            ticket,
            severity=1,
            justification="All down",
            acting_user=people.initech_user,
            now=MONDAY_9,
        )
    assert refused.value.code == "conflict"
    assert Ticket.objects.get(pk=ticket.pk).requested_severity == 2


def test_a_desk_note_is_for_the_working_side_only(people):
    ticket = submit(people, people.acme_user, people.acme, severity=3)  # with Northwind
    note = do_note_by_desk(ticket, body="A request by mail was refused.", via="email", now=MONDAY_9)
    assert note.author is None
    assert not note.is_public
    assert note in visible_messages(people.northwind_tech, ticket)
    assert note in visible_messages(people.engineer, ticket)
    assert note not in visible_messages(people.acme_user, ticket)
    assert note not in visible_messages(people.contoso_tech, ticket)
    assert last(ticket, EventKind.MESSAGE).data["side"] == "desk"


# -- the breach report -----------------------------------------------------------------


@pytest.fixture
def breached(people) -> dict[str, Ticket]:
    """Three Initech tickets that missed their first response on Monday: one
    later downgraded as mis-assigned, one downgraded plainly, one left."""
    tickets = {
        "misassigned": submit(people, people.initech_user, people.initech, severity=2),
        "downgraded": submit(people, people.initech_user, people.initech, severity=3),
        "left": submit(people, people.initech_user, people.initech, severity=2, subject="DR"),
    }
    clock.sweep(SEV3_DUE + timedelta(minutes=5))
    do_change_severity(
        tickets["misassigned"],
        severity=4,
        reason="A lab machine",
        misassigned=True,
        acting_user=people.engineer,
        now=SEV3_DUE + HOUR,
    )
    do_change_severity(
        tickets["downgraded"],
        severity=4,
        reason="Workaround in place",
        acting_user=people.engineer,
        now=SEV3_DUE + HOUR,
    )
    return tickets


def test_breaches_under_a_misassigned_severity_are_reported_apart(people, breached):
    report = breach_report(people.engineer, MONDAY)
    assert [r.ticket.pk for r in report.vendor.rows] == [
        breached["left"].pk,
        breached["downgraded"].pk,
    ]
    assert report.vendor.by_severity == [(2, 1), (3, 1)]
    [row] = report.misassigned.rows
    assert (row.ticket.pk, row.severity, row.due_at) == (breached["misassigned"].pk, 2, SEV2_DUE)
    assert row.downgrade is not None
    assert (row.downgrade.new, row.downgrade.reason) == (4, "A lab machine")
    assert report.misassigned.by_severity == [(2, 1)]


def test_a_later_downgrade_never_erases_the_breach(breached):
    ticket = Ticket.objects.get(pk=breached["misassigned"].pk)
    assert ticket.breached
    assert last(ticket, EventKind.SLA_BREACHED).at == SEV2_DUE


def test_the_report_reads_only_its_period_and_the_users_tickets(people, breached):
    tuesday = Period(MONDAY.until, MONDAY.until + 24 * HOUR)
    assert breach_report(people.engineer, tuesday).vendor.count == 0
    # Partner staff and other companies' users see none of Initech's tickets.
    for user in (people.northwind_tech, people.globex_user):
        report = breach_report(user, MONDAY)
        assert (report.vendor.count, report.misassigned.count) == (0, 0)


def test_the_report_costs_three_queries(people, breached, django_assert_num_queries):
    with django_assert_num_queries(3):
        breach_report(people.engineer, MONDAY)


@pytest.mark.parametrize(
    ("since", "until", "expected"),
    [
        (None, None, ("2026-10-31T09:00:00-04:00", "2026-11-30T09:00:00-05:00")),
        ("2026-11-01", "2026-11-30", ("2026-11-01T00:00:00-04:00", "2026-12-01T00:00:00-05:00")),
        ("2026-11-30T13:00:00Z", None, ("2026-11-30T13:00:00+00:00", "2026-11-30T09:00:00-05:00")),
    ],
)
def test_a_period_is_dates_in_the_desks_zone_or_instants(since, until, expected):
    period = report_period(since, until, now=MONDAY_9, zone=ET)
    assert (period.since, period.until) == tuple(map(datetime.fromisoformat, expected))


@pytest.mark.parametrize(
    ("since", "until", "message"),
    [
        ("yesterday", None, "since: give a date"),
        (None, "2026-11-30T10:00", "until: give a date"),
        ("2026-12-01", "2026-11-01", "since: must be before until"),
        ("2024-01-01", "2026-01-01", "at most 366 days"),
    ],
)
def test_a_bad_period_says_which_end_is_wrong(since, until, message):
    with pytest.raises(BadPeriod, match=message):
        report_period(since, until, now=MONDAY_9, zone=ET)
