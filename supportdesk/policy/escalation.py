"""The escalation of a ticket (§1.8) as a pure state machine.

An escalation is its own record on a ticket. Its state is a fold of its
steps, in order, under the policy: `apply` takes one step, `compute` folds a
sequence. A step that may not be taken answers `Refused` with a code the
shell maps to HTTP ("conflict" → 409, "forbidden" → 403/404, "invalid" →
400) and a sentence a user can read. `apply` either returns a new state or
raises; it never changes anything half-way (every value here is frozen).

The life of an escalation:

    requested --evaluate(accept)--> active --de-escalate--> de-escalated
        \\--evaluate(decline)--> declined

While active: `plan` sets the communication plan (mode, frequency,
attendees) and the action plan; `update` records an update given to the
customer; `insufficient-progress` raises the level and makes management owe
a call; `engage-vendor` records another vendor's case; `confirm` records one
item of the policy's de-escalation checklist. De-escalation needs a plan and
every checklist item confirmed.

Times: every instant is an aware datetime (a naive one is a ValueError);
deadlines are returned in UTC. The plan's frequency is elapsed time, counted
in UTC, so a daylight-saving change neither stretches nor shrinks an
interval. An update given at its due instant is on time; the update is missed
once the instant has passed (`now > due`).

Where §1.8 is silent the rules below decide, each with a comment saying why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import ClassVar, Literal

from supportdesk.policy.calendar import to_us
from supportdesk.policy.schema import ChecklistItem, Policy

Side = Literal["customer", "partner", "vendor"]
SIDES: tuple[Side, ...] = ("customer", "partner", "vendor")

Code = Literal["conflict", "forbidden", "invalid"]

# The step names of the API and the screens, in the order of an escalation.
KINDS = (
    "request",
    "evaluate",
    "plan",
    "update",
    "insufficient-progress",
    "engage-vendor",
    "confirm",
    "de-escalate",
)

# The communication mode that is a conference call: it needs attendees.
CONFERENCE_CALL = "conference-call"

# Bounds on the plan's frequency. §1.8 says only that the plan "fits Your
# needs". Under 15 minutes the updates would crowd out the work they report
# on; over a week apart, the ticket is not getting the "increased management
# attention" an escalation promises. Whole minutes, so a plan reads as
# "every 4 hours", never "every 4 hours 0.3 seconds".
MIN_EVERY = timedelta(minutes=15)
MAX_EVERY = timedelta(days=7)


class Status(StrEnum):
    REQUESTED = "requested"
    ACTIVE = "active"
    DECLINED = "declined"
    DEESCALATED = "de-escalated"


ENDED = frozenset({Status.DECLINED, Status.DEESCALATED})


class Refused(Exception):
    """A step the escalation does not take, with why in words and a code:
    "conflict" (not in this state), "forbidden" (not by this actor) or
    "invalid" (bad input)."""

    def __init__(self, reason: str, code: Code) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code: Code = code

    def __repr__(self) -> str:
        return f"Refused({self.reason!r}, {self.code!r})"


@dataclass(frozen=True)
class Actor:
    """Who takes a step. `manager` is a support manager on the vendor side."""

    name: str
    side: Side
    manager: bool = False

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("an actor needs a name")
        if self.side not in SIDES:
            raise ValueError(f"actor side {self.side!r} is not one of {', '.join(SIDES)}")
        if self.manager and self.side != "vendor":
            raise ValueError("only vendor staff can be support managers")

    @property
    def staff(self) -> bool:
        return self.side == "vendor"


# -- steps ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Step:
    kind: ClassVar[str]

    at: datetime
    by: Actor

    def __post_init__(self) -> None:
        to_us(self.at)  # a naive instant is a ValueError


@dataclass(frozen=True)
class Request(_Step):
    """The customer or partner asks for an escalation, for one of the
    policy's reasons, with a statement of the situation."""

    kind: ClassVar[str] = "request"

    reason: str
    statement: str


