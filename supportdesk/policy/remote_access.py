"""Remote access (§2.3): who may do what to a request for access, and when
a grant ends.

"At Infrascale's request, You shall Yourself, or cause Your customer to (as
applicable), allow Infrascale remote access to the Service." The desk reads
it as a consent the customer side gives per request: the working side asks
for access for a purpose and one of the policy's durations; the customer
side grants or declines; a grant lasts its duration of wall-clock time from
the moment it is given and either side may revoke it sooner. A grant whose
time has run out is expired: nothing is stored when that happens, it is
read from the clock (`state_at`), so no worker needs to run for it.

Values in, decisions out: the caller passes `now`, timezone-aware.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from supportdesk.policy.schema import RemoteAccessRule


class State(StrEnum):
    REQUESTED = "requested"
    GRANTED = "granted"
    DECLINED = "declined"
    REVOKED = "revoked"
    # Read from the clock, never stored: a grant whose time has run out.
    EXPIRED = "expired"


class Step(StrEnum):
    GRANT = "grant"
    DECLINE = "decline"
    REVOKE = "revoke"


class Side(StrEnum):
    """Where a person stands on the ticket: the side that works it, its
    customer side, or neither (someone who may only read it)."""

    WORKING = "working"
    CUSTOMER = "customer"
    NONE = "none"


@dataclass(frozen=True)
class Access:
    """One request for access as stored: `state` is never EXPIRED."""

    state: State
    duration: timedelta
    granted_at: datetime | None = None
    expires_at: datetime | None = None
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class Refusal:
    """Why a step is not taken. `code`: "invalid" (bad input), "forbidden"
    (not this side's to take), "conflict" (not in the access's state)."""

    message: str
    code: str


def _aware(at: datetime, name: str) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {at!r}")


def expiry(granted_at: datetime, duration: timedelta) -> datetime:
    """When a grant given at `granted_at` for `duration` ends, in UTC: real
    elapsed time, so a DST change in between neither adds nor takes an hour.
    (Python adds to an aware datetime on its local clock: 23:00 EDT + 8 h is
    07:00 EST, nine real hours, across the end of DST. Hence UTC first.) The
    end is exclusive: at `expiry` exactly the grant is over."""
    _aware(granted_at, "granted_at")
    return granted_at.astimezone(UTC) + duration


def state_at(access: Access, now: datetime) -> State:
    """The state as people see it at `now`: a grant past its end is EXPIRED."""
    _aware(now, "now")
    if (
        access.state == State.GRANTED
        and access.expires_at is not None
        # In UTC: two datetimes of one zone compare on its local clock.
        and now.astimezone(UTC) >= access.expires_at.astimezone(UTC)
    ):
        return State.EXPIRED
    return access.state


def remaining(access: Access, now: datetime) -> timedelta | None:
    """How long a live grant has left at `now`; None for anything else."""
    if state_at(access, now) != State.GRANTED or access.expires_at is None:
        return None
    return access.expires_at.astimezone(UTC) - now.astimezone(UTC)


def is_open(access: Access, now: datetime) -> bool:
    """Waiting for the customer side, or granted and not yet over: such an
    access blocks a new request on the same ticket."""
    return state_at(access, now) in (State.REQUESTED, State.GRANTED)


def check_request(
    rule: RemoteAccessRule,
    duration: timedelta,
    purpose: str,
    open_access: Access | None,
    now: datetime,
) -> Refusal | None:
    """Whether the working side may ask for access now: a purpose, one of
    the policy's durations, and nothing else waiting or granted on the
    ticket (`open_access`, if any)."""
    if not purpose.strip():
        return Refusal("say what the access is for (the purpose is required)", "invalid")
    if duration not in rule.durations:
        allowed = ", ".join(in_words(d) for d in rule.durations)
        return Refusal(f"the duration must be one of {allowed} ({rule.source})", "invalid")
    if open_access is not None:
        match state_at(open_access, now):
            case State.REQUESTED:
                return Refusal(
                    "a request for remote access is already waiting for the customer", "conflict"
                )
            case State.GRANTED:
                left = in_words(remaining(open_access, now) or timedelta(0))
                return Refusal(
                    f"remote access is granted for {left} more; it must end or be revoked "
                    "before asking again",
                    "conflict",
                )
            case _:
                pass
    return None


def allowed_steps(access: Access, side: Side, now: datetime) -> tuple[Step, ...]:
    """The steps `side` may take on `access` at `now`:

    - waiting for an answer: the customer side grants or declines it; the
      working side may withdraw it (a revoke);
    - granted and not expired: either side revokes it;
    - declined, revoked or expired: nothing.
    """
    match state_at(access, now), side:
        case State.REQUESTED, Side.CUSTOMER:
            return (Step.GRANT, Step.DECLINE)
        case State.REQUESTED, Side.WORKING:
            return (Step.REVOKE,)
        case State.GRANTED, Side.CUSTOMER | Side.WORKING:
            return (Step.REVOKE,)
        case _:
            return ()


def check_step(access: Access, step: Step, side: Side, now: datetime) -> Refusal | None:
    """Why `side` may not take `step` on `access` at `now`, or None if it may.
    A step the state allows to the other side is "forbidden"; a step nobody
    may take in this state is a "conflict" that says why."""
    if step in allowed_steps(access, side, now):
        return None
    state = state_at(access, now)
    if side == Side.NONE:
        return Refusal(
            "only the ticket's customer side or its working side acts on access", "forbidden"
        )
    if state == State.EXPIRED:
        assert access.expires_at is not None
        return Refusal(
            f"the grant expired at {access.expires_at.isoformat()}; there is nothing to "
            f"{step.value}",
            "conflict",
        )
    if state in (State.DECLINED, State.REVOKED):
        return Refusal(
            f"the request was {state.value} already; there is nothing to {step.value}", "conflict"
        )
    if state == State.GRANTED:
        return Refusal("remote access is granted already; it can only be revoked", "conflict")
    # Waiting for an answer: granting and declining are the customer side's.
    if side == Side.WORKING:
        return Refusal(f"only the customer side may {step.value} remote access", "forbidden")
    return Refusal("the request is still waiting for an answer: grant or decline it", "conflict")


def in_words(span: timedelta) -> str:
    """A duration for people, to the minute, rounded up so an access with
    seconds left is never shown as "0 min": "1 h", "3 h 20 min", "1 day 2 h"."""
    minutes = -(-int(span.total_seconds()) // 60)  # ceiling
    if minutes <= 0:
        return "0 min"
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours:
        parts.append(f"{hours} h")
    if mins:
        parts.append(f"{mins} min")
    return " ".join(parts)
