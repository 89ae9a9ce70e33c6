"""The first-response clock (§1.6, §1.7, §2.2) as a pure function of a
ticket's events.

A ticket's SLA state is recomputed from its events and the policy alone, so a
report can be re-run and audited. Instants are aware datetimes; due times are
returned in UTC. A first response is met when it happens at or before the
due instant, breached when after it.

Rules (DESIGN.md §2):

- The clock starts when the ticket reaches the vendor: at submission for a
  vendor-tier ticket, at the forward for one that started with a partner.
- The target is the severity's target for the ticket's channel.
- Before the first response, under `from-change`, an upgrade at t makes the
  response due at min(current due, t + new target) and a downgrade at
  submission + new target on the new severity's calendar; under
  `from-submission` any change makes it submission + new target.
- A breach is recorded when an event shows the due instant passed without a
  response; a later change never erases it.
- While the clock is stopped (work has ceased until an unsupported
  application is removed, §3.3) there is no due time. When it resumes, the
  due time moves out by the open time the stop covered on the target's
  calendar: the open time left at the stop is counted from the resumption.
  A stop that begins at or after the due time moves nothing (the breach, if
  any, is recorded at the stop). Every due time is counted this way, so a
  severity change later counts from submission or from the change less the
  stops since. After the first response the target no longer moves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from supportdesk.policy.calendar import BusinessCalendar, Segment, to_us
from supportdesk.policy.schema import ChangeRule, Policy, Target
from supportdesk.policy.severity import is_upgrade, opening_severity

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

# -- events ---------------------------------------------------------------------


@dataclass(frozen=True)
class Waiver:
    """Why a ticket has no first-response target: a billing question, which
    the finance team answers (§4.2.7). `source` is the matrix row's section."""

    reason: str
    source: str


@dataclass(frozen=True)
class Submitted:
    """The ticket was submitted. `to_vendor` is False for a ticket of a
    partner's customer, which starts in the partner's tier (§2.2).
    `no_target` waives the first-response target from the start."""

    at: datetime
    severity: int
    channel: str
    to_vendor: bool = True
    dedicated_contact: bool = False
    vendor_outage: bool = False
    no_target: Waiver | None = None


@dataclass(frozen=True)
class ScopeChanged:
    """Staff set the ticket's category. With `waiver` the ticket has no
    first-response target from `at`; without, a waived target applies
    again, counted from `at` (`note` and `source` say why)."""

    at: datetime
    waiver: Waiver | None
    note: str = ""
    source: str = ""


@dataclass(frozen=True)
class Forwarded:
    """A partner forwarded the ticket to the vendor, with the severity it set."""

    at: datetime
    severity: int | None = None
    dedicated_contact: bool | None = None


@dataclass(frozen=True)
class SeverityChanged:
    """Staff changed the severity, with a reason (§1.7.1, §1.7.2). A
    downgrade may say the customer mis-assigned the severity (§1.7.3)."""

    at: datetime
    severity: int
    reason: str = ""
    misassigned: bool = False


@dataclass(frozen=True)
class SeverityRequested:
    """The customer asked for a higher severity, with a justification (§1.7.2)."""

    at: datetime
    severity: int
    justification: str = ""


@dataclass(frozen=True)
class SeverityRequestAccepted:
    at: datetime


@dataclass(frozen=True)
class SeverityRequestDeclined:
    at: datetime
    reason: str = ""


@dataclass(frozen=True)
class ClockStopped:
    """The response clock stops: work has ceased until the customer removes
    an unsupported application (§3.3). A second stop while stopped is no-op."""

    at: datetime
    reason: str = ""
    source: str = "§3.3"


@dataclass(frozen=True)
class ClockResumed:
    """The response clock runs again; no-op unless it was stopped."""

    at: datetime


@dataclass(frozen=True)
class Responded:
    """A public reply by vendor staff on any channel (not an automatic
    acknowledgement, not an internal note)."""

    at: datetime


SlaEvent = (
    Submitted
    | Forwarded
    | SeverityChanged
    | SeverityRequested
    | SeverityRequestAccepted
    | SeverityRequestDeclined
    | ClockStopped
    | ClockResumed
    | Responded
    | ScopeChanged
)

