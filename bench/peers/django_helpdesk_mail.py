#!/usr/bin/env python3
"""django-helpdesk's mail importer on a directory of .eml files: mails/s and
threading, for comparison with bench/mail_bench.py.

    python3 bench/peers/django_helpdesk_mail.py --mails DIR --database sqlite|postgres \
        [--workdir /tmp/dh-peer] [--order sorted|listdir] [--stock-sqlite]

DIR holds `*.eml` files whose sorted names give the ingestion order, and
`expected.json`: {"<file>": "<file it answers>" | null}.

This file is stdlib-only at import time so that any python3 can start it. It
builds (once, cached in --workdir) a virtualenv with pinned django-helpdesk and
Django, writes a minimal Django project there, then re-runs itself inside that
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
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import NoReturn

HELPDESK_VERSION = "2.6.1"  # newest on PyPI when this was written

# The full set, pinned (what `pip freeze` showed), so that reruns measure the
# same code. Django 6.0 is the newest series django-helpdesk 2.6.1 declares
# support for (5.2 and 6.0); 6.0 needs Python >= 3.12, so an older interpreter
# gets the 5.2 LTS instead, and a soupsieve that still installs there.
COMMON_PINS = [
    f"django-helpdesk=={HELPDESK_VERSION}",
    "asgiref==3.13.0",
    "beautifulsoup4==4.15.0",
    "certifi==2026.10.19.post1",
    "charset-normalizer==3.5.3",
    "django-cleanup==9.0.0",
    "django-model-utils==5.0.0",
    "djangorestframework==3.18.3",
    "email-reply-parser==0.5.12",
    "idna==3.20",
    "Markdown==3.11.3",
    "nh3==0.3.8",
    "oauthlib==4.0.1",
    "psycopg[binary]==3.3.9",
    "requests==2.34.2",
    "requests-oauthlib==2.0.0",
    "sqlparse==0.6.1",
    "typing_extensions==4.16.0",
    "urllib3==2.8.0",
]
PINS_BY_PYTHON = {  # key: python >= 3.12
    True: ["Django==6.0.10", "soupsieve==4.1.3"],
    False: ["Django==5.2.19", "soupsieve==2.10"],
}

BASE_PYTHONS = ["/root/.pyenv/versions/3.12.1/bin/python3", "/usr/bin/python3"]

PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
PG_NAME = "dh_peer_bench"
DEFAULT_QUEUE_ADDRESS = "support@helpdesk.localhost"

# The same pragmas supportdesk's settings give SQLite (supportdesk/settings.py).
# django-helpdesk runs in autocommit, a commit per INSERT/UPDATE, so the journal
# mode dominates its SQLite figure; giving both the same keeps the comparison
# about the code. --stock-sqlite measures Django's defaults instead.
SUPPORTDESK_SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "transaction_mode": "IMMEDIATE",
}

SETTINGS_PY = """\
# Written by bench/peers/django_helpdesk_mail.py: the least a project needs to
# run django-helpdesk's mail import. The database comes from the environment.
import json
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "dh-peer-bench-not-secret"
DEBUG = False  # DEBUG would record every SQL query in memory during the import
ALLOWED_HOSTS = ["*"]
USE_TZ = True
TIME_ZONE = "UTC"
SITE_ID = 1  # django.contrib.sites: helpdesk builds ticket links in mails from it

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "rest_framework",
    "helpdesk",
]
# Teams mode is on by default and needs pinax-teams; the docs' "teams" section
# says to switch it off when teams are not used.
HELPDESK_TEAMS_MODE_ENABLED = False

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "dhbench.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
STATIC_URL = "/static/"
MEDIA_ROOT = str(BASE_DIR / "media")
MEDIA_URL = "/media/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# helpdesk mails the submitter on every new ticket and follow-up; keep those
# in memory, as mail_bench.py does for supportdesk's acknowledgements, so that
# composing them is measured and no network is touched.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEFAULT_FROM_EMAIL = "support@helpdesk.localhost"

DATABASES = {"default": json.loads(os.environ["DH_BENCH_DATABASE"])}
"""

URLS_PY = """\
from django.urls import include, path

