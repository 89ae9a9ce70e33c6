"""The reads and writes every action makes, built once per process
(`lib/fastsql`): a ticket with its company, partner and requester (under its
row lock for a change), its events in order, the hash chain's links, the
inserts of a new ticket, and the one update of the columns actions change.
Through the ORM each cost more in SQL compilation than in the database."""

from __future__ import annotations

import os
import threading
from functools import cache
from typing import Any

from django.db import connection, transaction
from psycopg.types.json import Jsonb

from supportdesk.accounts.models import Organization, User
from supportdesk.lib.fastsql import (
    Columns,
    Inserter,
    Maker,
    Prepare,
    Updater,
    build_row,
    column_name,
    default_db,
    execute_prepared,
    json_value,
    preparer,
)
from supportdesk.tickets.models import Message, Ticket, TicketEvent

_ticket = Columns(Ticket, "t")
_company = Columns(Organization, "c")
_partner = Columns(Organization, "pa")
_requester = Columns(User, "r")
_event = Columns(TicketEvent, "e")

# None of these models has signals, an __init__ or a save() of its own.
new_ticket = Maker(Ticket)
new_message = Maker(Message)
new_event = Maker(TicketEvent)
insert_ticket = Inserter(Ticket)
insert_message = Inserter(Message)
insert_events = Inserter(TicketEvent)
save_chain_head = Updater(Ticket, "event_count", "last_event_hash")

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
    "workaround_at",
    "guidance_only",
    # §3.3, §3.5 and §3.1, §3.4 (tickets/limitations.py, do_change_status).
    "third_party",
    "resolution_cause",
    "sla_next_at",
    "updated_at",
    "event_count",
    "last_event_hash",
)