# -- results ----------------------------------------------------------------------


@dataclass(frozen=True)
class Breach:
    """The first response was due at `due_at` under `severity` and had not
    happened; `seen_at` is the event or moment that showed it."""

    due_at: datetime
    severity: int
    seen_at: datetime


@dataclass(frozen=True)
class Change:
    """A severity change and what it did to the due time."""

    at: datetime
    old: int
    new: int
    kind: str  # "upgrade" | "downgrade"
    rule: str  # the rule applied, in words
    due_before: datetime | None
    due_after: datetime | None
    reason: str = ""
    # A downgrade because the customer mis-assigned the severity (§1.7.3).
    misassigned: bool = False


@dataclass(frozen=True)
class Note:
    at: datetime
    text: str
    source: str


@dataclass(frozen=True)
class Pause:
    """A stretch the response clock stood still, [start, end); `end` is None
    while it still stands."""

    start: datetime
    end: datetime | None
    reason: str = ""
    source: str = "§3.3"


@dataclass(frozen=True)
class PendingRequest:
    at: datetime
    severity: int
    justification: str


@dataclass(frozen=True)
class SlaState:
    severity: int
    channel: str
    tier: str  # "partner" | "vendor"
    submitted_at: datetime
    clock_started_at: datetime | None
    response_due_at: datetime | None
    first_response_at: datetime | None
    breaches: tuple[Breach, ...]
    pending_request: PendingRequest | None
    changes: tuple[Change, ...]
    notes: tuple[Note, ...]
    # What the current due time was counted from, and with which target.
    basis_at: datetime | None
    target: Target | None
    # The stops of the clock (§3.3), oldest first; the last is open while stopped.
    pauses: tuple[Pause, ...] = ()
    # Why there is no first-response target at all (§4.2.7), if so.
    waiver: Waiver | None = None

    @property
    def paused_since(self) -> datetime | None:
        """When the clock stopped, while it stands still; else None."""
        if self.pauses and self.pauses[-1].end is None:
            return self.pauses[-1].start
        return None

    @property
    def breached(self) -> bool:
        return bool(self.breaches)

    @property
    def met(self) -> bool | None:
        """True if the first response came in time, False if breached, None while open."""
        if self.breaches:
            return False
        return True if self.first_response_at is not None else None


@dataclass(frozen=True)
class Explanation:
    """Why a ticket's first response is due when it is."""

    severity: int
    severity_name: str
    channel: str
    target: Target | None
    calendar: str | None
    calendar_title: str | None
    clock_started_at: datetime | None
    basis_at: datetime | None
    response_due_at: datetime | None
    segments: tuple[Segment, ...]
    changes: tuple[Change, ...]
    notes: tuple[Note, ...]
    breaches: tuple[Breach, ...]
    first_response_at: datetime | None
    policy_version: str
    pauses: tuple[Pause, ...] = ()
    waiver: Waiver | None = None

    def lines(self, zone: tzinfo) -> list[str]:
        """The explanation in sentences, with times shown in `zone`."""

        def show(at: datetime) -> str:
            return at.astimezone(zone).strftime("%a %d %b %Y %H:%M %Z")

        out = []
        for note in self.notes:
            out.append(f"{note.text} ({note.source}).")
        stopped = self.pauses[-1] if self.pauses and self.pauses[-1].end is None else None
        if stopped is not None and self.response_due_at is None and self.target is not None:
            why = f": {stopped.reason}" if stopped.reason else ""
            out.append(
                f"Clock stopped since {show(stopped.start)}{why} ({stopped.source}); no response "
                "is due until it runs again, and the time it stands still does not count."
            )
            return out
        if self.waiver is not None:
            out += [f"Breached: no response by {show(b.due_at)}." for b in self.breaches]
            if self.first_response_at is not None:
                out.append(f"First response {show(self.first_response_at)}.")
            return out
        if self.target is None or self.response_due_at is None or self.basis_at is None:
            out.append("No vendor response target yet: the ticket is with the partner (§2.2).")
            return out
        out.append(
            f"Severity {self.severity} ({self.severity_name}) by {self.channel}: first response "
            f"within {_words(self.target.duration)}, counted in {self.calendar_title} "
            f"({self.target.source})."
        )
        if self.clock_started_at is not None:
            out.append(f"Clock started {show(self.clock_started_at)}.")
        for change in self.changes:
            reason = f": {change.reason}" if change.reason else ""
            why = ", mis-assigned by the customer (§1.7.3)" if change.misassigned else ""
            out.append(
                f"{show(change.at)} {change.kind} from Severity {change.old} to "
                f"{change.new}{why}{reason}; {change.rule}."
            )
        for pause in self.pauses:
            if pause.end is None:
                continue
            why = f": {pause.reason}" if pause.reason else ""
            out.append(
                f"Clock stopped {show(pause.start)} to {show(pause.end)}{why} ({pause.source}); "
                "that time does not count."
            )
        counted = ", ".join(
            f"{show(s.start)} to {show(s.end)} ({_words(s.duration)})" for s in self.segments
        )
        out.append(f"Counted from {show(self.basis_at)}: {counted or 'nothing'}.")
        out.append(f"Due {show(self.response_due_at)}.")
        for breach in self.breaches:
            out.append(
                f"Breached: no response by {show(breach.due_at)} (Severity {breach.severity})."
            )
        if self.first_response_at is not None:
            out.append(f"First response {show(self.first_response_at)}.")
        return out


