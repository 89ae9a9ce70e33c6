"""The reads every inbound mail makes, as statements built once per process
(`lib/fastsql`): who the sender is, which company a domain belongs to, the
ticket a reply names, and whether the same words came moments ago. Through
the ORM's `select_related` these cost more in SQL compilation than in the
database (bench/mail_bench.py)."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from django.db import connection

from supportdesk.accounts.models import Organization, User
from supportdesk.lib.fastsql import Columns, build_row
from supportdesk.mail.models import InboundMail, Outcome
from supportdesk.tickets.models import Ticket

_user = Columns(User, "u")
_org = Columns(Organization, "o")
_parent = Columns(Organization, "p")
_ticket = Columns(Ticket, "t")
_company = Columns(Organization, "c")
_partner = Columns(Organization, "pa")
_requester = Columns(User, "r")


def _table(model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


@cache
def _user_sql(vendor: str) -> str:
    return (
        f"SELECT {_user.sql(connection)}, {_org.sql(connection)}, {_parent.sql(connection)} "
        f"FROM {_table(User)} u "
        f"LEFT JOIN {_table(Organization)} o ON o.id = u.organization_id "
        f"LEFT JOIN {_table(Organization)} p ON p.id = o.parent_id "
        "WHERE u.email = %s"
    )


def user_by_email(address: str) -> User | None:
    """The user with this address (addresses are stored lower-cased), with
    organization and partner loaded."""
    with connection.cursor() as cursor:
        cursor.execute(_user_sql(connection.vendor), [address.lower()])
        row = cursor.fetchone()
    if row is None:
        return None
    user, org, parent = build_row(row, connection, _user, _org, _parent)
    assert isinstance(user, User)
    if isinstance(org, Organization):
        if isinstance(parent, Organization):
            org.parent = parent
        user.organization = org
    return user


@cache
def _ticket_sql(vendor: str) -> str:
    orgs = _table(Organization)
    return (
        f"SELECT {_ticket.sql(connection)}, {_company.sql(connection)}, "
        f"{_partner.sql(connection)}, {_requester.sql(connection)} "
        f"FROM {_table(Ticket)} t JOIN {orgs} c ON c.id = t.company_id "
        f"LEFT JOIN {orgs} pa ON pa.id = t.partner_id "
        f"JOIN {_table(User)} r ON r.id = t.requester_id "
        "WHERE t.id = %s"
    )


def ticket_by_pk(pk: int) -> Ticket | None:
    """The ticket with its company, partner and requester loaded."""
    if not 0 < pk < 2**63:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_ticket_sql(connection.vendor), [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    ticket, company, partner, requester = build_row(
        row, connection, _ticket, _company, _partner, _requester
    )
    assert isinstance(ticket, Ticket)
    assert isinstance(company, Organization)
    assert isinstance(requester, User)
    ticket.company = company
    if isinstance(partner, Organization):
        ticket.partner = partner
    ticket.requester = requester
    return ticket


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
