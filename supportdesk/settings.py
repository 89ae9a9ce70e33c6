"""Django settings, all from the environment (see .env.example and README)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
import django_stubs_ext

from supportdesk.lib.env import ConfigError, env_bool, env_int, env_list, env_str, parse_email_url

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent

DEBUG = env_bool("DEBUG", False)
_DEV_KEY = "supportdesk-insecure-development-key-change-me-0123456789abcdef"
SECRET_KEY = env_str("SECRET_KEY", _DEV_KEY)
if SECRET_KEY == _DEV_KEY and env_bool("SUPPORTDESK_PRODUCTION", False):
    raise ConfigError("SECRET_KEY must be set when SUPPORTDESK_PRODUCTION is true")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

# The policy file the desk enforces; the shipped one unless told otherwise.
SUPPORTDESK_POLICY = env_str("SUPPORTDESK_POLICY", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Serves the API docs' own scripts and styles rather than a CDN's.
    "ninja",
    "django_tasks_db",
    "supportdesk.policies",
    "supportdesk.accounts",
    "supportdesk.assets",
    "supportdesk.tickets",
    "supportdesk.mail",
    "supportdesk.notifications",
    "supportdesk.webhooks",
    "supportdesk.worker",
    "supportdesk.demo",
    "supportdesk.portal",
    "supportdesk.remote",
    "supportdesk.feedback",
]

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "supportdesk.urls"
ASGI_APPLICATION = "supportdesk.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "supportdesk.notifications.views.unread",
            ],
        },
    },
]


def _database() -> dict[str, object]:
    url = env_str("DATABASE_URL", "sqlite:///supportdesk.sqlite3")
    try:
        config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=0))
    except ValueError as exc:
        raise ConfigError(f"DATABASE_URL={url!r}: {exc}") from None
    if config["ENGINE"] == "django.db.backends.postgresql":
        # The same backend with a health check that needs no round trip.
        config["ENGINE"] = "supportdesk.lib.postgresql"
        # Server-side binding lets psycopg prepare the few statements every
        # request repeats (lib/fastsql.execute_prepared). Not every statement:
        # a prepared statement's generic plan cannot use a partial index
        # whose condition the values decide, and the queue page went from
        # 80 ms to 1.4 s at 1,000,000 tickets when all were prepared.
        options: dict[str, object] = {"server_side_binding": True}
        config["PREPARE"] = env_bool("DATABASE_PREPARE", True)
        if config["PREPARE"]:
            # Only statements asked for are prepared: a threshold no
            # statement reaches by repetition (None would refuse them all).
            options["prepare_threshold"] = 2**31 - 1
        if env_bool("DATABASE_POOL", False):
            # For servers whose request threads come and go: a pool per
            # process bounds the connections.
            pool_size = env_int("DATABASE_POOL_SIZE", 10)
            options["pool"] = {"min_size": 2, "max_size": pool_size, "timeout": 10}
        else:
            # `supportdesk serve` has a fixed set of request threads
            # (--workers x --threads), each keeping its connection: 8 API
            # clients opened tickets about a tenth faster than through a pool
            # (bench/desk_bench.py), whose check-out and check-in cost both
            # sides on every request.
            config["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 600)
            config["CONN_HEALTH_CHECKS"] = True
        config["OPTIONS"] = options
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the worker write while pages read; IMMEDIATE takes the write
        # lock at BEGIN so two writers wait instead of failing mid-transaction.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        config["CONN_MAX_AGE"] = 0
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# The desk's own CSS, JS and vendored htmx (supportdesk/static/).
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(Path.cwd() / "staticfiles")))

# Attachments live outside the web root and are served only after an access check.
SUPPORTDESK_ATTACHMENTS_DIR = Path(
    env_str("ATTACHMENTS_DIR", str(Path.cwd() / "var" / "attachments"))
)
SUPPORTDESK_ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 25 * 1024 * 1024)
SUPPORTDESK_ATTACHMENT_MAX_COUNT = 20
# Uploads above this are refused before Django reads them into memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# In production mail goes to a local MTA unless EMAIL_URL names another;
# in development it is printed on the console.
_MAIL_DEFAULT = "smtp://localhost:25" if env_bool("SUPPORTDESK_PRODUCTION", False) else "console://"
MAILERS = {"default": parse_email_url(env_str("EMAIL_URL", _MAIL_DEFAULT))}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "support@supportdesk.localhost")

# Work done after the change that asks for it (delivering mail): queued in
# the database for `supportdesk worker`, or run at once in the committing
# process (`TASKS_BACKEND=immediate`, what the tests use).
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
_task_backend = env_str("TASKS_BACKEND", "database")
if _task_backend not in _TASK_BACKENDS:
    raise ConfigError(f"TASKS_BACKEND={_task_backend!r}: choose {' or '.join(_TASK_BACKENDS)}")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[_task_backend]}}

# -- Mail (the mail issue; README lists each setting) --------------------------------
# The desk's own address: mail to it (and to support+SD-12@…) opens and
# answers tickets; outbound mail comes from it.
SUPPORTDESK_MAIL_ADDRESS = env_str("SUPPORTDESK_MAIL_ADDRESS", DEFAULT_FROM_EMAIL).lower()
# Where people reach the desk (https://support.example.com), for links in mail
# such as a conference call's invitation; empty: mail carries no links.
SUPPORTDESK_URL = env_str("SUPPORTDESK_URL", "").rstrip("/")
if SUPPORTDESK_URL and not SUPPORTDESK_URL.startswith(("https://", "http://")):
    raise ConfigError(f"SUPPORTDESK_URL={SUPPORTDESK_URL!r}: expected https://host")
# Mail from an address no user or company domain matches: "catch-all" opens a
# ticket in the catch-all company; "refuse" answers politely and holds it.
SUPPORTDESK_MAIL_UNKNOWN_SENDERS = env_str("MAIL_UNKNOWN_SENDERS", "catch-all")
if SUPPORTDESK_MAIL_UNKNOWN_SENDERS not in ("catch-all", "refuse"):
    raise ConfigError("MAIL_UNKNOWN_SENDERS must be catch-all or refuse")
SUPPORTDESK_MAIL_CATCH_ALL = env_str("MAIL_CATCH_ALL_COMPANY", "Unknown senders")
SUPPORTDESK_MAIL_MAX_BYTES = env_int("MAIL_MAX_BYTES", 25 * 1024 * 1024)
# Mailboxes to poll: imap://user:pass@host/INBOX, imaps://…, imaps+xoauth2://user:token@host/…
SUPPORTDESK_MAIL_IMAP = env_list("MAIL_IMAP_URLS", [])
SUPPORTDESK_MAIL_IMAP_INTERVAL = env_int("MAIL_IMAP_INTERVAL", 60)
# Where `supportdesk serve` listens for mail by SMTP; "off" for nowhere.
SUPPORTDESK_SMTP_RECEIVER = env_str("SMTP_RECEIVER", "127.0.0.1:2525")

SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if env_bool("SUPPORTDESK_PRODUCTION", False):
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # aiosmtpd logs every connection's open and close at INFO.
    "loggers": {"mail.log": {"level": "WARNING"}},
}
