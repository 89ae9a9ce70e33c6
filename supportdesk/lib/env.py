"""Settings from the environment, failing loudly on values that make no sense."""

from __future__ import annotations

import os
import sys


class ConfigError(RuntimeError):
    pass


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}={raw!r}: expected true or false")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r}: expected a whole number") from None


def parse_email_url(url: str) -> dict[str, object]:
    """EMAIL_URL as Django's MAILERS["default"]: smtp://user:pass@host:25,
    smtp+tls://… (STARTTLS, port 587), smtps://… (TLS, port 465),
    console:// (print mail), file:///path (one file per mail), memory://."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    scheme = parts.scheme
    backends = "django.core.mail.backends"
    if scheme == "console":
        # On standard error, so commands that print results (ingest-mail's
        # JSON lines) keep standard output to themselves.
        return {"BACKEND": f"{backends}.console.EmailBackend", "OPTIONS": {"stream": sys.stderr}}
    if scheme == "memory":
        return {"BACKEND": f"{backends}.locmem.EmailBackend"}
    if scheme == "file":
        path = unquote(parts.netloc + parts.path) or "var/outbox"
        return {"BACKEND": f"{backends}.filebased.EmailBackend", "OPTIONS": {"file_path": path}}
    if scheme in {"smtp", "smtp+tls", "smtps"}:
        default_port = {"smtp": 25, "smtp+tls": 587, "smtps": 465}[scheme]
        return {
            "BACKEND": f"{backends}.smtp.EmailBackend",
            "OPTIONS": {
                "host": parts.hostname or "localhost",
                "port": parts.port or default_port,
                "username": unquote(parts.username or ""),
                "password": unquote(parts.password or ""),
                "use_tls": scheme == "smtp+tls",
                "use_ssl": scheme == "smtps",
            },
        }
    raise ConfigError(
        f"EMAIL_URL={url!r}: expected smtp://, smtp+tls://, smtps://, console://, file:// "
        "or memory://"
    )