def _words(duration: timedelta) -> str:
    """ "60 minutes", "2 hours", "1 hour 30 minutes": as the policy states targets."""
    minutes = int(duration.total_seconds() // 60)
    if minutes <= 90:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours, minutes = divmod(minutes, 60)
    parts = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
    if minutes or not parts:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)


# -- the computation --------------------------------------------------------------


@dataclass
class _Run:
    """Mutable working state while folding events; frozen into SlaState."""

    severity: int
    channel: str
    tier: str
    submitted_at: datetime
    dedicated_contact: bool
    vendor_outage: bool
    clock_started_at: datetime | None = None
    due: datetime | None = None
    basis_at: datetime | None = None
    target: Target | None = None
    first_response_at: datetime | None = None
    breaches: list[Breach] = field(default_factory=list)
    pending: PendingRequest | None = None
    changes: list[Change] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    pauses: list[Pause] = field(default_factory=list)
    waiver: Waiver | None = None

    @property
    def stopped(self) -> bool:
        return bool(self.pauses) and self.pauses[-1].end is None

    def recount(self, policy: Policy) -> None:
        """The due time from what it is counted from, its target and the
        stops; None while stopped. Fixed once responded to."""
        if self.basis_at is None or self.target is None or self.first_response_at is not None:
            return
        self.due = _due(policy, self.basis_at, self.target, self.pauses)

    def note_breach(self, at: datetime) -> None:
        if self.due is None or self.first_response_at is not None or at <= self.due:
            return
        if self.breaches and self.breaches[-1].due_at == self.due:
            return
        self.breaches.append(Breach(self.due, self.severity, at))


def compute(
    policy: Policy, events: tuple[SlaEvent, ...], *, now: datetime | None = None
) -> SlaState:
    """Fold a ticket's events, in order, into its SLA state. With `now`, a
    due time already passed without a response counts as a breach."""
    if not events or not isinstance(events[0], Submitted):
        raise ValueError("a ticket's events start with Submitted")
    first = events[0]
    to_us(first.at)
    run = _Run(
        severity=first.severity,
        channel=first.channel,
        tier="vendor" if first.to_vendor else "partner",
        submitted_at=first.at,
        dedicated_contact=first.dedicated_contact,
        vendor_outage=first.vendor_outage,
        waiver=first.no_target,
    )
    policy.channel(first.channel)
    if first.no_target is not None:
        run.notes.append(Note(first.at, first.no_target.reason, first.no_target.source))
    if first.to_vendor:
        _start_clock(policy, run, first.at, first.severity)
    for event in events[1:]:
        _apply(policy, run, event)
    if now is not None:
        run.note_breach(now)
    return SlaState(
        severity=run.severity,
        channel=run.channel,
        tier=run.tier,
        submitted_at=run.submitted_at,
        clock_started_at=run.clock_started_at,
        response_due_at=run.due,
        first_response_at=run.first_response_at,
        breaches=tuple(run.breaches),
        pending_request=run.pending,
        changes=tuple(run.changes),
        notes=tuple(run.notes),
        basis_at=run.basis_at,
        target=run.target,
        pauses=tuple(run.pauses),
        waiver=run.waiver,
    )


