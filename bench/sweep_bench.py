"""The SLA worker's sweep on PostgreSQL: one sweep over 1,000,000 tickets,
its time and the rows it examines.

Run from the repository root (PostgreSQL on 127.0.0.1:5432, user postgres,
trust authentication):

    .venv/bin/python bench/sweep_bench.py [--tickets 1000000] [--due 1000]

What it does, in order:

1. Creates a database of its own (`--database`, default
   `supportdesk_sweepbench`; an existing one of that name is dropped first),
   runs `supportdesk migrate` and `supportdesk seed-demo --without-tickets`,
   and bulk-loads --tickets tickets by COPY with bench/desk_bench.py's
   `bulk_load` (the same rows as its reading benchmark), each with the
   `sla_next_at` the desk would keep: the warning or, once that has passed,
   the breach still to come for an open vendor-tier ticket not yet answered;
   NULL for every other ticket. Every sweep runs at one instant taken before
   the load, so none of these rows (which have no events to sweep) comes due
   however long the run takes.
2. Idle sweep: `clock.sweep(now)` with nothing due, --idle-runs times (best
   and median), the SQL it ran, and that query's EXPLAIN (ANALYZE, BUFFERS).
3. Opens --due tickets through `do_submit_ticket` as user@initech.example (a
   direct customer, so the vendor's clock runs), cloud-backup by portal,
   severities 2 to 4, submitted 9 to 7 days before the sweep's instant, so
   each owes its warning and its breach (timed apart: setup, not the
   measurement). EXPLAIN (ANALYZE, BUFFERS) of the sweep's query now.
4. The catch-up: one sweep records those alarms: wall time, tickets/s,
   alarms/s, SQL statements per ticket (by kind), and rows read as
   PostgreSQL's statistics count them. Fails unless it recorded exactly
   2 × --due alarms, one warning and one breach per ticket.
5. The race: --due fresh tickets, then two sweeps at once in two threads
   (a connection each): per-thread batches, tickets and alarms, total
   time; the same check, so nothing is recorded twice.
6. The idle sweep again, with the swept tickets' old index entries still
   there, and once more after VACUUM; then drops the database (`--keep`
   keeps it).

Nothing asserts on timings.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import desk_bench
from desk_bench import NAT, ms, table

CUSTOMER = desk_bench.CUSTOMER
COMPANY = "initech"
SWEEP_INDEX = "ticket_sla_next"
DAY = timedelta(days=1)


def fail(message: str) -> NoReturn:
    print(f"sweep_bench: {message}", file=sys.stderr)
    raise SystemExit(2)


# -- the filler's sla_next_at ----------------------------------------------------------------


def next_alarm(
    now: np.datetime64,
    submitted: np.ndarray,
    severity: np.ndarray,
    channel: np.ndarray,
    due: np.ndarray,
    owes: np.ndarray,
) -> np.ndarray:
    """`sla_next_at` as the desk keeps it (tickets/actions.py `_apply`): the
    warning (`warn_at_percent` of the target, on its calendar) while it is
    to come, then the breach while that is; NaT once both have passed, as the
    sweep leaves a ticket whose breach it has recorded."""
    from supportdesk.policies.active import active_policy

    policy = active_policy()
    percent = policy.severity_rules.warn_at_percent
    warn = np.full(submitted.shape, NAT)
    for level in np.unique(severity[owes]).tolist():
        for slug in np.unique(channel[owes]).tolist():
            chosen = owes & (severity == level) & (channel == slug)
            target = policy.target(int(level), str(slug))
            warn[chosen] = policy.calendar(target.calendar).add_many(
                submitted[chosen], target.duration * percent / 100
            )
    warn = np.where(warn < due, warn, due)
    upcoming = np.where(warn > now, warn, np.where(due > now, due, NAT))
    return np.where(owes, upcoming, NAT)


# -- counting what a sweep does ------------------------------------------------------------


@dataclass
class Statements:
    """Statements one connection ran, by kind."""

    kinds: Counter[str] = field(default_factory=Counter)
    first: tuple[str, Any] | None = None

    @property
    def total(self) -> int:
        return sum(self.kinds.values())

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.kinds[kind(sql)] += 1
        if self.first is None:
            self.first = (sql, params)
        return execute(sql, params, many, context)


def kind(sql: str) -> str:
    """A statement in a few words: what it does to which table."""
    words = " ".join(sql.split()).replace('"', "")
    verb = words.split(" ", 1)[0].upper()
    if verb in ("SAVEPOINT", "RELEASE", "ROLLBACK"):
        return verb.lower() if verb != "RELEASE" else "release savepoint"
    table_name = ""
    for marker in (" FROM ", "INSERT INTO ", "UPDATE "):
        if marker in words:
            table_name = words.split(marker, 1)[1].split(" ", 1)[0].split("(", 1)[0]
            break
    if verb == "SELECT" and "SKIP LOCKED" in words:
        return f"select due {table_name} (batch, FOR UPDATE SKIP LOCKED)"
    if verb == "SELECT" and "FOR UPDATE" in words:
        return f"select {table_name} FOR UPDATE"
    return f"{verb.lower()} {table_name}".strip()


@contextmanager
def counted() -> Iterator[Statements]:
    from django.db import connection

    statements = Statements()
    with connection.execute_wrapper(statements):
        yield statements


@dataclass
class Reads:
    """PostgreSQL's cumulative statistics for the tables a sweep touches."""

    values: dict[str, int]

    def __sub__(self, other: Reads) -> Reads:
        return Reads({k: v - other.values.get(k, 0) for k, v in self.values.items()})


