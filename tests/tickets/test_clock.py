"""The SLA clock between changes: each warning and each breach recorded
once, at the instant it happened, whenever the worker's sweep comes."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection

from supportdesk.tickets import alarms as sla_alarms
from supportdesk.tickets import clock
from supportdesk.tickets.actions import do_change_severity, do_change_status, do_reply
from supportdesk.tickets.audit import verify_ticket_chains
from supportdesk.tickets.models import EventKind, Ticket, TicketEvent
from tests.tickets.conftest import MONDAY_9
from tests.tickets.test_actions import submit

# Severity 3 by portal on Monday 09:00 Eastern: 4 business hours, so due at
# 13:00; the policy warns at 75%, 12:00.
WARN = MONDAY_9 + timedelta(hours=3)
DUE = MONDAY_9 + timedelta(hours=4)
SECOND = timedelta(seconds=1)


def alarms(ticket: Ticket) -> list[tuple[str, object, bool]]:
    return [
        (e.kind, e.at, bool(e.data.get("late")))
        for e in TicketEvent.objects.filter(
            ticket=ticket, kind__in=(EventKind.SLA_WARNING, EventKind.SLA_BREACHED)
        ).order_by("seq")
    ]


@pytest.fixture
def ticket(people):
    return submit(people, people.initech_user, people.initech, severity=3)


def test_a_new_ticket_knows_its_first_alarm(ticket):
    assert ticket.response_due_at == DUE
    assert Ticket.objects.get(pk=ticket.pk).sla_next_at == WARN


def test_the_warning_and_the_breach_come_once_each_at_their_instants(ticket):
    assert clock.sweep(WARN - SECOND) == 0
    assert clock.sweep(WARN + timedelta(minutes=7)) == 1
    assert clock.sweep(WARN + timedelta(minutes=30)) == 0
    assert alarms(ticket) == [(EventKind.SLA_WARNING, WARN, False)]
    assert Ticket.objects.get(pk=ticket.pk).sla_next_at == DUE

    assert clock.sweep(DUE + timedelta(minutes=2)) == 1
    assert clock.sweep(DUE + timedelta(hours=5)) == 0
    assert alarms(ticket) == [
        (EventKind.SLA_WARNING, WARN, False),
        (EventKind.SLA_BREACHED, DUE, False),
    ]
    ticket.refresh_from_db()
    assert ticket.breached
    assert ticket.sla_next_at is None
    assert verify_ticket_chains() == (1, [])


def test_a_sweep_after_hours_down_records_exact_instants_marked_late(ticket):
    assert clock.sweep(DUE + timedelta(hours=6)) == 2
    assert alarms(ticket) == [
        (EventKind.SLA_WARNING, WARN, True),
        (EventKind.SLA_BREACHED, DUE, True),
    ]


def test_a_breach_a_sweep_finds_minutes_late_is_not_late(ticket):
    clock.sweep(DUE + timedelta(minutes=9))
    assert alarms(ticket) == [
        (EventKind.SLA_WARNING, WARN, True),  # its breach came with it
        (EventKind.SLA_BREACHED, DUE, False),
    ]


def test_a_response_in_time_ends_the_alarms(people, ticket):
    do_reply(
        ticket,
        body="Looking at it now.",
        public=True,
        via="portal",
        acting_user=people.engineer,
        now=WARN - timedelta(minutes=5),
    )
    assert Ticket.objects.get(pk=ticket.pk).sla_next_at is None
    assert clock.sweep(DUE + timedelta(hours=1)) == 0
    assert alarms(ticket) == []


def test_an_upgrade_brings_the_alarms_forward(people, ticket):
    # Severity 2 at 09:30: due at 11:30 (2 business hours), warned at 11:00.
    do_change_severity(
        ticket,
        severity=2,
        reason="the customer's whole site is down",
        acting_user=people.engineer,
        now=MONDAY_9 + timedelta(minutes=30),
    )
    new_due = MONDAY_9 + timedelta(hours=2, minutes=30)
    assert Ticket.objects.get(pk=ticket.pk).sla_next_at == new_due - timedelta(minutes=30)
    clock.sweep(new_due + SECOND)
    assert [(kind, at) for kind, at, _ in alarms(ticket)] == [
        (EventKind.SLA_WARNING, new_due - timedelta(minutes=30)),
        (EventKind.SLA_BREACHED, new_due),
    ]


def test_a_closed_ticket_owes_no_alarms(people, ticket):
    do_change_status(
        ticket, status="closed", reason="duplicate", acting_user=people.engineer, now=MONDAY_9
    )
    assert Ticket.objects.get(pk=ticket.pk).sla_next_at is None
    assert clock.sweep(DUE + timedelta(hours=1)) == 0


def test_a_partner_ticket_has_no_vendor_alarm_until_forwarded(people):
    waiting = submit(people, people.acme_user, people.acme, severity=3)
    assert waiting.sla_next_at is None
    assert clock.sweep(DUE + timedelta(days=3)) == 0


def test_the_worker_command_sweeps(people):
    last_week = submit(
        people, people.initech_user, people.initech, now=MONDAY_9 - timedelta(days=7)
    )
    call_command("worker", batch=True)
    assert [kind for kind, _, _ in alarms(last_week)] == [
        EventKind.SLA_WARNING,
        EventKind.SLA_BREACHED,
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
def test_two_workers_racing_over_many_due_tickets_record_each_alarm_once(people):
    tickets = [
        submit(people, people.initech_user, people.initech, severity=3, subject=f"Issue {n}")
        for n in range(300)
    ]
    later = DUE + timedelta(hours=1)
    counts: list[int] = []

    def worker() -> None:
        try:
            counts.append(clock.sweep(later, batch=25))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(counts) == 2 * len(tickets)
    assert all(count > 0 for count in counts), counts  # both took a share
    for kind in (EventKind.SLA_WARNING, EventKind.SLA_BREACHED):
        recorded = TicketEvent.objects.filter(kind=kind).values_list("ticket_id", flat=True)
        assert sorted(recorded) == sorted(t.pk for t in tickets)
    assert not Ticket.objects.filter(sla_next_at__isnull=False).exists()


def test_a_ticket_whose_alarms_cannot_be_recorded_does_not_hold_up_the_others(people, monkeypatch):

    good, bad, also_good = (
        submit(people, people.initech_user, people.initech, subject=f"Issue {n}") for n in range(3)
    )
    record = sla_alarms.do_record_alarms

    def failing(pk, *, now):
        recorded = record(pk, now=now)  # written, then the failure takes it back
        if pk == bad.pk:
            raise RuntimeError("a history the clock cannot read")
        return recorded

    monkeypatch.setattr(sla_alarms, "do_record_alarms", failing)
    assert clock.sweep(DUE + SECOND) == 4
    assert [kind for kind, _, _ in alarms(good)] == [EventKind.SLA_WARNING, EventKind.SLA_BREACHED]
    assert [kind for kind, _, _ in alarms(also_good)] == [
        EventKind.SLA_WARNING,
        EventKind.SLA_BREACHED,
    ]
    assert alarms(bad) == []
    assert Ticket.objects.get(pk=bad.pk).sla_next_at == WARN  # tried again next sweep