@dataclass(frozen=True)
class Evaluate(_Step):
    """A support manager accepts the request and assigns the primary
    engineer, or declines it with a note saying why."""

    kind: ClassVar[str] = "evaluate"

    accept: bool
    note: str = ""
    primary_engineer: str | None = None


@dataclass(frozen=True)
class Plan(_Step):
    """The action plan and the communication plan: mode, frequency and the
    attendees required for every update."""

    kind: ClassVar[str] = "plan"

    action_plan: str
    mode: str
    every: timedelta
    attendees: tuple[str, ...] = ()


@dataclass(frozen=True)
class Update(_Step):
    """An update given to the customer under the communication plan."""

    kind: ClassVar[str] = "update"

    note: str


@dataclass(frozen=True)
class InsufficientProgress(_Step):
    """The customer or partner says the escalation is not making progress."""

    kind: ClassVar[str] = "insufficient-progress"

    statement: str


@dataclass(frozen=True)
class EngageVendor(_Step):
    """Another vendor engaged under an existing support contract."""

    kind: ClassVar[str] = "engage-vendor"

    vendor: str
    case_reference: str
    contact: str


@dataclass(frozen=True)
class Confirm(_Step):
    """One item of the de-escalation checklist, confirmed by a named person
    and recorded by vendor staff."""

    kind: ClassVar[str] = "confirm"

    item: str
    confirmed_by: str


@dataclass(frozen=True)
class Deescalate(_Step):
    kind: ClassVar[str] = "de-escalate"

    note: str = ""


Step = (
    Request | Evaluate | Plan | Update | InsufficientProgress | EngageVendor | Confirm | Deescalate
)

# -- state --------------------------------------------------------------------------


@dataclass(frozen=True)
class CommunicationPlan:
    action_plan: str
    mode: str
    every: timedelta
    attendees: tuple[str, ...]
    set_at: datetime
    set_by: str


@dataclass(frozen=True)
class MissedUpdate:
    """An update due at `due_at` (UTC) that was not given by then."""

    due_at: datetime
    mode: str


@dataclass(frozen=True)
class VendorCase:
    vendor: str
    case_reference: str
    contact: str
    at: datetime
    by: str


@dataclass(frozen=True)
class Confirmation:
    item: str
    confirmed_by: str  # the person who confirms
    recorded_by: str  # the vendor staff who recorded it
    at: datetime


@dataclass(frozen=True)
class State:
    status: Status
    level: int  # 1 at the request, +1 per report of insufficient progress
    reason: str
    statement: str
    requested_at: datetime
    requested_by: str
    evaluated_at: datetime | None = None
    evaluation_note: str = ""
    primary_engineer: str | None = None
    plan: CommunicationPlan | None = None
    last_update_at: datetime | None = None
    # Plan time or last update + the plan's frequency (UTC); None when there
    # is no plan in force (none yet, or the escalation ended).
    next_update_due: datetime | None = None
    # Deadlines missed in the cycles already closed by an update, a new plan
    # or the end; `missed_updates(state, now)` adds those of the open cycle.
    missed: tuple[MissedUpdate, ...] = ()
    vendors: tuple[VendorCase, ...] = ()
    confirmations: tuple[Confirmation, ...] = ()
    # Set by a report of insufficient progress: management owes a call.
    call_requested_at: datetime | None = None
    ended_at: datetime | None = None
    history: tuple[Step, ...] = field(default=())

    @property
    def ended(self) -> bool:
        return self.status in ENDED

    @property
    def active_plan(self) -> CommunicationPlan | None:
        return self.plan if self.status is Status.ACTIVE else None

    def confirmation(self, item: str) -> Confirmation | None:
        for confirmation in self.confirmations:
            if confirmation.item == item:
                return confirmation
        return None


