"""The worked examples of DESIGN.md §2, through the Python API and the CLI."""

import subprocess
import sys
from datetime import datetime

import pytest

from supportdesk.policy import default_policy
from supportdesk.policy.sla import SeverityChanged, Submitted

# (submitted, severity, channel, change as (severity, at) or None, due in UTC)
EXAMPLES = [
    ("2026-11-27T23:00:00-05:00", 2, "email", None, "2026-11-30T06:00:00Z"),
    ("2026-11-28T10:00:00-05:00", 1, "phone", None, "2026-11-28T16:00:00Z"),
    ("2026-11-28T10:00:00-05:00", 1, "email", None, "2026-11-30T07:00:00Z"),
    # 2026-03-08 02:00 EST -> 03:00 EDT
    ("2026-03-06T22:00:00-05:00", 3, "portal", None, "2026-03-09T06:00:00Z"),
    # 2026-11-01 02:00 EDT -> 01:00 EST
    ("2026-10-31T12:00:00-04:00", 4, "email", None, "2026-11-03T05:00:00Z"),
    (
        "2026-11-30T09:00:00-05:00",
        4,
        "email",
        (2, "2026-11-30T10:30:00-05:00"),
        "2026-11-30T17:30:00Z",
    ),
    (
        "2026-11-30T09:00:00-05:00",
        2,
        "email",
        (3, "2026-11-30T10:00:00-05:00"),
        "2026-11-30T18:00:00Z",
    ),
]


COMMAND = [sys.executable, "-m", "supportdesk.cli", "policy", "due"]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.parametrize(("at", "severity", "channel", "change", "due"), EXAMPLES)
def test_worked_example_through_python(at, severity, channel, change, due):
    policy = default_policy()
    events = [Submitted(utc(at), severity, channel, dedicated_contact=True)]
    if change is None:
        assert policy.response_due(utc(at), severity, channel) == utc(due)
    else:
        events.append(SeverityChanged(utc(change[1]), change[0], "impact changed"))
    assert policy.sla(tuple(events)).response_due_at == utc(due)


@pytest.mark.parametrize(("at", "severity", "channel", "change", "due"), EXAMPLES)
def test_worked_example_through_the_command(at, severity, channel, change, due):
    args = ["policy", "due", "--severity", str(severity), "--channel", channel, "--at", at]
    if change is not None:
        args += ["--change", f"{change[0]}@{change[1]}"]
    result = subprocess.run(
        [sys.executable, "-m", "supportdesk.cli", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{due}\n"


def test_due_refuses_a_time_without_offset():
    result = subprocess.run(
        [*COMMAND, "--severity", "2", "--channel", "email", "--at", "2026-11-27T23:00:00"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert "give a UTC offset" in result.stderr
    assert "Traceback" not in result.stderr


def test_due_warns_when_the_phone_line_is_closed_for_the_severity():
    result = subprocess.run(
        [*COMMAND, "--severity", "3", "--channel", "phone", "--at", "2026-11-28T10:00:00-05:00"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert "Telephone takes Severity 3 tickets during staffed hours" in result.stderr
    assert "Monday 30 November 08:00 EST" in result.stderr