def _start_clock(policy: Policy, run: _Run, at: datetime, severity: int) -> None:
    opening = opening_severity(
        policy, severity, dedicated_contact=run.dedicated_contact, vendor_outage=run.vendor_outage
    )
    if opening.reason:
        run.notes.append(Note(at, opening.reason, opening.source))
    run.severity = opening.severity
    run.tier = "vendor"
    run.clock_started_at = at
    if run.waiver is not None:
        return
    run.target = policy.target(run.severity, run.channel)
    run.basis_at = at
    run.due = _due(policy, at, run.target, run.pauses)


def _due(
    policy: Policy,
    start: datetime,
    target: Target,
    pauses: list[Pause] | tuple[Pause, ...] = (),
    *,
    open_until: datetime | None = None,
) -> datetime | None:
    """When `target` runs out counted from `start` on its calendar, less
    the `pauses`: None while the last one stands, unless `open_until` says
    when to take it as ended (to compare due times in the middle of a stop)."""
    return _shifted(policy.calendar(target.calendar), start, target.duration, pauses, open_until)


def _shifted(
    calendar: BusinessCalendar,
    start: datetime,
    duration: timedelta,
    pauses: list[Pause] | tuple[Pause, ...],
    open_until: datetime | None = None,
) -> datetime | None:
    """`calendar.add(start, duration)`, the clock standing still during each
    pause: a pause [s, e) that begins before the instant reached so far
    moves it to e plus the open time that was left at s. Pauses are in time
    order and clipped to begin no earlier than `start`; a pause that begins
    at or after the instant reached moves nothing."""
    due = calendar.add(start, duration)
    for pause in pauses:
        begins = max(pause.start, start)
        if begins >= due:
            break
        ends = pause.end if pause.end is not None else open_until
        if ends is None:
            return None
        left = calendar.between(begins, due)
        if ends <= begins or left <= timedelta(0):
            continue
        due = calendar.add(ends, left)
    return due


def _apply(policy: Policy, run: _Run, event: SlaEvent) -> None:
    to_us(event.at)
    match event:
        case Forwarded() if run.tier == "partner":
            if event.dedicated_contact is not None:
                run.dedicated_contact = event.dedicated_contact
            _start_clock(policy, run, event.at, event.severity or run.severity)
        case SeverityChanged():
            _change(policy, run, event.at, event.severity, event.reason, event.misassigned)
        case SeverityRequested():
            run.pending = PendingRequest(event.at, event.severity, event.justification)
        case SeverityRequestAccepted() if run.pending is not None:
            request, run.pending = run.pending, None
            reason = f"accepted the customer's request: {request.justification}".rstrip(": ")
            _change(policy, run, event.at, request.severity, reason)
        case SeverityRequestDeclined():
            run.pending = None
        case ClockStopped() if not run.stopped:
            run.note_breach(event.at)
            run.pauses.append(Pause(event.at, None, event.reason, event.source))
            run.recount(policy)
        case ClockResumed() if run.stopped:
            last = run.pauses[-1]
            run.pauses[-1] = Pause(last.start, event.at, last.reason, last.source)
            run.recount(policy)
        case Responded() if run.clock_started_at is not None and run.first_response_at is None:
            run.note_breach(event.at)
            if run.stopped and run.basis_at is not None and run.target is not None:
                # Answered while stopped: in time; the due time stays as it
                # stood, the stop taken as ending at the response.
                run.due = _due(policy, run.basis_at, run.target, run.pauses, open_until=event.at)
            run.first_response_at = event.at
        case ScopeChanged():
            _rescope(policy, run, event)
        case _:
            pass


