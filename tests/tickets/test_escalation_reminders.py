"""Reminders before an escalation update is due (§1.8): the worker's sweep
reminds the engineer on the ticket the policy's lead before each deadline
of the communication plan, once per deadline, and records a missed update
instead when the deadline has already passed."""

from __future__ import annotations

import threading
from datetime import UTC, timedelta

import pytest
from django.db import connection

from supportdesk.mail.models import OutboundMail
from supportdesk.notifications import rules
from supportdesk.notifications.models import Notification
from supportdesk.tickets import clock
from supportdesk.tickets.actions import do_assign
from supportdesk.tickets.audit import verify_ticket_chains
from supportdesk.tickets.escalation_actions import do_escalation_step
from supportdesk.tickets.models import Escalation, EventKind, Ticket, TicketEvent
from supportdesk.tickets.queries import timeline
from tests.tickets.conftest import MONDAY_9
from tests.tickets.test_actions import submit

pytestmark = pytest.mark.django_db

T = MONDAY_9  # the plan: an update every 4 hours from Monday 09:00 Eastern
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
SECOND = timedelta(seconds=1)
CHECKLIST = ("action-plan-accepted", "troubleshooting-on-track", "parties-agree")


def step(ticket: Ticket, user, kind: str, at, **fields) -> Escalation:
    row, _ = do_escalation_step(ticket, step=kind, fields=fields, acting_user=user, now=at)
    return row


def escalated(people, *, every_minutes: int = 240, mode: str = "phone", subject="Backups fail"):
    """A Severity 2 of Initech, escalated at 08:30 and planned at T."""
    ticket = submit(people, people.initech_user, people.initech, severity=2, subject=subject)
    step(ticket, people.initech_user, "request", T - 30 * MINUTE, reason="other", statement="Help")
    step(
        ticket,
        people.manager,
        "evaluate",
        T - 20 * MINUTE,
        accept=True,
        primary_engineer="engineer@vendor.example",
    )
    step(
        ticket,
        people.engineer,
        "plan",
        T,
        action_plan="Restore, then find the cause.",
        mode=mode,
        every_minutes=every_minutes,
    )
    return ticket


def reminders(ticket: Ticket) -> list[tuple[object, str, str]]:
    return [
        (e.at, e.data["due"], e.data["mode"])
        for e in TicketEvent.objects.filter(
            ticket=ticket, kind=EventKind.ESCALATION_REMINDER
        ).order_by("seq")
    ]


def missed(ticket: Ticket) -> list[object]:
    return list(
        TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ESCALATION_UPDATE_MISSED)
        .order_by("seq")
        .values_list("at", flat=True)
    )


def utc(at) -> str:
    return at.astimezone(UTC).isoformat()


def test_the_engineer_is_reminded_half_an_hour_before_the_update_once(people):
    ticket = escalated(people)
    row = Escalation.objects.get(ticket=ticket)
    assert (row.remind_at, row.next_update_due) == (T + 3.5 * HOUR, T + 4 * HOUR)

    clock.sweep_escalations(T + 3.5 * HOUR - SECOND)
    assert reminders(ticket) == []

    clock.sweep_escalations(T + 3.5 * HOUR)
    clock.sweep_escalations(T + 3.5 * HOUR + 10 * MINUTE)
    assert reminders(ticket) == [(T + 3.5 * HOUR, utc(T + 4 * HOUR), "phone")]
    event = TicketEvent.objects.get(kind=EventKind.ESCALATION_REMINDER)
    assert not event.public
    assert (event.data["escalation"], event.data["section"]) == (1, "§1.8")
    # The next reminder is the next deadline's, should this update not come.
    assert Escalation.objects.get(pk=row.pk).remind_at == T + 7.5 * HOUR

    # The primary engineer, the ticket's assignee since the manager accepted.
    note = Notification.objects.get(event="escalation.update-due-soon")
    assert note.user == people.engineer
    assert note.title == f"{ticket.number}: escalation update due by Mon 30 Nov 13:00 EST (phone)"
    assert OutboundMail.objects.filter(
        recipient="engineer@vendor.example", subject__contains="escalation update due by"
    ).exists()

    [entry] = [e for e in timeline(people.engineer, ticket) if e.kind == "escalation-reminder"]
    assert (entry.internal, entry.detail) == (True, f"due {utc(T + 4 * HOUR)} (phone)")
    assert "escalation-reminder" not in [e.kind for e in timeline(people.initech_user, ticket)]

    # No update by 13:00: the miss is recorded, and no second reminder of it.
    clock.sweep_escalations(T + 4 * HOUR + SECOND)
    assert missed(ticket) == [T + 4 * HOUR]
    assert len(reminders(ticket)) == 1
    assert verify_ticket_chains() == (1, [])


