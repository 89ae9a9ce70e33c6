"""A deliberately simple business calendar that works minute by minute.

It exists only to check `supportdesk.policy.calendar` against, so it trades
speed for being obviously right and shares no code with it:

- an instant is a whole number of minutes since the Unix epoch (every
  boundary the tests use is a whole minute: window times are whole minutes
  and every zone used has whole-minute offsets);
- a local wall time resolves to its instant the plain way: read it with
  fold=0 (the first occurrence of a repeated time) and, if it does not come
  back the same (it is skipped by a clock change), try the next minute of
  wall time until one does;
- a minute is open when some window occurrence of some local date covers it
  and no holiday date covers it. The minutes of a stretch of time are kept in
  a bytearray (1 = open): every window occurrence is painted open, then
  every holiday is painted closed;
- `add` walks forward a minute at a time, counting open minutes; `between`
  counts open minutes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
DAY_MINUTES = 24 * 60


def minutes_of(instant: datetime) -> int:
    """Whole minutes since the epoch of an aware, minute-aligned datetime."""
    assert instant.tzinfo is not None, "the reference only takes aware datetimes"
    whole, rest = divmod(instant - EPOCH, MINUTE)
    assert not rest, f"{instant} is not a whole minute"
    return whole


def instant_of(minutes: int) -> datetime:
    return EPOCH + timedelta(minutes=minutes)


def wall_time(minutes: int, zone: ZoneInfo) -> datetime:
    """The naive local wall-clock time of an instant."""
    return instant_of(minutes).astimezone(zone).replace(tzinfo=None)


def resolve(local: datetime, zone: ZoneInfo) -> int:
    """The instant (epoch minutes) a naive local wall time means: the first
    occurrence when it is repeated, the first existing wall time after it
    when it is skipped."""
    wall = local
    while True:
        instant = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
        if instant.astimezone(zone).replace(tzinfo=None) == wall:
            return minutes_of(instant)
        wall += MINUTE


def resolve_by_scan(local: datetime, zone: ZoneInfo) -> int:
    """The spec word for word, by brute force: the first minute whose wall
    time is at or after `local` (only used to check `resolve`)."""
    # No zone is more than 14 hours off UTC, so start 15 hours early.
    m = minutes_of(local.replace(tzinfo=UTC)) - 15 * 60
    while wall_time(m, zone) < local:
        m += 1
    return m


def utc_offset_changes(zone: ZoneInfo, first_year: int, last_year: int) -> list[int]:
    """Every instant (epoch minutes) in the years at which the zone's UTC
    offset changes, found by hourly steps refined a minute at a time."""
    out = []
    m = minutes_of(datetime(first_year, 1, 1, tzinfo=UTC))
    end = minutes_of(datetime(last_year + 1, 1, 1, tzinfo=UTC))

    def offset(at: int) -> timedelta | None:
        return instant_of(at).astimezone(zone).utcoffset()

    while m < end:
        if offset(m) != offset(m + 60):
            k = m + 1
            while offset(k) == offset(m):
                k += 1
            out.append(k)
        m += 60
    return out


class ReferenceCalendar:
    """Weekly windows (weekday, opens minute, closes minute) in `zone`, less
    whole local holiday dates, minute by minute."""

    def __init__(
        self,
        zone: ZoneInfo,
        windows: Iterable[tuple[int, int, int]],
        holidays: Iterable[date] = (),
    ) -> None:
        self.zone = zone
        self.windows = list(windows)
        self.holidays = set(holidays)
        self.low = 0
        self.bits = bytearray()

    # -- the minute map -------------------------------------------------------

    def _paint(self, low: int, high: int) -> None:
        """Mark every minute in [low, high) open or closed."""
        bits = bytearray(high - low)

        def paint(start: int, end: int, value: int) -> None:
            start, end = max(start, low), min(end, high)
            if start < end:
                bits[start - low : end - low] = bytes([value]) * (end - start)

        # A window of local date D lies within D's UTC date -1 .. +2: take a
        # few more days each side than that.
        day = instant_of(low).date() - timedelta(days=3)
        last = instant_of(high).date() + timedelta(days=3)
        while day <= last:
            midnight = datetime(day.year, day.month, day.day)
            for weekday, opens, closes in self.windows:
                if weekday == day.weekday():
                    paint(
                        resolve(midnight + timedelta(minutes=opens), self.zone),
                        resolve(midnight + timedelta(minutes=closes), self.zone),
                        1,
                    )
            day += timedelta(days=1)
        for holiday in self.holidays:
            midnight = datetime(holiday.year, holiday.month, holiday.day)
            paint(
                resolve(midnight, self.zone),
                resolve(midnight + timedelta(days=1), self.zone),
                0,
            )
        self.low, self.bits = low, bits

    def _cover(self, low: int, high: int) -> None:
        """Make sure the minute map covers [low, high)."""
        if self.bits and self.low <= low and high <= self.low + len(self.bits):
            return
        if self.bits:
            low = min(low, self.low)
            high = max(high, self.low + 2 * len(self.bits))
        self._paint(low - DAY_MINUTES, high + DAY_MINUTES)

    def open_at(self, m: int) -> bool:
        self._cover(m, m + 1)
        return self.bits[m - self.low] == 1

    # -- the operations, in epoch minutes ------------------------------------

    def add_minutes(self, start: int, duration: int, *, limit_days: int = 400) -> int:
        assert duration >= 0
        m, left = start, duration
        self._cover(start, start + 14 * DAY_MINUTES)
        while left:
            if m - start > limit_days * DAY_MINUTES:
                raise AssertionError("the reference found no open time")
            if self.open_at(m):
                left -= 1
            m += 1
        return m

    def between_minutes(self, a: int, b: int) -> int:
        if b < a:
            return -self.between_minutes(b, a)
        self._cover(a, b)
        return self.bits[a - self.low : b - self.low].count(1)

    # -- the same in datetimes ------------------------------------------------

    def add(self, start: datetime, duration: timedelta) -> datetime:
        whole, rest = divmod(duration, MINUTE)
        assert not rest
        return instant_of(self.add_minutes(minutes_of(start), whole))

    def between(self, start: datetime, end: datetime) -> timedelta:
        return self.between_minutes(minutes_of(start), minutes_of(end)) * MINUTE

    def is_open(self, at: datetime) -> bool:
        return self.open_at(minutes_of(at))

    def next_opening(self, at: datetime, *, limit_days: int = 400) -> datetime:
        m = start = minutes_of(at)
        while not self.open_at(m):
            m += 1
            assert m - start < limit_days * DAY_MINUTES, "the reference found no opening"
        return instant_of(m)

    def next_closing(self, at: datetime, *, limit_days: int = 400) -> datetime | None:
        m = start = minutes_of(at)
        if not self.open_at(m):
            return None
        while self.open_at(m):
            m += 1
            assert m - start < limit_days * DAY_MINUTES, "the reference found no closing"
        return instant_of(m)

    def segments(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        a, b = minutes_of(start), minutes_of(end)
        out: list[tuple[datetime, datetime]] = []
        run = None
        for m in range(a, b):
            if self.open_at(m):
                if run is None:
                    run = m
            elif run is not None:
                out.append((instant_of(run), instant_of(m)))
                run = None
        if run is not None:
            out.append((instant_of(run), instant_of(b)))
        return out


def weekly_minutes(windows: Sequence[tuple[int, int, int]]) -> int:
    """Nominal open minutes a week: the windows' lengths summed."""
    return sum(closes - opens for _, opens, closes in windows)
