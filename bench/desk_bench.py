"""The desk on PostgreSQL: ticket creation over the API, and the engineer's
queue at 100,000 and 1,000,000 tickets.

Run from the repository root (PostgreSQL on 127.0.0.1:5432, user postgres,
trust authentication):

    .venv/bin/python bench/desk_bench.py [--tickets 100000,1000000] [--clients 1,8]

What it does, in order:

1. Creates a database of its own (`--database`, default `supportdesk_bench`;
   an existing one of that name is dropped first), runs `supportdesk migrate`
   and `supportdesk seed-demo --without-tickets` (the demo organizations and
   people), and issues API tokens with `supportdesk create-token`.
2. Starts the desk, `supportdesk serve --workers 4 --threads 2` (two processes
   per core), on a free loopback port.
3. Ticket creation: `POST /api/v1/tickets` as user@initech.example (a direct
   customer, so every ticket starts with the vendor and its clock), --create
   tickets per run with 1 and with 8 concurrent clients (threads, one
   keep-alive connection each). A warm-up of 20 requests per run is not
   counted. Prints tickets/s and p50/p95 latency. With --peer, django-helpdesk's
   API then opens the same tickets, served the same way
   (bench/peers/django_helpdesk_api.py), and its rows join the table.
4. Reading at scale: bulk-loads tickets with COPY up to each --tickets size
   (cumulative; realistic columns: mostly open statuses, response due times
   from the policy's own `response_due_many`, both tiers, 240 extra companies,
   engineers as assignees; no events, these rows are only read), runs ANALYZE,
   then times --requests sequential requests (at most --budget seconds) of
   the engineer's workspace queue (`tickets:workspace`, signed in with a
   session cookie; the API list alone if the screens are not there) and of
   `GET /api/v1/tickets?limit=50` (engineer's bearer token). The SQL query
   count per page is measured in-process with CaptureQueriesContext, and the
   slowest query of each page is printed with its time.
5. Stops the desk and drops the database (`--keep` keeps it; `--skip-load`
   then measures an existing database as it is, without loading).

Nothing asserts on timings. The desk's access log is off (`supportdesk serve`
leaves it to the proxy unless ACCESS_LOG=true); the load generator is a
minimal keep-alive HTTP/1.1 client so it takes little of the shared cores.
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BIN = Path(sys.executable).parent
CUSTOMER = "user@initech.example"
ENGINEER = "engineer@vendor.example"
WARM_UP = 20
PEER_SCRIPT = ROOT / "bench" / "peers" / "django_helpdesk_api.py"
PEER_PATH = "/helpdesk/api/tickets/"
EXTRA_COMPANIES = 240
COPY_BATCH = 50_000
NAT = np.datetime64("NaT", "us")


def fail(message: str) -> None:
    print(f"desk_bench: {message}", file=sys.stderr)
    raise SystemExit(2)


# -- the database and the desk ---------------------------------------------------------


def admin_connect(server: str) -> Any:
    import psycopg

    try:
        return psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        fail(f"cannot reach PostgreSQL at {server}: {exc}".strip())


def recreate_database(server: str, name: str) -> None:
    with admin_connect(server) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(server: str, name: str) -> None:
    with admin_connect(server) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def supportdesk(*args: str, env: dict[str, str]) -> str:
    """Run the `supportdesk` command; its standard output."""
    command = [str(BIN / "supportdesk"), *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        fail(f"`supportdesk {' '.join(args)}` failed:\n{done.stderr[-2000:]}")
    return done.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


SERVER_LOG = Path(tempfile.gettempdir()) / "desk_bench_server.log"


def server_log_tail(lines: int = 40) -> str:
    try:
        text = SERVER_LOG.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


@contextmanager
def desk(port: int, workers: int, threads: int, env: dict[str, str]) -> Iterator[None]:
    """`supportdesk serve` in its own process group, until the block ends.
    Its standard error goes to SERVER_LOG."""
    command = [
        str(BIN / "supportdesk"),
        *("serve", "--port", str(port)),
        *("--workers", str(workers), "--threads", str(threads)),
    ]
    with SERVER_LOG.open("wb") as log:
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True
        )
        try:
            deadline = time.monotonic() + 90
            while True:
                if process.poll() is not None:
                    fail(f"the desk exited at start:\n{server_log_tail()}")
                try:
                    status, _ = request(port, "GET", "/healthz")
                    if status == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    fail("the desk did not answer /healthz within 90 s")
                time.sleep(0.25)
            yield
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


# -- figures --------------------------------------------------------------------------


@dataclass
class Timing:
    latencies: list[float]
    seconds: float
    errors: int = 0
    first_error: str = ""

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def quantile(self, q: float) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] * 1000 if self.latencies else float("nan")
        cuts = statistics.quantiles(self.latencies, n=100, method="inclusive")
        return cuts[round(q * 100) - 1] * 1000


def ms(value: float) -> str:
    return f"{value:,.1f}"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 or not c[:1].isdigit() else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


# -- (a) ticket creation over the API ------------------------------------------------------

SUBJECTS = (
    "Backup of {device} fails with VSS error 0x800423F4",
    "Dashboard shows {device} offline although the agent is running",
    "Backups of {device} extremely slow since the agent upgrade",
    "Agent installation fails with error 1603 on {device}",
    "Restore of a folder on {device} stops at 37%",
    "Alert e-mails for failed backups of {device} no longer arrive",
    "Cloud replication stalled for {device} for 3 days",
    "Local storage on appliance {device} at 96%",
)
DEVICES = ("INITECH-SQL01", "INITECH-FS02", "INITECH-BDR01", "INITECH-LAP-114", "ACME-FS01")
PRODUCTS = (
    "cloud-backup",
    "backup-disaster-recovery",
    "disaster-recovery",
    "cloud-application-backup",
)


def ticket_body(n: int) -> bytes:
    device = DEVICES[n % len(DEVICES)]
    return json.dumps(
        {
            "subject": SUBJECTS[n % len(SUBJECTS)].format(device=device) + f" (bench {n})",
            "body": (
                f"Since last night the scheduled job on {device} ends with an error. Other "
                "devices in the account are fine. Logs are attached in the agent."
            ),
            "product": PRODUCTS[n % len(PRODUCTS)],
            "severity": 2 + n % 3,
        }
    ).encode()


class KeepAlive:
    """A minimal HTTP/1.1 client on one keep-alive connection.

    The load generator shares the desk's two cores, so it should take as
    little of them as it can: http.client spent about 0.5 ms of CPU per
    request, this about a tenth of that (wrk and similar tools exist for the
    same reason)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def post(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n{head}"
            f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        while b"\r\n\r\n" not in self.buffer:
            self._read()
        header_block, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = header_block.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        fields = {k.strip().lower(): v.strip() for k, v in (ln.split(":", 1) for ln in lines[1:])}
        if "content-length" not in fields:
            fail(f"the desk answered without Content-Length: {lines[0]}")
        length = int(fields["content-length"])
        while len(self.buffer) < length:
            self._read()
        answer, self.buffer = self.buffer[:length], self.buffer[length:]
        return status, answer

    def _read(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the desk closed the connection")
        self.buffer += chunk

    def close(self) -> None:
        self.sock.close()


def create_tickets(port: int, token: str, total: int, clients: int, start: int) -> Timing:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    lock = threading.Lock()
    counter = iter(range(start, start + total))
    latencies: list[float] = []
    errors: list[str] = []
    bodies = {n: ticket_body(n) for n in range(start, start + total)}

    def client() -> None:
        conn = KeepAlive(port)
        try:
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                began = time.perf_counter()
                status, answer = conn.post("/api/v1/tickets", headers, bodies[n])
                took = time.perf_counter() - began
                with lock:
                    latencies.append(took)
                    if status != 201:
                        errors.append(f"{status} {answer[:300]!r}")
        finally:
            conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    return Timing(latencies, seconds, len(errors), errors[0] if errors else "")


def check_api(port: int, token: str) -> None:
    """Fail clearly when the API (or its ticket route) is not there yet."""
    if importlib.util.find_spec("supportdesk.api") is None:
        fail("supportdesk/api/ does not exist yet: the REST API is not there to measure")
    status, answer = request(
        port,
        "POST",
        "/api/v1/tickets",
        body=ticket_body(0),
        headers={"Authorization": f"Bearer {bad_token()}", "Content-Type": "application/json"},
    )
    if status == 404:
        fail(f"POST /api/v1/tickets answers 404 ({answer[:200]!r}): the API route is not there yet")
    if status != 401:
        fail(
            f"POST /api/v1/tickets with a wrong token answered {status}, not 401: {answer[:300]!r}"
        )


def bad_token() -> str:
    return "sd_00000000_" + "x" * 43


# -- (b) bulk load ---------------------------------------------------------------------------

COLUMNS = (
    "subject",
    "requester_id",
    "company_id",
    "partner_id",
    "product",
    "category",
    "coverage",
    "severity",
    "channel",
    "tier",
    "status",
    "assignee_id",
    "dedicated_contact",
    "vendor_outage",
    "policy_version",
    "submitted_at",
    "clock_started_at",
    "response_due_at",
    "first_response_at",
    "breached",
    "updated_at",
    "event_count",
    "last_event_hash",
)

OPEN = (
    "new",
    "open",
    "pending-customer",
    "on-hold",
    "out-of-scope",
    "awaiting-quote",
    "work-ceased",
)
STATUSES = (*OPEN, "resolved", "closed")
STATUS_P = (0.08, 0.30, 0.14, 0.05, 0.01, 0.01, 0.01, 0.13, 0.27)  # 60% open
CHANNELS = ("email", "portal", "api", "phone", "chat")
CHANNEL_P = (0.40, 0.33, 0.10, 0.12, 0.05)
SEVERITY_P = (0.04, 0.18, 0.45, 0.33)


@dataclass
class Population:
    """Who bulk tickets belong to."""

    company: np.ndarray  # company ids
    partner: np.ndarray  # partner id or 0
    requester: np.ndarray  # a customer user of the company
    weight: np.ndarray
    partner_staff: dict[int, list[int]]
    vendor_staff: list[int]
    policy_version: str


def population() -> Population:
    """The demo companies plus EXTRA_COMPANIES more, each with a customer user."""
    from django.contrib.auth.hashers import make_password

    from supportdesk.accounts.models import Organization, Role, User
    from supportdesk.policies.active import active_policy

    partners = list(Organization.objects.filter(kind="partner").order_by("pk"))
    vendor = Organization.objects.get(kind="vendor")
    existing = Organization.objects.filter(slug__startswith="bench-company-").count()
    if existing < EXTRA_COMPANIES:
        parents = [*partners, vendor]
        made = Organization.objects.bulk_create(
            Organization(
                kind="company",
                name=f"Bench Company {i:03d}",
                slug=f"bench-company-{i:03d}",
                parent=parents[i % len(parents)],
                email_domains=f"bench{i:03d}.example",
            )
            for i in range(existing, EXTRA_COMPANIES)
        )
        unusable = make_password(None)
        User.objects.bulk_create(
            User(
                email=f"user@{c.email_domains}",
                password=unusable,
                organization=c,
                role=Role.CUSTOMER,
            )
            for c in made
        )
    companies = list(Organization.objects.filter(kind="company").order_by("pk"))
    first_user = {}
    for user in User.objects.filter(role=Role.CUSTOMER).order_by("pk"):
        first_user.setdefault(user.organization_id, user.pk)
    partner_ids = {p.pk for p in partners}
    rng = np.random.default_rng(7)
    weight = rng.pareto(1.2, len(companies)) + 0.05  # a few big customers, many small
    staff: dict[int, list[int]] = {}
    for user in User.objects.filter(role__in=("partner-technician", "partner-admin")):
        staff.setdefault(user.organization_id, []).append(user.pk)
    return Population(
        company=np.array([c.pk for c in companies]),
        partner=np.array([c.parent_id if c.parent_id in partner_ids else 0 for c in companies]),
        requester=np.array([first_user[c.pk] for c in companies]),
        weight=weight / weight.sum(),
        partner_staff=staff,
        vendor_staff=list(
            User.objects.filter(role__in=("engineer", "manager")).values_list("pk", flat=True)
        ),
        policy_version=active_policy().version,
    )


# (now, submitted_at, severity, channel, response_due_at, owes alarms) -> sla_next_at,
# all arrays of a batch but `now`; datetime64[us] UTC, NaT for none.
SlaNext = Callable[
    [np.datetime64, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray], np.ndarray
]


def iso(values: np.ndarray) -> list[str | None]:
    """datetime64[us] (UTC) as text PostgreSQL reads for timestamptz; NaT as None."""
    text = np.char.add(np.datetime_as_string(values, unit="us"), "+00:00").astype(object)
    text[np.isnat(values)] = None
    return text.tolist()


def ticket_rows(
    count: int, people: Population, rng: np.random.Generator, sla_next: SlaNext | None = None
) -> Iterator[tuple[Any, ...]]:
    from supportdesk.policies.active import active_policy

    now = np.datetime64(datetime.now(UTC).replace(tzinfo=None), "us")
    day = np.timedelta64(86_400_000_000, "us")
    which = rng.choice(len(people.company), count, p=people.weight)
    company, partner, requester = (
        people.company[which],
        people.partner[which],
        people.requester[which],
    )
    status = np.array(STATUSES)[rng.choice(len(STATUSES), count, p=STATUS_P)]
    is_open = np.isin(status, OPEN)
    # Open tickets are recent (a week on average); closed ones spread over two years.
    age = np.where(
        is_open,
        np.minimum(rng.exponential(7.0, count), 120.0),
        rng.uniform(1.0, 730.0, count),
    )
    submitted = now - (age * day.astype(np.int64)).astype("timedelta64[us]")
    severity = rng.choice(4, count, p=SEVERITY_P) + 1
    channel = np.array(CHANNELS)[rng.choice(len(CHANNELS), count, p=CHANNEL_P)]
    # A quarter of a partner's customers' open tickets still wait at the partner.
    at_partner = (partner > 0) & is_open & (rng.random(count) < 0.25)
    tier = np.where(at_partner, "partner", "vendor")
    due = active_policy().response_due_many(submitted, severity, channel)
    due[at_partner] = NAT
    answered = (status != "new") & ~at_partner & ((is_open & (rng.random(count) < 0.9)) | ~is_open)
    span = np.where(np.isnat(due), np.timedelta64(0, "us"), due - submitted)
    late = rng.uniform(0.05, 1.25, count)  # past 1.0: answered after the due time
    first = submitted + (span.astype(np.int64) * late).astype("timedelta64[us]")
    first = np.where(answered & (first < now), first, NAT)
    breached = ~np.isnat(first) & ~np.isnat(due) & (first > due)
    clock = np.where(at_partner, NAT, submitted)
    updated = np.where(np.isnat(first), submitted, first)

    # Vendor staff take most vendor-tier tickets; the partner's first technician its own.
    first_staff = {p: ids[0] for p, ids in people.partner_staff.items()}
    vendor = np.array(people.vendor_staff)[rng.integers(0, len(people.vendor_staff), count)]
    partner_tech = np.array([first_staff.get(p, 0) for p in partner.tolist()])
    assigned = rng.random(count) < np.where(status == "new", 0.1, 0.7)
    assignee = np.where(assigned, np.where(at_partner, partner_tech, vendor), 0)

    subjects = [s.format(device=d) for s in SUBJECTS for d in DEVICES]
    subject = np.array(subjects, dtype=object)[rng.integers(0, len(subjects), count)]
    product = np.array(PRODUCTS)[rng.integers(0, len(PRODUCTS), count)]
    with_category = rng.random(count) < 0.5
    category = np.where(
        with_category,
        np.where(
            product == "cloud-application-backup", "dashboard-configuration", "agent-installation"
        ),
        "",
    )
    coverage = np.where(with_category, "supported", "")
    contact = np.where(severity == 1, "On-site IT lead, +1 555 0100", "")

    columns: list[Any] = [
        subject.tolist(),
        requester.tolist(),
        company.tolist(),
        [p or None for p in partner.tolist()],
        product.tolist(),
        category.tolist(),
        coverage.tolist(),
        severity.tolist(),
        channel.tolist(),
        tier.tolist(),
        status.tolist(),
        [a or None for a in assignee.tolist()],
        contact.tolist(),
        repeat(False),
        repeat(people.policy_version),
        iso(submitted),
        iso(clock),
        iso(due),
        iso(first),
        breached.tolist(),
        iso(updated),
        repeat(0),
        repeat(""),
    ]
    if sla_next is not None:
        owes = is_open & ~at_partner & np.isnat(first)
        columns.append(iso(sla_next(now, submitted, severity, channel, due, owes)))
    return zip(*columns, strict=False)


def bulk_load(
    database_url: str, count: int, people: Population, seed: int, sla_next: SlaNext | None = None
) -> float:
    """COPY `count` tickets in; seconds taken (ANALYZE included). With
    `sla_next`, the rows get `sla_next_at` from it (bench/sweep_bench.py)."""
    import psycopg

    rng = np.random.default_rng(seed)
    columns = (*COLUMNS, "sla_next_at") if sla_next else COLUMNS
    began = time.perf_counter()
    with psycopg.connect(database_url) as conn:
        done = 0
        while done < count:
            batch = min(COPY_BATCH, count - done)
            with (
                conn.cursor() as cursor,
                cursor.copy(f"COPY tickets_ticket ({', '.join(columns)}) FROM STDIN") as copy,
            ):
                for row in ticket_rows(batch, people, rng, sla_next):
                    copy.write_row(row)
            conn.commit()
            done += batch
            if done % 250_000 == 0 and done < count:
                print(f"  … {done:,} of {count:,} loaded", flush=True)
        conn.execute("ANALYZE tickets_ticket")
        conn.commit()
    return time.perf_counter() - began


# -- reading ------------------------------------------------------------------------------


def time_gets(
    port: int, path: str, headers: dict[str, str], requests: int, budget: float
) -> Timing:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    latencies: list[float] = []
    errors: list[str] = []
    began = time.perf_counter()
    try:
        for _ in range(requests):
            start = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            answer = response.read()
            latencies.append(time.perf_counter() - start)
            if response.status != 200:
                errors.append(f"{response.status} {answer[:300]!r}")
            if time.perf_counter() - began > budget:
                break
    finally:
        conn.close()
    return Timing(latencies, time.perf_counter() - began, len(errors), errors[0] if errors else "")


@dataclass
class Queries:
    count: int
    slowest_ms: float
    slowest_sql: str


def count_queries(get: Callable[[], Any]) -> Queries:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = get()
    if response.status_code != 200:
        fail(f"in-process page answered {response.status_code}: {response.content[:300]!r}")
    timed = [(float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries]
    slowest = max(timed, default=(0.0, ""))
    return Queries(len(timed), slowest[0], short_sql(slowest[1]))


def short_sql(sql: str) -> str:
    """A query with its column list collapsed: what it reads, joins, filters and sorts."""
    sql = " ".join(sql.split()).replace('"', "")
    head, sep, tail = sql.partition(" FROM ")
    if not sep or not head.startswith("SELECT "):
        return sql
    counts = head.count("COUNT(")
    columns = f"{counts} × COUNT(…) FILTER (…)" if counts else "…"
    return f"SELECT {columns} FROM {tail}"


@dataclass
class Reader:
    port: int
    session: str
    engineer_token: str
    queue_path: str | None
    requests: int
    budget: float

    def pages(self) -> list[tuple[str, str, dict[str, str], dict[str, Any]]]:
        """(label, path, HTTP headers, in-process test client extras)."""
        from django.conf import settings

        out = []
        if self.queue_path:
            out.append(
                (
                    f"GET {self.queue_path} (workspace queue)",
                    self.queue_path,
                    {"Cookie": f"{settings.SESSION_COOKIE_NAME}={self.session}"},
                    {"session": True},
                )
            )
        bearer = {"Authorization": f"Bearer {self.engineer_token}"}
        out.append(
            (
                "GET /api/v1/tickets?limit=50",
                "/api/v1/tickets?limit=50",
                bearer,
                {"HTTP_AUTHORIZATION": bearer["Authorization"]},
            )
        )
        return out

    def measure(self, size: int, notes: list[str]) -> list[list[str]]:
        """One row per page; the slowest query of each goes to `notes`."""
        from django.test import Client

        from supportdesk.accounts.models import User

        rows = []
        engineer = User.objects.get(email=ENGINEER)
        for label, path, headers, extras in self.pages():
            client = Client(HTTP_HOST="127.0.0.1")
            if extras.pop("session", False):
                client.force_login(engineer)
            queries = count_queries(lambda c=client, p=path, e=extras: c.get(p, **e))
            timing = time_gets(self.port, path, headers, self.requests, self.budget)
            if timing.errors:
                fail(
                    f"{label}: {timing.errors} errors, first: {timing.first_error}\n"
                    f"the desk's log ({SERVER_LOG}) ends:\n{server_log_tail()}"
                )
            notes.append(queries.slowest_sql)
            rows.append(
                [
                    f"{size:,}",
                    label,
                    f"{len(timing.latencies)}",
                    ms(timing.quantile(0.5)),
                    ms(timing.quantile(0.95)),
                    f"{queries.count}",
                    ms(queries.slowest_ms),
                    f"[{len(notes)}]",
                ]
            )
        return rows


def session_cookie(email: str) -> str:
    """A signed-in session for `email`, stored where the desk reads sessions."""
    from django.conf import settings
    from django.test import Client

    from supportdesk.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=email))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def queue_path() -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("tickets:workspace")
    except NoReverseMatch:
        return None


# -- main -----------------------------------------------------------------------------------


def sizes(text: str) -> list[int]:
    try:
        values = [int(v.replace("_", "")) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give numbers, e.g. 100000,1000000") from None
    if values != sorted(values) or any(v < 0 for v in values):
        raise argparse.ArgumentTypeError(f"{text!r}: give increasing sizes")
    return values


def run_creation(port: int, token: str, options: argparse.Namespace) -> None:
    check_api(port, token)
    ours: dict[int, list[str]] = {}
    rates: dict[int, float] = {}
    number = 1
    for clients in options.clients:
        create_tickets(port, token, WARM_UP, clients, number)
        number += WARM_UP
        timing = create_tickets(port, token, options.create, clients, number)
        number += options.create
        if timing.errors:
            fail(
                f"{timing.errors} of {options.create} creations with {clients} clients failed; "
                f"first: {timing.first_error}\nthe desk's log ({SERVER_LOG}) ends:\n"
                f"{server_log_tail()}"
            )
        rates[clients] = timing.rate
        ours[clients] = [
            f"{clients}",
            f"{len(timing.latencies):,}",
            f"{timing.rate:,.0f}",
            ms(timing.quantile(0.5)),
            ms(timing.quantile(0.95)),
            f"{timing.seconds:.1f}",
        ]
    headers = ["clients", "tickets", "tickets/s", "p50 ms", "p95 ms", "wall s"]
    if not options.peer:
        print(f"Ticket creation: POST /api/v1/tickets as {CUSTOMER}, JSON, HTTP/1.1 keep-alive")
        print(table(headers, list(ours.values())))
        print()
        return

    peer = run_peer(options)
    runs = {run["clients"]: run for run in peer["runs"]} if peer else {}
    name = peer["peer"].split(" (")[0] if peer else ""
    rows = []
    for clients, row in ours.items():
        rows.append(["supportdesk", *row])
        if clients in runs:
            run = runs[clients]
            rows.append(
                [
                    name,
                    f"{clients}",
                    f"{run['tickets']:,}",
                    f"{run['rate']:,.0f}",
                    ms(run["p50_ms"]),
                    ms(run["p95_ms"]),
                    f"{run['seconds']:.1f}",
                ]
            )
    print(f"Ticket creation: POST /api/v1/tickets as {CUSTOMER}, JSON, HTTP/1.1 keep-alive")
    if peer:
        print(
            f"peer: {peer['peer']}: POST {PEER_PATH} (a staff user's DRF token, "
            f"submitter_email {CUSTOMER}), granian WSGI {options.workers} × {options.threads}; "
            f"{peer.get('sql_per_ticket', '?')} SQL statements per ticket"
        )
    print(table(["desk", *headers], rows))
    for clients, rate in rates.items():
        if clients in runs and runs[clients]["rate"]:
            print(
                f"ratio at {clients} clients: supportdesk ÷ django-helpdesk = "
                f"{rate / runs[clients]['rate']:.1f}×"
            )
    print()


def run_peer(options: argparse.Namespace) -> dict[str, Any] | None:
    """django-helpdesk's API ticket creation, same clients, sizes and server
    shape (bench/peers/; it keeps its own virtualenv between runs). None, with
    the reason printed, when it fails: our figures stand without it."""
    command = [
        sys.executable,
        str(PEER_SCRIPT),
        *("--clients", ",".join(str(c) for c in options.clients)),
        *("--create", str(options.create)),
        *("--workers", str(options.workers), "--threads", str(options.threads)),
    ]
    print(
        "running the peer, django-helpdesk's API (bench/peers/django_helpdesk_api.py; "
        "its first run builds a virtualenv) …",
        flush=True,
    )
    # The peer sets up its own Django project; ours must not leak into it.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    lines = done.stdout.strip().splitlines()
    if done.returncode == 0 and lines:
        try:
            peer = json.loads(lines[-1])
            if peer["runs"]:
                return dict(peer)
        except (ValueError, KeyError, TypeError):
            pass
    why = "\n".join(f"  {line}" for line in done.stderr.strip().splitlines()[-15:])
    print(f"the peer failed (exit {done.returncode}); no peer figures this run:\n{why}")
    return None


def run_reading(
    port: int, engineer_token: str, database_url: str, options: argparse.Namespace
) -> None:
    from supportdesk.tickets.models import Ticket

    path = queue_path()
    if path is None:
        print("The workspace queue (tickets:workspace) is not there yet: API list only.")
    reader = Reader(
        port, session_cookie(ENGINEER), engineer_token, path, options.requests, options.budget
    )
    rows: list[list[str]] = []
    notes: list[str] = []
    if options.skip_load:
        rows += reader.measure(Ticket.objects.count(), notes)
    else:
        people = population()
        for target in options.tickets:
            have = Ticket.objects.count()
            if target > have:
                seconds = bulk_load(database_url, target - have, people, options.seed + target)
                print(
                    f"loaded {target - have:,} tickets by COPY in {seconds:.1f} s "
                    f"({(target - have) / seconds:,.0f} rows/s, ANALYZE included)"
                )
            rows += reader.measure(Ticket.objects.count(), notes)
    print(
        f"\nReading as {ENGINEER}: up to {options.requests} sequential requests per row "
        f"(at most {options.budget:.0f} s), one keep-alive connection; SQL counted in-process"
    )
    headers = ["tickets", "page", "requests", "p50 ms", "p95 ms", "SQL/page", "slowest SQL ms"]
    print(table([*headers, "query"], rows))
    print("\nslowest query of each page (in-process, one request):")
    for number, sql in enumerate(notes, 1):
        print(f"  [{number}] {sql}")


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="supportdesk_bench")
    parser.add_argument("--create", type=int, default=2000, help="API tickets per client run")
    parser.add_argument("--clients", type=sizes, default=[1, 8], help="concurrent API clients")
    parser.add_argument(
        "--workers", type=int, default=4, help="web processes of `supportdesk serve`"
    )
    parser.add_argument("--threads", type=int, default=2, help="request threads per process")
    parser.add_argument(
        "--tickets", type=sizes, default=[100_000, 1_000_000], help="table sizes to read at"
    )
    parser.add_argument("--requests", type=int, default=200, help="requests per page and size")
    parser.add_argument(
        "--budget", type=float, default=45.0, help="seconds at most per page and size"
    )
    parser.add_argument("--skip-api", action="store_true", help="no ticket creation run")
    parser.add_argument(
        "--peer",
        action="store_true",
        help="also time django-helpdesk's API creating tickets (bench/peers/)",
    )
    parser.add_argument(
        "--skip-load", action="store_true", help="read the existing database as it is"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    options = parse(argv)
    started = time.perf_counter()
    database_url = f"{options.server}/{options.database}"
    settings = {
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "supportdesk.settings",
        "LOG_LEVEL": "WARNING",
        # Mail intake is not measured here (bench/mail_bench.py is).
        "SMTP_RECEIVER": "off",
        # Opening tickets over the API queues no work for the worker.
        "WORKER": "off",
    }
    os.environ.update(settings)
    env = dict(os.environ)

    import django

    django.setup()
    from django.db import connection, connections

    if not options.skip_load:
        recreate_database(options.server, options.database)
    try:
        step = time.perf_counter()
        supportdesk("migrate", "--noinput", env=env)
        supportdesk("seed-demo", "--without-tickets", env=env)
        customer_token = supportdesk("create-token", "--user", CUSTOMER, env=env).strip()
        engineer_token = supportdesk("create-token", "--user", ENGINEER, env=env).strip()
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            pg_version = cursor.fetchone()[0].split(",")[0]
        print(
            f"supportdesk desk benchmark: {pg_version}; Python {platform.python_version()}; "
            f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}"
        )
        print(f"{options.database}: migrated and seeded in {time.perf_counter() - step:.1f} s")
        port = free_port()
        with desk(port, options.workers, options.threads, env):
            print(
                f"desk: supportdesk serve --workers {options.workers} --threads "
                f"{options.threads} on 127.0.0.1:{port}\n"
            )
            if not options.skip_api:
                run_creation(port, customer_token, options)
            run_reading(port, engineer_token, database_url, options)
    finally:
        connections.close_all()
        if not options.keep:
            drop_database(options.server, options.database)
    kept = "kept" if options.keep else "dropped"
    print(
        f"\ndone in {time.perf_counter() - started:.0f} s; {kept} {options.database}; "
        f"load average {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
