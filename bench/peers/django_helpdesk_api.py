#!/usr/bin/env python3
"""django-helpdesk's REST API: tickets created per second over HTTP, for
comparison with the creation runs of bench/desk_bench.py.

    python3 bench/peers/django_helpdesk_api.py [--clients 1,8] [--create 2000]
        [--workers 4] [--threads 2] [--workdir /tmp/dh-peer] [--stock-connections]

This file is stdlib-only at import time so that any python3 can start it. It
builds (once, cached in --workdir) the same pinned virtualenv as the mail peer
(django_helpdesk_env.py, beside this file), writes a minimal Django project
that serves django-helpdesk's API, then re-runs itself inside that virtualenv
with --worker: a fresh PostgreSQL database, granian in WSGI mode, and
keep-alive clients posting tickets. One JSON line goes to stdout, everything
else to stderr. See README.md beside this file for the caveats.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from django_helpdesk_env import (
    database_config,
    ensure_venv,
    fail,
    log,
    start_django,
    write_project,
)

PG_NAME = "dh_peer_api"
WARM_UP = 20  # as bench/desk_bench.py: per run, not counted
CUSTOMER = "user@initech.example"  # desk_bench's submitter
API_PATH = "/helpdesk/api/tickets/"

# Heads the project's settings.py (django_helpdesk_env.SETTINGS_PY).
WRITTEN_BY = """\
# Written by bench/peers/django_helpdesk_api.py: the least a project needs to
# serve django-helpdesk's REST API. The database comes from the environment.
"""

SETTINGS_EXTRA = """\
# Token authentication, as a deployment's API clients use: one indexed lookup
# per request. Basic authentication would run PBKDF2 on every request, and
# session authentication needs a browser's cookie and CSRF token.
INSTALLED_APPS += ["rest_framework.authtoken"]
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
}
"""

# The connection settings supportdesk gives PostgreSQL (supportdesk/settings.py):
# each request thread keeps its connection, and psycopg binds server-side so
# that repeated statements are prepared. They are deployment settings, not
# code; giving both the same keeps the comparison about the code.
# --stock-connections measures Django's defaults instead: a new connection per
# request, parameters bound on the client.
SUPPORTDESK_CONNECTIONS = {"CONN_MAX_AGE": 600, "OPTIONS": {"server_side_binding": True}}

# desk_bench.py's subjects and devices, so both desks store the same text.
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


def counts(text: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give numbers, e.g. 1,8") from None
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"{text!r}: give counts of at least 1")
    return values


# -- outside the virtualenv (stdlib only) -------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--clients", type=counts, default=[1, 8], help="concurrent clients")
    parser.add_argument("--create", type=int, default=2000, help="tickets per client run")
    parser.add_argument("--workers", type=int, default=4, help="granian processes")
    parser.add_argument("--threads", type=int, default=2, help="request threads per process")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/dh-peer"))
    parser.add_argument(
        "--stock-connections",
        action="store_true",
        help="Django's default PostgreSQL connections (one per request) instead of "
        "supportdesk's persistent, server-side-binding ones",
    )
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:  # the second half, started below inside the virtualenv
        return worker(args.worker)
    if args.create < 1:
        parser.error("--create must be at least 1")

    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    python = ensure_venv(workdir)
    project = write_project(workdir, "project-api", WRITTEN_BY, SETTINGS_EXTRA)
    db_config = database_config("postgres", workdir, PG_NAME)
    if not args.stock_connections:
        db_config.update(SUPPORTDESK_CONNECTIONS)
    job = {
        "clients": args.clients,
        "create": args.create,
        "workers": args.workers,
        "threads": args.threads,
        "connections": "stock" if args.stock_connections else "persistent",
        "workdir": str(workdir),
        "project": str(project),
        "db_config": db_config,
    }
    job_file = workdir / "job-api.json"
    job_file.write_text(json.dumps(job))
    # The worker prints the JSON line on stdout; it is passed through unchanged.
    done = subprocess.run([str(python), str(Path(__file__).resolve()), "--worker", str(job_file)])
    raise SystemExit(done.returncode)


# -- the load: what desk_bench.py's KeepAlive and create_tickets do -----------------


def ticket_body(n: int, queue: int) -> bytes:
    """desk_bench.py's ticket n in django-helpdesk's fields: the queue, and
    the requester as submitter_email (the staff token's user is not the
    customer); priority 2-4 as desk_bench's severity."""
    device = DEVICES[n % len(DEVICES)]
    return json.dumps(
        {
            "queue": queue,
            "title": SUBJECTS[n % len(SUBJECTS)].format(device=device) + f" (bench {n})",
            "description": (
                f"Since last night the scheduled job on {device} ends with an error. Other "
                "devices in the account are fine. Logs are attached in the agent."
            ),
            "priority": 2 + n % 3,
            "submitter_email": CUSTOMER,
        }
    ).encode()


