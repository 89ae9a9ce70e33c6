"""Conference calls of an escalation (§1.8): the plan's attendees get an
iCalendar invitation by mail, delivered here to a real SMTP server on
loopback and read back with `icalendar`; a replaced plan updates the same
event, and the end of the escalation cancels it."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from datetime import UTC, timedelta
from email.message import EmailMessage

import pytest
from django.test import override_settings
from icalendar import Calendar

from supportdesk.lib.env import parse_email_url
from supportdesk.mail.models import OutboundMail
from supportdesk.mail.smtp import start_receiver, stop_receiver
from supportdesk.tickets.escalation_actions import do_escalation_step
from supportdesk.tickets.invites import DURATION, recurrence
from supportdesk.tickets.models import EventKind, Ticket, TicketEvent
from supportdesk.tickets.queries import timeline
from tests.mail.dovecot import free_port
from tests.tickets.conftest import MONDAY_9
from tests.tickets.test_actions import submit

pytestmark = pytest.mark.django_db

T = MONDAY_9
HOUR = timedelta(hours=1)
CHECKLIST = ("action-plan-accepted", "troubleshooting-on-track", "parties-agree")
DESK = "support@desk.example"


class Inbox:
    """What the SMTP server on loopback received, parsed."""

    def __init__(self) -> None:
        self.raw: list[bytes] = []

    def __call__(self, raw: bytes, source: str) -> None:
        self.raw.append(raw)

    def take(self) -> list[EmailMessage]:
        """The mail with a calendar received since the last take (the
        managers' notifications of the escalation's steps are not)."""
        mails = [email.message_from_bytes(r, policy=email.policy.default) for r in self.raw]
        self.raw.clear()
        return [
            m  # type: ignore[misc]
            for m in mails
            if any(p.get_content_type() == "text/calendar" for p in m.walk())
        ]


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    received = Inbox()
    port = free_port()
    server = start_receiver(received, "127.0.0.1", port)
    try:
        with override_settings(
            MAILERS={"default": parse_email_url(f"smtp://127.0.0.1:{port}")},
            SUPPORTDESK_MAIL_ADDRESS=DESK,
            SUPPORTDESK_URL="https://support.desk.example",
        ):
            yield received
    finally:
        stop_receiver(server)


@pytest.fixture
def step(django_capture_on_commit_callbacks):
    """Take a step as the API would, and let its mail go out once it commits."""

    def take(ticket: Ticket, user, kind: str, at, **fields) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            do_escalation_step(ticket, step=kind, fields=fields, acting_user=user, now=at)

    return take


@pytest.fixture
def ticket(people, step) -> Ticket:
    """Initech's Severity 2, escalated and accepted before 09:00."""
    for user, name in (
        (people.initech_user, "Ivan Initech"),
        (people.engineer, "Erin Engineer"),
        (people.globex_user, "Gina Globex"),
    ):
        user.name = name
        user.save()
    ticket = submit(people, people.initech_user, people.initech, severity=2, subject="FS01 down")
    step(ticket, people.initech_user, "request", T - HOUR, reason="other", statement="Down.")
    step(
        ticket, people.manager, "evaluate", T - HOUR, accept=True, primary_engineer="Erin Engineer"
    )
    return ticket


ATTENDEES = [
    "Ivan Initech",  # a user of the ticket's company, by name
    "erin engineer",  # vendor staff, by name in any case
    "Dana Dent <dana@initech.example>",  # an address as given
    "Gina Globex",  # a user of another company: not one to mail
    "Someone from the data centre",  # nobody by that name
]


