"""Reads every inbound mail makes, as statements built once per process
(`lib/fastsql`): which company a domain belongs to, and whether the same
words came moments ago. (Who the sender is: `accounts/rows.py`; the ticket a
reply names: `tickets/rows.py`.) A batch of mail asks each question once
for all its mails. Through the ORM these cost more in SQL
compilation than in the database (bench/mail_bench.py)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from functools import cache
from typing import Any

from django.db import connection

from supportdesk.accounts.models import Organization
from supportdesk.lib.fastsql import Columns, any_of, build_row, default_db, list_param
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
def _recent_sql(vendor: str) -> str:
    return (
        f"SELECT sender, content_hash, id FROM {_table(InboundMail)} "
        f"WHERE sender {any_of(connection)} AND content_hash {any_of(connection)} "
        "AND received_at >= %s AND outcome <> %s"
    )


def recent_mail(
    mails: Collection[tuple[str, str]], since: datetime
) -> dict[tuple[str, str], list[int]]:
    """The ids of the mail received since `since` with the same sender and
    content hash as one of `mails`, by (sender, content hash), for the loop
    guard. Only the batch's own words are read: reading all of a busy
    sender's mail of the hour cost a batch 30 ms (bench/mail_bench.py)."""
    if not mails:
        return {}
    db = default_db()
    params = [
        list_param(db, {sender for sender, _ in mails}),
        list_param(db, {words for _, words in mails}),
        db.ops.adapt_datetimefield_value(since),
        Outcome.DUPLICATE.value,
    ]
    with db.cursor() as cursor:
        cursor.execute(_recent_sql(db.vendor), params)
        rows = cursor.fetchall()
    wanted = set(mails)
    found: dict[tuple[str, str], list[int]] = {}
    for sender, content_hash, pk in rows:
        if (sender, content_hash) in wanted:
            found.setdefault((sender, content_hash), []).append(pk)
    return found


@cache
def _placed_sql(vendor: str) -> str:
    return (
        f"SELECT dedupe_key, ticket_id FROM {_table(InboundMail)} "
        f"WHERE dedupe_key {any_of(connection)} AND outcome IN (%s, %s) "
        "AND ticket_id IS NOT NULL"
    )


def tickets_of_received(keys: Collection[str]) -> dict[str, int]:
    """The tickets that received mail with these dedupe keys became or joined."""
    if not keys:
        return {}
    db = default_db()
    params = [list_param(db, keys), Outcome.CREATED.value, Outcome.APPENDED.value]
    with db.cursor() as cursor:
        cursor.execute(_placed_sql(db.vendor), params)
        return {key: int(pk) for key, pk in cursor.fetchall()}
