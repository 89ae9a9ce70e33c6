"""Statements the ORM would build on every call, built once per process.

The API's hottest paths (the bearer-token lookup on every request, the three
inserts that open a ticket) spent most of their time in Django's query
compiler rather than in the database: about 1.5 ms to compile a three-table
`select_related` and 1 ms per `save()`, against 0.1 ms to run the same SQL
(bench/desk_bench.py). These helpers take the table and column names from
the models' own metadata, so a new field is picked up without editing SQL,
and they convert values both ways with the fields' own database adapters
and converters, exactly as the ORM does.

Nothing here sends signals or runs `save()` overrides: use it only for
models that have none.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import psycopg
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    BooleanField,
    CharField,
    DateTimeField,
    EmailField,
    Field,
    ForeignKey,
    IntegerField,
    Model,
    PositiveIntegerField,
    PositiveSmallIntegerField,
    TextField,
)
from django.db.models.fields import AutoFieldMixin
from psycopg.types.json import Jsonb

Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]
Prepare = Callable[[Model, BaseDatabaseWrapper], Any]


def execute_prepared(cursor: Any, sql: str, params: Sequence[Any]) -> None:
    """`cursor.execute`, the statement prepared on PostgreSQL: for the
    statements every request repeats whose plan does not depend on the
    values (inserts, a read by a unique key). Parsing and planning the
    opening of a ticket once per connection instead of per request took
    1-client API creation from 116-118/s to 144-147/s (bench/desk_bench.py).
    Where queries are being logged (tests, DEBUG) it runs as usual, so it
    is counted."""
    db = cursor.db
    if db.vendor != "postgresql" or db.queries_logged or not db.settings_dict.get("PREPARE"):
        cursor.execute(sql, params)
        return
    with db.wrap_database_errors:
        cursor.cursor.execute(sql, params, prepare=True)


@contextmanager
def pipelined(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Statements sent without waiting for each one's answer, PostgreSQL's
    pipeline mode, where the database supports it: the server works on one
    statement while Python builds the next. A statement whose rows are read
    waits for everything sent before it. An error can surface at a later
    statement than the one that caused it: use this only where any error
    abandons the whole transaction. Elsewhere, as usual."""
    if connection.vendor != "postgresql" or not psycopg.Pipeline.is_supported():
        yield
        return
    connection.ensure_connection()
    with connection.connection.pipeline():
        yield


def default_db() -> BaseDatabaseWrapper:
    """This thread's default connection itself. `django.db.connection` is a
    proxy whose every attribute is a thread-local lookup, and converting one
    row's values asks for the connection dozens of times: pass this instead."""
    return connections[DEFAULT_DB_ALIAS]


class Columns:
    """All concrete columns of `model` under a table alias, for a hand-written
    SELECT, and the model instance back from their values."""

    def __init__(self, model: type[Model], alias: str) -> None:
        self.model = model
        self.alias = alias
        self.fields: list[Field[Any, Any]] = list(model._meta.concrete_fields)
        self._converters: dict[str, list[list[Converter]]] = {}

    def sql(self, connection: BaseDatabaseWrapper) -> str:
        quote = connection.ops.quote_name
        return ", ".join(f"{self.alias}.{quote(column_name(f))}" for f in self.fields)

    def __len__(self) -> int:
        return len(self.fields)

    def build(self, values: Sequence[Any], connection: BaseDatabaseWrapper) -> Model | None:
        """The instance these values describe; None when the row's primary key
        is NULL (an outer join that found nothing)."""
        converters = self._converters.get(connection.alias)
        if converters is None:
            converters = self._converters[connection.alias] = [
                _converters(field, self.alias, connection) for field in self.fields
            ]
        converted = []
        for value, chain in zip(values, converters, strict=True):
            for convert in chain:
                value = convert(value, None, connection)
            converted.append(value)
        pk = self.model._meta.pk
        if converted[self.fields.index(pk)] is None:
            return None
        return self.model.from_db(connection.alias, [f.attname for f in self.fields], converted)


