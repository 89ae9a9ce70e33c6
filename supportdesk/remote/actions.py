"""Remote access (§2.3): every change, for the workspace, the portal, the
API and mail alike.

Each `do_*` action runs in one transaction with the ticket row locked (the
tickets app's lock, so a step and any other change to the ticket append to
its history in order): it asks the policy core whether the step may be
taken (policy/remote_access.py), updates the `RemoteAccess` row, and
appends the matching public `remote-access-*` event, which cites §2.3 and
says when a grant ends. A refusal is an `ActionError` before anything is
written.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q

from supportdesk.accounts.models import User
from supportdesk.policies.active import policy_for_version
from supportdesk.policy import remote_access as core
from supportdesk.remote import mails
from supportdesk.remote.adapters import access_of, side_on
from supportdesk.remote.models import RemoteAccess
from supportdesk.tickets import actions
from supportdesk.tickets.actions import ActionError, clean_text
from supportdesk.tickets.models import Channel, EventKind, Ticket

MAX_PURPOSE = 2000
MAX_NOTE = 2000

_KIND = {
    core.Step.GRANT: EventKind.REMOTE_ACCESS_GRANTED,
    core.Step.DECLINE: EventKind.REMOTE_ACCESS_DECLINED,
    core.Step.REVOKE: EventKind.REMOTE_ACCESS_REVOKED,
}


def open_access(ticket: Ticket, now: datetime) -> RemoteAccess | None:
    """The ticket's request waiting for an answer, or its grant still running."""
    return (
        RemoteAccess.objects.filter(ticket=ticket)
        .filter(
            Q(state=RemoteAccess.State.REQUESTED)
            | Q(state=RemoteAccess.State.GRANTED, expires_at__gt=now)
        )
        .order_by("-requested_at", "-id")
        .first()
    )


def do_request_remote_access(
    ticket: Ticket,
    *,
    purpose: str,
    tool: str = "",
    minutes: int | None = None,
    acting_user: User,
    now: datetime,
) -> RemoteAccess:
    """The working side asks the customer side for access (§2.3), for a
    purpose and one of the policy's durations (its default when none is
    given). The request is mailed to the ticket's requester, who may answer
    by replying (remote/by_mail.py) or in the portal."""
    purpose = clean_text(purpose, limit=MAX_PURPOSE, what="purpose")
    tool = " ".join((tool or "").split())[:100]
    with transaction.atomic():
        ticket = actions.locked(ticket)
        rule = policy_for_version(ticket.policy_version).remote_access
        duration = timedelta(minutes=minutes) if minutes is not None else rule.default
        if side_on(acting_user, ticket) != core.Side.WORKING:
            raise ActionError(
                "only the side working the ticket asks for remote access", "forbidden"
            )
        if not ticket.is_open:
            raise ActionError("the ticket is no longer open", "conflict")
        current = open_access(ticket, now)
        refusal = core.check_request(
            rule, duration, purpose, access_of(current) if current else None, now
        )
        if refusal is not None:
            raise ActionError(refusal.message, refusal.code)
        row = RemoteAccess.objects.create(
            ticket=ticket,
            purpose=purpose,
            tool=tool,
            minutes=int(duration.total_seconds() // 60),
            requested_by=acting_user,
            requested_at=now,
        )
        actions.append_event(
            ticket,
            EventKind.REMOTE_ACCESS_REQUESTED,
            at=now,
            actor=acting_user,
            data=event_data(row, rule.source, purpose=purpose, tool=tool),
        )
        actions.refresh(ticket, now)
        mails.mail_request(ticket, row, now=now)
    return row


def do_grant_remote_access(
    access: RemoteAccess, *, acting_user: User, now: datetime, via: str = Channel.PORTAL
) -> RemoteAccess:
    """The customer side grants the request: access for its duration from now."""
    return _take(access, core.Step.GRANT, note="", acting_user=acting_user, now=now, via=via)


def do_decline_remote_access(
    access: RemoteAccess,
    *,
    note: str = "",
    acting_user: User,
    now: datetime,
    via: str = Channel.PORTAL,
) -> RemoteAccess:
    """The customer side declines the request, optionally saying why."""
    return _take(access, core.Step.DECLINE, note=note, acting_user=acting_user, now=now, via=via)


def do_revoke_remote_access(
    access: RemoteAccess,
    *,
    note: str = "",
    acting_user: User,
    now: datetime,
    via: str = Channel.PORTAL,
) -> RemoteAccess:
    """Either side ends a running grant; the working side may also withdraw
    a request still waiting for an answer. A grant whose time ran out has
    nothing left to revoke: a conflict, with when it expired."""
    return _take(access, core.Step.REVOKE, note=note, acting_user=acting_user, now=now, via=via)


def _take(
    access: RemoteAccess,
    step: core.Step,
    *,
    note: str,
    acting_user: User,
    now: datetime,
    via: str,
) -> RemoteAccess:
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ActionError(f"the note is too long ({len(note)} characters; at most {MAX_NOTE})")
    with transaction.atomic():
        ticket = actions.locked(access.ticket)
        # Re-read under the ticket's lock: every change to these rows takes it.
        row = RemoteAccess.objects.get(pk=access.pk)
        side = side_on(acting_user, ticket)
        refusal = core.check_step(access_of(row), step, side, now)
        if refusal is not None:
            raise ActionError(refusal.message, refusal.code)
        if step == core.Step.GRANT and not ticket.is_open:
            raise ActionError("the ticket is no longer open", "conflict")
        withdrawn = step == core.Step.REVOKE and row.state == RemoteAccess.State.REQUESTED
        match step:
            case core.Step.GRANT:
                row.state = RemoteAccess.State.GRANTED
                row.granted_by, row.granted_at = acting_user, now
                row.expires_at = core.expiry(now, row.duration)
            case core.Step.DECLINE:
                row.state = RemoteAccess.State.DECLINED
                row.declined_by, row.declined_at = acting_user, now
                row.note = note
            case core.Step.REVOKE:
                row.state = RemoteAccess.State.REVOKED
                row.revoked_by, row.revoked_at = acting_user, now
                row.note = note
        row.save()
        rule = policy_for_version(ticket.policy_version).remote_access
        actions.append_event(
            ticket,
            _KIND[step],
            at=now,
            actor=acting_user,
            data=event_data(
                row, rule.source, side=side.value, via=via, note=note, withdrawn=withdrawn
            ),
        )
        actions.refresh(ticket, now)
    row.ticket = ticket
    return row


def event_data(row: RemoteAccess, section: str, **more: Any) -> dict[str, Any]:
    """An event's data: which access, the section that asks for it, how
    long it is for and when it ends (null until granted)."""
    return {
        "access": row.pk,
        "section": section,
        "minutes": row.minutes,
        "expires_at": row.expires_at.astimezone(UTC).isoformat() if row.expires_at else None,
        **more,
    }
