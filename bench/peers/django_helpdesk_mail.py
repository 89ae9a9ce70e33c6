#!/usr/bin/env python3
"""django-helpdesk's mail importer on a directory of .eml files: mails/s and
threading, for comparison with bench/mail_bench.py.

    python3 bench/peers/django_helpdesk_mail.py --mails DIR --database sqlite|postgres \
        [--workdir /tmp/dh-peer] [--order sorted|listdir] [--stock-sqlite]

DIR holds `*.eml` files whose sorted names give the ingestion order, and
`expected.json`: {"<file>": "<file it answers>" | null}.

This file is stdlib-only at import time so that any python3 can start it. It
builds (once, cached in --workdir) a virtualenv with pinned django-helpdesk and
Django, writes a minimal Django project there (both with django_helpdesk_env.py,
beside this file and shared with the API peer), then re-runs itself inside that
virtualenv with --worker to do the measuring. One JSON line goes to stdout,
everything else to stderr. See README.md beside this file for the caveats.
"""

from __future__ import annotations

import argparse
import collections
import email.parser
import email.policy
import email.utils
import json
import os
import shutil
import subprocess
import sys
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

PG_NAME = "dh_peer_bench"
DEFAULT_QUEUE_ADDRESS = "support@helpdesk.localhost"

# Heads the project's settings.py (django_helpdesk_env.SETTINGS_PY).
WRITTEN_BY = """\
# Written by bench/peers/django_helpdesk_mail.py: the least a project needs to
# run django-helpdesk's mail import. The database comes from the environment.
"""


# -- outside the virtualenv (stdlib only) -------------------------------------------


def read_stream(mails: Path) -> tuple[list[str], dict[str, str | None], dict[str, str], str]:
    """The .eml names in ingestion order, expected.json, each file's Message-ID
    (read now: helpdesk deletes its copies once imported), and the address the
    stream is sent to."""
    if not mails.is_dir():
        fail(f"{mails} is not a directory")
    names = sorted(p.name for p in mails.glob("*.eml"))
    if not names:
        fail(f"no .eml files in {mails}")
    try:
        expected = json.loads((mails / "expected.json").read_text())
    except (OSError, ValueError) as e:
        fail(f"cannot read {mails / 'expected.json'}: {e}")
    parser = email.parser.BytesHeaderParser(policy=email.policy.compat32)
    message_ids = {}
    recipients: collections.Counter[str] = collections.Counter()
    for name in names:
        with open(mails / name, "rb") as f:
            headers = parser.parse(f)
        mid = headers.get("Message-ID")
        message_ids[name] = str(mid).strip().strip("<>") if mid else ""
        recipients.update(a.lower() for _, a in email.utils.getaddresses(headers.get_all("To", [])))
    # The queue gets the stream's own address: helpdesk subscribes every other
    # To/Cc address to the ticket as a CC and mails it, work the stream does not ask for.
    queue_address = recipients.most_common(1)[0][0] if recipients else DEFAULT_QUEUE_ADDRESS
    return names, expected, message_ids, queue_address


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mails", type=Path)
    parser.add_argument("--database", choices=["sqlite", "postgres"])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/dh-peer"))
    parser.add_argument(
        "--order",
        choices=["sorted", "listdir"],
        default="sorted",
        help="sorted (default): get_email sees the files in name order, the stream's "
        "order; listdir: the raw directory order it reads as shipped, which depends "
        "on the file system (see README)",
    )
    parser.add_argument(
        "--stock-sqlite",
        action="store_true",
        help="Django's default SQLite settings instead of supportdesk's WAL pragmas",
    )
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:  # the second half, started below inside the virtualenv
        return worker(args.worker)
    if not args.mails or not args.database:
        parser.error("--mails and --database are required")

    mails = args.mails.resolve()
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    names, expected, message_ids, queue_address = read_stream(mails)
    python = ensure_venv(workdir)
    project = write_project(workdir, "project", WRITTEN_BY)
    job = {
        "mails": str(mails),
        "names": names,
        "expected": expected,
        "message_ids": message_ids,
        "queue_address": queue_address,
        "database": args.database,
        "order": args.order,
        "stock_sqlite": args.stock_sqlite,
        "workdir": str(workdir),
        "project": str(project),
        "db_config": database_config(
            args.database, workdir, PG_NAME, stock_sqlite=args.stock_sqlite
        ),
    }
    job_file = workdir / "job.json"
    job_file.write_text(json.dumps(job))
    # The worker prints the JSON line on stdout; it is passed through unchanged.
    done = subprocess.run([str(python), str(Path(__file__).resolve()), "--worker", str(job_file)])
    raise SystemExit(done.returncode)


