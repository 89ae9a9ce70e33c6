"""Settings from the environment, failing loudly on values that make no sense."""

from __future__ import annotations

import os


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


def parse_email_url(url: str) -> tuple[str, dict[str, object]]:
    """EMAIL_URL as a Django email backend and its settings:
    smtp://user:pass@host:587 (STARTTLS with smtp+tls://, TLS with smtps://),
    console:// (print mail), file:///path (one file per mail), memory://."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    scheme = parts.scheme
    if scheme == "console":
        return "django.core.mail.backends.console.EmailBackend", {}
    if scheme == "memory":
        return "django.core.mail.backends.locmem.EmailBackend", {}
    if scheme == "file":
        return "django.core.mail.backends.filebased.EmailBackend", {
            "EMAIL_FILE_PATH": unquote(parts.path) or "var/outbox"
        }
    if scheme in {"smtp", "smtp+tls", "smtps"}:
        return "django.core.mail.backends.smtp.EmailBackend", {
            "EMAIL_HOST": parts.hostname or "localhost",
            "EMAIL_PORT": parts.port
            or (465 if scheme == "smtps" else 587 if scheme == "smtp+tls" else 25),
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_TLS": scheme == "smtp+tls",
            "EMAIL_USE_SSL": scheme == "smtps",
        }
    raise ConfigError(
        f"EMAIL_URL={url!r}: expected smtp://, smtp+tls://, smtps://, console://, file:// or memory://"
    )
