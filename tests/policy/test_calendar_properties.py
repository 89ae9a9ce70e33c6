"""Property tests: `BusinessCalendar` against a minute-by-minute reference.

Random calendars (split windows per weekday, windows crossing midnight,
24:00 closings, holiday dates) in zones with one-hour, half-hour and no DST
shifts, queried at random instants and at instants near real clock changes.
Every instant and duration is a whole number of minutes, which is all the
reference handles; every boundary in these calendars is a whole minute.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supportdesk.policy.calendar import BusinessCalendar, WeeklyWindow
from tests.policy.calendar_reference import (
    DAY_MINUTES,
    ReferenceCalendar,
    instant_of,
    minutes_of,
    resolve,
    resolve_by_scan,
    utc_offset_changes,
    weekly_minutes,
)

ZONES = (
    "America/New_York",
    "Europe/London",
    "Australia/Sydney",
    "Australia/Lord_Howe",  # DST moves the clocks 30 minutes
    "Asia/Kathmandu",  # +05:45 all year
    "America/Santiago",  # clocks change at local midnight
    "UTC",
)

# Instants are drawn from these years; clock changes from a few of them.
FIRST_YEAR, LAST_YEAR = 1995, 2060
CHANGE_YEARS = (2025, 2027)

# Local times of day where the zones above change their clocks, and the
# minutes either side, so windows often open or close in a gap or a repeat.
EDGE_MINUTES = (0, 1, 29, 30, 31, 59, 60, 61, 89, 90, 91, 119, 120, 121, 149, 150, 151)
EDGE_MINUTES += (179, 180, 181, 1380, 1410, 1439)

# CALENDAR_EXAMPLES=2000 for a long hunt; the default keeps the file quick.
EXAMPLES = int(os.environ.get("CALENDAR_EXAMPLES", "40"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@cache
def offset_changes(zone: str) -> tuple[int, ...]:
    return tuple(utc_offset_changes(ZoneInfo(zone), *CHANGE_YEARS))


@dataclass
class Case:
    """A calendar under test, its reference twin, and where to look."""

    zone: str
    windows: tuple[tuple[int, int, int], ...]
    holidays: frozenset[date]
    calendar: BusinessCalendar
    reference: ReferenceCalendar
    start: int  # epoch minutes, near which queries are made

    @property
    def weekly(self) -> int:
        return weekly_minutes(self.windows)

    def __repr__(self) -> str:  # what hypothesis prints for a failing example
        windows = ", ".join(w.describe() for w in self.calendar.windows)
        holidays = sorted(d.isoformat() for d in self.holidays)
        return (
            f"Case({self.zone}, [{windows}], holidays={holidays}, "
            f"start={instant_of(self.start).isoformat()})"
        )


def clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


minute_of_day = st.one_of(st.sampled_from(EDGE_MINUTES), st.integers(0, DAY_MINUTES - 1))


@st.composite
def day_windows(draw: st.DrawFn, weekday: int) -> list[tuple[int, int, int]]:
    """Disjoint windows within one day: 0 to 3 of them, from sorted cuts,
    the last possibly closing at 24:00."""
    cuts = draw(
        st.lists(
            st.one_of(minute_of_day, st.just(DAY_MINUTES)),
            min_size=0,
            max_size=6,
            unique=True,
        )
    )
    cuts = sorted(cuts)
    if len(cuts) % 2:
        cuts = cuts[:-1]
    return [(weekday, cuts[i], cuts[i + 1]) for i in range(0, len(cuts), 2)]


@st.composite
def crossing_window(draw: st.DrawFn) -> tuple[int, int, int]:
    """A window that runs past midnight into the next day (up to 24 hours;
    closing at 00:00 of the next day is a 24:00 closing)."""
    weekday = draw(st.integers(0, 6))
    opens = draw(minute_of_day)
    next_day = draw(
        st.one_of(
            st.sampled_from([m for m in EDGE_MINUTES if m <= opens]),
            st.integers(0, opens),
        )
    )
    return (weekday, opens, DAY_MINUTES + next_day)


def window_from_text(draw: st.DrawFn, weekday: int, opens: int, closes: int) -> WeeklyWindow:
    """The window as `WeeklyWindow.parse` reads it from "HH:MM" strings."""
    if closes == DAY_MINUTES:
        text = draw(st.sampled_from(["24:00", "00:00"]))
    elif closes > DAY_MINUTES:
        text = clock(closes - DAY_MINUTES)
    else:
        text = clock(closes)
    window = WeeklyWindow.parse(weekday, clock(opens), text)
    assert (window.weekday, window.opens_minute, window.closes_minute) == (weekday, opens, closes)
    return window


instant_strategy = st.integers(
    minutes_of(datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)),
    minutes_of(datetime(LAST_YEAR, 12, 31, tzinfo=UTC)),
)


@st.composite
def cases(draw: st.DrawFn) -> Case:
    zone = draw(st.sampled_from(ZONES))
    windows: list[tuple[int, int, int]] = []
    for weekday in range(7):
        windows += draw(day_windows(weekday))
    windows += draw(st.lists(crossing_window(), max_size=2))
    if not windows:
        windows.append(draw(crossing_window()))
    changes = offset_changes(zone)
    if changes and draw(st.booleans()):
        start = draw(st.sampled_from(changes)) + draw(
            st.integers(-3 * DAY_MINUTES, 3 * DAY_MINUTES)
        )
    else:
        start = draw(instant_strategy)
    start_date = instant_of(start).date()
    holidays = frozenset(
        draw(
            st.lists(
                st.integers(-3, 28).map(lambda n: start_date + timedelta(days=n)),
                max_size=4,
            )
        )
    )
    tz = ZoneInfo(zone)
    calendar = BusinessCalendar(
        "random",
        tz,
        tuple(window_from_text(draw, *w) for w in windows),
        holidays=holidays,
    )
    return Case(
        zone,
        tuple(windows),
        holidays,
        calendar,
        ReferenceCalendar(tz, windows, holidays),
        start,
    )


@st.composite
def case_and_durations(draw: st.DrawFn, count: int) -> tuple[Case, list[int]]:
    """A case and `count` durations in minutes, each at most a week's
    nominal open time (so the reference's walk stays a few weeks long)."""
    case = draw(cases())
    durations = draw(
        st.lists(
            st.one_of(st.integers(0, case.weekly), st.sampled_from([0, 1, case.weekly])),
            min_size=count,
            max_size=count,
        )
    )
    return case, durations


offsets = st.integers(-10 * DAY_MINUTES, 10 * DAY_MINUTES)


# -- the reference itself ------------------------------------------------------


@settings(max_examples=60, deadline=None, database=None)
@given(
    zone=st.sampled_from(ZONES),
    change=st.integers(0, 10_000),
    shift=st.integers(-3 * 60, 3 * 60),
)
def test_reference_resolve_is_first_instant_at_or_after_wall_time(
    zone: str, change: int, shift: int
) -> None:
    """The reference's resolve agrees with the rule read literally."""
    tz = ZoneInfo(zone)
    changes = offset_changes(zone) or (minutes_of(datetime(2026, 6, 1, tzinfo=UTC)),)
    at = changes[change % len(changes)]
    # Local wall times around the change, from both sides of it.
    for local in {
        instant_of(at + shift).astimezone(tz).replace(tzinfo=None),
        instant_of(at - 1).astimezone(tz).replace(tzinfo=None) + timedelta(minutes=shift),
    }:
        assert resolve(local, tz) == resolve_by_scan(local, tz)


# -- against the reference -----------------------------------------------------


@SETTINGS
@given(case_and_durations(3))
def test_add_matches_reference(drawn: tuple[Case, list[int]]) -> None:
    case, durations = drawn
    at = instant_of(case.start)
    for d in durations:
        expected = case.reference.add(at, timedelta(minutes=d))
        assert case.calendar.add(at, timedelta(minutes=d)) == expected, d


@SETTINGS
@given(cases(), st.lists(st.tuples(offsets, offsets), min_size=1, max_size=4))
def test_between_matches_reference(case: Case, pairs: list[tuple[int, int]]) -> None:
    for da, db in pairs:
        a, b = instant_of(case.start + da), instant_of(case.start + db)
        assert case.calendar.between(a, b) == case.reference.between(a, b), (a, b)


@SETTINGS
@given(cases(), st.lists(st.integers(-2 * DAY_MINUTES, 2 * DAY_MINUTES), min_size=1, max_size=6))
def test_open_opening_closing_and_segments_match_reference(case: Case, shifts: list[int]) -> None:
    for shift in shifts:
        at = instant_of(case.start + shift)
        assert case.calendar.is_open(at) == case.reference.is_open(at), at
        assert case.calendar.next_opening(at) == case.reference.next_opening(at), at
        assert case.calendar.next_closing(at) == case.reference.next_closing(at), at
    a, b = instant_of(case.start + min(shifts)), instant_of(case.start + max(shifts))
    got = [(s.start, s.end) for s in case.calendar.segments(a, b)]
    assert got == case.reference.segments(a, b)
    assert sum((s.duration for s in case.calendar.segments(a, b)), timedelta(0)) == (
        case.calendar.between(a, b)
    )


# -- algebra ---------------------------------------------------------------------


@SETTINGS
@given(case_and_durations(4), st.lists(offsets, min_size=4, max_size=4))
def test_between_undoes_add(drawn: tuple[Case, list[int]], shifts: list[int]) -> None:
    case, durations = drawn
    for d, shift in zip(durations, shifts, strict=True):
        a = instant_of(case.start + shift)
        end = case.calendar.add(a, timedelta(minutes=d))
        assert end >= a
        assert case.calendar.between(a, end) == timedelta(minutes=d)
        assert case.calendar.between(end, a) == -timedelta(minutes=d)


@SETTINGS
@given(case_and_durations(2), offsets, offsets)
def test_add_is_monotonic_in_start_and_duration(
    drawn: tuple[Case, list[int]], shift1: int, shift2: int
) -> None:
    case, (d1, d2) = drawn
    early, late = sorted((case.start + shift1, case.start + shift2))
    a1, a2 = instant_of(early), instant_of(late)
    small, big = timedelta(minutes=min(d1, d2)), timedelta(minutes=max(d1, d2))
    cal = case.calendar
    assert cal.add(a1, small) <= cal.add(a2, small)
    assert cal.add(a1, big) <= cal.add(a2, big)
    assert cal.add(a1, small) <= cal.add(a1, big)
    assert cal.add(a2, small) <= cal.add(a2, big)
    assert cal.add(a1, timedelta(0)) == a1


@SETTINGS
@given(cases(), offsets, offsets, offsets)
def test_between_is_additive(case: Case, s1: int, s2: int, s3: int) -> None:
    a, b, c = (instant_of(case.start + s) for s in (s1, s2, s3))
    cal = case.calendar
    assert cal.between(a, b) + cal.between(b, c) == cal.between(a, c)
    assert cal.between(a, a) == timedelta(0)
    assert cal.between(a, b) == -cal.between(b, a)


@SETTINGS
@given(
    case_and_durations(8),
    st.lists(offsets, min_size=8, max_size=8),
    st.lists(offsets, min_size=8, max_size=8),
)
def test_bulk_forms_equal_single_calls(
    drawn: tuple[Case, list[int]], starts: list[int], ends: list[int]
) -> None:
    case, durations = drawn
    cal = case.calendar
    a = [instant_of(case.start + s) for s in starts]
    b = [instant_of(case.start + s) for s in ends]
    as64 = np.array([x.replace(tzinfo=None) for x in a], dtype="datetime64[us]")
    bs64 = np.array([x.replace(tzinfo=None) for x in b], dtype="datetime64[us]")
    d64 = np.array(durations, dtype="timedelta64[m]")

    added = cal.add_many(as64, d64)
    assert added.dtype == np.dtype("datetime64[us]")
    expected = [cal.add(x, timedelta(minutes=d)) for x, d in zip(a, durations, strict=True)]
    assert [x.item().replace(tzinfo=UTC) for x in added] == expected

    one = timedelta(minutes=durations[0])
    assert [x.item().replace(tzinfo=UTC) for x in cal.add_many(as64, one)] == [
        cal.add(x, one) for x in a
    ]

    spans = cal.between_many(as64, bs64)
    assert spans.dtype == np.dtype("timedelta64[us]")
    assert [x.item() for x in spans] == [cal.between(x, y) for x, y in zip(a, b, strict=True)]
