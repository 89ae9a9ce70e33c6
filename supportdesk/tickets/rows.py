"""The reads and writes every action makes, built once per process
(`lib/fastsql`): the ticket under its row lock with company and partner, its
events in order, and the one update of the columns actions change. Through
the ORM each cost more in SQL compilation than in the database."""

from __future__ import annotations

from functools import cache

from django.db import connection

from supportdesk.accounts.models import Organization
from supportdesk.lib.fastsql import Columns, Updater, build_row
from supportdesk.tickets.models import Ticket, TicketEvent

_ticket = Columns(Ticket, "t")
_company = Columns(Organization, "c")
_partner = Columns(Organization, "pa")
_event = Columns(TicketEvent, "e")

# Every column an action writes. An action that changes another column must
# add it here, or its change is not saved.
save_changes = Updater(
    Ticket,
    "status",
    "assignee",
    "severity",
    "requested_severity",
    "tier",
    "clock_started_at",
    "response_due_at",
    "first_response_at",
    "breached",
    "updated_at",
    "event_count",
    "last_event_hash",
)


def _table(model: type[Ticket] | type[Organization] | type[TicketEvent]) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


@cache
def _locked_sql(vendor: str) -> str:
    orgs = _table(Organization)
    # Lock only the ticket row: PostgreSQL refuses FOR UPDATE across the
    # outer join to a nullable partner. SQLite has no row locks: its
    # transactions take the write lock at BEGIN (settings: IMMEDIATE).
    lock = " FOR UPDATE OF t" if connection.features.has_select_for_update_of else ""
    return (
        f"SELECT {_ticket.sql(connection)}, {_company.sql(connection)}, "
        f"{_partner.sql(connection)} FROM {_table(Ticket)} t "
        f"JOIN {orgs} c ON c.id = t.company_id LEFT JOIN {orgs} pa ON pa.id = t.partner_id "
        f"WHERE t.id = %s{lock}"
    )


def locked_ticket(pk: int) -> Ticket:
    """The ticket re-read under its row lock, so events append in order."""
    with connection.cursor() as cursor:
        cursor.execute(_locked_sql(connection.vendor), [pk])
        row = cursor.fetchone()
    if row is None:
        raise Ticket.DoesNotExist(f"no ticket {pk}")
    ticket, company, partner = build_row(row, connection, _ticket, _company, _partner)
    assert isinstance(ticket, Ticket)
    assert isinstance(company, Organization)
    ticket.company = company
    if isinstance(partner, Organization):
        ticket.partner = partner
    return ticket


@cache
def _events_sql(vendor: str) -> str:
    return (
        f"SELECT {_event.sql(connection)} FROM {_table(TicketEvent)} e "
        "WHERE e.ticket_id = %s ORDER BY e.seq"
    )


def events_of(ticket: Ticket) -> list[TicketEvent]:
    """The ticket's history, oldest first."""
    with connection.cursor() as cursor:
        cursor.execute(_events_sql(connection.vendor), [ticket.pk])
        rows = cursor.fetchall()
    events = []
    for row in rows:
        event = _event.build(row, connection)
        assert isinstance(event, TicketEvent)
        events.append(event)
    return events