def call(mail: EmailMessage) -> tuple[str, Calendar]:
    """The calendar part's method parameter, and the calendar it carries."""
    parts = [p for p in mail.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    attached = [p for p in mail.walk() if p.get_filename() == "invite.ics"]
    assert len(attached) == 1
    text = parts[0].get_content()
    assert attached[0].get_content().decode() == text
    return str(parts[0].get_param("method")), Calendar.from_ical(text)


def attendees(event) -> dict[str, dict[str, str]]:
    found = event.get("attendee")
    found = found if isinstance(found, list) else [found]
    return {str(a): dict(a.params) for a in found}


def invites(ticket: Ticket) -> list[dict]:
    return [
        e.data
        for e in TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ESCALATION_INVITE)
        .order_by("seq")
        .all()
    ]


def test_a_conference_call_plan_mails_an_invitation(people, inbox, step, ticket):
    step(
        ticket,
        people.engineer,
        "plan",
        T,
        action_plan="Restore FS01 from the 02:00 snapshot; root cause after.",
        mode="conference-call",
        every_minutes=240,
        attendees=ATTENDEES,
    )
    [mail] = inbox.take()
    assert mail["Subject"] == f"Invitation: [{ticket.number}] Escalation call: FS01 down"
    assert sorted(a.addr_spec for a in mail["To"].addresses) == [
        "dana@initech.example",
        "engineer@vendor.example",
        "user@initech.example",
    ]
    assert mail.get_content_type() == "multipart/mixed"
    assert "conference call" in mail.get_body(("plain",)).get_content()

    method, calendar = call(mail)
    assert method == "REQUEST"
    assert calendar["method"] == "REQUEST"
    assert calendar["prodid"]
    [event] = calendar.walk("VEVENT")
    assert event["uid"] == f"{ticket.number}-escalation-1@desk.example"
    assert event["sequence"] == 0
    assert event["dtstart"].dt == (T + 4 * HOUR).astimezone(UTC)  # the first update due
    assert event["dtstart"].dt.utcoffset() == timedelta(0)
    assert event["duration"].dt == DURATION
    assert event["rrule"].to_ical() == b"FREQ=HOURLY;INTERVAL=4"
    assert event["summary"] == f"[{ticket.number}] Escalation call: FS01 down"
    description = str(event["description"])
    assert "Restore FS01 from the 02:00 snapshot" in description
    assert "Someone from the data centre" in description  # named, though not mailed
    assert f"https://support.desk.example/portal/tickets/{ticket.number}/" in description
    assert str(event["organizer"]) == f"mailto:{DESK}"
    invited = attendees(event)
    assert sorted(invited) == [
        "mailto:dana@initech.example",
        "mailto:engineer@vendor.example",
        "mailto:user@initech.example",
    ]
    assert invited["mailto:user@initech.example"]["CN"] == "Ivan Initech"
    assert invited["mailto:dana@initech.example"]["CN"] == "Dana Dent"
    assert all(p["ROLE"] == "REQ-PARTICIPANT" and p["RSVP"] == "TRUE" for p in invited.values())

    [record] = TicketEvent.objects.filter(kind=EventKind.ESCALATION_INVITE)
    assert not record.public
    assert record.actor == people.engineer
    assert {k: record.data[k] for k in ("escalation", "method", "sequence", "section")} == {
        "escalation": 1,
        "method": "REQUEST",
        "sequence": 0,
        "section": "§1.8",
    }
    assert sorted(record.data["invited"]) == sorted(
        ["user@initech.example", "engineer@vendor.example", "dana@initech.example"]
    )
    assert record.data["not_mailed"] == ["Gina Globex", "Someone from the data centre"]
    # The outbox keeps the mail's text for staff, and the calendar apart.
    stored = OutboundMail.objects.get(ticket=ticket, subject__startswith="Invitation")
    assert "BEGIN:VCALENDAR" not in stored.body
    assert stored.calendar.startswith("BEGIN:VCALENDAR")
    assert stored.state == OutboundMail.State.SENT


