"""Remote access to a ticket's Service (§2.3) over the API: list, ask, and
grant, decline or revoke.

A step the rules refuse answers 409 when the access is not in a state that
takes it (a grant revoked after it expired: 409, saying when it expired),
404 when it is not this person's to take (the same answer as a ticket they
cannot see) and 400 for bad input, each with the reason and nothing changed.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router
from ninja import Status as WithStatus

from supportdesk.accounts.access import access_remote_access_by_id, access_ticket_by_number
from supportdesk.accounts.models import User
from supportdesk.api.auth import acting_user
from supportdesk.api.schemas import Input, Instant, Output, Text
from supportdesk.api.tickets import ERRORS
from supportdesk.policies.active import policy_for_version
from supportdesk.policy import remote_access as core
from supportdesk.remote import actions
from supportdesk.remote.adapters import access_of, side_on
from supportdesk.remote.models import RemoteAccess
from supportdesk.tickets.models import Channel, Ticket

router = Router(tags=["remote access"])


class RemoteAccessCreate(Input):
    purpose: Text = Field(description="What the engineer will do; the customer reads it.")
    tool: Text = Field("", description="The tool to connect with (ScreenConnect, RDP …).")
    minutes: int | None = Field(
        None,
        ge=1,
        le=100_000,
        description="One of `durations_minutes`; the default if unset.",
    )


class RemoteAccessAnswer(Input):
    note: Text = Field("", description="A reason, with a decline or a revoke.")


class RemoteAccessOut(Output):
    id: int
    ticket: str
    state: str = Field(description="requested, granted, declined, revoked or expired (by time)")
    purpose: str
    tool: str
    minutes: int
    requested_by: str | None
    requested_at: Instant
    granted_by: str | None
    granted_at: Instant | None
    expires_at: Instant | None
    seconds_left: int | None = Field(description="For a live grant: how long it has left.")
    declined_by: str | None
    declined_at: Instant | None
    revoked_by: str | None
    revoked_at: Instant | None
    note: str
    allowed_steps: list[str] = Field(description="What the caller may do now.")
    section: str


class RemoteAccessList(Output):
    items: list[RemoteAccessOut]
    durations_minutes: list[int]
    default_minutes: int
    text: str = Field(description="The policy's words (§2.3).")
    consent: str = Field(description="What granting means.")
    section: str


@router.get(
    "/tickets/{number}/remote-access",
    response={200: RemoteAccessList, **ERRORS},
    summary="The ticket's requests for remote access, newest first, and the policy's terms",
)
def list_remote_access(request: HttpRequest, number: str) -> RemoteAccessList:
    user = acting_user(request)
    ticket = access_ticket_by_number(user, number)
    rule = policy_for_version(ticket.policy_version).remote_access
    now = timezone.now()
    rows = RemoteAccess.objects.filter(ticket=ticket).select_related(
        "requested_by", "granted_by", "declined_by", "revoked_by"
    )
    return RemoteAccessList(
        items=[_out(row, ticket, user, now) for row in rows],
        durations_minutes=[int(d.total_seconds() // 60) for d in rule.durations],
        default_minutes=int(rule.default.total_seconds() // 60),
        text=rule.text,
        consent=rule.consent,
        section=rule.source,
    )


@router.post(
    "/tickets/{number}/remote-access",
    response={201: RemoteAccessOut, **ERRORS},
    summary="Ask the customer for remote access (working side); the requester is mailed",
)
def request_remote_access(
    request: HttpRequest, number: str, payload: RemoteAccessCreate
) -> WithStatus[RemoteAccessOut]:
    user = acting_user(request)
    ticket = access_ticket_by_number(user, number)
    now = timezone.now()
    row = actions.do_request_remote_access(
        ticket,
        purpose=payload.purpose,
        tool=payload.tool,
        minutes=payload.minutes,
        acting_user=user,
        now=now,
    )
    return WithStatus(201, _out(row, ticket, user, now))


@router.post(
    "/tickets/{number}/remote-access/{access_id}/grant",
    response={200: RemoteAccessOut, **ERRORS},
    summary="Grant the request (customer side): access for its duration from now",
)
def grant_remote_access(
    request: HttpRequest, number: str, access_id: int, payload: RemoteAccessAnswer
) -> RemoteAccessOut:
    return _step(request, number, access_id, core.Step.GRANT, payload)


@router.post(
    "/tickets/{number}/remote-access/{access_id}/decline",
    response={200: RemoteAccessOut, **ERRORS},
    summary="Decline the request (customer side), optionally saying why",
)
def decline_remote_access(
    request: HttpRequest, number: str, access_id: int, payload: RemoteAccessAnswer
) -> RemoteAccessOut:
    return _step(request, number, access_id, core.Step.DECLINE, payload)


@router.post(
    "/tickets/{number}/remote-access/{access_id}/revoke",
    response={200: RemoteAccessOut, **ERRORS},
    summary="End a running grant (either side) or withdraw a request (working side)",
)
def revoke_remote_access(
    request: HttpRequest, number: str, access_id: int, payload: RemoteAccessAnswer
) -> RemoteAccessOut:
    return _step(request, number, access_id, core.Step.REVOKE, payload)


def _step(
    request: HttpRequest, number: str, access_id: int, step: core.Step, payload: RemoteAccessAnswer
) -> RemoteAccessOut:
    user = acting_user(request)
    access = access_remote_access_by_id(user, number, access_id)
    now = timezone.now()
    via = Channel.API
    match step:
        case core.Step.GRANT:
            row = actions.do_grant_remote_access(access, acting_user=user, now=now, via=via)
        case core.Step.DECLINE:
            row = actions.do_decline_remote_access(
                access, note=payload.note, acting_user=user, now=now, via=via
            )
        case core.Step.REVOKE:
            row = actions.do_revoke_remote_access(
                access, note=payload.note, acting_user=user, now=now, via=via
            )
    return _out(row, row.ticket, user, now)


def _name(user: User | None) -> str | None:
    return user.display_name if user is not None else None


def _out(row: RemoteAccess, ticket: Ticket, user: User, now: datetime) -> RemoteAccessOut:
    access = access_of(row)
    left = core.remaining(access, now)
    return RemoteAccessOut(
        id=row.pk,
        ticket=ticket.number,
        state=core.state_at(access, now).value,
        purpose=row.purpose,
        tool=row.tool,
        minutes=row.minutes,
        requested_by=_name(row.requested_by),
        requested_at=row.requested_at,
        granted_by=_name(row.granted_by),
        granted_at=row.granted_at,
        expires_at=row.expires_at,
        seconds_left=int(left.total_seconds()) if left is not None else None,
        declined_by=_name(row.declined_by),
        declined_at=row.declined_at,
        revoked_by=_name(row.revoked_by),
        revoked_at=row.revoked_at,
        note=row.note,
        allowed_steps=[s.value for s in core.allowed_steps(access, side_on(user, ticket), now)],
        section=policy_for_version(ticket.policy_version).remote_access.source,
    )