def flush_statistics() -> None:
    """Have this connection's backend publish its pending counts: it does so
    only when it goes idle, at most once a second, unless asked."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
    time.sleep(0.3)


def reads(database_url: str) -> Reads:
    import psycopg

    values: dict[str, int] = {}
    with psycopg.connect(database_url, autocommit=True) as conn:
        for relname, seq, seq_read, idx, idx_fetch in conn.execute(
            "SELECT relname, seq_scan, seq_tup_read, idx_scan, idx_tup_fetch "
            "FROM pg_stat_user_tables WHERE relname IN ('tickets_ticket', 'tickets_ticketevent')"
        ):
            short = relname.removeprefix("tickets_")
            values |= {
                f"{short} seq scans": seq,
                f"{short} rows read by seq scans": seq_read,
                f"{short} index scans": idx or 0,
                f"{short} rows fetched by index scans": idx_fetch or 0,
            }
        row = conn.execute(
            "SELECT idx_scan, idx_tup_read FROM pg_stat_user_indexes WHERE indexrelname = %s",
            [SWEEP_INDEX],
        ).fetchone()
        if row is None:
            fail(f"no index {SWEEP_INDEX}: is the sweep's migration there?")
        values |= {f"{SWEEP_INDEX} scans": row[0], f"{SWEEP_INDEX} entries read": row[1]}
    return Reads(values)


def show_reads(delta: Reads) -> str:
    keys = [
        f"{SWEEP_INDEX} scans",
        f"{SWEEP_INDEX} entries read",
        "ticket seq scans",
        "ticket rows read by seq scans",
        "ticket rows fetched by index scans",
        "ticketevent rows fetched by index scans",
    ]
    return "; ".join(f"{k} {delta.values.get(k, 0):,}" for k in keys)


# -- the sweep's query ------------------------------------------------------------------------


def explain(sql: str, params: Any) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of a statement, in a transaction rolled back
    (the sweep's query locks what it returns)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        plan = [row[0] for row in cursor.fetchall()]
        transaction.set_rollback(True)
    return plan


def due_query(now: datetime) -> tuple[str, Any]:
    """The sweep's query (clock._take_due) as it runs, batch and lock included."""
    from django.db import connection, transaction

    from supportdesk.tickets import clock

    with transaction.atomic(), counted() as statements:
        clock._take_due(now, clock.BATCH, ())
        transaction.set_rollback(True)
    if statements.first is None:
        fail("the sweep's query ran no SQL")
    sql, params = statements.first
    if connection.vendor != "postgresql":
        fail(f"the database is {connection.vendor}, not PostgreSQL")
    return sql, params


