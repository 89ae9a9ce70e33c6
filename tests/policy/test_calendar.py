"""Example tests of `BusinessCalendar`, written beside the real clock changes.

Every expected value is an exact UTC instant worked out by hand from the
transition named in the comment above it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import pytest

from supportdesk.policy.calendar import (
    WEEKDAYS,
    BusinessCalendar,
    Segment,
    WeeklyWindow,
)

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
SYDNEY = ZoneInfo("Australia/Sydney")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
KATHMANDU = ZoneInfo("Asia/Kathmandu")

US = timedelta(microseconds=1)
H = timedelta(hours=1)
M = timedelta(minutes=1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def window(text: str) -> WeeklyWindow:
    """ "fri 22:00-06:00" as a window."""
    day, span = text.split()
    opens, closes = span.split("-")
    return WeeklyWindow.parse(WEEKDAYS.index(day), opens, closes)


def calendar(
    zone: ZoneInfo,
    *windows: str,
    holidays: Iterable[date] = (),
    holiday_source: Callable[[range], Iterable[date]] | None = None,
) -> BusinessCalendar:
    return BusinessCalendar(
        "test",
        zone,
        tuple(window(w) for w in windows),
        holidays=frozenset(holidays),
        holiday_source=holiday_source,
    )


def weekdays(zone: ZoneInfo, opens: str, closes: str, **kwargs: object) -> BusinessCalendar:
    """Monday to Friday, `opens` to `closes`."""
    days = [f"{d} {opens}-{closes}" for d in WEEKDAYS[:5]]
    return calendar(zone, *days, **kwargs)  # type: ignore[arg-type]


# -- windows against the clock changes -------------------------------------------
#
# (zone, the one weekly window, its opening and closing that week in UTC)

WINDOW_EDGES = [
    # 2026-03-08 02:00 EST -> 03:00 EDT (07:00Z): 02:30 does not exist, so the
    # window opens at the first valid instant, 03:00 EDT.
    pytest.param(
        NEW_YORK, "sun 02:30-05:00", utc(2026, 3, 8, 7), utc(2026, 3, 8, 9), id="ny-gap-open"
    ),
    # 2026-03-08 02:00 EST -> 03:00 EDT: a closing at 02:30 also moves to 03:00 EDT.
    pytest.param(
        NEW_YORK, "sun 00:00-02:30", utc(2026, 3, 8, 5), utc(2026, 3, 8, 7), id="ny-gap-close"
    ),
    # 2026-03-08 02:00 EST -> 03:00 EDT: Saturday night across the change is 7 hours.
    pytest.param(
        NEW_YORK, "sat 22:00-06:00", utc(2026, 3, 8, 3), utc(2026, 3, 8, 10), id="ny-gap-night"
    ),
    # 2026-11-01 02:00 EDT -> 01:00 EST (06:00Z): 01:30 happens twice; the
    # window opens at the first, 01:30 EDT.
    pytest.param(
        NEW_YORK,
        "sun 01:30-04:00",
        utc(2026, 11, 1, 5, 30),
        utc(2026, 11, 1, 9),
        id="ny-repeat-open",
    ),
    # 2026-11-01 02:00 EDT -> 01:00 EST: a closing at 01:30 is the first 01:30 too.
    pytest.param(
        NEW_YORK,
        "sun 00:00-01:30",
        utc(2026, 11, 1, 4),
        utc(2026, 11, 1, 5, 30),
        id="ny-repeat-close",
    ),
    # 2026-11-01 02:00 EDT -> 01:00 EST: 01:00-02:00 holds both 01:00 hours.
    pytest.param(
        NEW_YORK, "sun 01:00-02:00", utc(2026, 11, 1, 5), utc(2026, 11, 1, 7), id="ny-repeat-hour"
    ),
    # 2026-11-01 02:00 EDT -> 01:00 EST: Saturday night across the change is 9 hours.
    pytest.param(
        NEW_YORK, "sat 22:00-06:00", utc(2026, 11, 1, 2), utc(2026, 11, 1, 11), id="ny-repeat-night"
    ),
    # 2026-03-29 01:00 GMT -> 02:00 BST (01:00Z): 01:30 does not exist -> 02:00 BST.
    pytest.param(
        LONDON, "sun 01:30-03:00", utc(2026, 3, 29, 1), utc(2026, 3, 29, 2), id="london-gap-open"
    ),
    # 2026-03-29 01:00 GMT -> 02:00 BST: a night closing at 01:30 closes at 02:00 BST.
    pytest.param(
        LONDON, "sat 23:00-01:30", utc(2026, 3, 28, 23), utc(2026, 3, 29, 1), id="london-gap-close"
    ),
    # 2026-10-25 02:00 BST -> 01:00 GMT (01:00Z): 01:30 twice; first is 00:30Z.
    pytest.param(
        LONDON,
        "sun 01:30-03:00",
        utc(2026, 10, 25, 0, 30),
        utc(2026, 10, 25, 3),
        id="london-repeat-open",
    ),
    # 2026-10-25 02:00 BST -> 01:00 GMT: 01:00-01:30 is the first half hour only.
    pytest.param(
        LONDON,
        "sun 01:00-01:30",
        utc(2026, 10, 25, 0),
        utc(2026, 10, 25, 0, 30),
        id="london-repeat-close",
    ),
    # 2026-04-05 03:00 AEDT -> 02:00 AEST (04-04 16:00Z): 02:30 twice; first
    # is 02:30 AEDT.
    pytest.param(
        SYDNEY,
        "sun 02:30-06:00",
        utc(2026, 4, 4, 15, 30),
        utc(2026, 4, 4, 20),
        id="sydney-repeat-open",
    ),
    # 2026-04-05 03:00 AEDT -> 02:00 AEST: Saturday night across it is 9 hours.
    pytest.param(
        SYDNEY,
        "sat 22:00-06:00",
        utc(2026, 4, 4, 11),
        utc(2026, 4, 4, 20),
        id="sydney-repeat-night",
    ),
    # 2026-10-04 02:00 AEST -> 03:00 AEDT (10-03 16:00Z): 02:30 does not
    # exist -> 03:00 AEDT.
    pytest.param(
        SYDNEY, "sun 02:30-06:00", utc(2026, 10, 3, 16), utc(2026, 10, 3, 19), id="sydney-gap-open"
    ),
    # 2026-10-04 02:00 AEST -> 03:00 AEDT: Saturday night across it is 7 hours.
    pytest.param(
        SYDNEY, "sat 22:00-06:00", utc(2026, 10, 3, 12), utc(2026, 10, 3, 19), id="sydney-gap-night"
    ),
    # 2026-04-05 02:00 +11 -> 01:30 +10:30 (04-04 15:00Z): 01:45 twice; first
    # is 01:45 +11.
    pytest.param(
        LORD_HOWE,
        "sun 01:45-03:00",
        utc(2026, 4, 4, 14, 45),
        utc(2026, 4, 4, 16, 30),
        id="lord-howe-repeat-open",
    ),
    # 2026-04-05 02:00 +11 -> 01:30 +10:30: 01:30-02:00 holds both half hours.
    pytest.param(
        LORD_HOWE,
        "sun 01:30-02:00",
        utc(2026, 4, 4, 14, 30),
        utc(2026, 4, 4, 15, 30),
        id="lord-howe-repeat-half",
    ),
    # 2026-10-04 02:00 +10:30 -> 02:30 +11 (10-03 15:30Z): 02:15 does not
    # exist -> 02:30 +11.
    pytest.param(
        LORD_HOWE,
        "sun 02:15-03:00",
        utc(2026, 10, 3, 15, 30),
        utc(2026, 10, 3, 16),
        id="lord-howe-gap-open",
    ),
    # 2026-10-04 02:00 +10:30 -> 02:30 +11: a closing at 02:10 closes at 02:30 +11.
    pytest.param(
        LORD_HOWE,
        "sun 01:00-02:10",
        utc(2026, 10, 3, 14, 30),
        utc(2026, 10, 3, 15, 30),
        id="lord-howe-gap-close",
    ),
    # Asia/Kathmandu: no DST, +05:45 all year.
    pytest.param(
        KATHMANDU,
        "mon 09:00-17:00",
        utc(2026, 1, 5, 3, 15),
        utc(2026, 1, 5, 11, 15),
        id="kathmandu-day",
    ),
    # Asia/Kathmandu +05:45: a night window Friday 22:00 to Saturday 06:00.
    pytest.param(
        KATHMANDU,
        "fri 22:00-06:00",
        utc(2026, 1, 9, 16, 15),
        utc(2026, 1, 10, 0, 15),
        id="kathmandu-night",
    ),
    # Asia/Kathmandu +05:45: the same in July, nothing moves.
    pytest.param(
        KATHMANDU,
        "mon 09:00-17:00",
        utc(2026, 7, 6, 3, 15),
        utc(2026, 7, 6, 11, 15),
        id="kathmandu-july",
    ),
    # 2026-03-08 02:00 EST -> 03:00 EDT: 24:00 Sunday is Monday 00:00 EDT.
    pytest.param(
        NEW_YORK, "sun 00:00-24:00", utc(2026, 3, 8, 5), utc(2026, 3, 9, 4), id="ny-23h-day"
    ),
    # 2026-11-01 02:00 EDT -> 01:00 EST: 24:00 Sunday is Monday 00:00 EST.
    pytest.param(
        NEW_YORK, "sun 00:00-24:00", utc(2026, 11, 1, 4), utc(2026, 11, 2, 5), id="ny-25h-day"
    ),
    # 2026-10-04 02:00 +10:30 -> 02:30 +11: Saturday 18:00 to 24:00 is unaffected.
    pytest.param(
        LORD_HOWE,
        "sat 18:00-24:00",
        utc(2026, 10, 3, 7, 30),
        utc(2026, 10, 3, 13, 30),
        id="lord-howe-24h",
    ),
]


@pytest.mark.parametrize(("zone", "text", "opens", "closes"), WINDOW_EDGES)
def test_window_edges(zone: ZoneInfo, text: str, opens: datetime, closes: datetime) -> None:
    cal = calendar(zone, text)
    assert cal.next_opening(opens - 12 * H) == opens
    assert cal.next_closing(opens) == closes
    assert cal.is_open(opens)
    assert not cal.is_open(opens - US)
    assert cal.is_open(closes - US)
    assert not cal.is_open(closes)
    assert cal.segments(opens - 12 * H, closes + 12 * H) == (Segment(opens, closes),)
    assert cal.between(opens - 12 * H, closes + 12 * H) == closes - opens
    assert cal.add(opens - 12 * H, closes - opens) == closes
    assert cal.add(opens - 12 * H, closes - opens - US) == closes - US


def test_window_entirely_inside_a_gap_has_no_time_that_day() -> None:
    # 2026-03-08 02:00 EST -> 03:00 EDT: 02:00-02:59 does not exist at all.
    cal = calendar(NEW_YORK, "sun 02:00-02:59")
    assert cal.between(utc(2026, 3, 7), utc(2026, 3, 10)) == timedelta(0)
    # So the next opening is the next Sunday, 02:00 EDT.
    assert cal.next_opening(utc(2026, 3, 8)) == utc(2026, 3, 15, 6)
    # 2026-03-01, before the change: 02:00-02:59 EST as usual.
    assert cal.segments(utc(2026, 3, 1), utc(2026, 3, 2)) == (
        Segment(utc(2026, 3, 1, 7), utc(2026, 3, 1, 7, 59)),
    )


def test_add_runs_through_a_gap_inside_a_window() -> None:
    # 2026-03-08 02:00 EST -> 03:00 EDT: four open hours from Saturday 22:00
    # EST (03:00Z) end at 03:00 EDT (07:00Z), not 02:00.
    cal = calendar(NEW_YORK, "sat 22:00-06:00")
    assert cal.add(utc(2026, 3, 8, 3), 4 * H) == utc(2026, 3, 8, 7)
    # 2026-11-01 02:00 EDT -> 01:00 EST: four open hours from Saturday 22:00
    # EDT (02:00Z) end at the second 01:00, 01:00 EST (06:00Z).
    assert cal.add(utc(2026, 11, 1, 2), 4 * H) == utc(2026, 11, 1, 6)


# -- windows read from text --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("fri 22:00-06:00", WeeklyWindow(4, 22 * 60, 30 * 60)),
        ("sat 18:00-24:00", WeeklyWindow(5, 18 * 60, 24 * 60)),
        ("sat 18:00-00:00", WeeklyWindow(5, 18 * 60, 24 * 60)),
        ("mon 00:00-24:00", WeeklyWindow(0, 0, 24 * 60)),
        ("mon 09:00-09:00", WeeklyWindow(0, 9 * 60, 33 * 60)),
    ],
)
def test_window_parse(text: str, expected: WeeklyWindow) -> None:
    assert window(text) == expected


@pytest.mark.parametrize(
    ("opens", "closes"), [("24:00", "01:00"), ("9:0", "10:00"), ("09:00", "24:01"), ("x", "y")]
)
def test_window_parse_rejects(opens: str, closes: str) -> None:
    with pytest.raises(ValueError, match="time of day"):
        WeeklyWindow.parse(0, opens, closes)


# -- the closing-time rule ------------------------------------------------------------


def test_add_stops_at_friday_24_00() -> None:
    cal = weekdays(NEW_YORK, "00:00", "24:00")
    friday_22 = utc(2026, 1, 10, 3)  # Fri 2026-01-09 22:00 EST
    # Two open hours from Friday 22:00 end at Friday 24:00 (Sat 00:00 EST),
    # not at Monday's opening.
    assert cal.add(friday_22, 2 * H) == utc(2026, 1, 10, 5)
    # One microsecond more needs Monday: Mon 2026-01-12 00:00 EST + 1 µs.
    assert cal.add(friday_22, 2 * H + US) == utc(2026, 1, 12, 5) + US
    # The five days join into one stretch: Monday to Saturday 00:00.
    assert cal.next_closing(utc(2026, 1, 5, 15)) == utc(2026, 1, 10, 5)
    # Bulk form, same rule.
    got = cal.add_many(np.array(["2026-01-10T03:00"], dtype="datetime64[us]"), 2 * H)
    assert got.tolist() == [datetime(2026, 1, 10, 5)]


def test_add_stops_at_friday_24_00_before_the_spring_change() -> None:
    # 2026-03-08 02:00 EST -> 03:00 EDT falls in the closed weekend.
    cal = weekdays(NEW_YORK, "00:00", "24:00")
    friday_22 = utc(2026, 3, 7, 3)  # Fri 2026-03-06 22:00 EST
    assert cal.add(friday_22, 2 * H) == utc(2026, 3, 7, 5)
    # The third hour is Monday 00:00-01:00 EDT (04:00Z-05:00Z).
    assert cal.add(friday_22, 3 * H) == utc(2026, 3, 9, 5)


def test_add_exactly_to_a_weekday_closing() -> None:
    cal = weekdays(NEW_YORK, "09:00", "17:00")
    # Mon 2026-01-05 09:00 EST + 8h = 17:00 EST the same day, not Tuesday.
    assert cal.add(utc(2026, 1, 5, 14), 8 * H) == utc(2026, 1, 5, 22)


# -- add from closed time, add(x, 0), refusals ------------------------------------------


def test_add_from_closed_time_counts_from_the_next_opening() -> None:
    cal = weekdays(NEW_YORK, "09:00", "17:00")
    # Sat 2026-01-10: one hour lands Mon 2026-01-12 10:00 EST.
    assert cal.add(utc(2026, 1, 10, 12), H) == utc(2026, 1, 12, 15)
    # 2026-03-08 02:00 EST -> 03:00 EDT over the weekend: Mon 10:00 EDT.
    assert cal.add(utc(2026, 3, 7, 12), H) == utc(2026, 3, 9, 14)
    # Before the opening the same day.
    assert cal.add(utc(2026, 1, 5, 6), 30 * M) == utc(2026, 1, 5, 14, 30)
    # At the closing instant itself: closed, so Tuesday.
    assert cal.add(utc(2026, 1, 5, 22), US) == utc(2026, 1, 6, 14) + US


@pytest.mark.parametrize(
    "at",
    [
        utc(2026, 1, 10, 12),  # Saturday: closed
        utc(2026, 1, 5, 15, 7, 3, 5),  # Monday 10:07 EST: open
        utc(2026, 1, 5, 14),  # the opening
        utc(2026, 1, 5, 22),  # the closing
        datetime(2026, 1, 5, 10, tzinfo=NEW_YORK),  # not UTC in
    ],
)
def test_add_zero_is_identity(at: datetime) -> None:
    cal = weekdays(NEW_YORK, "09:00", "17:00")
    got = cal.add(at, timedelta(0))
    assert got == at
    assert got.tzinfo is UTC


def test_add_zero_is_identity_with_no_open_time_before_it() -> None:
    # Closed by holiday dates from 2025-01-01 to 2026-06-29, so the calendar
    # has no open time at all before the start.
    closed = [date(2025, 1, 1) + timedelta(days=n) for n in range(545)]
    cal = weekdays(NEW_YORK, "09:00", "17:00", holidays=closed)
    at = utc(2026, 3, 2, 15)
    assert cal.add(at, timedelta(0)) == at
    many = cal.add_many(np.array(["2026-03-02T15:00"], dtype="datetime64[us]"), timedelta(0))
    assert many.tolist() == [datetime(2026, 3, 2, 15)]
    # Time to count starts Tue 2026-06-30 09:00 EDT (13:00Z).
    assert cal.add(at, H) == utc(2026, 6, 30, 14)


def test_negative_durations_are_refused() -> None:
    cal = weekdays(NEW_YORK, "09:00", "17:00")
    with pytest.raises(ValueError, match="negative"):
        cal.add(utc(2026, 1, 5, 15), -US)
    with pytest.raises(ValueError, match="negative"):
        cal.add(utc(2026, 1, 5, 15), -H)
    starts = np.array(["2026-01-05T15:00", "2026-01-05T16:00"], dtype="datetime64[us]")
    with pytest.raises(ValueError, match="negative"):
        cal.add_many(starts, np.array([60, -1], dtype="timedelta64[s]"))
    with pytest.raises(ValueError, match="negative"):
        cal.add_many(starts, -H)


NAIVE = datetime(2026, 1, 5, 10)
AWARE = utc(2026, 1, 5, 15)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda cal: cal.add(NAIVE, H), id="add"),
        pytest.param(lambda cal: cal.between(NAIVE, AWARE), id="between-start"),
        pytest.param(lambda cal: cal.between(AWARE, NAIVE), id="between-end"),
        pytest.param(lambda cal: cal.is_open(NAIVE), id="is_open"),
        pytest.param(lambda cal: cal.next_opening(NAIVE), id="next_opening"),
        pytest.param(lambda cal: cal.next_closing(NAIVE), id="next_closing"),
        pytest.param(lambda cal: cal.segments(NAIVE, AWARE), id="segments-start"),
        pytest.param(lambda cal: cal.segments(AWARE, NAIVE), id="segments-end"),
    ],
)
def test_naive_datetimes_are_refused(call: Callable[[BusinessCalendar], object]) -> None:
    with pytest.raises(ValueError, match="naive"):
        call(weekdays(NEW_YORK, "09:00", "17:00"))


# -- between and segments ------------------------------------------------------------


def test_between_backwards_is_negative() -> None:
    cal = weekdays(NEW_YORK, "09:00", "17:00")
    monday_noon, tuesday_noon = utc(2026, 1, 5, 17), utc(2026, 1, 6, 17)
    assert cal.between(monday_noon, tuesday_noon) == 8 * H
    assert cal.between(tuesday_noon, monday_noon) == -8 * H
    assert cal.between(monday_noon, monday_noon) == timedelta(0)


def test_between_across_a_whole_week_with_changes() -> None:
    # 2026-03-08 02:00 EST -> 03:00 EDT: the 23-hour Sunday counts 23 hours.
    every_day = calendar(NEW_YORK, *(f"{d} 00:00-24:00" for d in WEEKDAYS))
    assert every_day.between(utc(2026, 3, 7, 5), utc(2026, 3, 9, 4)) == 47 * H
    # 2026-11-01 02:00 EDT -> 01:00 EST: the 25-hour Sunday counts 25 hours.
    assert every_day.between(utc(2026, 11, 1, 4), utc(2026, 11, 2, 5)) == 25 * H


def test_segments_are_clipped_to_the_range() -> None:
    cal = weekdays(NEW_YORK, "09:00", "17:00")
    # Mon 2026-01-05 12:00 EST to Wed 2026-01-07 10:00 EST.
    assert cal.segments(utc(2026, 1, 5, 17), utc(2026, 1, 7, 15)) == (
        Segment(utc(2026, 1, 5, 17), utc(2026, 1, 5, 22)),
        Segment(utc(2026, 1, 6, 14), utc(2026, 1, 6, 22)),
        Segment(utc(2026, 1, 7, 14), utc(2026, 1, 7, 15)),
    )
    # Inside one window.
    assert cal.segments(utc(2026, 1, 5, 15), utc(2026, 1, 5, 16)) == (
        Segment(utc(2026, 1, 5, 15), utc(2026, 1, 5, 16)),
    )
    # A closed stretch, an empty range and a backwards range.
    assert cal.segments(utc(2026, 1, 10), utc(2026, 1, 12)) == ()
    assert cal.segments(utc(2026, 1, 5, 15), utc(2026, 1, 5, 15)) == ()
    assert cal.segments(utc(2026, 1, 7, 15), utc(2026, 1, 5, 17)) == ()


# -- boundaries: openings inclusive, closings exclusive --------------------------------


def test_boundaries_of_a_window() -> None:
    cal = weekdays(NEW_YORK, "09:00", "17:00")
    opens, closes = utc(2026, 1, 5, 14), utc(2026, 1, 5, 22)  # Mon 09:00, 17:00 EST
    assert cal.is_open(opens)
    assert not cal.is_open(opens - US)
    assert not cal.is_open(closes)
    assert cal.is_open(closes - US)

    assert cal.next_opening(opens) == opens
    assert cal.next_opening(opens - US) == opens
    assert cal.next_opening(opens + H) == opens + H  # open: itself
    assert cal.next_opening(closes) == utc(2026, 1, 6, 14)  # closed: Tuesday
    assert cal.next_opening(utc(2026, 1, 9, 22)) == utc(2026, 1, 12, 14)  # Fri close: Monday

    assert cal.next_closing(opens) == closes
    assert cal.next_closing(closes - US) == closes
    assert cal.next_closing(closes) is None
    assert cal.next_closing(opens - US) is None

    got = cal.next_opening(datetime(2026, 1, 5, 8, tzinfo=NEW_YORK))
    assert got == opens
    assert got.tzinfo is UTC


# -- holidays --------------------------------------------------------------------------


def test_holiday_by_date() -> None:
    # Fri 2026-07-03 (Independence Day observed), EDT.
    cal = weekdays(NEW_YORK, "09:00", "17:00", holidays=[date(2026, 7, 3)])
    # Thu 16:00 EDT + 2h: one hour Thursday, the second Monday 09:00-10:00 EDT.
    assert cal.add(utc(2026, 7, 2, 20), 2 * H) == utc(2026, 7, 6, 14)
    assert not cal.is_open(utc(2026, 7, 3, 15))
    assert cal.next_opening(utc(2026, 7, 3, 12)) == utc(2026, 7, 6, 13)
    assert cal.between(utc(2026, 7, 2), utc(2026, 7, 7)) == 16 * H


def test_holiday_in_kathmandu() -> None:
    # Asia/Kathmandu +05:45, Tue 2026-01-06 a holiday.
    cal = weekdays(KATHMANDU, "09:00", "17:00", holidays=[date(2026, 1, 6)])
    # Mon 16:00 +05:45 (10:15Z) + 2h: Monday's last hour, then Wed 09:00-10:00.
    assert cal.add(utc(2026, 1, 5, 10, 15), 2 * H) == utc(2026, 1, 7, 4, 15)


@pytest.mark.parametrize(
    ("holiday", "open_segments"),
    [
        # Fri 2026-01-09 22:00 EST to Sat 06:00, Saturday a holiday: only
        # Friday's two hours remain.
        (date(2026, 1, 10), [(utc(2026, 1, 10, 3), utc(2026, 1, 10, 5))]),
        # The same night, Friday a holiday: only Saturday's six hours remain.
        (date(2026, 1, 9), [(utc(2026, 1, 10, 5), utc(2026, 1, 10, 11))]),
    ],
)
def test_holiday_closes_its_date_of_a_night_window(
    holiday: date, open_segments: list[tuple[datetime, datetime]]
) -> None:
    cal = calendar(NEW_YORK, "fri 22:00-06:00", holidays=[holiday])
    got = cal.segments(utc(2026, 1, 9), utc(2026, 1, 11))
    assert [(s.start, s.end) for s in got] == open_segments


@pytest.mark.parametrize(
    ("zone", "holiday", "closed_from", "closed_to"),
    [
        # 2026-03-08 02:00 EST -> 03:00 EDT: the holiday is 23 hours long.
        (NEW_YORK, date(2026, 3, 8), utc(2026, 3, 8, 5), utc(2026, 3, 9, 4)),
        # 2026-11-01 02:00 EDT -> 01:00 EST: the holiday is 25 hours long.
        (NEW_YORK, date(2026, 11, 1), utc(2026, 11, 1, 4), utc(2026, 11, 2, 5)),
        # 2026-04-05 03:00 AEDT -> 02:00 AEST: 00:00 AEDT to 00:00 AEST, 25 hours.
        (SYDNEY, date(2026, 4, 5), utc(2026, 4, 4, 13), utc(2026, 4, 5, 14)),
        # 2026-10-04 02:00 +10:30 -> 02:30 +11: 23 hours 30 minutes.
        (LORD_HOWE, date(2026, 10, 4), utc(2026, 10, 3, 13, 30), utc(2026, 10, 4, 13)),
        # 2026-10-25 02:00 BST -> 01:00 GMT: 00:00 BST to 00:00 GMT, 25 hours.
        (LONDON, date(2026, 10, 25), utc(2026, 10, 24, 23), utc(2026, 10, 26, 0)),
    ],
)
def test_holiday_on_a_clock_change_day(
    zone: ZoneInfo, holiday: date, closed_from: datetime, closed_to: datetime
) -> None:
    every_day = calendar(zone, *(f"{d} 00:00-24:00" for d in WEEKDAYS), holidays=[holiday])
    day_before, day_after = closed_from - 24 * H, closed_to + 24 * H
    assert every_day.segments(day_before, day_after) == (
        Segment(day_before, closed_from),
        Segment(closed_to, day_after),
    )
    assert every_day.next_opening(closed_from) == closed_to
    assert every_day.next_closing(day_before) == closed_from


def test_holiday_source_is_asked_for_years() -> None:
    asked: list[range] = []

    def christmas(years: range) -> list[date]:
        asked.append(years)
        return [date(y, 12, 25) for y in years]

    cal = weekdays(NEW_YORK, "09:00", "17:00", holiday_source=christmas)
    # Fri 2026-12-25 closed: Thu 24th 16:00 EST + 2h = Mon 28th 10:00 EST.
    assert cal.add(utc(2026, 12, 24, 21), 2 * H) == utc(2026, 12, 28, 15)
    assert asked
    assert all(isinstance(years, range) for years in asked)
    assert any(2026 in years for years in asked)
    # Mon 2090-12-25 closed: Fri 22nd 16:00 EST + 2h = Tue 26th 10:00 EST.
    assert cal.add(utc(2090, 12, 22, 21), 2 * H) == utc(2090, 12, 26, 15)
    assert any(2090 in years for years in asked)


def test_holiday_source_from_the_holidays_package() -> None:
    cal = weekdays(
        NEW_YORK,
        "09:00",
        "17:00",
        holiday_source=lambda years: holidays.country_holidays("US", years=years),
    )
    # Fri 2026-07-03 is Independence Day (observed): as in test_holiday_by_date.
    assert cal.add(utc(2026, 7, 2, 20), 2 * H) == utc(2026, 7, 6, 14)


# -- far apart queries ----------------------------------------------------------------


def test_queries_far_apart_stay_exact() -> None:
    cal = weekdays(NEW_YORK, "09:00", "17:00")
    # Mon 2026-06-01 08:00 EDT + 1h = 10:00 EDT.
    assert cal.add(utc(2026, 6, 1, 12), H) == utc(2026, 6, 1, 14)
    # Mon 2090-06-05 08:00 EDT + 1h = 10:00 EDT (US rules as today).
    assert cal.add(utc(2090, 6, 5, 12), H) == utc(2090, 6, 5, 14)
    # Fri 2090-06-02 16:59:59.999999 EDT + 8h = Mon 2090-06-05 16:59:59.999999.
    assert cal.add(utc(2090, 6, 2, 20, 59, 59, 999_999), 8 * H) == utc(
        2090, 6, 5, 20, 59, 59, 999_999
    )
    # Mon 1990-06-04 08:00 EDT + 1h = 10:00 EDT.
    assert cal.add(utc(1990, 6, 4, 12), H) == utc(1990, 6, 4, 14)
    # And 2026 again after both.
    assert cal.add(utc(2026, 6, 1, 12), H + US) == utc(2026, 6, 1, 14) + US
    # 1990-01-01 to 2090-01-01, local midnights: 8 hours every weekday.
    start = datetime(1990, 1, 1, tzinfo=NEW_YORK)
    end = datetime(2090, 1, 1, tzinfo=NEW_YORK)
    weekday_count = int(np.busday_count("1990-01-01", "2090-01-01"))
    assert cal.between(start, end) == weekday_count * 8 * H
    # The last of those weekdays is Fri 2089-12-30: its 17:00 EST closing.
    assert cal.add(start, weekday_count * 8 * H) == utc(2089, 12, 30, 22)


# -- a calendar that never opens --------------------------------------------------------


def test_calendar_without_windows_refuses_to_add() -> None:
    never = BusinessCalendar("never", NEW_YORK, ())
    began = time.monotonic()
    with pytest.raises(ValueError, match="no open time"):
        never.add(utc(2026, 1, 5), H)
    with pytest.raises(ValueError, match="no open time"):
        never.next_opening(utc(2026, 1, 5))
    with pytest.raises(ValueError, match="no open time"):
        never.add_many(np.array(["2026-01-05T00:00"], dtype="datetime64[us]"), H)
    assert time.monotonic() - began < 60
    # Zero open time from any start is the start, open time or not.
    assert never.add(utc(2026, 1, 5), timedelta(0)) == utc(2026, 1, 5)
    zero = never.add_many(np.array(["2026-01-05", "1960-01-05"], dtype="datetime64[us]"), M * 0)
    assert zero.tolist() == [datetime(2026, 1, 5), datetime(1960, 1, 5)]
    assert not never.is_open(utc(2026, 1, 5))
    assert never.next_closing(utc(2026, 1, 5)) is None
    assert never.between(utc(2026, 1, 5), utc(2027, 1, 5)) == timedelta(0)
    assert never.segments(utc(2026, 1, 5), utc(2027, 1, 5)) == ()


def test_an_always_open_calendar_never_closes():
    always = BusinessCalendar(
        "always",
        ZoneInfo("America/New_York"),
        tuple(WeeklyWindow.parse(day, "00:00", "24:00") for day in range(7)),
    )
    assert always.next_closing(datetime(2026, 6, 1, tzinfo=UTC)) is None
    assert always.is_open(datetime(2026, 6, 1, tzinfo=UTC))