def test_a_new_plan_updates_the_event_and_de_escalation_cancels_it(people, inbox, step, ticket):
    plan = {"action_plan": "Restore.", "mode": "conference-call", "every_minutes": 240}
    step(ticket, people.engineer, "plan", T, attendees=ATTENDEES, **plan)
    [first] = inbox.take()
    uid = call(first)[1].walk("VEVENT")[0]["uid"]

    # Renegotiated: daily, without Dana.
    step(
        ticket,
        people.engineer,
        "plan",
        T + HOUR,
        attendees=["Ivan Initech", "Erin Engineer"],
        **{**plan, "every_minutes": 24 * 60},
    )
    mails = {m["Subject"].split(":")[0]: m for m in inbox.take()}
    assert sorted(mails) == ["Cancelled", "Updated invitation"]
    method, calendar = call(mails["Updated invitation"])
    [event] = calendar.walk("VEVENT")
    assert (method, event["uid"], event["sequence"]) == ("REQUEST", uid, 1)
    assert event["rrule"].to_ical() == b"FREQ=DAILY;INTERVAL=1"
    assert event["dtstart"].dt == (T + HOUR + 24 * HOUR).astimezone(UTC)
    method, calendar = call(mails["Cancelled"])
    [event] = calendar.walk("VEVENT")
    assert (method, event["uid"], event["sequence"]) == ("CANCEL", uid, 1)
    assert [a.addr_spec for a in mails["Cancelled"]["To"].addresses] == ["dana@initech.example"]
    assert list(attendees(event)) == ["mailto:dana@initech.example"]

    for item in CHECKLIST:
        step(ticket, people.engineer, "confirm", T + 2 * HOUR, item=item, confirmed_by="Ivan")
    assert inbox.take() == []  # nothing to tell the calendars
    step(ticket, people.engineer, "de-escalate", T + 3 * HOUR, note="Restored.")
    [cancel] = inbox.take()
    assert cancel["Subject"] == f"Cancelled: [{ticket.number}] Escalation call: FS01 down"
    assert sorted(a.addr_spec for a in cancel["To"].addresses) == [
        "engineer@vendor.example",
        "user@initech.example",
    ]
    method, calendar = call(cancel)
    [event] = calendar.walk("VEVENT")
    assert (method, calendar["method"]) == ("CANCEL", "CANCEL")
    assert (event["uid"], event["sequence"], event["status"]) == (uid, 2, "CANCELLED")

    assert [(d["method"], d["sequence"], sorted(d["cancelled"])) for d in invites(ticket)] == [
        ("REQUEST", 0, []),
        ("REQUEST", 1, ["dana@initech.example"]),
        ("CANCEL", 2, ["engineer@vendor.example", "user@initech.example"]),
    ]


def test_a_plan_without_a_call_cancels_it(people, inbox, step, ticket):
    step(
        ticket,
        people.engineer,
        "plan",
        T,
        action_plan="Restore.",
        mode="conference-call",
        every_minutes=90,
        attendees=["Ivan Initech"],
    )
    [invite] = inbox.take()
    assert call(invite)[1].walk("VEVENT")[0]["rrule"].to_ical() == b"FREQ=MINUTELY;INTERVAL=90"
    step(
        ticket,
        people.engineer,
        "plan",
        T + HOUR,
        action_plan="Mail.",
        mode="email",
        every_minutes=60,
    )
    [cancel] = inbox.take()
    method, calendar = call(cancel)
    assert (method, calendar.walk("VEVENT")[0]["sequence"]) == ("CANCEL", 1)
    # Nobody holds an invitation now: the end cancels nothing more.
    for item in CHECKLIST:
        step(ticket, people.engineer, "confirm", T + 2 * HOUR, item=item, confirmed_by="Ivan")
    step(ticket, people.engineer, "de-escalate", T + 3 * HOUR)
    assert inbox.take() == []
    assert [d["method"] for d in invites(ticket)] == ["REQUEST", "CANCEL"]


def test_plans_without_a_call_send_no_invitation(people, inbox, step, ticket):
    step(ticket, people.engineer, "plan", T, action_plan="Mail.", mode="email", every_minutes=60)
    step(ticket, people.engineer, "update", T + HOUR, note="Going well.")
    assert inbox.take() == []
    assert invites(ticket) == []


