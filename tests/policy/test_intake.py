"""Which channel takes which severity when (§1.2, §1.5)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from supportdesk.policy import default_policy
from supportdesk.policy.intake import check_intake

ET = ZoneInfo("America/New_York")
POLICY = default_policy()


def et(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ET)


@pytest.mark.parametrize(
    ("channel", "severity", "at", "open_"),
    [
        ("email", 4, "2026-11-28T03:00", True),  # Saturday night: email never closes
        ("portal", 3, "2026-12-25T12:00", True),
        ("api", 2, "2026-11-29T23:59", True),
        ("chat", 3, "2026-11-30T07:59", False),
        ("chat", 3, "2026-11-30T08:00", True),  # opening is inclusive
        ("chat", 3, "2026-11-30T20:00", False),  # closing is exclusive
        ("phone", 2, "2026-11-28T10:00", False),  # weekend: P1 only
        ("phone", 1, "2026-11-28T10:00", True),
        ("phone", 1, "2026-11-30T03:00", True),
        ("phone", 4, "2026-11-30T19:59", True),
    ],
)
def test_is_open(channel, severity, at, open_):
    assert POLICY.is_open(channel, severity, et(at)) is open_


def test_next_opening():
    assert POLICY.next_opening("chat", 3, et("2026-11-27T21:00")) == et("2026-11-30T08:00")
    assert POLICY.next_opening("chat", 3, et("2026-11-30T09:00")) == et("2026-11-30T09:00")
    # 2026-03-08 02:00 EST -> 03:00 EDT: Monday's 08:00 opening is EDT.
    assert POLICY.next_opening("phone", 2, et("2026-03-07T10:00")) == et("2026-03-09T08:00")


def test_phone_refuses_severity_two_on_a_weekend_and_says_what_is_open():
    decision = check_intake(POLICY, "phone", 2, et("2026-11-28T10:00"))
    assert not decision.accepted
    assert decision.opens_at == et("2026-11-30T08:00")
    assert decision.open_now == ("email", "portal", "api")
    assert "Open now for Severity 2: Email, Web portal, API." in decision.message
    assert check_intake(POLICY, "phone", 1, et("2026-11-28T10:00")).accepted
