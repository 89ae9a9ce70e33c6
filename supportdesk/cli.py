"""The `supportdesk` command.

`policy …` works on policy files alone and never starts Django, so it is
quick and works before a database exists. `serve` runs the desk. Anything
else is handed to Django's management commands (`migrate`, `createsuperuser`,
`check`, …).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from supportdesk.policy import Policy, PolicyError, default_policy, load_policy

USAGE = """\
usage: supportdesk COMMAND [ARGS]

commands:
  serve [--host H] [--port P] [--workers N] [--threads N]
                                   run the desk: web, mail intake and worker
  worker [--batch]                 run queued work and the clock: mail, SLA alarms, webhooks
  receive-mail                     the SMTP receiver and IMAP pollers
  ingest-mail FILE…                mail files in, one JSON line each
  migrate                          create or update the database tables
  policy check FILE                check a policy file
  policy render [--format md|html] [--policy FILE]
                                   write the statement of support
  policy due --severity N --channel C --at ISO8601 [--policy FILE] [--explain]
                                   print when the first response is due (UTC)
  …and every Django management command (supportdesk help)
"""


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help"}:
        print(USAGE, end="")
        return 0
    if args[0] == "policy":
        try:
            return policy_command(args[1:])
        except BrokenPipeError:
            # Output piped into `head` and the like: stop quietly, as Unix tools do.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1
    if args[0] == "serve":
        return serve(args[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.settings")
    from django.core.management import execute_from_command_line

    # `seed-demo`, `create-token`: Django names commands after their modules.
    if not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    execute_from_command_line(["supportdesk", *args])
    return 0


def serve(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="supportdesk serve")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument(
        "--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "1")), help="processes"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=int(os.environ.get("WEB_THREADS", "4")),
        help="request threads per process",
    )
    parser.add_argument(
        "--access-log",
        action="store_true",
        default=env_flag("ACCESS_LOG"),
        help="log every request (off by default: the proxy in front usually does)",
    )
    options = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.settings")
    from granian import Granian
    from granian.constants import Interfaces

    # WSGI, not ASGI: every view is synchronous Django, and under ASGI each
    # request paid a hop into a thread pool. Opening tickets over the API with
    # 8 clients went from 74/s (uvicorn, ASGI) to 157/s on the same code
    # (bench/desk_bench.py).
    helpers = [p for p in (_start_mail_intake(), _start_worker()) if p is not None]
    try:
        Granian(
            "supportdesk.wsgi:application",
            address=options.host,
            port=options.port,
            interface=Interfaces.WSGI,
            workers=options.workers,
            blocking_threads=options.threads,
            websockets=False,
            log_access=options.access_log,
        ).serve()
    finally:
        for helper in helpers:
            helper.terminate()
        for helper in helpers:
            helper.wait(timeout=30)
    return 0


def _start_mail_intake() -> subprocess.Popen[bytes] | None:
    """`supportdesk receive-mail` beside the web processes (its own process,
    so no database connection is shared across the web workers' fork)."""
    if os.environ.get("SMTP_RECEIVER", "").strip().lower() == "off" and not os.environ.get(
        "MAIL_IMAP_URLS"
    ):
        return None
    return subprocess.Popen([sys.executable, "-m", "supportdesk.cli", "receive-mail"])


def _start_worker() -> subprocess.Popen[bytes] | None:
    """`supportdesk worker` beside the web processes, unless WORKER=off (at
    scale workers run on their own; immediate tasks need none)."""
    if os.environ.get("WORKER", "").strip().lower() == "off":
        return None
    if os.environ.get("TASKS_BACKEND", "").strip().lower() == "immediate":
        return None
    return subprocess.Popen([sys.executable, "-m", "supportdesk.cli", "worker"])


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def policy_command(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="supportdesk policy")
    sub = parser.add_subparsers(dest="action", required=True)

    check = sub.add_parser("check", help="check a policy file")
    check.add_argument("file")

    render = sub.add_parser("render", help="write the statement of support")
    render.add_argument("--format", choices=["md", "html"], default="md")
    render.add_argument("--policy", help="policy file (default: SUPPORTDESK_POLICY or shipped)")

    due = sub.add_parser("due", help="when the first response is due")
    due.add_argument("--severity", type=int, required=True)
    due.add_argument("--channel", required=True)
    due.add_argument("--at", required=True, help="submission instant, ISO 8601 with offset")
    due.add_argument("--policy", help="policy file (default: SUPPORTDESK_POLICY or shipped)")
    due.add_argument(
        "--change",
        action="append",
        default=[],
        metavar="N@ISO8601",
        help="a staff severity change before the first response, e.g. 2@2026-11-30T10:30-05:00",
    )
    due.add_argument("--explain", action="store_true", help="also show how it was counted")

    options = parser.parse_args(argv)
    try:
        if options.action == "check":
            return _check(options.file)
        policy = _policy(options.policy)
        if options.action == "render":
            return _render(policy, options.format)
        return _due(
            policy, options.severity, options.channel, options.at, options.change, options.explain
        )
    except PolicyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _policy(path: str | None) -> Policy:
    path = path or os.environ.get("SUPPORTDESK_POLICY") or None
    return load_policy(path) if path else default_policy()


def _check(path: str) -> int:
    policy = load_policy(Path(path))
    print(
        f"ok: {path}: {policy.meta.vendor} policy version {policy.version}, effective "
        f"{policy.meta.effective}; {len(policy.severities)} severities, "
        f"{len(policy.channels)} channels, {len(policy.calendars)} calendars, "
        f"{len(policy.products)} products × {len(policy.categories)} support categories"
    )
    return 0


def _render(policy: Policy, fmt: str) -> int:
    from supportdesk.policy.render import render_html_page, render_markdown

    sys.stdout.write(render_markdown(policy) if fmt == "md" else render_html_page(policy))
    return 0


def _instant(option: str, text: str) -> datetime:
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise PolicyError(f"{option} {text!r}: expected an ISO 8601 instant") from None
    if at.tzinfo is None:
        raise PolicyError(f"{option} {text!r}: give a UTC offset, e.g. 2026-11-27T23:00:00-05:00")
    return at


def _due(
    policy: Policy, severity: int, channel: str, at: str, changes: list[str], explain: bool
) -> int:
    from supportdesk.policy.intake import check_intake
    from supportdesk.policy.sla import SeverityChanged, SlaEvent, Submitted

    submitted = _instant("--at", at)
    try:
        policy.severity(severity)
        policy.channel(channel)
    except KeyError as exc:
        raise PolicyError(f"--severity/--channel: {exc.args[0]}") from None
    # The same fold as a ticket's; a contact is taken as named, so §1.6.1 does not bite.
    events: list[SlaEvent] = [Submitted(submitted, severity, channel, dedicated_contact=True)]
    for change in changes:
        level, sep, when = change.partition("@")
        if not (sep and level.strip().isdigit()):
            raise PolicyError(f"--change {change!r}: expected SEVERITY@ISO8601")
        try:
            policy.severity(int(level))
        except KeyError as exc:
            raise PolicyError(f"--change {change!r}: {exc.args[0]}") from None
        events.append(
            SeverityChanged(_instant("--change", when), int(level), "from the command line")
        )
    events.sort(key=lambda e: e.at)
    if events[0].at != submitted:
        raise PolicyError("--change: a change cannot come before the submission (--at)")
    explanation = policy.explain(tuple(events))
    due = explanation.response_due_at
    assert due is not None  # a vendor-tier submission always starts the clock
    print(due.isoformat().replace("+00:00", "Z"))
    intake = check_intake(policy, channel, severity, submitted)
    if not intake.accepted:
        print(f"note: {intake.message}", file=sys.stderr)
    if explain:
        zone = policy.calendar(explanation.calendar).zone if explanation.calendar else UTC
        for line in explanation.lines(zone):
            print(f"  {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