def unconfirmed(policy: Policy, state: State) -> tuple[ChecklistItem, ...]:
    """The checklist items (§1.8) not yet confirmed, in the policy's order."""
    checklist = policy.escalation.deescalation_checklist
    return tuple(item for item in checklist if state.confirmation(item.slug) is None)


# -- the machine ------------------------------------------------------------------


def apply(policy: Policy, state: State | None, step: Step) -> State:
    """The state after `step`, or `Refused`. `state` None means the ticket
    has no escalation yet; a request after an escalation ended starts a new
    one (a fresh state at level 1)."""
    refusal = _refusal(policy, state, step.kind, step.by)
    if refusal is not None:
        raise refusal
    if state is not None and state.history and step.at < state.history[-1].at:
        raise Refused(
            f"Steps are recorded in time order: this one ({_show(step.at)}) is earlier "
            f"than the last one ({_show(state.history[-1].at)}).",
            "invalid",
        )
    if isinstance(step, Request):
        return _request(policy, step)
    assert state is not None  # _refusal lets only a request through without a state
    new = _step(policy, state, step)
    return replace(new, history=(*state.history, step))


def compute(policy: Policy, steps: Sequence[Step]) -> State:
    """Fold an escalation's steps, in order. A request after the end starts
    a new escalation, so the result is the state of the last one; the desk
    keeps each escalation's steps as its own record. A step the machine
    refuses raises `Refused`: stored steps were accepted when stored."""
    if not steps or not isinstance(steps[0], Request):
        raise ValueError("an escalation's steps start with Request")
    state: State | None = None
    for step in steps:
        state = apply(policy, state, step)
    assert state is not None
    return state


def allowed_steps(policy: Policy, state: State | None, actor: Actor) -> list[str]:
    """The steps `actor` may take now (the buttons to show), in `KINDS`
    order. A step listed here is still refused if its input is bad, or if it
    repeats a record (an item already confirmed, a vendor case already
    recorded)."""
    return [kind for kind in KINDS if _refusal(policy, state, kind, actor) is None]


def missed_updates(state: State, now: datetime) -> tuple[MissedUpdate, ...]:
    """The update deadlines passed without an update by `now`, oldest first,
    each exactly once: those of cycles already closed, then those of the open
    cycle (due, due + every, … while before `now`). A deadline equal to `now`
    is not missed yet."""
    to_us(now)
    out = [missed for missed in state.missed if missed.due_at < now]
    plan = state.active_plan
    if plan is not None and state.next_update_due is not None:
        out += _passed(state.next_update_due, plan, now)
    return tuple(out)


def next_deadline(state: State, *, after: datetime | None = None) -> datetime | None:
    """The next update deadline (UTC) for the worker's timer: the state's
    `next_update_due`, or with `after` the first deadline of the open cycle
    at or after it (one not yet missed at `after`). None without a plan in
    force."""
    plan = state.active_plan
    due = state.next_update_due
    if plan is None or due is None:
        return None
    if after is None:
        return due
    to_us(after)
    return due + plan.every * _count_before(due, plan.every, after)


def reminder_lead(policy: Policy, every: timedelta) -> timedelta:
    """How long before an update deadline the engineer is reminded, for a
    plan with updates `every` apart: the policy's `update_reminder`, or half
    the interval when the interval is shorter than twice that. So the
    reminder always falls in the second half of a cycle: never before the
    update it follows, nor so soon after it that it reads as noise (a plan
    every 45 minutes with a 30-minute lead is reminded 22.5 minutes before)."""
    lead = policy.escalation.update_reminder
    return every / 2 if every < 2 * lead else lead


def reminder_at(policy: Policy, state: State, *, after: datetime | None = None) -> datetime | None:
    """When (UTC) to remind of the update deadline `next_deadline(state,
    after=after)` gives: that deadline less `reminder_lead`. None without a
    plan in force. With `after` the instant may be at or before `after`
    (the deadline is not, so a reminder is still worth sending)."""
    due = next_deadline(state, after=after)
    plan = state.active_plan
    if due is None or plan is None:
        return None
    return due - reminder_lead(policy, plan.every)