def _rescope(policy: Policy, run: _Run, event: ScopeChanged) -> None:
    """Waive the target from `event.at` (a breach before it stays recorded),
    or, once a waiver ends, count the target again from `event.at`: the
    vendor's clock starts when the ticket becomes one it answers."""
    if event.waiver is not None:
        if event.waiver == run.waiver:
            return
        run.note_breach(event.at)
        run.notes.append(Note(event.at, event.waiver.reason, event.waiver.source))
        run.waiver = event.waiver
        run.due = run.target = run.basis_at = None
        return
    if run.waiver is None:
        return
    run.waiver = None
    if event.note:
        run.notes.append(Note(event.at, event.note, event.source))
    if run.clock_started_at is not None and run.first_response_at is None:
        run.target = policy.target(run.severity, run.channel)
        run.basis_at = event.at
        run.recount(policy)


def _change(
    policy: Policy, run: _Run, at: datetime, new: int, reason: str, misassigned: bool = False
) -> None:
    policy.severity(new)
    old = run.severity
    if new == old:
        return
    kind = "upgrade" if is_upgrade(old, new) else "downgrade"
    # Only a downgrade can undo a mis-assigned severity (§1.7.3).
    misassigned = misassigned and kind == "downgrade"
    run.note_breach(at)  # under the old severity, before anything moves
    if run.pending is not None and not is_upgrade(new, run.pending.severity):
        run.pending = None  # the request is now met or overtaken
    run.severity = new
    if run.clock_started_at is None or run.basis_at is None:
        rule = "no response target" if run.waiver is not None else "no vendor clock yet"
        run.changes.append(Change(at, old, new, kind, rule, None, None, reason, misassigned))
        return
    if run.first_response_at is not None:
        rule = "after the first response, the response target no longer moves"
        run.changes.append(Change(at, old, new, kind, rule, run.due, run.due, reason, misassigned))
        return
    # While the clock is stopped, due times are compared (and reported) as if
    # it ran again at the change: both move out alike when it does.
    assert run.target is not None
    before = _due_if_resumed(policy, run.basis_at, run.target, run.pauses, at)
    target = policy.target(new, run.channel)
    if policy.severity_rules.change_rule is ChangeRule.FROM_SUBMISSION:
        run.basis_at, run.target = run.clock_started_at, target
        rule = "due at submission plus the new target (rule from-submission)"
    elif kind == "upgrade":
        if _due_if_resumed(policy, at, target, run.pauses, at) < before:
            run.basis_at, run.target = at, target
            rule = "due at the change plus the new target, earlier than before (rule from-change)"
        else:
            rule = "the current due time is earlier and stays (rule from-change)"
    else:
        run.basis_at, run.target = run.clock_started_at, target
        rule = "due at submission plus the new target (rule from-change)"
    run.recount(policy)
    after = _due_if_resumed(policy, run.basis_at, run.target, run.pauses, at)
    run.changes.append(Change(at, old, new, kind, rule, before, after, reason, misassigned))


def _due_if_resumed(
    policy: Policy, start: datetime, target: Target, pauses: list[Pause], at: datetime
) -> datetime:
    """The due time, a stop still standing taken as ending at `at`."""
    due = _due(policy, start, target, pauses, open_until=at)
    assert due is not None  # every pause has an end
    return due


def warning_at(policy: Policy, state: SlaState) -> datetime | None:
    """When to warn that the first response is coming due: once the policy's
    `warn_at_percent` of the target in force has run, counted on its calendar
    from what the due time is counted from (never after the due time). None
    once responded to, or while no vendor clock runs."""
    if state.first_response_at is not None or state.response_due_at is None:
        return None
    if state.basis_at is None or state.target is None:
        return None
    share = state.target.duration * policy.severity_rules.warn_at_percent / 100
    calendar = policy.calendar(state.target.calendar)
    at = _shifted(calendar, state.basis_at, share, state.pauses)
    return min(at, state.response_due_at) if at is not None else None