def test_when_nobody_can_be_mailed_the_history_says_so(people, inbox, step, ticket):
    step(
        ticket,
        people.engineer,
        "plan",
        T,
        action_plan="Restore.",
        mode="conference-call",
        every_minutes=60,
        attendees=["Gina Globex", "not an address@"],
    )
    assert inbox.take() == []
    [record] = invites(ticket)
    assert (record["invited"], record["not_mailed"]) == ([], ["Gina Globex", "not an address@"])


@pytest.mark.parametrize(
    ("minutes", "rule"),
    [
        (15, {"FREQ": "MINUTELY", "INTERVAL": 15}),
        (60, {"FREQ": "HOURLY", "INTERVAL": 1}),
        (90, {"FREQ": "MINUTELY", "INTERVAL": 90}),
        (240, {"FREQ": "HOURLY", "INTERVAL": 4}),
        (36 * 60, {"FREQ": "HOURLY", "INTERVAL": 36}),
        (24 * 60, {"FREQ": "DAILY", "INTERVAL": 1}),
        (7 * 24 * 60, {"FREQ": "DAILY", "INTERVAL": 7}),
    ],
)
def test_the_recurrence_is_the_plans_frequency(minutes, rule):
    assert recurrence(timedelta(minutes=minutes)) == rule


def test_the_recurrence_needs_whole_minutes():
    with pytest.raises(ValueError, match="whole number of minutes"):
        recurrence(timedelta(seconds=90))


def test_the_history_tells_staff_who_was_invited_and_the_customer_nothing(
    people, inbox, step, ticket
):
    step(
        ticket,
        people.engineer,
        "plan",
        T,
        action_plan="Restore.",
        mode="conference-call",
        every_minutes=60,
        attendees=["Ivan Initech", "Someone from the data centre"],
    )
    [entry] = [e for e in timeline(people.manager, ticket) if e.kind == "escalation-invite"]
    assert entry.internal
    assert entry.text == "Conference call invitation sent to user@initech.example (§1.8)"
    assert entry.detail == "Not mailed (no address known): Someone from the data centre"
    kinds = [e.kind for e in timeline(people.initech_user, ticket)]
    assert "escalation-invite" not in kinds


def test_an_attendees_answer_shows_on_the_escalation_panel(people, inbox, step, ticket):
    from supportdesk.mail.ingest import ingest_raw
    from supportdesk.tickets.escalation_views import panel

    step(
        ticket,
        people.engineer,
        "plan",
        T,
        action_plan="Restore FS01 from the 02:00 snapshot.",
        mode="conference-call",
        every_minutes=240,
        attendees=ATTENDEES,
    )
    [invitation] = inbox.take()
    answer = EmailMessage()
    answer["From"] = "Ivan Initech <user@initech.example>"
    answer["To"] = DESK
    answer["Subject"] = f"Accepted: {invitation['Subject'].removeprefix('Invitation: ')}"
    answer["Message-ID"] = "<rsvp-1@initech.example>"
    answer.set_content("")
    answer.add_alternative(
        "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n"
        "ATTENDEE;PARTSTAT=ACCEPTED:mailto:user@initech.example\r\n"
        f"UID:{ticket.number}-escalation-1@desk.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        subtype="calendar",
        params={"method": "REPLY"},
    )
    result = ingest_raw(answer.as_bytes(), "test", now=T + HOUR)
    assert (result.outcome, result.ticket) == ("auto-reply", ticket.number)

    shown = panel(people.manager, ticket, now=T + HOUR, url_name="tickets:escalation_step")
    assert shown["answers"] == {"user@initech.example": "accepted"}
    from django.test import Client

    client = Client()
    client.force_login(people.manager)
    page = client.get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert 'id="escalation-call-answers"' in page
    assert "user@initech.example accepted" in page
