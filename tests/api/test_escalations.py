"""An escalation through the API (§1.8): requested by the customer, run by
a manager and an engineer under a communication plan, and de-escalated only
with the whole checklist confirmed. The ticket's history tells the story."""

from __future__ import annotations

from datetime import timedelta

import pytest

from supportdesk.accounts.models import ApiToken, Role, User
from supportdesk.notifications.models import Notification
from supportdesk.tickets import clock
from supportdesk.tickets.models import Escalation, EventKind, TicketEvent
from tests.api.conftest import MONDAY_9, Api, World

pytestmark = pytest.mark.django_db


@pytest.fixture
def mona(world: World) -> Api:
    user = User.objects.create_user(
        "mona@vendor.test", None, name="Mona Manager", organization=world.vendor, role=Role.MANAGER
    )
    return Api(user, ApiToken.issue(user, "tests")[1])


def escalate(api: Api, number: str, step: str, **body: object):
    return api.post(f"/tickets/{number}/escalation/{step}", body)


def test_an_escalation_from_request_to_de_escalation(world: World, mona: Api, monday) -> None:
    number = world.ian.open(severity=2)["number"]
    assert world.ian.get(f"/tickets/{number}/escalation").json()["state"] == "none"

    asked = world.ian.post(
        f"/tickets/{number}/escalation",
        {"reason": "critical-business-impact", "statement": "Payroll cannot run."},
    )
    assert asked.status_code == 200, asked.content
    assert (asked.json()["state"], asked.json()["level"]) == ("requested", 1)
    assert Notification.objects.filter(user=mona.user, event="escalation.request").exists()

    # Only a manager evaluates; the customer is told no without a hint of more.
    assert (
        escalate(
            world.erin, number, "evaluate", accept=True, primary_engineer="Erin Engineer"
        ).status_code
        == 404
    )
    accepted = escalate(mona, number, "evaluate", accept=True, primary_engineer="Erin Engineer")
    assert accepted.json()["state"] == "active"
    assert accepted.json()["primary_engineer"] == "Erin Engineer"

    monday.move_to(MONDAY_9 + timedelta(minutes=30))
    planned = escalate(
        world.erin,
        number,
        "plan",
        action_plan="Restore from the 02:00 snapshot; root cause after.",
        mode="conference-call",
        every_minutes=120,
        attendees=["Ian Initech", "Mona Manager"],
    )
    assert planned.status_code == 200, planned.content
    assert planned.json()["next_update_due"] == "2026-11-30T16:30:00Z"

    # The customer finds progress insufficient: the level rises, managers are told.
    low = escalate(world.ian, number, "insufficient-progress", statement="Still down.")
    assert low.json()["level"] == 2
    assert low.json()["call_requested_at"] is not None
    assert (
        escalate(
            world.erin,
            number,
            "engage-vendor",
            vendor="Microsoft",
            case_reference="SR-1",
            contact="Premier",
        ).status_code
        == 200
    )

    early = escalate(world.erin, number, "de-escalate", note="Looks fine.")
    assert early.status_code == 409
    assert "§1.8" in early.json()["detail"] or "checklist" in early.json()["detail"].lower()

    for item, who in (
        ("action-plan-accepted", "Ian Initech"),
        ("troubleshooting-on-track", "Erin Engineer"),
        ("parties-agree", "Ian Initech"),
    ):
        done = escalate(world.erin, number, "confirm", item=item, confirmed_by=who)
        assert done.status_code == 200, done.content
    again = escalate(world.erin, number, "confirm", item="parties-agree", confirmed_by="Ian")
    assert again.status_code == 409

    ended = escalate(world.erin, number, "de-escalate", note="Restored; RCA on Friday.")
    assert ended.json()["state"] == "de-escalated"
    assert ended.json()["next_update_due"] is None
    assert [step["step"] for step in ended.json()["history"]] == [
        "request",
        "evaluate",
        "plan",
        "insufficient-progress",
        "engage-vendor",
        "confirm",
        "confirm",
        "confirm",
        "de-escalate",
    ]
    events = world.ian.get(f"/tickets/{number}/events").json()["items"]
    story = [e for e in events if e["kind"] == EventKind.ESCALATION]
    assert len(story) == 9
    assert all(e["data"]["section"] == "§1.8" for e in story)


def test_bad_steps_answer_with_the_reason(world: World, mona: Api, monday) -> None:
    number = world.ian.open()["number"]
    assert (
        escalate(
            mona, number, "evaluate", accept=True, primary_engineer="Erin Engineer"
        ).status_code
        == 409
    )
    bad = world.ian.post(f"/tickets/{number}/escalation", {"reason": "bored", "statement": "x"})
    assert bad.status_code == 400
    assert "reason" in bad.json()["detail"]
    assert world.ian.post(f"/tickets/{number}/escalation", {"statement": "x"}).status_code == 422
    # A partner's customer's ticket still with the partner is not the vendor's yet.
    waiting = world.alice.open()["number"]
    refused = world.alice.post(
        f"/tickets/{waiting}/escalation", {"reason": "dissatisfied", "statement": "Slow."}
    )
    assert refused.status_code == 409
    assert "partner" in refused.json()["detail"]
    # Another tenant's ticket is simply not there.
    assert world.gary.get(f"/tickets/{number}/escalation").status_code == 404


def test_a_missed_update_is_recorded_once_by_the_sweep(world: World, mona: Api, monday) -> None:
    number = world.ian.open()["number"]
    world.ian.post(f"/tickets/{number}/escalation", {"reason": "other", "statement": "Help."})
    escalate(mona, number, "evaluate", accept=True, primary_engineer="Erin Engineer")
    escalate(world.erin, number, "plan", action_plan="Fix.", mode="email", every_minutes=60)

    later = MONDAY_9 + timedelta(hours=2, minutes=30)
    assert clock.sweep_escalations(later) == 2  # 10:00 and 11:00 Eastern
    assert clock.sweep_escalations(later + timedelta(minutes=5)) == 0
    missed = TicketEvent.objects.filter(kind=EventKind.ESCALATION_UPDATE_MISSED).order_by("at")
    assert [e.at for e in missed] == [MONDAY_9 + timedelta(hours=1), MONDAY_9 + timedelta(hours=2)]
    row = Escalation.objects.get()
    assert row.next_update_due == MONDAY_9 + timedelta(hours=3)
    assert (
        Notification.objects.filter(user=mona.user, event="escalation.update-missed").count() == 1
    )


def test_accepting_makes_the_primary_engineer_the_assignee(world: World, mona: Api, monday) -> None:
    number = world.ian.open()["number"]
    world.ian.post(f"/tickets/{number}/escalation", {"reason": "other", "statement": "Help."})

    unknown = escalate(mona, number, "evaluate", accept=True, primary_engineer="Nobody Here")
    assert unknown.status_code == 400
    assert "Nobody Here" in unknown.json()["detail"]
    # A customer is not an engineer, whatever their name.
    customer = escalate(mona, number, "evaluate", accept=True, primary_engineer="Ian Initech")
    assert customer.status_code == 400

    by_email = escalate(mona, number, "evaluate", accept=True, primary_engineer="ERIN@vendor.test")
    assert by_email.json()["primary_engineer"] == "Erin Engineer"
    ticket = world.ian.get(f"/tickets/{number}").json()
    assert ticket["assignee"] == {"id": world.erin.user.pk, "name": "Erin Engineer"}
    assigned = TicketEvent.objects.get(kind=EventKind.ASSIGNED)
    assert "§1.8" in assigned.data["reason"]
