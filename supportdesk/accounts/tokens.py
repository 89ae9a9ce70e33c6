"""Who a bearer token belongs to, in one query compiled once per process.

Every API request asks this, so it reads the token, its user, the user's
organization and that organization's partner in one hand-built join
(`lib/fastsql`): the same question through `select_related` spent 1.5 ms
of CPU compiling SQL on each request.
"""

from __future__ import annotations

from functools import cache

from django.db import connection

from supportdesk.accounts.models import ApiToken, User
from supportdesk.accounts.rows import user_from, user_joins, user_select
from supportdesk.lib.fastsql import Columns, default_db, execute_prepared

_token = Columns(ApiToken, "t")


@cache
def _sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    return (
        f"SELECT {_token.sql(connection)}, {user_select()} "
        f"FROM {quote(ApiToken._meta.db_table)} t "
        f"JOIN {quote(User._meta.db_table)} u ON u.id = t.user_id {user_joins()} "
        "WHERE t.key_hash = %s AND t.revoked_at IS NULL AND u.is_active"
    )


def live_token(token: str) -> ApiToken | None:
    """The live token row with its user, organization and partner loaded;
    None for an unknown, revoked or deactivated one."""
    db = default_db()
    with db.cursor() as cursor:
        execute_prepared(cursor, _sql(db.vendor), [ApiToken.hash(token)])
        row = cursor.fetchone()
    if row is None:
        return None
    found = _token.build(row[: len(_token)], db)
    assert isinstance(found, ApiToken)
    found.user = user_from(row[len(_token) :])
    return found