def test_an_update_moves_the_next_reminder(people):
    ticket = escalated(people)
    clock.sweep_escalations(T + 3.5 * HOUR)
    step(ticket, people.engineer, "update", T + 3.75 * HOUR, note="Restore at 60%.")
    row = Escalation.objects.get(ticket=ticket)
    # The next update is due at 16:45; its reminder at 16:15.
    assert (row.next_update_due, row.remind_at) == (T + 7.75 * HOUR, T + 7.25 * HOUR)

    clock.sweep_escalations(T + 4 * HOUR + SECOND)
    assert missed(ticket) == []
    clock.sweep_escalations(T + 7.25 * HOUR)
    clock.sweep_escalations(T + 7.25 * HOUR + MINUTE)
    assert reminders(ticket) == [
        (T + 3.5 * HOUR, utc(T + 4 * HOUR), "phone"),
        (T + 7.25 * HOUR, utc(T + 7.75 * HOUR), "phone"),
    ]


def test_de_escalation_stops_the_reminders(people):
    ticket = escalated(people)
    for item in CHECKLIST:
        step(ticket, people.engineer, "confirm", T + HOUR, item=item, confirmed_by="Ivan")
    step(ticket, people.engineer, "de-escalate", T + 2 * HOUR, note="Restored.")
    row = Escalation.objects.get(ticket=ticket)
    assert (row.remind_at, row.next_update_due) == (None, None)
    clock.sweep_escalations(T + 3 * 24 * HOUR)
    assert reminders(ticket) == []
    assert missed(ticket) == []


def test_after_the_worker_was_down_a_passed_deadline_is_missed_not_reminded(people):
    ticket = escalated(people)
    clock.sweep_escalations(T + 4 * HOUR + 10 * MINUTE)
    assert reminders(ticket) == []
    assert missed(ticket) == [T + 4 * HOUR]
    assert not Notification.objects.filter(event="escalation.update-due-soon").exists()
    assert Escalation.objects.get(ticket=ticket).remind_at == T + 7.5 * HOUR


def test_a_late_sweep_still_reminds_before_the_deadline(people):
    ticket = escalated(people)
    clock.sweep_escalations(T + 3.75 * HOUR)
    assert reminders(ticket) == [(T + 3.5 * HOUR, utc(T + 4 * HOUR), "phone")]
    event = TicketEvent.objects.get(kind=EventKind.ESCALATION_REMINDER)
    assert event.data["recorded_at"] == (T + 3.75 * HOUR).isoformat()


def test_a_plan_shorter_than_twice_the_lead_is_reminded_halfway(people):
    ticket = escalated(people, every_minutes=45, mode="email")
    assert Escalation.objects.get(ticket=ticket).remind_at == T + 22.5 * MINUTE
    clock.sweep_escalations(T + 22.5 * MINUTE)
    assert reminders(ticket) == [(T + 22.5 * MINUTE, utc(T + 45 * MINUTE), "email")]


def test_a_ticket_with_nobody_on_it_reminds_the_managers(people):
    ticket = escalated(people)
    do_assign(ticket, assignee=None, acting_user=people.manager, now=T + HOUR)
    clock.sweep_escalations(T + 3.5 * HOUR)
    told = Notification.objects.filter(event="escalation.update-due-soon")
    assert [n.user for n in told] == [people.manager]


def test_other_events_do_not_remind(people):
    ticket = escalated(people)
    rules.on_change("escalation.update", ticket, {"escalation": 1}, T)
    assert not Notification.objects.filter(event="escalation.update-due-soon").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
def test_two_workers_racing_send_each_reminder_once(people):
    tickets = [escalated(people, subject=f"Issue {n}") for n in range(40)]
    at = T + 3.5 * HOUR
    counts: list[int] = []

    def worker() -> None:
        try:
            counts.append(clock.sweep_reminders(at, batch=5))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(counts) == len(tickets)
    reminded = TicketEvent.objects.filter(kind=EventKind.ESCALATION_REMINDER)
    assert sorted(reminded.values_list("ticket_id", flat=True)) == sorted(t.pk for t in tickets)
    assert not Escalation.objects.filter(remind_at__lte=at).exists()
    assert Notification.objects.filter(event="escalation.update-due-soon").count() == len(tickets)