def all_due_query(now: datetime) -> tuple[str, Any]:
    """Every due ticket, without the batch limit or the lock."""
    from supportdesk.tickets.models import Ticket

    qs = Ticket.objects.filter(sla_next_at__lte=now).order_by("sla_next_at")
    sql, params = qs.values_list("pk", flat=True).query.sql_with_params()
    return sql, params


def indent(lines: Sequence[str], by: str = "    ") -> str:
    return "\n".join(by + line for line in lines)


def show_plan(title: str, plan: Sequence[str], *, whole: bool = True) -> None:
    """The plan (`whole`), then what it examined: the rows the sweep's index
    gave and the buffers the whole statement touched."""
    print(title)
    if whole:
        print(indent(plan))
    scans = [line for line in plan if f" {SWEEP_INDEX} " in f"{line} "]
    buffers = next((line.split(":", 1)[1].strip() for line in plan if "Buffers:" in line), "")
    if not scans:
        print(f"  NOTE: this plan does not use {SWEEP_INDEX}")
        return
    rows = re.search(r"actual time=\S+ rows=(\d+)", scans[0])
    print(
        f"  → {rows.group(1) if rows else '?'} rows examined through {SWEEP_INDEX}; "
        f"buffers: {buffers or 'none'}"
    )


def prepared(sql_start: str) -> list[str]:
    """How this connection's prepared copies of a statement were planned."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE %s",
            [sql_start + "%"],
        )
        return [f"{g} generic, {c} custom plans" for g, c in cursor.fetchall()]


def note_horizon() -> None:
    if holding := oldest_transaction():
        print(
            f"  oldest other transaction on the server: {holding}; until it ends, the index "
            "entries of rows changed after it began are not marked dead, and a scan reaching "
            "them visits the table for each"
        )


def oldest_transaction() -> str:
    """The oldest other transaction on the server, if one holds back what
    PostgreSQL may treat as dead (in any database: our snapshots wait for it)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT datname, state, extract(epoch FROM now() - xact_start) "
            "FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
            "AND (backend_xid IS NOT NULL OR backend_xmin IS NOT NULL) "
            "AND xact_start < now() - interval '1 second' ORDER BY xact_start LIMIT 1"
        )
        row = cursor.fetchone()
    if row is None:
        return ""
    database, state, age = row
    return f"a transaction open {float(age):,.0f} s in database {database} ({state})"


# -- the measurements -----------------------------------------------------------------------


def idle_sweeps(now: datetime, runs: int, label: str, *, after_changes: bool = False) -> None:
    from supportdesk.tickets import clock

    with counted() as statements:
        recorded = clock.sweep(now)
    if recorded:
        fail(f"{label}: the idle sweep recorded {recorded} alarms; nothing should be due")
    if statements.first is None:
        fail(f"{label}: the sweep ran no SQL")
    print(
        f"{label}: clock.sweep(now), nothing due: {timed_idle(now, runs)}; "
        f"{statements.total} SQL statement(s) per sweep:"
    )
    sql, params = statements.first
    print(indent([" ".join(sql.split())]))
    print(f"  with {params!r}")
    plans = prepared(" ".join(sql.split())[:60])
    print(
        f"  prepared on this connection after {runs + 1} sweeps: {', '.join(plans)}"
        if plans
        else "  not a prepared statement: planned at each sweep for its instant, as EXPLAIN does"
    )
    if after_changes:
        note_horizon()
    show_plan("  EXPLAIN (ANALYZE, BUFFERS):", explain(sql, params))
    if after_changes:
        # What VACUUM gives back is what the scans above were stepping over.
        from django.db import connection

        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM tickets_ticket")
        vacuumed = time.perf_counter() - began
        show_plan(
            f"  after VACUUM tickets_ticket ({vacuumed:.1f} s): {timed_idle(now, runs)}; "
            "EXPLAIN (ANALYZE, BUFFERS) as above:",
            explain(sql, params),
            whole=False,
        )
    print()