# helpdesk reverses its own URLs when it renders notification mails.
urlpatterns = [path("helpdesk/", include("helpdesk.urls"))]
"""


def log(message: str) -> None:
    print(f"dh-peer: {message}", file=sys.stderr, flush=True)


def fail(message: str) -> NoReturn:
    log(f"error: {message}")
    raise SystemExit(2)


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


def pick_python() -> tuple[str, bool]:
    for candidate in BASE_PYTHONS:
        if os.access(candidate, os.X_OK):
            out = subprocess.run(
                [candidate, "-c", "import sys; print(sys.version_info >= (3, 12))"],
                capture_output=True,
                text=True,
            )
            if out.returncode == 0:
                return candidate, out.stdout.strip() == "True"
    fail(f"none of {BASE_PYTHONS} is usable to build the virtualenv")


def ensure_venv(workdir: Path) -> Path:
    """The virtualenv, built once per pin set; a marker records what is in it."""
    base, modern = pick_python()
    pins = COMMON_PINS + PINS_BY_PYTHON[modern]
    venv = workdir / "venv"
    python = venv / "bin" / "python"
    marker = venv / "dh-peer-pins.txt"
    wanted = "\n".join([base, *pins])
    if marker.exists() and marker.read_text() == wanted and python.exists():
        return python
    log(f"building {venv} with {base}: {' '.join(pins)}")
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([base, "-m", "venv", str(venv)], check=True, stdout=sys.stderr)
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--disable-pip-version-check", *pins],
        capture_output=True,
        text=True,
    )
    if install.returncode != 0:
        tail = "\n".join((install.stdout + install.stderr).strip().splitlines()[-15:])
        shutil.rmtree(venv, ignore_errors=True)
        fail(
            "pip could not install django-helpdesk and its pinned dependencies; "
            f"is PyPI reachable from here?\n{tail}"
        )
    marker.write_text(wanted)
    return python


def write_project(workdir: Path) -> Path:
    project = workdir / "project"
    (project / "dhbench").mkdir(parents=True, exist_ok=True)
    (project / "dhbench" / "__init__.py").write_text("")
    (project / "dhbench" / "settings.py").write_text(SETTINGS_PY)
    (project / "dhbench" / "urls.py").write_text(URLS_PY)
    (project / "manage.py").write_text(
        "import os, sys\n"
        'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dhbench.settings")\n'
        "from django.core.management import execute_from_command_line\n"
        "execute_from_command_line(sys.argv)\n"
    )
    return project


def database_config(kind: str, workdir: Path, stock_sqlite: bool) -> dict:
    if kind == "sqlite":
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(workdir / "helpdesk.sqlite3")}
        if not stock_sqlite:
            config["OPTIONS"] = SUPPORTDESK_SQLITE_OPTIONS
        return config
    try:
        socket.create_connection((PG_HOST, PG_PORT), timeout=3).close()
    except OSError as e:
        fail(f"PostgreSQL is not reachable at {PG_HOST}:{PG_PORT} ({e}); is it running?")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": PG_NAME,
        "USER": PG_USER,
        "HOST": PG_HOST,
        "PORT": str(PG_PORT),
    }


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
    project = write_project(workdir)
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
        "db_config": database_config(args.database, workdir, args.stock_sqlite),
    }
    job_file = workdir / "job.json"
    job_file.write_text(json.dumps(job))
    # The worker prints the JSON line on stdout; it is passed through unchanged.
    done = subprocess.run([str(python), str(Path(__file__).resolve()), "--worker", str(job_file)])
    raise SystemExit(done.returncode)


# -- inside the virtualenv ----------------------------------------------------------


def fresh_database(job: dict) -> None:
    config = job["db_config"]
    if job["database"] == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(config["NAME"] + suffix).unlink(missing_ok=True)
        return
    import psycopg

    try:
        with psycopg.connect(
            host=PG_HOST,
            port=PG_PORT,
            user=PG_USER,
            dbname="postgres",
            autocommit=True,
            connect_timeout=5,
        ) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {PG_NAME}")
    except psycopg.OperationalError as e:
        fail(f"cannot (re)create database {PG_NAME} on {PG_HOST}:{PG_PORT} as {PG_USER}: {e}")


def worker(job_file: Path) -> None:
    import logging

    job = json.loads(job_file.read_text())
    os.environ["DH_BENCH_DATABASE"] = json.dumps(job["db_config"])
    os.environ["DJANGO_SETTINGS_MODULE"] = "dhbench.settings"
    sys.path.insert(0, job["project"])
    # Warnings and errors from the importer (a mail left unprocessed, a queue
    # that failed: process_email logs those and carries on) reach stderr.
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(name)s: %(message)s")
    fresh_database(job)

    import django

    django.setup()
    from importlib.metadata import version

    from django.core import mail as django_mail
    from django.core.management import call_command
    from helpdesk.models import FollowUp, Queue, Ticket

    peer = f"django-helpdesk {version('django-helpdesk')} (Django {django.get_version()})"
    log(f"{peer}, Python {sys.version.split()[0]}, database {job['database']}")

    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    log(f"migrated in {time.perf_counter() - began:.1f} s")

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
