"""Reads every inbound mail makes, as statements built once per process
(`lib/fastsql`): which company a domain belongs to, and whether the same
words came moments ago. (Who the sender is: `accounts/rows.py`; the ticket a
reply names: `tickets/rows.py`.) Through the ORM these cost more in SQL
compilation than in the database (bench/mail_bench.py)."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from django.db import connection

from supportdesk.accounts.models import Organization
from supportdesk.lib.fastsql import Columns, build_row
from supportdesk.mail.models import InboundMail, Outcome

_company = Columns(Organization, "c")
_parent = Columns(Organization, "p")


def _table(model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


@cache
def _domain_sql(vendor: str) -> str:
    return (
        f"SELECT {_company.sql(connection)}, {_parent.sql(connection)} "
        f"FROM {_table(Organization)} c "
        f"LEFT JOIN {_table(Organization)} p ON p.id = c.parent_id "
        "WHERE c.kind = 'company' AND LOWER(c.email_domains) LIKE %s"
    )


def companies_naming_domain(domain: str) -> list[Organization]:
    """Companies whose domain list mentions `domain` (the caller checks the
    exact entry)."""
    escaped = domain.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    with connection.cursor() as cursor:
        cursor.execute(_domain_sql(connection.vendor), [f"%{escaped}%"])
        rows = cursor.fetchall()
    found = []
    for row in rows:
        company, parent = build_row(row, connection, _company, _parent)
        assert isinstance(company, Organization)
        if isinstance(parent, Organization):
            company.parent = parent
        found.append(company)
    return found


@cache
def _repeated_sql(vendor: str) -> str:
    return (
        f"SELECT 1 FROM {_table(InboundMail)} WHERE sender = %s AND received_at >= %s "
        "AND content_hash = %s AND id <> %s AND outcome <> %s LIMIT 1"
    )


def sent_lately(sender: str, content_hash: str, since: datetime, other_than: int) -> bool:
    """Did this sender send these very words since `since` (a loop)?"""
    params = [
        sender,
        connection.ops.adapt_datetimefield_value(since),
        content_hash,
        other_than,
        Outcome.DUPLICATE.value,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_repeated_sql(connection.vendor), params)
        return cursor.fetchone() is not None