def timed_idle(now: datetime, runs: int) -> str:
    from supportdesk.tickets import clock

    seconds = []
    for _ in range(runs):
        began = time.perf_counter()
        clock.sweep(now)
        seconds.append(time.perf_counter() - began)
    return (
        f"best {ms(min(seconds) * 1000)} ms, median {ms(statistics.median(seconds) * 1000)} ms "
        f"of {runs}"
    )


def open_due(count: int, now: datetime, number: int) -> tuple[list[int], float]:
    """`count` tickets through the desk's own action, submitted 9 to 7 days
    before `now`: the longest target here, Severity 4's 24 business hours,
    ends within 3 days even across a weekend, so each owes a warning and a
    breach by `now`."""
    from supportdesk.accounts.models import Organization, User
    from supportdesk.tickets.actions import do_submit_ticket

    company = Organization.objects.get(slug=COMPANY)
    customer = User.objects.get(email=CUSTOMER)
    first = now - 9 * DAY
    step = 2 * DAY / max(count, 1)
    ids = []
    began = time.perf_counter()
    for i in range(count):
        n = number + i
        body = json.loads(desk_bench.ticket_body(n))
        ticket = do_submit_ticket(
            company=company,
            requester=customer,
            subject=body["subject"],
            body=body["body"],
            product="cloud-backup",
            severity=2 + n % 3,
            channel="portal",
            acting_user=customer,
            now=first + i * step,
        )
        ids.append(ticket.pk)
    return ids, time.perf_counter() - began


def check_recorded(ids: list[int], recorded: int, label: str) -> None:
    """Exactly one warning and one breach per ticket, and nothing more owed."""
    from django.db.models import Count

    from supportdesk.tickets.models import EventKind, Ticket, TicketEvent

    expected = 2 * len(ids)
    if recorded != expected:
        fail(f"{label}: {recorded:,} alarms recorded, expected {expected:,} (2 per due ticket)")
    per = (
        TicketEvent.objects.filter(
            ticket_id__in=ids, kind__in=(EventKind.SLA_WARNING, EventKind.SLA_BREACHED)
        )
        .values("ticket_id", "kind")
        .annotate(n=Count("id"))
    )
    shapes = Counter((row["kind"], row["n"]) for row in per)
    want = Counter(
        {(EventKind.SLA_WARNING.value, 1): len(ids), (EventKind.SLA_BREACHED.value, 1): len(ids)}
    )
    if shapes != want:
        fail(f"{label}: alarm events per ticket {dict(shapes)}, expected {dict(want)}")
    owing = Ticket.objects.filter(pk__in=ids).exclude(sla_next_at=None).count()
    unbreached = Ticket.objects.filter(pk__in=ids, breached=False).count()
    if owing or unbreached:
        fail(f"{label}: {owing} tickets still owe an alarm, {unbreached} are not marked breached")


