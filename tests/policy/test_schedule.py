"""Which policy version is in force: a version takes effect at the start of
its effective date in its business zone; the latest to have started wins."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from supportdesk.policy import default_policy
from supportdesk.policy.schedule import (
    Candidate,
    InForce,
    business_zone,
    in_force,
    local_today,
    takes_effect_at,
)

ET = ZoneInfo("America/New_York")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_the_business_zone_is_the_business_calendars():
    assert business_zone(default_policy()).key == "America/New_York"


def test_without_a_business_calendar_the_first_calendar_decides():
    policy = default_policy()
    others = tuple((name, cal) for name, cal in policy.calendars if name != "business")
    london = replace(others[0][1], zone=ZoneInfo("Europe/London"))
    policy = replace(policy, calendars=(("staffed", london), *others[1:]))
    assert business_zone(policy).key == "Europe/London"


@pytest.mark.parametrize(
    ("day", "zone", "starts_at"),
    [
        (date(2026, 12, 1), "America/New_York", utc(2026, 12, 1, 5)),  # EST, UTC-5
        (date(2026, 7, 1), "America/New_York", utc(2026, 7, 1, 4)),  # EDT, UTC-4
        # 2026-03-08 02:00 EST -> 03:00 EDT: midnight itself still exists (EST).
        (date(2026, 3, 8), "America/New_York", utc(2026, 3, 8, 5)),
        # 2026-09-06 00:00 -04 -> 01:00 -03 in Chile: midnight is skipped, the
        # day starts when the clocks jump.
        (date(2026, 9, 6), "America/Santiago", utc(2026, 9, 6, 4)),
        (date(2026, 9, 5), "America/Santiago", utc(2026, 9, 5, 4)),
        (date(2026, 12, 1), "UTC", utc(2026, 12, 1)),
    ],
)
def test_a_version_takes_effect_at_the_start_of_its_date(day, zone, starts_at):
    assert takes_effect_at(day, ZoneInfo(zone)) == starts_at


@pytest.mark.parametrize(
    ("now", "today"),
    [
        (utc(2026, 12, 1, 4, 59), date(2026, 11, 30)),  # 23:59 EST the day before
        (utc(2026, 12, 1, 5), date(2026, 12, 1)),
    ],
)
def test_today_is_read_in_the_zone(now, today):
    assert local_today(ET, now) == today


def test_a_naive_now_is_refused():
    with pytest.raises(ValueError, match="naive"):
        local_today(ET, datetime(2026, 12, 1))
    with pytest.raises(ValueError, match="naive"):
        in_force([], datetime(2026, 12, 1))


FILE = Candidate("file", utc(2021, 9, 14, 4), utc(1970, 1, 1))
DEC = Candidate("dec", utc(2026, 12, 1, 5), utc(2026, 11, 20))
JAN = Candidate("jan", utc(2027, 1, 1, 5), utc(2026, 11, 21))
# Stored later for the same date: it wins the tie.
DEC_FIX = Candidate("dec-fix", utc(2026, 12, 1, 5), utc(2026, 11, 25))


@pytest.mark.parametrize(
    ("candidates", "now", "expected"),
    [
        ([], utc(2026, 11, 30), InForce(None, None, None)),
        ([FILE], utc(2026, 11, 30), InForce("file", FILE.starts_at, None)),
        # Nothing has started: none in force, until the first one starts.
        ([DEC, JAN], utc(2026, 11, 30), InForce(None, None, DEC.starts_at)),
        ([FILE, DEC, JAN], utc(2026, 11, 30), InForce("file", FILE.starts_at, DEC.starts_at)),
        # The start is inclusive; the next start ends the answer.
        ([FILE, DEC, JAN], DEC.starts_at, InForce("dec", DEC.starts_at, JAN.starts_at)),
        (
            [FILE, DEC, JAN],
            DEC.starts_at - timedelta(microseconds=1),
            InForce("file", FILE.starts_at, DEC.starts_at),
        ),
        ([JAN, DEC, FILE], utc(2027, 6, 1), InForce("jan", JAN.starts_at, None)),
        # Two for the same instant: the one recorded later, in any order given.
        ([DEC_FIX, DEC, FILE], utc(2026, 12, 2), InForce("dec-fix", DEC.starts_at, None)),
        ([DEC, DEC_FIX, FILE], utc(2026, 12, 2), InForce("dec-fix", DEC.starts_at, None)),
        # An older version stored later does not win over a newer one.
        (
            [DEC, Candidate("old", utc(2026, 1, 1), utc(2026, 11, 29))],
            utc(2026, 12, 2),
            InForce("dec", DEC.starts_at, None),
        ),
    ],
)
def test_the_latest_to_have_started_is_in_force(candidates, now, expected):
    assert in_force(candidates, now) == expected


def test_now_may_be_in_any_zone():
    assert in_force([DEC], DEC.starts_at.astimezone(ET)).version == "dec"