def build_row(
    row: Sequence[Any], connection: BaseDatabaseWrapper, *parts: Columns
) -> list[Model | None]:
    """One row of a join, as one instance per `Columns` in SELECT order."""
    out = []
    start = 0
    for columns in parts:
        out.append(columns.build(row[start : start + len(columns)], connection))
        start += len(columns)
    return out


def column_name(field: Field[Any, Any] | None) -> str:
    assert field is not None
    assert field.column is not None
    return field.column


def _converters(field: Field[Any, Any], alias: str, connection: BaseDatabaseWrapper) -> list[Any]:
    column = field.get_col(alias)
    return [*connection.ops.get_db_converters(column), *column.get_db_converters(connection)]


def preparer(field: Field[Any, Any], *, new: bool = True) -> Prepare:
    """How an object's value of `field` goes to the database: what
    `field.get_db_prep_save(field.pre_save(obj, True), connection)` gives for
    a `new` object (what the field holds, for an update),
    without walking Django's chain of field methods for the values that
    chain leaves as they are (text in a text column, an int in an integer
    column or a foreign key, an aware datetime, a bool). Any other value, or
    any other kind of field, takes Django's own path. Opening a ticket
    converts some forty values, and the chain cost more than sending them."""
    attname = field.attname

    def django(obj: Model, connection: BaseDatabaseWrapper) -> Any:
        value = field.pre_save(obj, True) if new else getattr(obj, attname)
        return field.get_db_prep_save(value, connection)

    kind = type(field)
    if kind in (CharField, TextField, EmailField):

        def text(obj: Model, connection: BaseDatabaseWrapper) -> Any:
            value = getattr(obj, attname)
            return value if value is None or isinstance(value, str) else django(obj, connection)

        return text
    if kind is BooleanField:

        def boolean(obj: Model, connection: BaseDatabaseWrapper) -> Any:
            value = getattr(obj, attname)
            return value if value is None or type(value) is bool else django(obj, connection)

        return boolean
    if kind in (ForeignKey, IntegerField, PositiveIntegerField, PositiveSmallIntegerField):
        # A foreign key's value is its target's; an auto field's id goes as it is.
        target: Field[Any, Any] = getattr(field, "target_field", field)
        internal = "" if isinstance(target, AutoFieldMixin) else target.get_internal_type()

        def integer(obj: Model, connection: BaseDatabaseWrapper) -> Any:
            value = getattr(obj, attname)
            if value is None:
                return None
            if type(value) is not int:
                return django(obj, connection)
            return connection.ops.adapt_integerfield_value(value, internal) if internal else value

        return integer
    automatic = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    if kind is DateTimeField and not automatic:

        def instant(obj: Model, connection: BaseDatabaseWrapper) -> Any:
            value = getattr(obj, attname)
            if value is None:
                return None
            if type(value) is datetime and value.tzinfo is not None:
                return connection.ops.adapt_datetimefield_value(value)
            return django(obj, connection)

        return instant
    return django


class Maker[M: Model]:
    """`model(**values)` for a new object of a model with no `__init__` or
    init signals of its own, the same object built without the keyword path
    of Django's `Model.__init__`: a ticket's opening builds a ticket, its
    message and its events, and that path cost more per object than writing
    the row. Related objects are given by field name (cached on the object,
    as Django's descriptor does) or as ids by attname; a field not given
    takes its default."""

    def __init__(self, model: type[M]) -> None:
        self.model = model
        self._layout: list[tuple[str, str, bool, Field[Any, Any]]] | None = None

    def __call__(self, **values: Any) -> M:
        layout = self._layout
        if layout is None:
            layout = self._layout = [
                (f.name, f.attname, f.is_relation, f) for f in self.model._meta.concrete_fields
            ]
        args: list[Any] = []
        related: list[tuple[str, Model]] = []
        for name, attname, relation, field in layout:
            if relation and name in values:
                obj = values.pop(name)
                args.append(None if obj is None else obj.pk)
                if obj is not None:
                    related.append((name, obj))
            elif attname in values:
                args.append(values.pop(attname))
            else:
                args.append(field.get_default())
        if values:
            raise TypeError(f"{self.model.__name__} has no field {', '.join(values)}")
        instance = self.model(*args)
        for name, obj in related:
            instance._state.fields_cache[name] = obj
        return instance