def catch_up(ids: list[int], now: datetime, database_url: str) -> None:
    from supportdesk.tickets import clock

    sql, params = due_query(now)
    show_plan(
        f"The sweep's query (its first batch) with {len(ids):,} tickets due, "
        "EXPLAIN (ANALYZE, BUFFERS):",
        explain(sql, params),
    )
    show_plan(
        "The same query for every due ticket at once (no batch limit, no lock):",
        explain(*all_due_query(now)),
    )
    print()

    flush_statistics()
    before = reads(database_url)
    with counted() as statements:
        began = time.perf_counter()
        recorded = clock.sweep(now)
        seconds = time.perf_counter() - began
    flush_statistics()
    delta = reads(database_url) - before
    check_recorded(ids, recorded, "catch-up")
    tickets = len(ids)
    print(
        f"Catch-up: one clock.sweep(now) recorded {recorded:,} alarms on {tickets:,} tickets "
        f"in {seconds:.2f} s: {tickets / seconds:,.0f} tickets/s, {recorded / seconds:,.0f} "
        f"alarms/s ({clock.BATCH} tickets per transaction)"
    )
    print(
        f"SQL: {statements.total:,} statements, {statements.total / tickets:.1f} per ticket, "
        "by kind:"
    )
    rows = [[name, f"{n:,}", f"{n / tickets:.2f}"] for name, n in statements.kinds.most_common()]
    print(indent(table(["statement", "count", "per ticket"], rows).splitlines(), "  "))
    print(f"rows read (pg_stat): {show_reads(delta)}")
    extra = delta.values.get(f"{SWEEP_INDEX} entries read", 0) - tickets
    if extra > 0:
        print(
            f"  {extra:,} entries read beyond the {tickets:,} due: each batch scans from the "
            "index's start, past the entries the batches before it left behind"
        )
    note_horizon()
    print()


def race(ids: list[int], now: datetime) -> None:
    from django.db import connection

    from supportdesk.tickets import clock

    barrier = threading.Barrier(2)
    results: dict[int, tuple[int, float, Statements]] = {}
    errors: list[BaseException] = []

    def sweeper(number: int) -> None:
        try:
            connection.ensure_connection()
            with counted() as statements:
                barrier.wait()
                began = time.perf_counter()
                recorded = clock.sweep(now)
                seconds = time.perf_counter() - began
            results[number] = (recorded, seconds, statements)
        except BaseException as exc:
            errors.append(exc)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=sweeper, args=(n,)) for n in (1, 2)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    if errors:
        fail(f"a racing sweep failed: {errors[0]!r}")
    total = sum(r[0] for r in results.values())
    check_recorded(ids, total, "race")
    print(f"Race: two clock.sweep(now) at once on {len(ids):,} fresh due tickets, a thread each")
    rows = []
    for number, (recorded, seconds, statements) in sorted(results.items()):
        batches = sum(n for k, n in statements.kinds.items() if k.startswith("select due"))
        rows.append(
            [
                f"{number}",
                f"{batches}",
                f"{recorded // 2:,}",
                f"{recorded:,}",
                f"{statements.total:,}",
                f"{seconds:.2f}",
            ]
        )
    print(
        indent(
            table(["sweep", "batches", "tickets", "alarms", "SQL", "s"], rows).splitlines(), "  "
        )
    )
    print(
        f"  together: {total:,} alarms (2 × {len(ids):,}, each once) in {wall:.2f} s: "
        f"{len(ids) / wall:,.0f} tickets/s, {total / wall:,.0f} alarms/s"
    )
    print()


# -- main -------------------------------------------------------------------------------------


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="supportdesk_sweepbench")
    parser.add_argument(
        "--tickets", type=int, default=1_000_000, help="tickets bulk-loaded by COPY"
    )
    parser.add_argument(
        "--due", type=int, default=1000, help="tickets opened with alarms due, per catch-up"
    )
    parser.add_argument("--idle-runs", type=int, default=20, help="idle sweeps timed")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args(argv)
    if options.due < 1 or options.tickets < 0:
        parser.error("--due must be at least 1, --tickets at least 0")
    return options


