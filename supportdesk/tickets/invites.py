"""Conference-call invitations for an escalation's communication plan (§1.8).

When a plan with a conference call is recorded, its attendees get an
iCalendar invitation by mail (METHOD:REQUEST): one recurring event per
escalation, with a stable UID (`SD-12-escalation-1@desk.example`) and a
SEQUENCE raised each time the plan is replaced, so calendar clients move the
one meeting rather than add another. When a new plan drops the call or
leaves someone out, or the escalation ends, those invited get a
METHOD:CANCEL of the same event with a higher SEQUENCE. Each sending is an
internal `escalation-invite` event of the ticket: who was invited, and which
attendees could not be mailed.

The plan's frequency is elapsed time (policy/escalation.py), so the event
starts and recurs in UTC: a daily call stays 24 hours apart across a
daylight-saving change, as the desk's update deadlines do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q, QuerySet
from django.urls import reverse
from icalendar import Calendar, Event, vCalAddress, vText

from supportdesk.accounts.access import users_who_see
from supportdesk.accounts.models import User
from supportdesk.policy import Policy
from supportdesk.policy import escalation as machine
from supportdesk.tickets import notify, rows
from supportdesk.tickets.models import EventKind, Ticket, TicketEvent

# How long each call is booked for: long enough for an update and the
# questions it raises, short enough to hold in a working day.
DURATION = timedelta(minutes=30)
PRODID = "-//supportdesk//Escalation conference calls//EN"
REQUEST = "REQUEST"
CANCEL = "CANCEL"


@dataclass(frozen=True)
class Attendee:
    name: str  # may be empty
    address: str


@dataclass(frozen=True)
class Call:
    """An escalation's conference call as one recurring calendar event."""

    uid: str
    sequence: int  # raised by every invitation or cancellation sent
    start: datetime  # the plan's first update due
    every: timedelta
    summary: str
    description: str
    organizer: Attendee


