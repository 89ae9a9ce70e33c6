"""The remote access panel of a ticket page (§2.3), the workspace's and the
portal's: the ticket's requests, newest first, each with its state as the
clock reads it (a live grant shows how long it has left) and the steps the
person looking may take now (`policy/remote_access.allowed_steps`); and, for
the working side, the form that asks. remote/views.py serves its forms."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.urls import reverse

from supportdesk.accounts.models import User
from supportdesk.policies.active import policy_for_version
from supportdesk.policy import remote_access as core
from supportdesk.remote.adapters import access_of, side_on
from supportdesk.remote.forms import RequestForm
from supportdesk.remote.models import RemoteAccess
from supportdesk.tickets.models import Ticket

# The panel's entries in a ticket page's `bound` forms and `errors`.
KEY = "remote-access"

STATE_LABELS = {
    core.State.REQUESTED: "Waiting for the customer",
    core.State.GRANTED: "Granted",
    core.State.DECLINED: "Declined",
    core.State.REVOKED: "Revoked",
    core.State.EXPIRED: "Expired",
}
STEP_LABELS = {
    core.Step.GRANT: "Grant remote access",
    core.Step.DECLINE: "Decline",
    core.Step.REVOKE: "Revoke",
}


@dataclass(frozen=True)
class Item:
    row: RemoteAccess
    state: core.State
    state_label: str
    duration: str
    # How long a live grant has left, in words ("3 h 20 min").
    left: str
    steps: tuple[core.Step, ...]
    urls: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)


def panel(
    user: User,
    ticket: Ticket,
    *,
    now: datetime,
    portal: bool,
    bound: Mapping[str, Any] | None = None,
    errors: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """What the remote access panel shows `user` on `ticket` at `now`."""
    rule = policy_for_version(ticket.policy_version).remote_access
    side = side_on(user, ticket)
    rows = list(
        RemoteAccess.objects.filter(ticket=ticket).select_related(
            "requested_by", "granted_by", "declined_by", "revoked_by"
        )
    )
    prefix = "remote:portal_" if portal else "remote:"
    items = []
    for row in rows:
        access = access_of(row)
        steps = core.allowed_steps(access, side, now)
        left = core.remaining(access, now)
        state = core.state_at(access, now)
        items.append(
            Item(
                row=row,
                state=state,
                state_label=STATE_LABELS[state],
                duration=core.in_words(row.duration),
                left=core.in_words(left) if left is not None else "",
                steps=steps,
                urls={
                    s.value: reverse(prefix + s.value, args=[ticket.number, row.pk]) for s in steps
                },
                labels={s.value: STEP_LABELS[s] for s in steps},
            )
        )
    can_request = (
        not portal
        and side == core.Side.WORKING
        and ticket.is_open
        and not any(core.is_open(access_of(row), now) for row in rows)
    )
    form = (bound or {}).get(KEY)
    if form is None and can_request:
        form = RequestForm(ticket=ticket, user=user)
    return {
        "items": items,
        "rule": rule,
        "can_request": can_request,
        "form": form,
        "error": (errors or {}).get(KEY, ""),
        "portal": portal,
    }