def main(argv: Sequence[str] | None = None) -> None:
    options = parse(argv)
    started = time.perf_counter()
    database_url = f"{options.server}/{options.database}"
    os.environ.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "supportdesk.settings",
            "LOG_LEVEL": "WARNING",
            "SMTP_RECEIVER": "off",
            # The sweeps here are the measurement; no worker may sweep too.
            "WORKER": "off",
        }
    )
    env = dict(os.environ)

    import django

    django.setup()
    from django.db import connection, connections

    desk_bench.recreate_database(options.server, options.database)
    try:
        step = time.perf_counter()
        desk_bench.supportdesk("migrate", "--noinput", env=env)
        desk_bench.supportdesk("seed-demo", "--without-tickets", env=env)
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            pg_version = cursor.fetchone()[0].split(",")[0]
        print(
            f"supportdesk SLA sweep benchmark: {pg_version}; Django {django.__version__}; "
            f"Python {platform.python_version()}; {os.cpu_count()} CPUs; "
            f"load average {os.getloadavg()[0]:.2f}"
        )
        print(f"{options.database}: migrated and seeded in {time.perf_counter() - step:.1f} s")

        # Every sweep runs at this instant: the filler's alarms all lie after
        # it, the due tickets' before it, whatever the clock says later.
        now = datetime.now(UTC)
        if options.tickets:
            people = desk_bench.population()
            seconds = desk_bench.bulk_load(
                database_url, options.tickets, people, options.seed, next_alarm
            )
            print(
                f"loaded {options.tickets:,} tickets by COPY in {seconds:.1f} s "
                f"({options.tickets / seconds:,.0f} rows/s, ANALYZE included)"
            )
        describe(now)

        idle_sweeps(now, options.idle_runs, "Idle sweep")

        number = 1
        for label in ("catch-up", "race"):
            ids, seconds = open_due(options.due, now, number)
            number += options.due
            due_now = count_due(now)
            if due_now != len(ids):
                fail(f"{due_now:,} tickets due before the {label}, expected {len(ids):,}")
            print(
                f"Setup ({label}): opened {len(ids):,} tickets through do_submit_ticket in "
                f"{seconds:.1f} s ({len(ids) / seconds:,.0f} tickets/s), submitted 9 to 7 days "
                "ago: each owes a warning and a breach"
            )
            if label == "catch-up":
                catch_up(ids, now, database_url)
            else:
                race(ids, now)

        idle_sweeps(
            now,
            options.idle_runs,
            "Idle sweep after the catch-ups (the swept tickets' old index entries remain)",
            after_changes=True,
        )
    finally:
        connections.close_all()
        if not options.keep:
            desk_bench.drop_database(options.server, options.database)
    kept = "kept" if options.keep else "dropped"
    print(
        f"done in {time.perf_counter() - started:.0f} s; {kept} {options.database}; "
        f"load average {os.getloadavg()[0]:.2f}"
    )


def count_due(now: datetime) -> int:
    from supportdesk.tickets.models import Ticket

    return Ticket.objects.filter(sla_next_at__lte=now).count()


def describe(now: datetime) -> None:
    """What the table and the sweep's index hold."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE status = ANY(%s)), "
            "count(sla_next_at), count(*) FILTER (WHERE sla_next_at <= %s), "
            "min(sla_next_at), pg_relation_size('tickets_ticket'), "
            "pg_relation_size(%s::regclass) FROM tickets_ticket",
            [list(desk_bench.OPEN), now, SWEEP_INDEX],
        )
        total, open_, owing, due, soonest, table_bytes, index_bytes = cursor.fetchone()
    mb = 1024 * 1024
    print(
        f"tickets_ticket: {total:,} tickets ({open_:,} open), {table_bytes / mb:,.0f} MB; "
        f"{SWEEP_INDEX}: {owing:,} entries (an alarm to come), {index_bytes / mb:,.1f} MB; "
        f"due at the sweeps' instant: {due:,}"
        + (
            f"; the soonest alarm {(soonest - now).total_seconds():,.0f} s after it"
            if soonest
            else ""
        )
    )
    print()


if __name__ == "__main__":
    main()
