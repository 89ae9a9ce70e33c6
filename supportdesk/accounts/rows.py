"""A user with their organization and its parent, read by one join built
once per process (`lib/fastsql`): what the API's token check and the mail
intake's sender lookup ask on every request or mail."""

from __future__ import annotations

from collections.abc import Collection
from functools import cache
from typing import Any

from django.db import connection

from supportdesk.accounts.models import Organization, User
from supportdesk.lib.fastsql import Columns, any_of, build_row, default_db, list_param

USER = Columns(User, "u")
_org = Columns(Organization, "o")
_parent = Columns(Organization, "p")


def _table(model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def user_select() -> str:
    """The user's, organization's and parent's columns, in `user_from`'s order."""
    return f"{USER.sql(connection)}, {_org.sql(connection)}, {_parent.sql(connection)}"


def user_joins() -> str:
    """Joins from a table aliased `u` (the users) to `o` and `p`."""
    orgs = _table(Organization)
    return (
        f"LEFT JOIN {orgs} o ON o.id = u.organization_id LEFT JOIN {orgs} p ON p.id = o.parent_id"
    )


def user_from(row: Any) -> User:
    """The user of `user_select()`'s columns, organization and partner loaded."""
    user, org, parent = build_row(row, default_db(), USER, _org, _parent)
    assert isinstance(user, User)
    if isinstance(org, Organization):
        if isinstance(parent, Organization):
            org.parent = parent
        user.organization = org
    return user


@cache
def _by_emails_sql(vendor: str) -> str:
    return (
        f"SELECT {user_select()} FROM {_table(User)} u {user_joins()} "
        f"WHERE u.email {any_of(connection)}"
    )


def users_by_email(addresses: Collection[str]) -> dict[str, User]:
    """The users with these addresses (lower-cased), by address."""
    if not addresses:
        return {}
    db = default_db()
    with db.cursor() as cursor:
        cursor.execute(_by_emails_sql(db.vendor), [list_param(db, addresses)])
        found = [user_from(row) for row in cursor.fetchall()]
    return {user.email: user for user in found}
