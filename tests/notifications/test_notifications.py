"""Who hears of the SLA clock's warnings and breaches, in the workspace and
by mail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client

from supportdesk.mail.models import OutboundMail
from supportdesk.notifications.models import Notification
from supportdesk.tickets import clock
from supportdesk.tickets.actions import do_assign
from tests.tickets.conftest import MONDAY_9
from tests.tickets.test_actions import submit

pytestmark = pytest.mark.django_db

WARN = MONDAY_9 + timedelta(hours=3)  # Severity 3: warned at 12:00, due 13:00 Eastern
DUE = MONDAY_9 + timedelta(hours=4)


def told(event: str) -> list[str]:
    return sorted(n.user.email for n in Notification.objects.filter(event=event))


def mailed() -> list[str]:
    return sorted(
        m.recipient for m in OutboundMail.objects.filter(kind=OutboundMail.Kind.NOTIFICATION)
    )


def test_an_unassigned_tickets_warning_goes_to_the_managers(people):
    submit(people, people.initech_user, people.initech, severity=3)
    clock.sweep(WARN + timedelta(minutes=1))
    assert told("sla.warning") == ["manager@vendor.example"]
    assert mailed() == ["manager@vendor.example"]
    note = Notification.objects.get()
    assert "due soon" in note.title
    assert "13:00 EST" in note.title


def test_a_breach_goes_to_the_engineer_on_it_and_the_managers(people):
    ticket = submit(people, people.initech_user, people.initech, severity=3)
    do_assign(ticket, assignee=people.engineer, acting_user=people.engineer, now=MONDAY_9)
    clock.sweep(WARN + timedelta(minutes=1))
    assert told("sla.warning") == ["engineer@vendor.example"]
    clock.sweep(DUE + timedelta(minutes=1))
    assert told("sla.breached") == ["engineer@vendor.example", "manager@vendor.example"]
    assert "missed" in Notification.objects.filter(event="sla.breached").first().title


def test_after_the_worker_was_down_the_managers_get_one_summary(
    people, django_capture_on_commit_callbacks
):
    for n in range(3):
        submit(people, people.initech_user, people.initech, severity=3, subject=f"Issue {n}")
    with django_capture_on_commit_callbacks(execute=True):
        clock.sweep(DUE + timedelta(hours=8))
    assert told("sla.warning") == []
    assert told("sla.breached") == []
    assert told("sla.caught-up") == ["manager@vendor.example"]
    summary = Notification.objects.get(event="sla.caught-up")
    assert "3 first-response targets were missed" in summary.title
    assert mailed() == ["manager@vendor.example"]
    # About no ticket, the mail still speaks for the vendor of the policy in force.
    [sent] = [m for m in mail.outbox if "caught up" in m.subject]
    assert sent.from_email.startswith("Infrascale Support <")


def test_the_workspace_shows_the_unread_count_and_only_ones_own(people):
    submit(people, people.initech_user, people.initech, severity=3)
    clock.sweep(DUE + timedelta(minutes=1))  # late warning: silent; breach: the manager
    manager, engineer = Client(), Client()
    manager.force_login(people.manager)
    engineer.force_login(people.engineer)

    page = manager.get("/desk/notifications/").content.decode()
    assert 'id="unread-count"' in page
    assert "missed its first-response target" in page
    assert (
        "missed its first-response target"
        not in engineer.get("/desk/notifications/").content.decode()
    )
    assert 'id="unread-count"' not in engineer.get("/desk/").content.decode()

    assert manager.post("/desk/notifications/read").status_code == 303
    assert 'id="unread-count"' not in manager.get("/desk/").content.decode()
    assert Notification.objects.filter(read_at=None).count() == 0
