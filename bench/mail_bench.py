"""Mail ingestion: messages per second and threading accuracy, on SQLite and
PostgreSQL.

Run from the repository root (PostgreSQL on 127.0.0.1:5432, user postgres,
trust authentication, for the PostgreSQL half):

    .venv/bin/python bench/mail_bench.py [--messages 2000] [--databases sqlite,postgres]

For each database, in a process of its own (Django is set up once per
process): a fresh database (a temporary SQLite file, or `supportdesk_mailbench`
on PostgreSQL, dropped first), `migrate`, `seed-demo --without-tickets` (the
demo's companies, with their mail domains, and people). Then a generated,
seeded stream of customer mail goes through `ingest_many` (the ingestion path
`ingest-mail` and bulk imports use; a commit per --batch mails) in two rounds:

1. New mail: --messages mails from the demo's customers, from unknown people at
   their companies' domains and from strangers (the catch-all company), with a
   fifth of them followed, a few mails later and so in the same batch, by the
   same person answering their own first mail (In-Reply-To and References
   naming it). django-helpdesk's importer threads such a reply only if it
   reads the files in order; left to its own directory order, about half.
2. Replies to our mail: for each ticket of round 1, half answer our
   acknowledgement (In-Reply-To its signed Message-ID), and a fifth carry only
   the `[SD-n]` token in the subject, as clients that drop headers do.

Each round prints mails/s; threading accuracy counts the replies that landed
on the ticket they answer. Acknowledgements are written to the outbox with a
delivery task for the worker, as in production. Then the same round-1 stream
is ingested one mail per transaction (as the SMTP receiver and the IMAP poller
do) for comparison. Last, `supportdesk worker --batch` runs in the same
process and delivers every queued acknowledgement to Django's in-memory mail
backend (EMAIL_URL=memory://), timed on a line of its own: composing and
"sending" are measured, the network is not. Nothing asserts on timings.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from email.message import EmailMessage
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_NAME = "supportdesk_mailbench"

PROBLEMS = (
    "Backup of {host} fails with VSS error 0x800423F4",
    "Restore of the {host} share stops at 62%",
    "Agent on {host} shows offline in the dashboard",
    "Cloud replication for {host} stalled since Friday",
    "Appliance {host} local storage at 96%",
    "Alert mails for {host} stopped arriving",
)


def fail(message: str) -> None:
    print(f"mail_bench: {message}", file=sys.stderr)
    raise SystemExit(2)


# -- the stream -------------------------------------------------------------------------


def new_mail(n: int, sender: str, rng: random.Random) -> EmailMessage:
    host = f"{rng.choice(['FS', 'SQL', 'BDR', 'DC'])}{rng.randint(1, 99):02d}"
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "support@supportdesk.localhost"
    msg["Subject"] = rng.choice(PROBLEMS).format(host=host) + f" (#{n})"
    msg["Message-ID"] = f"<bench-{n}@{sender.rpartition('@')[2]}>"
    msg["Date"] = "Mon, 30 Nov 2026 09:00:00 -0500"
    msg.set_content(
        f"Hello,\n\nsince last night the job on {host} ends with an error (case {n}).\n"
        "Other devices are fine. Logs are in the agent folder.\n\nThanks\n"
    )
    return msg


def reply(n: int, sender: str, subject: str, *, in_reply_to: str = "") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "support@supportdesk.localhost"
    msg["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}"
    msg["Message-ID"] = f"<bench-reply-{n}@{sender.rpartition('@')[2]}>"
    if in_reply_to:
        msg["In-Reply-To"] = f"<{in_reply_to}>"
        msg["References"] = f"<{in_reply_to}>"
    msg.set_content(f"More detail for you (reply {n}).\n\n> earlier text\n")
    return msg


def senders(rng: random.Random, count: int) -> list[str]:
    known = ["user@acme.example", "user@globex.example", "user@initech.example"]
    out = []
    for n in range(count):
        roll = rng.random()
        if roll < 0.5:
            out.append(rng.choice(known))
        elif roll < 0.8:
            domain = rng.choice(["acme.example", "globex.example", "initech.example"])
            out.append(f"person{n % 97}@{domain}")
        else:
            out.append(f"stranger{n % 89}@mail{n % 7}.example")
    return out


# -- one database, in this process ------------------------------------------------------


def run_worker(options: argparse.Namespace) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "supportdesk.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from supportdesk.lib.settle import settle
    from supportdesk.mail.ingest import ingest_many, ingest_raw
    from supportdesk.mail.models import OutboundMail
    from supportdesk.tickets.models import Ticket

    settle()  # as `ingest-mail` and `receive-mail` do once loaded

    rng = random.Random(options.seed)
    count = options.messages
    people = senders(rng, count)
    stream: list[tuple[EmailMessage, str | None]] = []  # (mail, message id it answers)
    pending: list[tuple[int, EmailMessage, str]] = []
    for n in range(count):
        mail = new_mail(n, people[n], rng)
        stream.append((mail, None))
        if rng.random() < 0.2:
            answer = reply(
                n,
                people[n],
                str(mail["Subject"]),
                in_reply_to=f"bench-{n}@" + (people[n].rpartition("@")[2]),
            )
            pending.append((len(stream) + rng.randint(1, 5), answer, str(mail["Message-ID"])))
        while pending and pending[0][0] <= len(stream):
            _, answer, original = pending.pop(0)
            stream.append((answer, original.strip("<>")))
    stream += [(answer, original.strip("<>")) for _, answer, original in pending]

    def ingest(mails: Sequence[bytes], batch: int) -> tuple[float, list[Any]]:
        results: list[Any] = []
        began = time.perf_counter()
        for start in range(0, len(mails), batch):
            results += ingest_many([(m, "bench") for m in mails[start : start + batch]])
        return time.perf_counter() - began, results

    raws = [m.as_bytes() for m, _ in stream]
    if options.dump:
        dump_stream(Path(options.dump), stream, raws)
    seconds, results = ingest(raws, options.batch)
    ticket_of_id: dict[str, str | None] = {}
    threaded = same_batch = 0
    for (mail, answers), result in zip(stream, results, strict=True):
        own_id = str(mail["Message-ID"]).strip("<>")
        if answers is None:
            ticket_of_id[own_id] = result.ticket
        else:
            same_batch += 1
            threaded += result.ticket is not None and result.ticket == ticket_of_id.get(answers)
    outcomes: dict[str, int] = {}
    for result in results:
        outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1

    # Round 2: replies to our acknowledgements, and token-only replies.
    acks = dict(
        OutboundMail.objects.filter(kind="acknowledgement").values_list("ticket_id", "message_id")
    )
    tickets = list(Ticket.objects.select_related("requester").order_by("pk"))
    round2: list[tuple[bytes, str]] = []
    for n, ticket in enumerate(tickets):
        roll = rng.random()
        if roll < 0.5 and ticket.pk in acks:
            answer = reply(
                100_000 + n, ticket.requester.email, ticket.subject, in_reply_to=acks[ticket.pk]
            )
        elif roll < 0.7:
            answer = reply(
                100_000 + n, ticket.requester.email, f"[{ticket.number}] {ticket.subject}"
            )
        else:
            continue
        round2.append((answer.as_bytes(), ticket.number))
    seconds2, results2 = ingest([r for r, _ in round2], options.batch)
    threaded2 = sum(r.ticket == number for r, (_, number) in zip(results2, round2, strict=True))

    # New mail again, one transaction per mail (fresh ids and words, so
    # neither duplicates nor the loop guard shortcut it).
    single = [
        new_mail(500_000 + n, people[n % count], rng).as_bytes() for n in range(options.single)
    ]
    began = time.perf_counter()
    for raw in single:
        ingest_raw(raw, "bench")
    seconds3 = time.perf_counter() - began

    # Delivery is the worker's: every acknowledgement queued above, drained
    # by `supportdesk worker` in this process once ingestion is done.
    from django.core.management import call_command

    queued = OutboundMail.objects.filter(state=OutboundMail.State.QUEUED).count()
    began = time.perf_counter()
    call_command("worker", batch=True, verbosity=0)
    seconds4 = time.perf_counter() - began
    sent = OutboundMail.objects.filter(state=OutboundMail.State.SENT).count()

    print(
        json.dumps(
            {
                "database": connection.vendor,
                "round1": {"mails": len(raws), "seconds": seconds, "outcomes": outcomes},
                "same_batch_replies": {"total": same_batch, "threaded": threaded},
                "round2": {"mails": len(round2), "seconds": seconds2, "threaded": threaded2},
                "single": {"mails": len(single), "seconds": seconds3},
                "delivery": {"queued": queued, "sent": sent, "seconds": seconds4},
            }
        )
    )


def dump_stream(
    folder: Path, stream: list[tuple[EmailMessage, str | None]], raws: list[bytes]
) -> None:
    """Round 1 as files for a peer: NNNNNN.eml in order, and expected.json
    naming, for each reply, the file of the mail it answers."""
    folder.mkdir(parents=True, exist_ok=True)
    file_of: dict[str, str] = {}
    expected: dict[str, str | None] = {}
    for n, ((mail, answers), raw) in enumerate(zip(stream, raws, strict=True)):
        name = f"{n:06d}.eml"
        (folder / name).write_bytes(raw)
        file_of[str(mail["Message-ID"]).strip("<>")] = name
        expected[name] = file_of.get(answers) if answers else None
    (folder / "expected.json").write_text(json.dumps(expected))


def run_peer(database: str, folder: Path) -> dict[str, Any] | None:
    """django-helpdesk's importer on the same round 1 (bench/peers/; it keeps
    its own virtualenv between runs)."""
    script = ROOT / "bench" / "peers" / "django_helpdesk_mail.py"
    if not script.exists():
        return None
    command = [
        sys.executable,
        str(script),
        *("--mails", str(folder), "--database", database),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print(f"  (peer failed: {done.stderr.strip()[-500:]})")
        return None
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


# -- the driver -------------------------------------------------------------------------


def supportdesk(*args: str, env: dict[str, str]) -> None:
    done = subprocess.run(
        [str(BIN / "supportdesk"), *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        fail(f"`supportdesk {' '.join(args)}` failed:\n{done.stderr[-2000:]}")


def measure(database: str, options: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    if database == "sqlite":
        url = f"sqlite:///{workdir}/mailbench.sqlite3"
    else:
        import psycopg

        try:
            with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{PG_NAME}"')
        except psycopg.OperationalError as exc:
            fail(f"cannot reach PostgreSQL at {PG_SERVER}: {exc}")
        url = f"{PG_SERVER}/{PG_NAME}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "supportdesk.settings",
        "EMAIL_URL": "memory://",
        "LOG_LEVEL": "ERROR",
        "ATTACHMENTS_DIR": str(workdir / "attachments"),
    }
    try:
        supportdesk("migrate", "--noinput", env=env)
        supportdesk("seed-demo", "--without-tickets", env=env)
        dump = ["--dump", str(workdir / f"stream-{database}")] if options.peer else []
        worker = [sys.executable, __file__, "--worker", *dump, *sys.argv[1:]]
        done = subprocess.run(worker, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            fail(f"the {database} run failed:\n{done.stderr[-3000:]}")
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))
    finally:
        if database == "postgres":
            import psycopg

            with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')


def report_peer(peer: dict[str, Any]) -> None:
    mails, seconds = peer["mails"], peer["seconds"]
    replies = max(peer["replies"], 1)
    print(
        f"  peer: {peer['peer']}: {mails} mails {mails / seconds:>7.0f} mails/s; same-batch "
        f"replies threaded {peer['replies_threaded']}/{peer['replies']} "
        f"({100 * peer['replies_threaded'] / replies:.1f}%)"
    )


def report(figures: dict[str, Any]) -> None:
    r1, r2, single = figures["round1"], figures["round2"], figures["single"]
    same = figures["same_batch_replies"]
    print(f"\n{figures['database']}:")
    print(
        f"  new mail and same-batch replies  {r1['mails']:>6} mails  "
        f"{r1['mails'] / r1['seconds']:>7.0f} mails/s   outcomes {r1['outcomes']}"
    )
    print(
        f"  replies to our mail and tokens   {r2['mails']:>6} mails  "
        f"{r2['mails'] / r2['seconds']:>7.0f} mails/s"
    )
    print(
        f"  one transaction per mail         {single['mails']:>6} mails  "
        f"{single['mails'] / single['seconds']:>7.0f} mails/s"
    )
    delivery = figures["delivery"]
    print(
        f"  delivery by the worker           {delivery['sent']:>6} mails  "
        f"{delivery['sent'] / max(delivery['seconds'], 1e-9):>7.0f} mails/s "
        f"(of {delivery['queued']} queued)"
    )
    print(
        f"  threading: same-batch replies {same['threaded']}/{same['total']} "
        f"({100 * same['threaded'] / max(same['total'], 1):.1f}%), replies to our mail "
        f"{r2['threaded']}/{r2['mails']} ({100 * r2['threaded'] / max(r2['mails'], 1):.1f}%)"
    )


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000, help="new mails in round 1")
    parser.add_argument("--batch", type=int, default=100, help="mails per transaction")
    parser.add_argument("--single", type=int, default=300, help="mails one transaction each")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--peer", action="store_true", help="also run django-helpdesk's importer (bench/peers/)"
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--dump", default="", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    options = parse(argv)
    if options.worker:
        run_worker(options)
        return
    print(
        f"supportdesk mail benchmark: Python {platform.python_version()}; {os.cpu_count()} CPUs; "
        f"load average {os.getloadavg()[0]:.2f}; {options.messages} new mails, "
        f"batches of {options.batch}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for database in options.databases.split(","):
            database = database.strip()
            report(measure(database, options, Path(tmp)))
            if options.peer:
                peer = run_peer(database, Path(tmp) / f"stream-{database}")
                if peer is not None:
                    report_peer(peer)
    print(f"\nload average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