# -- rules: who and when ------------------------------------------------------------


def _refusal(policy: Policy, state: State | None, kind: str, actor: Actor) -> Refused | None:
    """Why `actor` may not take a step of `kind` now, whatever its input.

    The state is checked before the actor. The shell has already checked
    that the actor may see the ticket (a stranger gets 404 before this
    runs), so "this escalation has ended" leaks nothing, and it is the true
    answer: a "not for you" would mislead when nobody may take the step."""
    section = policy.escalation.source
    verb = _VERBS[kind]
    if kind == "request":
        # One escalation at a time: a customer unhappy with an active one
        # reports insufficient progress, which raises its level (§1.8).
        if state is not None and state.status is Status.REQUESTED:
            return Refused(
                "This ticket's escalation request is already waiting for a support manager "
                f"to evaluate it ({section}).",
                "conflict",
            )
        if state is not None and not state.ended:
            return Refused(
                f"This ticket is already escalated (level {state.level}). If progress is not "
                f"sufficient, report it on the escalation ({section}).",
                "conflict",
            )
    elif state is None:
        return Refused(f"There is no escalation on this ticket to {verb}.", "conflict")
    elif state.ended:
        assert state.ended_at is not None
        return Refused(
            f"This escalation was {state.status} on {_show(state.ended_at)}; nothing more "
            f"can be done on it. Ask for a new escalation if one is needed ({section}).",
            "conflict",
        )
    elif kind == "evaluate":
        if state.status is not Status.REQUESTED:
            return Refused(f"This escalation has already been evaluated ({section}).", "conflict")
    elif state.status is Status.REQUESTED:
        # Until a manager has evaluated the request there is no primary
        # engineer to plan, update or confirm, and nothing to report on.
        return Refused(
            f"A support manager must evaluate the escalation request before anyone can "
            f"{verb} ({section}).",
            "conflict",
        )
    elif kind == "insufficient-progress" and state.call_requested_at is not None:
        # One unanswered report is enough: management already owes a call.
        # A second report before any update would raise the level again for
        # the same silence.
        return Refused(
            f"Insufficient progress was reported on {_show(state.call_requested_at)} and "
            "management owes a call; a new report is possible once the engineer has given "
            f"an update ({section}).",
            "conflict",
        )
    elif kind in ("confirm", "de-escalate") and state.plan is None:
        # The checklist is about the action plan in force (§1.8).
        return Refused(
            f"There is no action plan yet; set the communication and action plan before "
            f"anyone can {verb} ({section}).",
            "conflict",
        )
    elif kind == "confirm" and not unconfirmed(policy, state):
        return Refused(
            f"Every item of the de-escalation checklist is already confirmed ({section}).",
            "conflict",
        )
    elif kind == "de-escalate" and (missing := unconfirmed(policy, state)):
        texts = "; ".join(f"{item.text} ({item.slug})" for item in missing)
        return Refused(
            f"The escalation can be de-escalated only once every item of the checklist is "
            f"confirmed ({section}); still to confirm: {texts}.",
            "conflict",
        )
    return _actor_refusal(policy, kind, actor)


def _actor_refusal(policy: Policy, kind: str, actor: Actor) -> Refused | None:
    section = policy.escalation.source
    if kind in ("request", "insufficient-progress"):
        # The customer's voice (§1.8: "You can request", "please inform");
        # vendor staff who see a need can raise the severity instead (§1.7).
        if actor.staff:
            return Refused(
                f"Only the customer or partner can {_VERBS[kind]} ({section}).", "forbidden"
            )
    elif kind == "evaluate":
        if not actor.manager:
            return Refused(
                f"Only a support manager evaluates an escalation request ({section}).",
                "forbidden",
            )
    elif not actor.staff:
        return Refused(f"Only vendor staff can {_VERBS[kind]} ({section}).", "forbidden")
    return None