def _table(model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


@cache
def _ticket_sql(vendor: str, lock: bool) -> str:
    orgs = _table(Organization)
    # Lock only the ticket row: PostgreSQL refuses FOR UPDATE across the
    # outer join to a nullable partner. SQLite has no row locks: its
    # transactions take the write lock at BEGIN (settings: IMMEDIATE).
    locking = lock and connection.features.has_select_for_update_of
    return (
        f"SELECT {_ticket.sql(connection)}, {_company.sql(connection)}, "
        f"{_partner.sql(connection)}, {_requester.sql(connection)} FROM {_table(Ticket)} t "
        f"JOIN {orgs} c ON c.id = t.company_id LEFT JOIN {orgs} pa ON pa.id = t.partner_id "
        f"JOIN {_table(User)} r ON r.id = t.requester_id "
        f"WHERE t.id = %s{' FOR UPDATE OF t' if locking else ''}"
    )


def ticket_by_pk(pk: int, *, lock: bool = False) -> Ticket | None:
    """The ticket with its company, partner and requester loaded; under its
    row lock with `lock`, so events append in order."""
    if not 0 < pk < 2**63:
        return None
    db = default_db()
    with db.cursor() as cursor:
        execute_prepared(cursor, _ticket_sql(db.vendor, lock), [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    parts = (_ticket, _company, _partner, _requester)
    ticket, company, partner, requester = build_row(row, db, *parts)
    assert isinstance(ticket, Ticket)
    assert isinstance(company, Organization)
    assert isinstance(requester, User)
    ticket.company = company
    if isinstance(partner, Organization):
        ticket.partner = partner
    ticket.requester = requester
    return ticket


def locked_ticket(pk: int) -> Ticket:
    ticket = ticket_by_pk(pk, lock=True)
    if ticket is None:
        raise Ticket.DoesNotExist(f"no ticket {pk}")
    return ticket


@cache
def _events_sql(vendor: str) -> str:
    return (
        f"SELECT {_event.sql(connection)} FROM {_table(TicketEvent)} e "
        "WHERE e.ticket_id = %s ORDER BY e.seq"
    )


def events_of(ticket: Ticket) -> list[TicketEvent]:
    """The ticket's history, oldest first."""
    db = default_db()
    with db.cursor() as cursor:
        execute_prepared(cursor, _events_sql(db.vendor), [ticket.pk])
        rows = cursor.fetchall()
    events = []
    for row in rows:
        event = _event.build(row, db)
        assert isinstance(event, TicketEvent)
        events.append(event)
    return events


def chain(ticket: Ticket, event: TicketEvent) -> None:
    """Link an event to the end of the ticket's hash chain (the row is locked
    or not yet visible to anyone else)."""
    event.ticket = ticket
    event.seq = ticket.event_count + 1
    event.prev_hash = ticket.last_event_hash
    event.hash = event.compute_hash()
    ticket.event_count = event.seq
    ticket.last_event_hash = event.hash


def add_message(ticket: Ticket, message: Message, event: TicketEvent) -> None:
    """A message on the locked ticket and the event that records it, which
    names the message's id (the event's hash covers it), chained. On
    PostgreSQL one statement that answers nothing, the message's id taken
    ahead (`message_ids`): a reply's two inserts and their two round trips
    were a fifth of replying by mail (bench/mail_bench.py)."""
    if connection.vendor != "postgresql":
        insert_message.insert(message)
        event.data["message"] = message.pk
        chain(ticket, event)
        insert_events.insert(event)
        return
    message.pk = message_ids.take()
    event.data["message"] = message.pk
    chain(ticket, event)
    db = default_db()
    params = [prepare(message, db) for prepare in _prepare_reply_message()]
    params += [prepare(event, db) for prepare in _prepare_event()]
    with db.cursor() as cursor:
        execute_prepared(cursor, _message_sql(db.vendor), params)
    for obj in (message, event):
        obj._state.adding = False
        obj._state.db = db.alias


@cache
def _message_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    messages = _fields(Message, with_pk=True)
    events = _fields(TicketEvent, with_pk=False)
    return (
        f"WITH m AS (INSERT INTO {quote(Message._meta.db_table)} "
        f"({', '.join(quote(column_name(f)) for f in messages)}) "
        f"VALUES ({', '.join(['%s'] * len(messages))})) "
        f"INSERT INTO {quote(TicketEvent._meta.db_table)} "
        f"({', '.join(quote(column_name(f)) for f in events)}) "
        f"VALUES ({', '.join(['%s'] * len(events))})"
    )


@cache
def _prepare_reply_message() -> list[Prepare]:
    return [preparer(f) for f in _fields(Message, with_pk=True)]


@cache
def _prepare_event() -> list[Prepare]:
    return [preparer(f) for f in _fields(TicketEvent, with_pk=False)]


# -- opening a ticket ---------------------------------------------------------------------


def open_ticket(
    ticket: Ticket, message: Message, events: list[TicketEvent], *, names_message: TicketEvent
) -> None:
    """Write a new ticket, its first message and its events, chained once
    the message has its id (`names_message` records it; the hash covers it).

    On PostgreSQL this is one statement, atomic by itself: with the token
    lookup, two round trips where a transaction took seven
    (bench/desk_bench.py). Its id comes back from the insert or, when this
    process has ticket ids in hand (`reserve_ticket_ids`), is one of them,
    and the statement needs no answer. On SQLite, where a statement costs no
    round trip: three inserts and the chain head's update, in the caller's
    transaction or one of its own."""
    if connection.vendor == "postgresql":
        ticket.pk = ticket_ids.take_reserved()
        message.pk = message_ids.take()
        names_message.data["message"] = message.pk
        for event in events:
            chain(ticket, event)
        _insert_opening(ticket, message, events)
        return
    # No savepoint: any failure here abandons the whole ticket anyway.
    with transaction.atomic(savepoint=False):
        insert_ticket.insert(ticket)
        message.ticket = ticket
        insert_message.insert(message)
        names_message.data["message"] = message.pk
        for event in events:
            chain(ticket, event)
        insert_events.insert(*events)
        # The chain's head names the message, which needs the ticket's id first.
        save_chain_head.update(ticket)


class _ReservedIds:
    """Ids of one model's sequence taken ahead, so a new row knows its id
    before its insert, without a round trip of its own: a new message, whose
    id the event recording it names (and the event's hash covers), and the
    tickets a batch of mail is about to open (`reserve`), whose inserts then
    need no answer and go down one pipeline (mail/ingest.py). Ids are taken
    per process: those a process reserved and did not use are lost when it
    ends (gaps), and a number another process takes meanwhile is higher than
    the reserved ones still to be used. A message id is never shown; a
    ticket's number tells tickets apart, their order is their submission
    time."""

    BLOCK = 32

    def __init__(self, model: type[Message] | type[Ticket]) -> None:
        self.model = model
        self._lock = threading.Lock()
        self._ids: list[int] = []
        self._pid = 0

    def take(self) -> int:
        """An id, a block of them read first when none is left."""
        with self._lock:
            ids = self._mine()
            if not ids:
                self._read(self.BLOCK)
            return ids.pop()

    def reserve(self, count: int) -> None:
        """Read ids until `count` are in hand (one round trip at most)."""
        with self._lock:
            missing = count - len(self._mine())
            if missing > 0:
                self._read(missing)

    def take_reserved(self) -> int | None:
        """A reserved id, or None when none is in hand."""
        with self._lock:
            ids = self._mine()
            return ids.pop() if ids else None

    def _mine(self) -> list[int]:
        if self._pid != os.getpid():  # a forked worker starts afresh
            self._ids.clear()
            self._pid = os.getpid()
        return self._ids

    def _read(self, count: int) -> None:
        table = self.model._meta.db_table
        pk = column_name(self.model._meta.pk)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT nextval(pg_get_serial_sequence('{table}', '{pk}')) "
                "FROM generate_series(1, %s)",
                [count],
            )
            # Kept so that pop() hands them out in ascending order.
            self._ids[:0] = [int(row[0]) for row in reversed(cursor.fetchall())]


message_ids = _ReservedIds(Message)
ticket_ids = _ReservedIds(Ticket)


def reserve_ticket_ids(count: int) -> None:
    """Have `count` ticket ids in hand for the tickets about to be opened
    (PostgreSQL; elsewhere the insert gives the id at no cost)."""
    if connection.vendor == "postgresql":
        ticket_ids.reserve(count)


def _fields(model: Any, *, with_pk: bool) -> list[Any]:
    pk = model._meta.pk
    return [f for f in model._meta.concrete_fields if with_pk or f is not pk]


@cache
def _opening_sql(vendor: str, reserved: bool) -> str:
    """The opening statement; with a `reserved` id the ticket's insert names
    it and nothing comes back, else the sequence gives it and it is returned."""
    quote = connection.ops.quote_name

    def names(fields: list[Any]) -> str:
        return ", ".join(quote(column_name(f)) for f in fields)

    tickets = _fields(Ticket, with_pk=reserved)
    messages = _fields(Message, with_pk=True)
    events = _fields(TicketEvent, with_pk=False)
    message_values = ", ".join("w0.id" if f.attname == "ticket_id" else "%s" for f in messages)
    event_values = ", ".join(
        "w0.id" if f.attname == "ticket_id" else f"r.{quote(column_name(f))}" for f in events
    )
    event_table = quote(TicketEvent._meta.db_table)
    return (
        f"WITH w0 AS (INSERT INTO {quote(Ticket._meta.db_table)} ({names(tickets)}) "
        f"VALUES ({', '.join(['%s'] * len(tickets))}) RETURNING id), "
        f"w1 AS (INSERT INTO {quote(Message._meta.db_table)} ({names(messages)}) "
        f"SELECT {message_values} FROM w0) "
        f"INSERT INTO {event_table} ({names(events)}) SELECT {event_values} "
        f"FROM w0, jsonb_populate_recordset(NULL::{event_table}, %s::jsonb) AS r"
        + ("" if reserved else " RETURNING ticket_id")
    )


@cache
def _prepare_ticket(reserved: bool) -> list[Prepare]:
    return [preparer(f) for f in _fields(Ticket, with_pk=reserved)]


@cache
def _prepare_message() -> list[Prepare]:
    # The ticket's id comes from the statement's own insert of the ticket.
    return [preparer(f) for f in _fields(Message, with_pk=True) if f.attname != "ticket_id"]


def _insert_opening(ticket: Ticket, message: Message, events: list[TicketEvent]) -> None:
    """A new ticket, its first message (id already taken from `message_ids`)
    and its events in one statement, atomic by itself: PostgreSQL's
    data-modifying WITH, the ticket's id handed on from its insert. The
    events travel as one JSON parameter, which keeps the statement under
    psycopg's 50 parameters for reusing its parsed form (re-parsing it cost
    more than the rest of the statement's preparation)."""
    db = default_db()
    reserved = ticket.pk is not None
    params: list[Any] = [prepare(ticket, db) for prepare in _prepare_ticket(reserved)]
    params += [prepare(message, db) for prepare in _prepare_message()]
    params.append(
        Jsonb(
            [
                {
                    column_name(f): json_value(f.pre_save(e, True))
                    for f in _fields(TicketEvent, with_pk=False)
                }
                for e in events
            ]
        )
    )
    with db.cursor() as cursor:
        execute_prepared(cursor, _opening_sql(db.vendor, reserved), params)
        if not reserved:
            ticket.pk = int(cursor.fetchone()[0])
    for obj in (ticket, message, *events):
        obj._state.adding = False
        obj._state.db = db.alias
    message.ticket = ticket
    for event in events:
        event.ticket = ticket
