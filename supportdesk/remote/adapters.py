"""Rows to the policy core's values (policy/remote_access.py), in one place."""

from __future__ import annotations

from supportdesk.accounts.access import is_customer_side, works_on
from supportdesk.accounts.models import User
from supportdesk.policy import remote_access as core
from supportdesk.remote.models import RemoteAccess
from supportdesk.tickets.models import Ticket


def access_of(row: RemoteAccess) -> core.Access:
    return core.Access(
        state=core.State(row.state),
        duration=row.duration,
        granted_at=row.granted_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
    )


def side_on(user: User, ticket: Ticket) -> core.Side:
    """Where `user` stands on `ticket` for remote access: the working side
    asks and may withdraw or revoke, the customer side answers and revokes."""
    if works_on(user, ticket):
        return core.Side.WORKING
    if is_customer_side(user, ticket):
        return core.Side.CUSTOMER
    return core.Side.NONE