_VERBS = {
    "request": "ask for an escalation",
    "evaluate": "evaluate the request",
    "plan": "set the communication plan",
    "update": "give an update",
    "insufficient-progress": "report insufficient progress",
    "engage-vendor": "engage another vendor",
    "confirm": "confirm a checklist item",
    "de-escalate": "de-escalate",
}

# -- rules: each step -------------------------------------------------------------


def _request(policy: Policy, step: Request) -> State:
    reasons = policy.escalation.reasons
    if step.reason not in {reason.slug for reason in reasons}:
        slugs = ", ".join(reason.slug for reason in reasons)
        raise Refused(
            f"{step.reason!r} is not a reason for escalation; choose one of: {slugs} "
            f"({policy.escalation.source}).",
            "invalid",
        )
    _require(step.statement, "The request needs a statement of the situation and its impact.")
    return State(
        status=Status.REQUESTED,
        level=1,
        reason=step.reason,
        statement=step.statement,
        requested_at=step.at,
        requested_by=step.by.name,
        history=(step,),
    )


def _step(policy: Policy, state: State, step: Step) -> State:
    match step:
        case Evaluate():
            return _evaluate(state, step)
        case Plan():
            return _plan(policy, state, step)
        case Update():
            _require(step.note, "An update needs a note of what was said.")
            closed = _close_cycle(state, step.at)
            due = _utc(step.at) + state.plan.every if state.plan is not None else None
            # An update answers a report of insufficient progress: the call
            # management owes is itself an update to the customer.
            return replace(
                closed, last_update_at=step.at, next_update_due=due, call_requested_at=None
            )
        case InsufficientProgress():
            _require(step.statement, "Say what progress is missing.")
            # Confirmations were given about a situation the customer now
            # disputes ("on track", "all parties agree"), so they lapse.
            return replace(
                state, level=state.level + 1, call_requested_at=step.at, confirmations=()
            )
        case EngageVendor():
            return _engage_vendor(state, step)
        case Confirm():
            return _confirm(policy, state, step)
        case Deescalate():
            closed = _close_cycle(state, step.at)
            # Nothing is owed once it ends; an owed call cannot block the end,
            # as the report that asked for it voided the checklist.
            return replace(
                closed,
                status=Status.DEESCALATED,
                ended_at=step.at,
                next_update_due=None,
                call_requested_at=None,
            )
        case Request():  # pragma: no cover - apply handles requests
            raise AssertionError("requests start a new state")


def _evaluate(state: State, step: Evaluate) -> State:
    if step.accept:
        _require(
            step.primary_engineer or "",
            "Accepting an escalation assigns a primary engineer: name one.",
        )
        return replace(
            state,
            status=Status.ACTIVE,
            evaluated_at=step.at,
            evaluation_note=step.note,
            primary_engineer=step.primary_engineer,
        )
    _require(step.note, "Declining an escalation needs a note saying why.")
    if step.primary_engineer is not None:
        raise Refused("A declined escalation has no primary engineer.", "invalid")
    return replace(
        state,
        status=Status.DECLINED,
        evaluated_at=step.at,
        evaluation_note=step.note,
        ended_at=step.at,
    )


