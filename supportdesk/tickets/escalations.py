"""A ticket's escalations between the policy core's state machine
(policy/escalation.py) and the ticket's history: each step is an
`escalation` event carrying the step's fields and who took it, and an
escalation's state is the fold of its steps."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from supportdesk.accounts.access import side_of
from supportdesk.accounts.models import Role, User
from supportdesk.policy import escalation as machine
from supportdesk.tickets.models import EventKind, Ticket, TicketEvent

STEPS: dict[str, type[machine.Step]] = {
    cls.kind: cls
    for cls in (
        machine.Request,
        machine.Evaluate,
        machine.Plan,
        machine.Update,
        machine.InsufficientProgress,
        machine.EngageVendor,
        machine.Confirm,
        machine.Deescalate,
    )
}
# What each step takes besides when and by whom; `every` travels in minutes.
FIELDS: dict[str, tuple[str, ...]] = {
    kind: tuple(
        "every_minutes" if f.name == "every" else f.name
        for f in dataclasses.fields(cls)
        if f.name not in ("at", "by")
    )
    for kind, cls in STEPS.items()
}


def actor_of(user: User) -> machine.Actor:
    return machine.Actor(
        name=user.display_name or user.email,
        side=side_of(user),
        manager=user.role == Role.MANAGER,
    )


def engineer_named(ticket: Ticket, name: str) -> User | None:
    """The engineer who can work `ticket` named by `name`: their email, or
    their display name (both without regard to case); None if nobody is, or
    if the name is not unique. Finance staff do not lead escalations."""
    from supportdesk.accounts.access import assignable_users
    from supportdesk.accounts.models import VENDOR_AGENT_ROLES

    text = name.strip()
    if not text:
        return None
    people = assignable_users(ticket).filter(role__in=VENDOR_AGENT_ROLES)
    found = list(people.filter(email__iexact=text)[:2]) or list(
        people.filter(name__iexact=text)[:2]
    )
    return found[0] if len(found) == 1 else None


def make_step(
    kind: str, fields: Mapping[str, Any], at: datetime, by: machine.Actor
) -> machine.Step:
    """The step `kind` from input fields; ValueError names what is wrong."""
    cls = STEPS.get(kind)
    if cls is None:
        raise ValueError(f"step must be one of {', '.join(STEPS)}")
    unknown = sorted(set(fields) - set(FIELDS[kind]))
    if unknown:
        raise ValueError(f"{kind} takes {', '.join(FIELDS[kind]) or 'nothing'}; not {unknown[0]}")
    values: dict[str, Any] = {}
    for field in dataclasses.fields(cls):
        if field.name in ("at", "by"):
            continue
        name = "every_minutes" if field.name == "every" else field.name
        if name not in fields:
            if field.default is dataclasses.MISSING:
                raise ValueError(f"{kind} needs {name}")
            continue
        values[field.name] = _value(kind, name, fields[name])
    return cls(at=at, by=by, **values)


def _value(kind: str, name: str, value: Any) -> Any:
    if name == "every_minutes":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{name} must be a whole number of minutes")
        return timedelta(minutes=value)
    if name == "accept":
        if not isinstance(value, bool):
            raise ValueError("accept must be true or false")
        return value
    if name == "attendees":
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ValueError("attendees must be a list of names")
        return tuple(v[:200] for v in value[:50])
    if value is None and name == "primary_engineer":
        return None
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text")
    return value[:4000]


def step_data(step: machine.Step) -> dict[str, Any]:
    """A step as an event's data: its kind, its fields and who took it."""
    data: dict[str, Any] = {
        "step": step.kind,
        "by": {"name": step.by.name, "side": step.by.side, "manager": step.by.manager},
    }
    for field in dataclasses.fields(step):
        if field.name in ("at", "by"):
            continue
        value = getattr(step, field.name)
        if isinstance(value, timedelta):
            data["every_minutes"] = int(value.total_seconds() // 60)
        elif isinstance(value, tuple):
            data[field.name] = list(value)
        else:
            data[field.name] = value
    return data


def step_of(event: TicketEvent) -> machine.Step:
    data = dict(event.data)
    kind = data["step"]
    by = machine.Actor(**data["by"])
    fields = {name: data[name] for name in FIELDS[kind] if name in data}
    return make_step(kind, fields, event.at, by)


def current(events: Iterable[TicketEvent]) -> tuple[int, list[machine.Step]] | None:
    """The latest escalation's number and steps, from the ticket's history."""
    steps: dict[int, list[machine.Step]] = {}
    for event in events:
        if event.kind == EventKind.ESCALATION:
            steps.setdefault(int(event.data["escalation"]), []).append(step_of(event))
    if not steps:
        return None
    seq = max(steps)
    return seq, steps[seq]


def recorded_misses(events: Iterable[TicketEvent], seq: int) -> set[str]:
    return {
        str(e.data.get("due"))
        for e in events
        if e.kind == EventKind.ESCALATION_UPDATE_MISSED and e.data.get("escalation") == seq
    }


def call_answers(events: Iterable[TicketEvent], since: datetime) -> dict[str, str]:
    """Who answered the conference-call invitation since `since` (the
    escalation's request), and how, by address: the latest answer of each,
    as mail ingestion notes calendar replies (mail/ingest.py)."""
    answers: dict[str, str] = {}
    for event in events:
        if event.kind == EventKind.MAIL_AUTOMATIC and event.at >= since:
            answer, sender = event.data.get("calendar"), event.data.get("from")
            if answer and sender:
                answers[str(sender)] = str(answer)
    return answers


def recorded_reminders(events: Iterable[TicketEvent], seq: int) -> set[str]:
    """The deadlines (ISO 8601) of escalation `seq` already reminded of."""
    return {
        str(e.data.get("due"))
        for e in events
        if e.kind == EventKind.ESCALATION_REMINDER and e.data.get("escalation") == seq
    }


def describe(data: Mapping[str, Any]) -> tuple[str, str]:
    """An escalation step of the history in words, with its section: a
    headline, and the statement or note that came with it."""
    section = data.get("section") or "§1.8"
    step = data.get("step")
    level = data.get("level")
    match step:
        case "request":
            reason = str(data.get("reason", "")).replace("-", " ")
            return f"Escalation requested: {reason} ({section})", str(data.get("statement", ""))
        case "evaluate" if data.get("accept"):
            engineer = data.get("primary_engineer") or "?"
            return (
                f"Escalation accepted; primary engineer {engineer} ({section})",
                str(data.get("note", "")),
            )
        case "evaluate":
            return f"Escalation declined ({section})", str(data.get("note", ""))
        case "plan":
            mode = str(data.get("mode", "")).replace("-", " ")
            minutes = int(data.get("every_minutes") or 0)
            attendees = ", ".join(data.get("attendees") or [])
            detail = f"Action plan: {data.get('action_plan', '')}"
            if attendees:
                detail += f"\nRequired attendees: {attendees}"
            return (
                f"Communication plan: {mode}, {every_words(minutes)} ({section})",
                detail,
            )
        case "update":
            return f"Escalation update given ({section})", str(data.get("note", ""))
        case "insufficient-progress":
            return (
                f"Progress reported insufficient: escalation level {level}; management "
                f"to schedule a call ({section})",
                str(data.get("statement", "")),
            )
        case "engage-vendor":
            return (
                f"Engaged {data.get('vendor', '?')}, case {data.get('case_reference', '?')} "
                f"({section})",
                f"Contact: {data.get('contact', '')}",
            )
        case "confirm":
            item = str(data.get("item", "")).replace("-", " ")
            return (
                f"De-escalation checklist: {item}, confirmed by {data.get('confirmed_by', '?')} "
                f"({section})",
                "",
            )
        case "de-escalate":
            return f"De-escalated ({section})", str(data.get("note", ""))
    return f"Escalation step {step} ({section})", ""


def every_words(minutes: int) -> str:
    """'every 2 hours', 'every 30 minutes', 'every day'."""
    for size, unit in ((10080, "week"), (1440, "day"), (60, "hour")):
        if minutes and minutes % size == 0:
            count = minutes // size
            return f"every {unit}" if count == 1 else f"every {count} {unit}s"
    return f"every {minutes} minutes"
