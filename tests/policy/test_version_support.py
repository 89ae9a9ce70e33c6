"""Version support (§3.2) with worked dates: a version is out of support from
the day 12 months after its successor's release (that day included)."""

import dataclasses
from datetime import date

import pytest

from supportdesk.policy import default_policy
from supportdesk.policy.versions import (
    Release,
    add_months,
    known_version_status,
    version_status,
)

POLICY = default_policy()
# Cloud Backup's history, out of order on purpose: the rule sorts by date.
RELEASES = (
    Release("8.4.0", date(2024, 9, 24)),
    Release("8.3.0", date(2024, 2, 29)),  # a leap day
    Release("8.2.0", date(2023, 6, 20)),
    Release("8.5.0", date(2025, 5, 6)),
)


@pytest.mark.parametrize(
    ("version", "on", "supported", "ends", "successor"),
    [
        # 8.3.0 came out 2024-02-29: 8.2.0 is supported through 2025-02-27
        # and out of support from 2025-02-28 (29 Feb + 12 months, clamped).
        ("8.2.0", date(2025, 2, 27), True, date(2025, 2, 28), "8.3.0"),
        ("8.2.0", date(2025, 2, 28), False, date(2025, 2, 28), "8.3.0"),
        ("8.2.0", date(2025, 3, 1), False, date(2025, 2, 28), "8.3.0"),
        # 8.4.0 came out 2024-09-24: 8.3.0 ends on 2025-09-24 exactly.
        ("8.3.0", date(2025, 9, 23), True, date(2025, 9, 24), "8.4.0"),
        ("8.3.0", date(2025, 9, 24), False, date(2025, 9, 24), "8.4.0"),
        # Before its successor exists a version has no end date at all.
        ("8.4.0", date(2025, 5, 5), True, None, None),
        ("8.4.0", date(2025, 5, 6), True, date(2026, 5, 6), "8.5.0"),
        # The newest release is supported whatever the date.
        ("8.5.0", date(2040, 1, 1), True, None, None),
    ],
)
def test_worked_dates(version, on, supported, ends, successor):
    status = version_status(POLICY, RELEASES, version, on)
    assert (status.supported, status.support_ends_on, status.successor) == (
        supported,
        ends,
        successor,
    )
    assert status.source == "§3.2"


def test_the_twelve_months_come_from_the_policy():
    # A policy of one month after the successor: 31 Jan + 1 month clamps to
    # the last day of February (28 in 2027, 29 in 2028).
    one_month = dataclasses.replace(
        POLICY,
        version_support=dataclasses.replace(POLICY.version_support, months_after_successor=1),
    )
    for year, last in ((2027, 28), (2028, 29)):
        releases = (Release("1.0", date(year - 1, 6, 1)), Release("2.0", date(year, 1, 31)))
        before = version_status(one_month, releases, "1.0", date(year, 2, last - 1))
        on_the_day = version_status(one_month, releases, "1.0", date(year, 2, last))
        assert before.supported
        assert not on_the_day.supported
        assert on_the_day.support_ends_on == date(year, 2, last)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),  # over a year's end
        (date(2026, 3, 31), 0, date(2026, 3, 31)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize("version", ["", "   ", "7.9.0", "8.4", "8.4.0-beta"])
def test_a_version_not_in_the_history_is_unknown_not_an_error(version):
    assert known_version_status(POLICY, RELEASES, version, date(2026, 1, 1)) is None


def test_surrounding_spaces_are_ignored():
    status = known_version_status(POLICY, RELEASES, " 8.2.0 ", date(2026, 1, 1))
    assert status is not None
    assert not status.supported


def test_no_history_at_all_is_unknown():
    assert known_version_status(POLICY, (), "8.2.0", date(2026, 1, 1)) is None