def _plan(policy: Policy, state: State, step: Plan) -> State:
    section = policy.escalation.source
    _require(step.action_plan, "The plan needs an action plan.")
    modes = policy.escalation.communication_modes
    if step.mode not in modes:
        raise Refused(
            f"{step.mode!r} is not a communication mode; choose one of: {', '.join(modes)} "
            f"({section}).",
            "invalid",
        )
    if step.every % timedelta(minutes=1) or not MIN_EVERY <= step.every <= MAX_EVERY:
        raise Refused(
            f"Updates are planned every {_words(MIN_EVERY)} to {_words(MAX_EVERY)}, in whole "
            f"minutes; {step.every} is not.",
            "invalid",
        )
    if any(not name.strip() for name in step.attendees):
        raise Refused("Every attendee needs a name.", "invalid")
    if len(set(step.attendees)) != len(step.attendees):
        raise Refused("An attendee is listed twice.", "invalid")
    if step.mode == CONFERENCE_CALL and not step.attendees:
        raise Refused(
            f"A conference call needs its required attendees ({section}).",
            "invalid",
        )
    # A new plan replaces the one in force (the plan is renegotiated, say
    # after a report of insufficient progress): the deadlines start again
    # from now, and checklist confirmations, given about the old plan, lapse.
    closed = _close_cycle(state, step.at)
    plan = CommunicationPlan(
        step.action_plan, step.mode, step.every, step.attendees, step.at, step.by.name
    )
    return replace(closed, plan=plan, next_update_due=_utc(step.at) + step.every, confirmations=())


def _engage_vendor(state: State, step: EngageVendor) -> State:
    _require(step.vendor, "Name the vendor engaged.")
    _require(step.case_reference, "Give the vendor's case reference.")
    _require(step.contact, "Give a contact at the vendor.")
    key = (step.vendor.strip().casefold(), step.case_reference.strip().casefold())
    for case in state.vendors:
        if (case.vendor.strip().casefold(), case.case_reference.strip().casefold()) == key:
            raise Refused(
                f"{case.vendor} case {case.case_reference} is already recorded.", "conflict"
            )
    case = VendorCase(step.vendor, step.case_reference, step.contact, step.at, step.by.name)
    return replace(state, vendors=(*state.vendors, case))


def _confirm(policy: Policy, state: State, step: Confirm) -> State:
    checklist = policy.escalation.deescalation_checklist
    if step.item not in {item.slug for item in checklist}:
        slugs = ", ".join(item.slug for item in checklist)
        raise Refused(
            f"{step.item!r} is not on the de-escalation checklist; the items are: {slugs} "
            f"({policy.escalation.source}).",
            "invalid",
        )
    _require(step.confirmed_by, "Each checklist item is confirmed by a named person.")
    earlier = state.confirmation(step.item)
    if earlier is not None:
        raise Refused(
            f"{step.item!r} was already confirmed by {earlier.confirmed_by} on "
            f"{_show(earlier.at)}.",
            "conflict",
        )
    confirmation = Confirmation(step.item, step.confirmed_by, step.by.name, step.at)
    return replace(state, confirmations=(*state.confirmations, confirmation))


# -- helpers ------------------------------------------------------------------------


def _require(text: str, message: str) -> None:
    if not text.strip():
        raise Refused(message, "invalid")


def _close_cycle(state: State, at: datetime) -> State:
    """Record the deadlines of the open cycle missed before `at`; the caller
    starts the next cycle (or ends the escalation)."""
    plan = state.active_plan
    if plan is None or state.next_update_due is None:
        return state
    return replace(state, missed=(*state.missed, *_passed(state.next_update_due, plan, at)))


def _passed(due: datetime, plan: CommunicationPlan, now: datetime) -> list[MissedUpdate]:
    count = _count_before(due, plan.every, now)
    return [MissedUpdate(due + plan.every * k, plan.mode) for k in range(count)]


def _count_before(due: datetime, every: timedelta, now: datetime) -> int:
    """How many of due, due + every, … are before `now` (strictly)."""
    if now <= due:
        return 0
    return -((due - now) // every)  # ceil((now - due) / every)


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC)


def _show(at: datetime) -> str:
    return f"{_utc(at):%Y-%m-%d %H:%M} UTC"


def _words(duration: timedelta) -> str:
    minutes = int(duration.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    if days and not rest:
        return f"{days} day{'s' if days != 1 else ''}"
    return f"{minutes} minutes"