# -- inside the virtualenv ----------------------------------------------------------


def worker(job_file: Path) -> None:
    import logging

    job = json.loads(job_file.read_text())
    # Warnings and errors from the importer (a mail left unprocessed, a queue
    # that failed: process_email logs those and carries on) reach stderr.
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(name)s: %(message)s")
    peer = start_django(job["project"], job["db_config"], job["database"])

    from django.core import mail as django_mail
    from django.core.management import call_command
    from helpdesk.models import FollowUp, Queue, Ticket

    maildir = Path(job["workdir"]) / "maildir"
    shutil.rmtree(maildir, ignore_errors=True)
    maildir.mkdir()
    Queue.objects.create(
        title="Support",
        slug="support",
        email_address=job["queue_address"],
        allow_email_submission=True,
        email_box_type="local",
        email_box_local_dir=str(maildir),
        # 0: due at once (process_email skips a queue checked < interval ago).
        email_box_interval=0,
        # "warn": the queue's logger drops info/debug, warnings reach stderr.
        logging_type="warn",
    )
    for name in job["names"]:
        shutil.copyfile(Path(job["mails"]) / name, maildir / name)

    if job["order"] == "sorted":
        # get_email reads the directory with os.listdir, whose order is the
        # file system's, not the order mail arrived in: hash order on ext4
        # (about half of the replies then come before the mail they answer),
        # newest first on tmpfs (all of them do). Threading would then measure
        # where --workdir lives. Sorting the listing is the only change made to
        # the peer; --order listdir leaves it out.
        real_listdir = os.listdir
        os.listdir = lambda path=".": sorted(real_listdir(path))
    log(f"importing {len(job['names'])} mails to {job['queue_address']} ({job['order']} order)")

    # What `manage.py get_email` runs, in this process: the command itself, so
    # the timing covers its queue loop, file reads, parsing, ORM writes and the
    # notification mails, and nothing of Django's start-up or the migrations.
    began = time.perf_counter()
    call_command("get_email")
    seconds = time.perf_counter() - began

    left = sorted(os.listdir(maildir))
    if left:
        log(f"warning: {len(left)} mails were left unprocessed in {maildir}: {left[:5]}")
    log(f"{len(django_mail.outbox)} notification mails composed (in memory)")

    # Which ticket each mail ended on: every mail, new or reply, becomes a
    # FollowUp carrying its Message-ID (the first one of a new ticket too).
    ticket_of = {}
    for message_id, ticket_id in FollowUp.objects.exclude(message_id=None).values_list(
        "message_id", "ticket_id"
    ):
        ticket_of[message_id.strip().strip("<>")] = ticket_id
    ids = job["message_ids"]
    replies = threaded = 0
    for name, answers in job["expected"].items():
        if answers is None:
            continue
        replies += 1
        mine = ticket_of.get(ids.get(name))
        threaded += mine is not None and mine == ticket_of.get(ids.get(answers))

    result = {
        "peer": peer,
        "database": job["database"],
        "mails": len(job["names"]),
        "seconds": round(seconds, 3),
        "tickets": Ticket.objects.count(),
        "followups": FollowUp.objects.count(),
        "replies": replies,
        "replies_threaded": threaded,
        "order": job["order"],
        "unprocessed": len(left),
    }
    log(f"{result['mails'] / seconds:.1f} mails/s, {threaded}/{replies} replies threaded")
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