class KeepAlive:
    """desk_bench.py's minimal HTTP/1.1 client on one keep-alive connection:
    it shares the cores with the server, so it should take as little of them
    as it can."""

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
            raise ConnectionError(f"the peer answered without Content-Length: {lines[0]}")
        length = int(fields["content-length"])
        while len(self.buffer) < length:
            self._read()
        answer, self.buffer = self.buffer[:length], self.buffer[length:]
        return status, answer

    def _read(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the peer closed the connection")
        self.buffer += chunk

    def close(self) -> None:
        self.sock.close()


def create_tickets(
    port: int, token: str, queue: int, total: int, clients: int, start: int
) -> tuple[list[float], float, str]:
    """Latencies, wall seconds, and the first failure ("" if none): the
    first answer other than 201 stops every client."""
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    lock = threading.Lock()
    counter = iter(range(start, start + total))
    latencies: list[float] = []
    errors: list[str] = []
    bodies = {n: ticket_body(n, queue) for n in range(start, start + total)}

    def client() -> None:
        try:
            conn = KeepAlive(port)
        except OSError as e:
            with lock:
                errors.append(f"cannot connect: {e}")
            return
        try:
            while True:
                with lock:
                    n = None if errors else next(counter, None)
                if n is None:
                    return
                began = time.perf_counter()
                status, answer = conn.post(API_PATH, headers, bodies[n])
                took = time.perf_counter() - began
                with lock:
                    latencies.append(took)
                    if status != 201:
                        errors.append(f"HTTP {status}: {answer[:300]!r}")
        except OSError as e:
            with lock:
                errors.append(f"{type(e).__name__}: {e}")
        finally:
            conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.perf_counter() - began, errors[0] if errors else ""


def quantile_ms(latencies: list[float], q: float) -> float:
    """As desk_bench.py's Timing.quantile."""
    if len(latencies) < 2:
        return latencies[0] * 1000 if latencies else float("nan")
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return cuts[round(q * 100) - 1] * 1000


# -- inside the virtualenv ----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def log_tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def serve(job: dict, port: int, server_log: Path) -> subprocess.Popen[bytes]:
    """granian as `supportdesk serve` runs it: WSGI, --workers processes of
    --threads request threads, no websockets, no access log. Its own process
    group, so that stopping it stops its workers too."""
    command = [
        str(Path(sys.executable).parent / "granian"),
        *("--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port)),
        *("--workers", str(job["workers"]), "--blocking-threads", str(job["threads"])),
        *("--no-ws", "--no-access-log", "--working-dir", job["project"]),
        "dhbench.wsgi:application",
    ]
    env = {
        **os.environ,
        "PYTHONPATH": job["project"],
        "DH_BENCH_DATABASE": json.dumps(job["db_config"]),
        "DJANGO_SETTINGS_MODULE": "dhbench.settings",
    }
    with server_log.open("wb") as out:
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=out, start_new_session=True
        )
    try:
        wait_until_it_answers(process, port, server_log)
    except BaseException:
        stop(process)  # nothing else would: it is in a process group of its own
        raise
    return process


def wait_until_it_answers(process: subprocess.Popen[bytes], port: int, server_log: Path) -> None:
    import http.client

    deadline = time.monotonic() + 90
    while True:
        if process.poll() is not None:
            fail(f"granian exited at start:\n{log_tail(server_log)}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                conn.request("GET", "/helpdesk/api/", headers={"Accept": "application/json"})
                status = conn.getresponse().status
            finally:
                conn.close()
            if status == 200:
                return
            if status >= 500:
                fail(f"GET /helpdesk/api/ answered {status}:\n{log_tail(server_log)}")
        except OSError:
            pass
        if time.monotonic() > deadline:
            fail(f"granian did not answer within 90 s:\n{log_tail(server_log)}")
        time.sleep(0.25)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def statement_kinds(sqls: list[str]) -> str:
    """'SELECT helpdesk_queue ×2, INSERT helpdesk_ticket, …' in order of first use."""
    seen: dict[str, int] = {}
    for sql in sqls:
        words = sql.replace('"', "").split()
        verb = words[0].upper() if words else "?"
        table = "?"
        for keyword in ("FROM", "INTO", "UPDATE"):
            if keyword in words[:-1]:
                table = words[words.index(keyword) + 1]
                break
        key = f"{verb} {table}" if verb in ("SELECT", "INSERT", "UPDATE", "DELETE") else verb
        seen[key] = seen.get(key, 0) + 1
    return ", ".join(k if n == 1 else f"{k} ×{n}" for k, n in seen.items())


def worker(job_file: Path) -> None:
    import logging

    job = json.loads(job_file.read_text())
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(name)s: %(message)s")
    peer = start_django(job["project"], job["db_config"], "postgres")

    from django.contrib.auth import get_user_model
    from django.core import mail as django_mail
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from helpdesk.models import Queue, Ticket
    from rest_framework.authtoken.models import Token

    queue = Queue.objects.create(
        title="Support", slug="support", email_address="support@helpdesk.localhost"
    )
    # TicketViewSet's permission is DRF's IsAdminUser, which tests is_staff only.
    user = get_user_model().objects.create_user(
        "api", email="api@helpdesk.localhost", is_staff=True
    )
    token = Token.objects.create(user=user).key

    # One creation in this process, through the same middleware and view, to
    # see what a request does; it is not timed.
    client = Client(HTTP_HOST="127.0.0.1")
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            API_PATH,
            ticket_body(0, queue.pk),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token}",
        )
    if response.status_code != 201:
        fail(f"in-process creation answered {response.status_code}: {response.content[:300]!r}")
    sqls = [q["sql"] for q in captured.captured_queries]
    log(
        f"one creation: {len(sqls)} SQL statements ({statement_kinds(sqls)}); "
        f"{len(django_mail.outbox)} notification mail composed (in memory)"
    )
    connections.close_all()

    port = free_port()
    server_log = Path(job["workdir"]) / "api-server.log"
    server = serve(job, port, server_log)
    log(
        f"granian (WSGI) {job['workers']} workers × {job['threads']} threads on "
        f"127.0.0.1:{port}, {job['connections']} connections; its log: {server_log}"
    )
    runs = []
    try:
        number = 1
        for clients in job["clients"]:
            for total in (WARM_UP, job["create"]):
                latencies, seconds, error = create_tickets(
                    port, token, queue.pk, total, clients, number
                )
                number += total
                if error:
                    fail(
                        f"POST {API_PATH} with {clients} clients: {error}\n"
                        f"the server's log ends:\n{log_tail(server_log)}"
                    )
            run = {
                "clients": clients,
                "tickets": len(latencies),
                "rate": round(len(latencies) / seconds, 1),
                "p50_ms": round(quantile_ms(latencies, 0.5), 2),
                "p95_ms": round(quantile_ms(latencies, 0.95), 2),
                "seconds": round(seconds, 3),
            }
            log(
                f"clients {clients}: {run['tickets']} tickets, {run['rate']:.0f}/s, "
                f"p50 {run['p50_ms']:.1f} ms, p95 {run['p95_ms']:.1f} ms"
            )
            runs.append(run)
    finally:
        stop(server)
    made = Ticket.objects.count()
    if made != number:  # the in-process one, then every warm-up and timed one
        log(f"warning: {made} tickets in the database, {number} expected")

    result = {
        "peer": peer,
        "database": "postgres",
        "runs": runs,
        "sql_per_ticket": len(sqls),
        "connections": job["connections"],
    }
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