class Inserter:
    """`INSERT … RETURNING pk` for one model, compiled on first use."""

    def __init__(self, model: type[Model]) -> None:
        self.model = model
        pk = model._meta.pk
        self.fields: list[Field[Any, Any]] = [f for f in model._meta.concrete_fields if f is not pk]
        self._sql: dict[str, str] = {}
        self._unnestable: bool | None = None
        self._prepare = [preparer(f) for f in self.fields]

    def _statement(self, connection: BaseDatabaseWrapper, rows: int, skip: bool = False) -> str:
        unnest = self._unnest(connection, rows)
        key = f"{connection.alias}:{'n' if unnest else rows}:{skip}"
        sql = self._sql.get(key)
        if sql is None:
            quote = connection.ops.quote_name
            columns = ", ".join(quote(column_name(f)) for f in self.fields)
            if unnest:
                # One array per column: the same text for any number of rows,
                # so psycopg converts it once and PostgreSQL plans it once.
                # Parsing a 100-row VALUES list took 8-10 ms a batch
                # (bench/mail_bench.py). Rows come back in array order, as
                # Django's own bulk_create relies on.
                arrays = ", ".join(f"%s::{_array_type(f, connection)}[]" for f in self.fields)
                source = f"SELECT * FROM UNNEST({arrays})"
            else:
                one = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
                source = f"VALUES {', '.join([one] * rows)}"
            pk = quote(column_name(self.model._meta.pk))
            conflict = " ON CONFLICT DO NOTHING" if skip else ""
            sql = (
                f"INSERT INTO {quote(self.model._meta.db_table)} ({columns}) "
                f"{source}{conflict} RETURNING {pk}"
            )
            self._sql[key] = sql
        return sql

    def _unnest(self, connection: BaseDatabaseWrapper, rows: int) -> bool:
        if connection.vendor != "postgresql" or rows < 2:
            return False
        if self._unnestable is None:
            self._unnestable = all(_array_type(f, connection) for f in self.fields)
        return self._unnestable

    def _params(self, objects: Sequence[Model], connection: BaseDatabaseWrapper) -> list[Any]:
        prepare = self._prepare
        rows = [[p(obj, connection) for p in prepare] for obj in objects]
        if self._unnest(connection, len(objects)):
            return [list(column) for column in zip(*rows, strict=True)]
        return [value for row in rows for value in row]

    def insert(self, *objects: Model, using: str = "default") -> None:
        """Insert the objects in one statement and give each its primary key."""
        self._insert(objects, using, skip=False)

    def insert_new(self, obj: Model, using: str = "default") -> bool:
        """Insert `obj` unless a unique constraint already holds its like
        (then nothing is written, no error is raised, and False is answered):
        no savepoint needed to survive the conflict."""
        return self._insert((obj,), using, skip=True) == 1

    def insert_new_many(
        self, objects: Sequence[Model], key: str, using: str = "default"
    ) -> list[bool]:
        """Insert, in one statement, each object that no unique constraint
        already holds the like of; whether each one was. The objects' `key`
        (a unique column) tells them apart and must differ between them."""
        if not objects:
            return []
        connection = connections[using]
        field = self.model._meta.get_field(key)
        assert isinstance(field, Field)
        statement = self._statement(connection, len(objects), skip=True)
        statement += f", {connection.ops.quote_name(column_name(field))}"
        with connection.cursor() as cursor:
            execute_prepared(cursor, statement, self._params(objects, connection))
            inserted = {row[1]: row[0] for row in cursor.fetchall()}
        out = []
        for obj in objects:
            pk = inserted.get(getattr(obj, field.attname))
            if pk is not None:
                obj.pk = pk
                obj._state.adding = False
                obj._state.db = using
            out.append(pk is not None)
        return out

    def _insert(self, objects: Sequence[Model], using: str, *, skip: bool) -> int:
        if not objects:
            return 0
        connection = connections[using]
        params = self._params(objects, connection)
        with connection.cursor() as cursor:
            execute_prepared(cursor, self._statement(connection, len(objects), skip), params)
            ids = [row[0] for row in cursor.fetchall()]
        if skip and len(ids) < len(objects):
            return 0
        # Rows come back in VALUES order: Django's own bulk_create relies on
        # the same on both databases.
        for obj, pk in zip(objects, ids, strict=True):
            obj.pk = pk
            obj._state.adding = False
            obj._state.db = using
        return len(ids)


