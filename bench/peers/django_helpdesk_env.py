"""What the django-helpdesk peers share: the pinned virtualenv, the minimal
Django project, a fresh database and its migrations.

Stdlib-only at import time, like the peer scripts that import it: they start
under any python3 and import this before their virtualenv exists. The parts
that need Django or psycopg run inside the virtualenv and import them there.
"""

from __future__ import annotations

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
# granian (and its click) is the version /work/main's virtualenv serves
# supportdesk with, so that the API peer is served by the same server.
COMMON_PINS = [
    f"django-helpdesk=={HELPDESK_VERSION}",
    "asgiref==3.13.0",
    "beautifulsoup4==4.15.0",
    "certifi==2026.10.19.post1",
    "charset-normalizer==3.5.3",
    "click==8.5.1",
    "django-cleanup==9.0.0",
    "django-model-utils==5.0.0",
    "djangorestframework==3.18.3",
    "email-reply-parser==0.5.12",
    "granian==2.8.9",
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

# The same pragmas supportdesk's settings give SQLite (supportdesk/settings.py).
# django-helpdesk runs in autocommit, a commit per INSERT/UPDATE, so the journal
# mode dominates its SQLite figure; giving both the same keeps the comparison
# about the code. --stock-sqlite measures Django's defaults instead.
SUPPORTDESK_SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "transaction_mode": "IMMEDIATE",
}

SETTINGS_PY = """\
import json
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "dh-peer-bench-not-secret"
DEBUG = False  # DEBUG would record every SQL query in memory while measuring
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

WSGI_PY = """\
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dhbench.settings")
application = get_wsgi_application()
"""


def log(message: str) -> None:
    print(f"dh-peer: {message}", file=sys.stderr, flush=True)


def fail(message: str) -> NoReturn:
    log(f"error: {message}")
    raise SystemExit(2)


# -- outside the virtualenv (stdlib only) -------------------------------------------


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


def write_project(
    workdir: Path, name: str, written_by: str, settings_extra: str = "", urls: str = URLS_PY
) -> Path:
    """A project in `workdir/name`, package `dhbench`. `written_by` heads
    settings.py (who wrote it and what for); `settings_extra` is appended to it.
    Each peer has a directory of its own, so neither rewrites the other's."""
    project = workdir / name
    (project / "dhbench").mkdir(parents=True, exist_ok=True)
    (project / "dhbench" / "__init__.py").write_text("")
    settings = written_by + SETTINGS_PY + (f"\n{settings_extra}" if settings_extra else "")
    (project / "dhbench" / "settings.py").write_text(settings)
    (project / "dhbench" / "urls.py").write_text(urls)
    (project / "dhbench" / "wsgi.py").write_text(WSGI_PY)
    (project / "manage.py").write_text(
        "import os, sys\n"
        'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dhbench.settings")\n'
        "from django.core.management import execute_from_command_line\n"
        "execute_from_command_line(sys.argv)\n"
    )
    return project


def database_config(kind: str, workdir: Path, pg_name: str, *, stock_sqlite: bool = False) -> dict:
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
        "NAME": pg_name,
        "USER": PG_USER,
        "HOST": PG_HOST,
        "PORT": str(PG_PORT),
    }


# -- inside the virtualenv ----------------------------------------------------------


def fresh_database(config: dict) -> None:
    if config["ENGINE"] == "django.db.backends.sqlite3":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(config["NAME"] + suffix).unlink(missing_ok=True)
        return
    import psycopg

    name = config["NAME"]
    try:
        with psycopg.connect(
            host=PG_HOST,
            port=PG_PORT,
            user=PG_USER,
            dbname="postgres",
            autocommit=True,
            connect_timeout=5,
        ) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")
    except psycopg.OperationalError as e:
        fail(f"cannot (re)create database {name} on {PG_HOST}:{PG_PORT} as {PG_USER}: {e}")


def start_django(project: str, db_config: dict, database: str) -> str:
    """A fresh database, Django set up on it and migrated; names the peer.
    The migrations also load django-helpdesk's email templates."""
    os.environ["DH_BENCH_DATABASE"] = json.dumps(db_config)
    os.environ["DJANGO_SETTINGS_MODULE"] = "dhbench.settings"
    sys.path.insert(0, project)
    fresh_database(db_config)

    import django

    django.setup()
    from importlib.metadata import version

    from django.core.management import call_command

    peer = f"django-helpdesk {version('django-helpdesk')} (Django {django.get_version()})"
    log(f"{peer}, Python {sys.version.split()[0]}, database {database}")

    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    log(f"migrated in {time.perf_counter() - began:.1f} s")
    return peer
