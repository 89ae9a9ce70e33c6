"""Severity 1 continuous effort (§1.6) on real tickets: the managers are
alerted at once and every 30 minutes while nobody has an unassigned
Severity 1, each alert once, until someone takes it, it is downgraded, a
workaround is recorded or it is resolved."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection

from supportdesk.notifications.models import Notification
from supportdesk.tickets import clock
from supportdesk.tickets.actions import (
    ActionError,
    do_assign,
    do_change_severity,
    do_change_status,
    do_decide_severity_request,
    do_forward_to_vendor,
    do_record_workaround,
    do_request_severity,
)
from supportdesk.tickets.audit import verify_ticket_chains
from supportdesk.tickets.models import EventKind, Ticket, TicketEvent
from tests.tickets.conftest import MONDAY_9
from tests.tickets.test_actions import submit

T = MONDAY_9  # Monday 30 November 2026, 09:00 Eastern
MIN = timedelta(minutes=1)
SWEEP = timedelta(seconds=15)  # the worker's sweep comes within this
CONTACT = "Ivan Initech, +1 555 0100, all day"


def alerts(ticket: Ticket) -> list[tuple[int, object]]:
    """The unassigned alerts recorded: (number, instant)."""
    return [
        (e.data["number"], e.at)
        for e in TicketEvent.objects.filter(ticket=ticket, kind=EventKind.UNASSIGNED_ALERT)
    ]


def managers_told() -> list[str]:
    return [n.title for n in Notification.objects.filter(event="sev1.unassigned").order_by("pk")]


def row(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


@pytest.fixture
def sev1(people) -> Ticket:
    """An unassigned Severity 1 from a direct customer, submitted at T."""
    return submit(
        people, people.initech_user, people.initech, severity=1, dedicated_contact=CONTACT
    )


def test_an_unassigned_severity_1_alerts_at_once_then_every_30_minutes_until_taken(people, sev1):
    assert row(sev1).sla_next_at == T  # "at once": the next sweep records it
    assert clock.sweep(T + SWEEP) == 1
    assert alerts(sev1) == [(1, T)]
    number = sev1.number
    assert managers_told() == [f"{number}: Severity 1 and nobody has it — alert 1 (§1.6)"]

    assert row(sev1).sla_next_at == T + 30 * MIN
    assert clock.sweep(T + 29 * MIN) == 0
    clock.sweep(T + 30 * MIN + SWEEP)
    clock.sweep(T + 31 * MIN)  # a second sweep finds nothing more
    clock.sweep(T + 60 * MIN + SWEEP)
    assert alerts(sev1) == [(1, T), (2, T + 30 * MIN), (3, T + 60 * MIN)]
    assert managers_told()[1:] == [
        f"{number}: Severity 1 and nobody has it — alert 2 (§1.6)",
        f"{number}: Severity 1 and nobody has it — alert 3 (§1.6)",
    ]
    told = Notification.objects.filter(event="sev1.unassigned")
    assert {n.user.email for n in told} == {"manager@vendor.example"}

    do_assign(sev1, assignee=people.engineer, acting_user=people.engineer, now=T + 70 * MIN)
    # Only the SLA clock is left: the warning at 75% of 2 business hours.
    assert row(sev1).sla_next_at == T + 90 * MIN
    clock.sweep(T + 8 * 60 * MIN)
    assert len(alerts(sev1)) == 3
    assert verify_ticket_chains() == (1, [])


def test_the_alerts_are_for_staff_and_cite_the_policy(people, sev1):
    clock.sweep(T + SWEEP)
    event = TicketEvent.objects.get(ticket=sev1, kind=EventKind.UNASSIGNED_ALERT)
    assert not event.public
    assert event.actor is None
    assert event.data["section"] == "§1.6"
    assert event.data["number"] == 1
    assert event.data["late"] is False
    assert event.data["every_minutes"] == 30


def test_a_severity_1_opened_as_severity_2_for_want_of_a_contact_owes_no_alerts(people):
    ticket = submit(people, people.initech_user, people.initech, severity=1)
    assert ticket.severity == 2
    clock.sweep(T + 3 * 60 * MIN)
    assert alerts(ticket) == []


def test_other_severities_are_not_alerted(people):
    ticket = submit(people, people.initech_user, people.initech, severity=2)
    clock.sweep(T + 5 * 60 * MIN)
    assert alerts(ticket) == []
    assert managers_told() == []


def test_a_downgrade_ends_the_alerts(people, sev1):
    clock.sweep(T + SWEEP)
    do_change_severity(
        sev1,
        severity=2,
        reason="restores work again; one site is slow",
        acting_user=people.engineer,
        now=T + 40 * MIN,
    )
    clock.sweep(T + 5 * 60 * MIN)
    # The alert of 09:30 was never swept: once downgraded it is no longer owed.
    assert alerts(sev1) == [(1, T)]


def test_resolving_ends_the_alerts(people, sev1):
    clock.sweep(T + SWEEP)
    do_change_status(
        sev1, status="resolved", reason="fixed", acting_user=people.engineer, now=T + 5 * MIN
    )
    clock.sweep(T + 5 * 60 * MIN)
    assert alerts(sev1) == [(1, T)]


def test_no_effort_is_owed_while_work_has_ceased(people, sev1):
    """§3.3: the vendor ceases work until an unsupported application is removed."""
    clock.sweep(T + SWEEP)
    do_change_status(
        sev1,
        status="work-ceased",
        reason="Unsupported backup filter driver installed",
        acting_user=people.engineer,
        now=T + 5 * MIN,
    )
    clock.sweep(T + 5 * 60 * MIN)
    assert alerts(sev1) == [(1, T)]


def test_a_worker_down_for_hours_records_one_late_alert_and_the_managers_get_a_summary(
    people, sev1
):
    clock.sweep(T + SWEEP)
    Notification.objects.all().delete()
    # Down from 09:01 until 14:10: alerts 2 to 10 fell due meanwhile.
    clock.sweep(T + (5 * 60 + 10) * MIN)
    assert alerts(sev1) == [(1, T), (11, T + 300 * MIN)]
    late = TicketEvent.objects.filter(ticket=sev1, kind=EventKind.UNASSIGNED_ALERT).last()
    assert late.data["late"] is True
    assert late.data["missed"] == 9
    assert managers_told() == []  # not one per ticket
    summary = Notification.objects.get(event="sla.caught-up")
    assert "1 Severity 1 ticket has nobody on it (§1.6)" in summary.title
    # The run goes on, on time, from the alert recorded.
    assert row(sev1).sla_next_at == T + 330 * MIN


def test_many_unassigned_severity_1_after_an_outage_are_one_summary(people):
    tickets = [
        submit(
            people,
            people.initech_user,
            people.initech,
            severity=1,
            dedicated_contact=CONTACT,
            subject=f"Site {n} down",
        )
        for n in range(3)
    ]
    clock.sweep(T + 3 * 60 * MIN)
    assert [len(alerts(t)) for t in tickets] == [1, 1, 1]
    assert managers_told() == []
    summaries = Notification.objects.filter(event="sla.caught-up")
    assert [s.title for s in summaries] == [
        "The SLA clock caught up after a pause: 3 first-response targets were missed "
        "meanwhile; 3 Severity 1 tickets have nobody on them (§1.6)"
    ]


def test_unassigning_a_severity_1_alerts_at_that_moment(people, sev1):
    do_assign(sev1, assignee=people.engineer, acting_user=people.engineer, now=T + MIN)
    clock.sweep(T + 60 * MIN)
    assert alerts(sev1) == []
    do_assign(sev1, assignee=None, acting_user=people.manager, now=T + 65 * MIN)
    assert row(sev1).sla_next_at == T + 65 * MIN
    clock.sweep(T + 65 * MIN + SWEEP)
    clock.sweep(T + 95 * MIN + SWEEP)
    assert alerts(sev1) == [(1, T + 65 * MIN), (2, T + 95 * MIN)]


def test_an_upgrade_to_severity_1_alerts_at_once(people):
    ticket = submit(people, people.initech_user, people.initech, severity=3)
    do_change_severity(
        ticket,
        severity=1,
        reason="every backup fails",
        acting_user=people.engineer,
        now=T + 20 * MIN,
    )
    assert row(ticket).sla_next_at == T + 20 * MIN
    clock.sweep(T + 20 * MIN + SWEEP)
    assert alerts(ticket) == [(1, T + 20 * MIN)]


def test_an_accepted_request_for_severity_1_alerts_at_once(people):
    ticket = submit(people, people.initech_user, people.initech, severity=2)
    do_request_severity(
        ticket,
        severity=1,
        justification="no device can restore",
        acting_user=people.initech_user,
        now=T + 10 * MIN,
    )
    clock.sweep(T + 40 * MIN)
    assert alerts(ticket) == []  # a request is not yet a Severity 1
    do_decide_severity_request(ticket, accept=True, acting_user=people.engineer, now=T + 45 * MIN)
    clock.sweep(T + 45 * MIN + SWEEP)
    assert alerts(ticket) == [(1, T + 45 * MIN)]


def test_a_partner_ticket_alerts_once_forwarded_and_its_technician_no_longer_has_it(people):
    ticket = submit(
        people, people.acme_user, people.acme, severity=1, dedicated_contact="Alice, all day"
    )
    do_assign(ticket, assignee=people.northwind_tech, acting_user=people.northwind_tech, now=T)
    clock.sweep(T + 60 * MIN)
    assert alerts(ticket) == []  # the partner's tier: first-level support (§2.2)
    do_forward_to_vendor(ticket, severity=1, acting_user=people.northwind_tech, now=T + 60 * MIN)
    clock.sweep(T + 60 * MIN + SWEEP)
    assert alerts(ticket) == [(1, T + 60 * MIN)]


def test_a_workaround_ends_the_alerts_until_the_next_upgrade(people, sev1):
    clock.sweep(T + SWEEP)
    do_record_workaround(
        sev1,
        note="Restore from the local cache while the cloud vault is repaired.",
        acting_user=people.engineer,
        now=T + 10 * MIN,
    )
    saved = row(sev1)
    assert saved.workaround_at == T + 10 * MIN
    assert saved.sla_next_at == T + 90 * MIN  # the SLA warning only
    clock.sweep(T + 85 * MIN)
    assert alerts(sev1) == [(1, T)]
    event = TicketEvent.objects.get(ticket=sev1, kind=EventKind.WORKAROUND)
    assert event.public
    assert event.data == {
        "note": "Restore from the local cache while the cloud vault is repaired.",
        "section": "§1.6",
    }

    # Downgraded, then back to Severity 1: effort is owed afresh.
    for level, minutes in ((2, 100), (1, 120)):
        do_change_severity(
            sev1,
            severity=level,
            reason="impact changed",
            acting_user=people.engineer,
            now=T + minutes * MIN,
        )
    assert row(sev1).workaround_at is None
    clock.sweep(T + 120 * MIN + SWEEP)
    assert alerts(sev1) == [(1, T), (1, T + 120 * MIN)]


def test_who_may_record_a_workaround(people, sev1):
    with pytest.raises(ActionError) as refused:
        do_record_workaround(sev1, note="Try again.", acting_user=people.initech_user, now=T)
    assert refused.value.code == "forbidden"
    with pytest.raises(ActionError) as refused:
        do_record_workaround(sev1, note="Try.", acting_user=people.northwind_tech, now=T)
    assert refused.value.code == "forbidden"
    with pytest.raises(ActionError) as refused:
        do_record_workaround(sev1, note="  ", acting_user=people.engineer, now=T)
    assert (refused.value.code, refused.value.message) == ("invalid", "workaround note is required")
    do_change_status(sev1, status="closed", acting_user=people.engineer, now=T + MIN)
    with pytest.raises(ActionError) as refused:
        do_record_workaround(sev1, note="Too late.", acting_user=people.engineer, now=T + MIN)
    assert refused.value.code == "conflict"
    assert not TicketEvent.objects.filter(kind=EventKind.WORKAROUND).exists()


def test_the_worker_backfills_rows_older_than_the_alerts(people, sev1):
    Ticket.objects.filter(pk=sev1.pk).update(sla_next_at=None)
    assert clock.backfill(T + MIN) == 1
    clock.sweep(T + MIN + SWEEP)
    assert alerts(sev1) == [(1, T)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
def test_two_workers_record_each_alert_once(people):
    tickets = [
        submit(
            people,
            people.initech_user,
            people.initech,
            severity=1,
            dedicated_contact=CONTACT,
            subject=f"Site {n} down",
        )
        for n in range(60)
    ]
    counts: list[int] = []

    def worker(now) -> None:
        try:
            counts.append(clock.sweep(now, batch=10))
        finally:
            connection.close()

    for now in (T + SWEEP, T + 30 * MIN + SWEEP):
        threads = [threading.Thread(target=worker, args=(now,)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    for ticket in tickets:
        assert alerts(ticket) == [(1, T), (2, T + 30 * MIN)]
    assert sum(counts) == 2 * len(tickets)