@dataclass(frozen=True)
class Alarm:
    """A moment the SLA clock calls out: the warning before the first
    response is due, or the breach when it was due and did not come."""

    kind: str  # "warning" | "breach"
    at: datetime
    due_at: datetime
    severity: int


def alarms(policy: Policy, state: SlaState) -> tuple[Alarm, ...]:
    """The warning and the breach the current due time calls for, in time
    order; none once responded to or while no vendor clock runs. A breach is
    called at the due time itself: the last instant still in time."""
    due = state.response_due_at
    if due is None or state.first_response_at is not None:
        return ()
    out = []
    warn = warning_at(policy, state)
    if warn is not None and warn < due:
        out.append(Alarm("warning", warn, due, state.severity))
    out.append(Alarm("breach", due, due, state.severity))
    return tuple(out)


def explain(
    policy: Policy, events: tuple[SlaEvent, ...], *, now: datetime | None = None
) -> Explanation:
    """The breakdown of a ticket's due time: target, calendar, each open
    segment counted, each change."""
    state = compute(policy, events, now=now)
    segments: tuple[Segment, ...] = ()
    calendar = title = None
    if state.target is not None and state.basis_at is not None and state.response_due_at:
        calendar = state.target.calendar
        title = policy.calendar_title(calendar)
        segments = _counted(
            policy.calendar(calendar), state.basis_at, state.response_due_at, state.pauses
        )
    return Explanation(
        severity=state.severity,
        severity_name=policy.severity(state.severity).name,
        channel=state.channel,
        target=state.target,
        calendar=calendar,
        calendar_title=title,
        clock_started_at=state.clock_started_at,
        basis_at=state.basis_at,
        response_due_at=state.response_due_at,
        segments=segments,
        changes=state.changes,
        notes=state.notes,
        breaches=state.breaches,
        first_response_at=state.first_response_at,
        policy_version=policy.version,
        pauses=state.pauses,
        waiver=state.waiver,
    )


def _counted(
    calendar: BusinessCalendar, start: datetime, end: datetime, pauses: tuple[Pause, ...]
) -> tuple[Segment, ...]:
    """The open stretches of [start, end) the clock counted: less the pauses."""
    out: list[Segment] = []
    at = start
    for pause in pauses:
        if pause.end is None or pause.end <= at:
            continue
        if pause.start >= end:
            break
        out += calendar.segments(at, max(at, pause.start))
        at = pause.end
    out += calendar.segments(at, end)
    return tuple(out)


def response_due_many(
    policy: Policy,
    submitted_at: npt.NDArray[np.datetime64],
    severities: npt.ArrayLike,
    channels: npt.ArrayLike,
) -> npt.NDArray[np.datetime64]:
    """`Policy.response_due` for arrays: datetime64 (UTC) submission
    instants, severity levels and channel slugs; returns datetime64[us] UTC.
    One vectorised calendar pass per calendar the targets use."""
    import numpy as np

    starts = np.asarray(submitted_at).astype("datetime64[us]")
    levels = np.asarray(severities)
    slugs = np.asarray(channels)
    if not (starts.shape == levels.shape == slugs.shape):
        raise ValueError("submitted_at, severities and channels must have the same length")
    durations = np.zeros(starts.shape, dtype="timedelta64[us]")
    which = np.full(starts.shape, -1, dtype=np.int8)
    names = [name for name, _ in policy.calendars]
    for channel in policy.channels:
        on_channel = slugs == channel.slug
        if not on_channel.any():
            continue
        for severity in policy.severities:
            chosen = on_channel & (levels == severity.level)
            target = severity.target_for(channel.slug)
            durations[chosen] = np.timedelta64(target.duration, "us")
            which[chosen] = names.index(target.calendar)
    if (which < 0).any():
        bad = int(np.argmax(which < 0))
        raise ValueError(f"no target for severity {levels[bad]!r} by channel {slugs[bad]!r}")
    due = np.empty(starts.shape, dtype="datetime64[us]")
    for index, (_, calendar) in enumerate(policy.calendars):
        chosen = which == index
        if chosen.any():
            due[chosen] = calendar.add_many(starts[chosen], durations[chosen])
    return due