class Updater:
    """`UPDATE … SET <fields> WHERE pk = %s` for one model, compiled on first use."""

    def __init__(self, model: type[Model], *names: str) -> None:
        self.model = model
        self.fields: list[Field[Any, Any]] = []
        for name in names:
            field = model._meta.get_field(name)
            assert isinstance(field, Field), f"{name} is not a column of {model.__name__}"
            self.fields.append(field)
        self._sql: dict[str, str] = {}
        self._prepare = [preparer(f, new=False) for f in self.fields]

    def update(self, obj: Model, using: str = "default") -> None:
        """Write the named fields of `obj` as they are in memory."""
        connection = connections[using]
        sql = self._sql.get(connection.alias)
        if sql is None:
            quote = connection.ops.quote_name
            sets = ", ".join(f"{quote(column_name(f))} = %s" for f in self.fields)
            pk = quote(column_name(self.model._meta.pk))
            sql = self._sql[connection.alias] = (
                f"UPDATE {quote(self.model._meta.db_table)} SET {sets} WHERE {pk} = %s"
            )
        params = [prepare(obj, connection) for prepare in self._prepare]
        with connection.cursor() as cursor:
            execute_prepared(cursor, sql, [*params, obj.pk])

    def update_many(self, objects: Sequence[Model], using: str = "default") -> None:
        """`update` for each object; on PostgreSQL one statement for all,
        the values travelling as one JSON parameter read as the table's rows."""
        connection = connections[using]
        if connection.vendor != "postgresql" or len(objects) < 2:
            for obj in objects:
                self.update(obj, using)
            return
        key = f"{connection.alias}:many"
        sql = self._sql.get(key)
        if sql is None:
            quote = connection.ops.quote_name
            table = quote(self.model._meta.db_table)
            pk = quote(column_name(self.model._meta.pk))
            sets = ", ".join(
                f"{quote(column_name(f))} = r.{quote(column_name(f))}" for f in self.fields
            )
            sql = self._sql[key] = (
                f"UPDATE {table} SET {sets} "
                f"FROM jsonb_populate_recordset(NULL::{table}, %s::jsonb) AS r "
                f"WHERE {table}.{pk} = r.{pk}"
            )
        pk_column = column_name(self.model._meta.pk)
        values = [
            {
                pk_column: obj.pk,
                **{column_name(f): json_value(getattr(obj, f.attname)) for f in self.fields},
            }
            for obj in objects
        ]
        params: list[Any] = [Jsonb(values)]
        with connection.cursor() as cursor:
            execute_prepared(cursor, sql, params)


def _array_type(field: Field[Any, Any], connection: BaseDatabaseWrapper) -> str:
    """The column's type without its length (`varchar`, not `varchar(200)`),
    for an array of its values; empty when it has none to name."""
    db_type = field.db_type(connection)
    return db_type.split("(")[0] if db_type else ""


def any_of(connection: BaseDatabaseWrapper) -> str:
    """A condition's right side, `column <this>`, true when the column equals
    one of a list given as one parameter (`list_param`): one statement, so
    one prepared plan, whatever the list's length."""
    if connection.vendor == "postgresql":
        return "= ANY(%s)"
    return "IN (SELECT value FROM json_each(%s))"


def list_param(connection: BaseDatabaseWrapper, values: Collection[Any]) -> Any:
    return list(values) if connection.vendor == "postgresql" else json.dumps(list(values))


def json_value(value: Any) -> Any:
    """A column's value as JSON that PostgreSQL reads back as that column."""
    if isinstance(value, datetime):
        return value.isoformat()
    return value