def recurrence(every: timedelta) -> dict[str, Any]:
    """The RRULE of a call every `every` (whole minutes): DAILY with an
    interval in days when `every` is whole days, HOURLY when whole hours,
    else MINUTELY."""
    minutes = every // timedelta(minutes=1)
    if minutes < 1 or every % timedelta(minutes=1):
        raise ValueError(f"a call recurs every whole number of minutes, not {every}")
    for freq, size in (("DAILY", 24 * 60), ("HOURLY", 60)):
        if minutes % size == 0:
            return {"FREQ": freq, "INTERVAL": minutes // size}
    return {"FREQ": "MINUTELY", "INTERVAL": minutes}


def uid(ticket: Ticket, seq: int) -> str:
    """The event's UID: one per escalation of a ticket, for good."""
    return f"{ticket.number}-escalation-{seq}@{_desk_address().rpartition('@')[2]}"


def resolve(ticket: Ticket, names: tuple[str, ...]) -> tuple[list[Attendee], list[str]]:
    """The plan's attendees who can be mailed, and the names that cannot.

    An attendee is an address as given ("ian@initech.example", "Ian Initech
    <ian@initech.example>"), or the name or address of one user who may see
    the ticket (vendor staff, its company's users, its partner's staff). A
    name two such users share, or nobody has, cannot be mailed."""
    people = users_who_see(ticket)
    found: dict[str, Attendee] = {}
    unresolved: list[str] = []
    for text in names:
        attendee = _attendee(people, text.strip())
        if attendee is None:
            unresolved.append(text)
        else:
            found.setdefault(attendee.address.lower(), attendee)
    return list(found.values()), unresolved


def _attendee(people: QuerySet[User], text: str) -> Attendee | None:
    if "@" in text:
        name, address = parseaddr(text)
        try:
            validate_email(address)
        except ValidationError:
            return None
        user = people.filter(email__iexact=address).first()
        return Attendee(name or (user.display_name if user else ""), address)
    users: list[User] = list(
        people.filter(Q(name__iexact=text) | Q(name="", email__istartswith=f"{text}@"))[:2]
    )
    if len(users) != 1:
        return None
    return Attendee(users[0].display_name, users[0].email)


def after_escalation_step(
    ticket: Ticket,
    seq: int,
    step: machine.Step,
    state: machine.State,
    history: list[TicketEvent],
    *,
    policy: Policy,
    actor: User,
    now: datetime,
) -> list[TicketEvent]:
    """Mail what a step of escalation `seq` means for its conference call,
    and record it (the ticket row is locked; `history` is from before the
    step): a plan with a call invites its attendees, and cancels the call
    for anyone invited before whom it leaves out; a plan without a call, or
    the end of the escalation, cancels it for everyone invited."""
    last = _last_invite(history, seq)
    sequence = int(last.data["sequence"]) + 1 if last is not None else 0
    invited: list[str] = []
    if last is not None and last.data["method"] == REQUEST:
        invited = list(last.data["invited"])
    plan = state.active_plan
    calling = plan is not None and plan.mode == machine.CONFERENCE_CALL
    if isinstance(step, machine.Plan) and plan is not None and calling:
        attendees, unresolved = resolve(ticket, plan.attendees)
        call = Call(
            uid=uid(ticket, seq),
            sequence=sequence,
            start=plan.set_at.astimezone(UTC) + plan.every,
            every=plan.every,
            summary=_summary(ticket),
            description=_description(ticket, policy, plan, unresolved),
            organizer=_organizer(policy),
        )
        if attendees:
            _mail(ticket, REQUEST, call, attendees, policy, now)
        kept = {a.address.lower() for a in attendees}
        dropped = [address for address in invited if address.lower() not in kept]
        invited = [a.address for a in attendees]
        method = REQUEST
    elif invited and not calling:
        assert last is not None
        call = Call(
            uid=uid(ticket, seq),
            sequence=sequence,
            start=datetime.fromisoformat(str(last.data["start"])),
            every=timedelta(minutes=int(last.data["every_minutes"])),
            summary=_summary(ticket),
            description=f"The escalation call of {ticket.number} is cancelled.",
            organizer=_organizer(policy),
        )
        dropped, unresolved, method = invited, [], CANCEL
    else:
        return []
    if dropped:
        _mail(ticket, CANCEL, call, [Attendee("", a) for a in dropped], policy, now)
    event = TicketEvent(
        kind=EventKind.ESCALATION_INVITE,
        at=now,
        actor=actor,
        public=False,
        data={
            "escalation": seq,
            "method": method,
            "sequence": sequence,
            "uid": call.uid,
            # Who holds the invitation now: nobody after a cancellation.
            "invited": invited if method == REQUEST else [],
            "not_mailed": unresolved,
            "cancelled": dropped,
            "start": call.start.isoformat(),
            "every_minutes": call.every // timedelta(minutes=1),
            "section": policy.escalation.source,
        },
    )
    rows.chain(ticket, event)
    rows.insert_events.insert(event)
    rows.save_chain_head.update(ticket)
    return [event]


def _mail(
    ticket: Ticket,
    method: str,
    call: Call,
    attendees: list[Attendee],
    policy: Policy,
    now: datetime,
) -> None:
    section = policy.escalation.source
    if method == REQUEST:
        subject = f"{'Updated invitation' if call.sequence else 'Invitation'}: {call.summary}"
        text = (
            f"A conference call is set up for the escalation of ticket {ticket.number} "
            f"({section}): {_every(call.every)}, the first on "
            f"{_local(ticket, policy, call.start)}. The invitation is attached; accept it to "
            f"add the calls to your calendar.\n\n{call.description}"
        )
    else:
        subject = f"Cancelled: {call.summary}"
        text = (
            f"The conference call for the escalation of ticket {ticket.number} ({section}) "
            "is cancelled: the escalation has ended, or its communication plan no longer "
            "has you on a call. The attached cancellation takes it off your calendar."
        )
    notify.invite(
        ticket,
        to=[a.address for a in attendees],
        subject=subject,
        body=f"{text}\n\n{policy.meta.vendor} Support",
        calendar=calendar_text(method, call, attendees, now),
        now=now,
    )


def calendar_text(method: str, call: Call, attendees: list[Attendee], now: datetime) -> str:
    """The VCALENDAR (CRLF lines) that sends `call` to `attendees`: REQUEST
    invites them (RSVP asked), CANCEL takes it off their calendars."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", call.uid)
    event.add("sequence", call.sequence)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", call.start.astimezone(UTC))
    event.add("duration", DURATION)
    event.add("rrule", recurrence(call.every))
    event.add("summary", call.summary)
    event.add("description", call.description)
    if method == CANCEL:
        event.add("status", "CANCELLED")
    event.add("organizer", _address(call.organizer))
    for attendee in attendees:
        address = _address(attendee)
        address.params["role"] = vText("REQ-PARTICIPANT")
        if method == REQUEST:
            address.params["partstat"] = vText("NEEDS-ACTION")
            address.params["rsvp"] = vText("TRUE")
        event.add("attendee", address)
    calendar.add_component(event)
    return bytes(calendar.to_ical()).decode()


def _address(person: Attendee) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.address}")
    if person.name:
        address.params["cn"] = vText(person.name)
    return address


def _last_invite(history: list[TicketEvent], seq: int) -> TicketEvent | None:
    for event in reversed(history):
        if event.kind == EventKind.ESCALATION_INVITE and event.data.get("escalation") == seq:
            return event
    return None


def _summary(ticket: Ticket) -> str:
    return f"[{ticket.number}] Escalation call: {ticket.subject}"


def _description(
    ticket: Ticket, policy: Policy, plan: machine.CommunicationPlan, unresolved: list[str]
) -> str:
    lines = [
        f"Escalation of {ticket.number}: {ticket.subject} ({policy.escalation.source})",
        "",
        "Action plan:",
        plan.action_plan,
        "",
        f"Updates {_every(plan.every)}, by conference call.",
        f"Required attendees: {', '.join(plan.attendees)}",
    ]
    if unresolved:
        lines.append(f"Not invited by mail (no address known): {', '.join(unresolved)}")
    link = portal_url(ticket)
    if link:
        lines += ["", f"The ticket: {link}"]
    return "\n".join(lines)


def portal_url(ticket: Ticket) -> str:
    """The ticket's page in the portal, when the desk knows its own address."""
    base = str(getattr(settings, "SUPPORTDESK_URL", ""))
    if not base:
        return ""
    return base + reverse("portal:ticket", args=[ticket.number])


def _every(every: timedelta) -> str:
    minutes = every // timedelta(minutes=1)
    for size, unit in ((24 * 60, "day"), (60, "hour"), (1, "minute")):
        if minutes % size == 0:
            count = minutes // size
            return f"every {unit}" if count == 1 else f"every {count} {unit}s"
    raise AssertionError("unreachable: every is whole minutes")  # pragma: no cover


def _local(ticket: Ticket, policy: Policy, at: datetime) -> str:
    """An instant in the zone of the ticket's response calendar: "Mon 30 Nov 13:00 EST"."""
    zone = policy.calendar(policy.target(ticket.severity, ticket.channel).calendar).zone
    local = at.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b} {local:%H:%M %Z}"


def _organizer(policy: Policy) -> Attendee:
    return Attendee(f"{policy.meta.vendor} Support", _desk_address())


def _desk_address() -> str:
    # The mail app's desk_address(), read here as the tickets app never
    # imports the mail app (notify.py).
    return str(settings.SUPPORTDESK_MAIL_ADDRESS).lower()
