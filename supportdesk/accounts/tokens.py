"""Who a bearer token belongs to, in one query compiled once per process.

Every API request asks this, so it reads the token, its user, the user's
organization and that organization's partner in one hand-built join
(`lib/fastsql`): the same question through `select_related` spent 1.5 ms
of CPU compiling SQL on each request.
"""

from __future__ import annotations

from functools import cache

from django.db import connection

from supportdesk.accounts.models import ApiToken, Organization, User
from supportdesk.lib.fastsql import Columns, build_row

_token = Columns(ApiToken, "t")
_user = Columns(User, "u")
_org = Columns(Organization, "o")
_parent = Columns(Organization, "p")


@cache
def _sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    token = quote(ApiToken._meta.db_table)
    users = quote(User._meta.db_table)
    orgs = quote(Organization._meta.db_table)
    return (
        f"SELECT {_token.sql(connection)}, {_user.sql(connection)}, {_org.sql(connection)}, "
        f"{_parent.sql(connection)} "
        f"FROM {token} t JOIN {users} u ON u.id = t.user_id "
        f"LEFT JOIN {orgs} o ON o.id = u.organization_id "
        f"LEFT JOIN {orgs} p ON p.id = o.parent_id "
        "WHERE t.key_hash = %s AND t.revoked_at IS NULL AND u.is_active"
    )


def live_token(token: str) -> ApiToken | None:
    """The live token row with its user, organization and partner loaded;
    None for an unknown, revoked or deactivated one."""
    with connection.cursor() as cursor:
        cursor.execute(_sql(connection.vendor), [ApiToken.hash(token)])
        row = cursor.fetchone()
    if row is None:
        return None
    found, user, org, parent = build_row(row, connection, _token, _user, _org, _parent)
    assert isinstance(found, ApiToken)
    assert isinstance(user, User)
    if isinstance(org, Organization):
        if isinstance(parent, Organization):
            org.parent = parent
        user.organization = org
    found.user = user
    return found
