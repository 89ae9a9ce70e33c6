"""Business calendars: when a clock runs, and arithmetic over that time.

A calendar is a set of weekly open windows in local time of one IANA zone,
less holiday dates. Everything here works on instants: timezone-aware
datetimes in, UTC datetimes out. A naive datetime is a ValueError, because a
wall-clock time without a zone is not an instant.

Internally an instant is an integer count of microseconds since the Unix
epoch, so sums and differences are exact. Open time is precomputed as sorted,
disjoint, half-open intervals [start, end) with a running total of open time,
so `add` and `between` cost one binary search each.

Rules at the edges (DESIGN.md §2, issue 2):

- A window's local opening or closing that does not exist (skipped by a DST
  change) happens at the first valid instant after it: 02:30 on the morning
  clocks jump from 02:00 to 03:00 means 03:00.
- A local time that occurs twice (clocks go back) means its first occurrence.
- A window may cross midnight (closes at or before it opens, e.g. 22:00 to
  06:00 ends the next day) and may end at 24:00 (midnight that ends the day).
- A holiday closes the whole local date, 00:00 to 24:00, whichever window
  would otherwise be open then.
- `add` stops at a closing time when the time runs out exactly there: two
  open hours from Friday 22:00 on a calendar that closes at Friday 24:00 is
  Friday 24:00, not Monday's opening.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_US = timedelta(microseconds=1)
_ZERO = timedelta(0)
US_PER_MINUTE = 60_000_000
MINUTES_PER_DAY = 24 * 60
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# How far a calendar will look for open time before it decides it has none.
_MAX_SEARCH_YEARS = 400


def to_us(instant: datetime) -> int:
    """Microseconds since the Unix epoch of an aware datetime."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"naive datetime {instant.isoformat()}: give a timezone-aware instant")
    return delta_us(instant - EPOCH)


def delta_us(duration: timedelta) -> int:
    """Whole microseconds of a timedelta (attribute sums beat `// ONE_US`)."""
    return (duration.days * 86_400 + duration.seconds) * 1_000_000 + duration.microseconds


def from_us(us: int) -> datetime:
    """The UTC datetime of a count of microseconds since the Unix epoch."""
    return EPOCH + timedelta(microseconds=us)


def resolve_local(local: datetime, zone: ZoneInfo) -> int:
    """The first instant (epoch microseconds) whose wall-clock time in `zone`
    is at or after the naive local time `local`.

    That single rule gives both DST decisions: a skipped local time resolves
    to the instant the clocks jumped (the first valid instant after it), and a
    repeated local time resolves to its first occurrence.
    """
    first = local.replace(tzinfo=zone, fold=0)
    us = to_us(first)
    if from_us(us).astimezone(zone).replace(tzinfo=None) == local:
        return us
    # `local` falls in a gap. fold=1 reads it with the offset after the jump,
    # which lands before the transition; fold=0 lands after it. The
    # transition is the first instant in between whose wall time is >= local.
    low = to_us(local.replace(tzinfo=zone, fold=1))
    high = us
    while high - low > 1:
        mid = (low + high) // 2
        if from_us(mid).astimezone(zone).replace(tzinfo=None) >= local:
            high = mid
        else:
            low = mid
    return high


@dataclass(frozen=True, order=True)
class WeeklyWindow:
    """Open from `opens_minute` to `closes_minute` after local midnight of
    `weekday` (0 = Monday). `closes_minute` may pass 1440, up to 24 hours
    after the opening: the window then ends on the next day."""

    weekday: int
    opens_minute: int
    closes_minute: int

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday {self.weekday} is not 0 (Monday) to 6 (Sunday)")
        if not 0 <= self.opens_minute < MINUTES_PER_DAY:
            raise ValueError(f"opening minute {self.opens_minute} is not within the day")
        if not self.opens_minute < self.closes_minute <= self.opens_minute + MINUTES_PER_DAY:
            raise ValueError("a window closes after it opens and lasts at most 24 hours")

    @classmethod
    def parse(cls, weekday: int, opens: str, closes: str) -> WeeklyWindow:
        """A window from "HH:MM" strings; a closing at or before the opening,
        or "24:00", means the next midnight or later."""
        opens_minute = parse_clock(opens, allow_24=False)
        closes_minute = parse_clock(closes, allow_24=True)
        if closes_minute <= opens_minute:
            closes_minute += MINUTES_PER_DAY
        return cls(weekday, opens_minute, closes_minute)

    def describe(self) -> str:
        opens, closes = format_clock(self.opens_minute), format_clock(self.closes_minute)
        return f"{WEEKDAYS[self.weekday]} {opens}–{closes}"


def parse_clock(text: str, *, allow_24: bool) -> int:
    """Minutes after midnight of an "HH:MM" string; "24:00" only if allowed."""
    hours, sep, minutes = text.partition(":")
    if not (sep and hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"{text!r} is not a time of day as HH:MM")
    value = int(hours) * 60 + int(minutes)
    if int(minutes) >= 60 or value > MINUTES_PER_DAY or (value == MINUTES_PER_DAY and not allow_24):
        raise ValueError(f"{text!r} is not a time of day between 00:00 and 24:00")
    return value


def format_clock(minute: int) -> str:
    """ "HH:MM" for minutes after midnight; past 24:00 reads as the next day."""
    if minute == MINUTES_PER_DAY:
        return "24:00"
    hours, minutes = divmod(minute % MINUTES_PER_DAY, 60)
    suffix = " next day" if minute > MINUTES_PER_DAY else ""
    return f"{hours:02d}:{minutes:02d}{suffix}"


@dataclass(frozen=True)
class Segment:
    """A stretch of open time, [start, end), both UTC."""

    start: datetime
    end: datetime

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


HolidaySource = Callable[[range], Iterable[date]]


@dataclass(frozen=True, eq=False)
class BusinessCalendar:
    """Open time in `zone`: the weekly `windows`, less whole local `holidays`
    dates and any dates `holiday_source(years)` names (a country's public
    holidays, say)."""

    name: str
    zone: ZoneInfo
    windows: tuple[WeeklyWindow, ...]
    holidays: frozenset[date] = frozenset()
    holiday_source: HolidaySource | None = None
    _cache: _Intervals = field(default_factory=lambda: _Intervals(), repr=False, compare=False)

    # -- single instants -------------------------------------------------------

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The instant (UTC) at which `duration` of open time has passed since
        `start`. A start in closed time counts from the next opening; a result
        that lands exactly on a closing stays there."""
        try:
            since_epoch = start - EPOCH
        except TypeError:
            to_us(start)  # raises the ValueError that names the naive datetime
            raise
        # The hot path works in timedelta arithmetic throughout: converting to
        # integers and back costs more than the search itself.
        line = self._cache.timeline()
        if duration > _ZERO and line.low <= since_epoch < line.high:
            target = line.open_before(since_epoch) + duration
            if target <= line.total:
                j = bisect.bisect_left(line.cum_after, target)
                return line.start_at[j] + (target - line.cum_before[j])
        d = delta_us(duration)
        if d < 0:
            raise ValueError(f"cannot add a negative duration ({duration})")
        return from_us(self._add_us(delta_us(since_epoch), d))

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Open time in [start, end); negative when `end` is before `start`."""
        try:
            a, b = start - EPOCH, end - EPOCH
        except TypeError:
            to_us(start)  # raises the ValueError that names the naive one
            to_us(end)
            raise
        line = self._cache.timeline()
        if not (line.low <= a < line.high and line.low <= b < line.high):
            self._covering(delta_us(min(a, b)), delta_us(max(a, b)))
            line = self._cache.timeline()
        return line.open_before(b) - line.open_before(a)

    def is_open(self, at: datetime) -> bool:
        """Whether `at` lies in open time (openings inclusive, closings not)."""
        t = to_us(at)
        iv = self._covering(t, t)
        i = bisect.bisect_right(iv.starts, t) - 1
        return i >= 0 and t < iv.ends[i]

    def next_opening(self, at: datetime) -> datetime:
        """`at` itself when open, otherwise the next instant the calendar opens."""
        t = to_us(at)
        while True:
            iv = self._covering(t, t)
            i = bisect.bisect_right(iv.starts, t) - 1
            if i >= 0 and t < iv.ends[i]:
                return from_us(t)
            if i + 1 < len(iv.starts):
                return from_us(iv.starts[i + 1])
            self._extend_forward(iv)

    def next_closing(self, at: datetime) -> datetime | None:
        """When the open stretch containing `at` ends. None if `at` is closed,
        or if the calendar stays open for more than a decade from `at` (a 24×7
        calendar never closes)."""
        t = to_us(at)
        iv = self._covering(t, t)
        for _ in range(3):
            i = bisect.bisect_right(iv.starts, t) - 1
            if i < 0 or t >= iv.ends[i]:
                return None
            if iv.ends[i] < iv.high_us:
                return from_us(iv.ends[i])
            # The stretch runs to the end of what is built, which is no closing.
            iv = self._extend_forward(iv)
        return None

    def segments(self, start: datetime, end: datetime) -> tuple[Segment, ...]:
        """The open stretches within [start, end), clipped to it, in order."""
        a, b = to_us(start), to_us(end)
        if b <= a:
            return ()
        iv = self._covering(a, b)
        first = max(bisect.bisect_right(iv.starts, a) - 1, 0)
        out = []
        for i in range(first, len(iv.starts)):
            s, e = max(iv.starts[i], a), min(iv.ends[i], b)
            if iv.starts[i] >= b:
                break
            if s < e:
                out.append(Segment(from_us(s), from_us(e)))
        return tuple(out)

    # -- many instants at once ------------------------------------------------

    def add_many(
        self,
        starts: npt.NDArray[np.datetime64],
        durations: npt.NDArray[np.timedelta64] | timedelta,
    ) -> npt.NDArray[np.datetime64]:
        """`add` for arrays: `starts` as datetime64 (UTC), `durations` as
        timedelta64 (or one timedelta for all); returns datetime64[us] UTC."""
        import numpy as np

        t = np.asarray(starts).astype("datetime64[us]").view(np.int64)
        if isinstance(durations, timedelta):
            d = np.full(t.shape, delta_us(durations), dtype=np.int64)
        else:
            d = np.asarray(durations).astype("timedelta64[us]").view(np.int64)
        if t.size == 0:
            return t.view("datetime64[us]")
        if (d < 0).any():
            raise ValueError("cannot add a negative duration")
        iv = self._covering(int(t.min()), int(t.max()))
        while True:
            arrays = iv.arrays()
            target = _open_before_many(arrays, t) + d
            if int(target.max()) <= int(arrays.cum_after[-1]):
                break
            iv = self._extend_forward(iv)
        j = np.searchsorted(arrays.cum_after, target, side="left")
        result = arrays.starts[j] + (target - arrays.cum_before[j])
        due: npt.NDArray[np.datetime64] = np.where(d == 0, t, np.maximum(result, t)).view(
            "datetime64[us]"
        )
        return due

    def between_many(
        self, starts: npt.NDArray[np.datetime64], ends: npt.NDArray[np.datetime64]
    ) -> npt.NDArray[np.timedelta64]:
        """`between` for arrays of datetime64 (UTC); returns timedelta64[us]."""
        import numpy as np

        a = np.asarray(starts).astype("datetime64[us]").view(np.int64)
        b = np.asarray(ends).astype("datetime64[us]").view(np.int64)
        if a.size == 0:
            return a.view("timedelta64[us]")
        iv = self._covering(int(min(a.min(), b.min())), int(max(a.max(), b.max())))
        arrays = iv.arrays()
        open_us = _open_before_many(arrays, b) - _open_before_many(arrays, a)
        spans: npt.NDArray[np.timedelta64] = open_us.view("timedelta64[us]")
        return spans

    # -- the precomputed intervals -------------------------------------------

    def _add_us(self, t: int, d: int) -> int:
        if d == 0:
            return t  # no open time to pass, even with no open time before `t`
        iv = self._covering(t, t)
        target = iv.open_before(t) + d
        while not iv.cum_after or target > iv.cum_after[-1]:
            iv = self._extend_forward(iv)
            target = iv.open_before(t) + d
        j = bisect.bisect_left(iv.cum_after, target)
        return max(iv.starts[j] + (target - iv.cum_before[j]), t)

    def _covering(self, low: int, high: int) -> _Intervals:
        """Intervals built for local dates around [low, high], built or
        rebuilt (wider) on demand."""
        iv = self._cache
        if iv.low_us <= low and high < iv.high_us:
            return iv
        first = from_us(low).astimezone(self.zone).year - 1
        last = from_us(high).astimezone(self.zone).year + 2
        if iv.built:
            first, last = min(first, iv.first_year), max(last, iv.last_year)
        return self._build(first, last)

    def _extend_forward(self, iv: _Intervals) -> _Intervals:
        years = iv.last_year - iv.first_year
        if years > _MAX_SEARCH_YEARS:
            raise ValueError(f"calendar {self.name!r} has no open time in {years} years")
        return self._build(iv.first_year, iv.last_year + max(years, 4))

    def _build(self, first_year: int, last_year: int) -> _Intervals:
        """Open intervals for local dates from 1 January `first_year` up to
        1 January `last_year`, merged and less holidays."""
        first_year, last_year = max(first_year, 1), min(last_year, 9999)
        day0, day1 = date(first_year, 1, 1), date(last_year, 1, 1)
        raw: list[tuple[int, int]] = []
        by_weekday: dict[int, list[WeeklyWindow]] = {}
        for w in self.windows:
            by_weekday.setdefault(w.weekday, []).append(w)
        # Start a day early: a window crossing midnight may reach into day0.
        day = day0 - timedelta(days=1) if day0 > date.min else day0
        while day < day1:
            midnight = datetime.combine(day, time())
            for w in by_weekday.get(day.weekday(), ()):
                s = resolve_local(midnight + timedelta(minutes=w.opens_minute), self.zone)
                e = resolve_local(midnight + timedelta(minutes=w.closes_minute), self.zone)
                if s < e:
                    raw.append((s, e))
            day += timedelta(days=1)
        low = resolve_local(datetime.combine(day0, time()), self.zone)
        high = resolve_local(datetime.combine(day1, time()), self.zone)
        closed = [
            (
                resolve_local(datetime.combine(h, time()), self.zone),
                resolve_local(datetime.combine(h + timedelta(days=1), time()), self.zone),
            )
            for h in sorted(self._holiday_dates(range(first_year - 1, last_year + 1)))
        ]
        intervals = _subtract(_merge(raw), closed)
        clipped = [(max(s, low), min(e, high)) for s, e in intervals if s < high and e > low]
        iv = _Intervals.from_pairs(clipped, low, high, first_year, last_year)
        object.__setattr__(self, "_cache", iv)
        return iv

    def _holiday_dates(self, years: range) -> set[date]:
        dates = {d for d in self.holidays if d.year in years}
        if self.holiday_source is not None:
            dates.update(self.holiday_source(years))
        return dates

    def describe(self) -> str:
        """The windows in words, for people: "mon 00:00–24:00, tue …"."""
        return ", ".join(w.describe() for w in sorted(self.windows))


@dataclass
class _Arrays:
    starts: np.ndarray
    ends: np.ndarray
    cum_before: np.ndarray
    cum_after: np.ndarray


@dataclass
class _Intervals:
    """Disjoint sorted open intervals in epoch microseconds, valid for
    instants in [low_us, high_us), with open time summed before and after
    each interval."""

    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    cum_before: list[int] = field(default_factory=list)
    cum_after: list[int] = field(default_factory=list)
    low_us: int = 0
    high_us: int = 0
    first_year: int = 0
    last_year: int = 0
    built: bool = False
    _arrays: _Arrays | None = None
    _timeline: _Timeline | None = None

    @classmethod
    def from_pairs(
        cls, pairs: list[tuple[int, int]], low: int, high: int, first_year: int, last_year: int
    ) -> _Intervals:
        iv = cls(low_us=low, high_us=high, first_year=first_year, last_year=last_year, built=True)
        total = 0
        for s, e in pairs:
            iv.starts.append(s)
            iv.ends.append(e)
            iv.cum_before.append(total)
            total += e - s
            iv.cum_after.append(total)
        return iv

    def open_before(self, t: int) -> int:
        """Open microseconds from `low_us` up to `t`."""
        i = bisect.bisect_right(self.starts, t) - 1
        if i < 0:
            return 0
        return self.cum_before[i] + min(t, self.ends[i]) - self.starts[i]

    def timeline(self) -> _Timeline:
        """The intervals as timedeltas since the epoch, made once per build."""
        if self._timeline is None:
            self._timeline = _Timeline.of(self)
        return self._timeline

    def arrays(self) -> _Arrays:
        """The intervals as NumPy arrays, made once per build."""
        import numpy as np

        if self._arrays is not None:
            return self._arrays

        def as_array(values: list[int]) -> np.ndarray:
            return np.array(values if values else [0], dtype=np.int64)

        self._arrays = _Arrays(
            as_array(self.starts),
            as_array(self.ends),
            as_array(self.cum_before),
            as_array(self.cum_after),
        )
        return self._arrays


@dataclass
class _Timeline:
    """`_Intervals` as timedeltas since the epoch (and UTC datetimes for the
    starts), so single calls compare and add C-level objects only."""

    starts: list[timedelta]
    ends: list[timedelta]
    cum_before: list[timedelta]
    cum_after: list[timedelta]
    start_at: list[datetime]
    low: timedelta
    high: timedelta
    total: timedelta

    @classmethod
    def of(cls, iv: _Intervals) -> _Timeline:
        def spans(values: list[int]) -> list[timedelta]:
            return [timedelta(microseconds=v) for v in values]

        if not iv.built:
            # Nothing built yet: an empty range sends every call to the slow path.
            return cls([], [], [], [], [], _ZERO, _ZERO, _ZERO)
        return cls(
            spans(iv.starts),
            spans(iv.ends),
            spans(iv.cum_before),
            spans(iv.cum_after),
            [from_us(v) for v in iv.starts],
            timedelta(microseconds=iv.low_us),
            timedelta(microseconds=iv.high_us),
            timedelta(microseconds=iv.cum_after[-1] if iv.cum_after else 0),
        )

    def open_before(self, t: timedelta) -> timedelta:
        """Open time from the start of the range up to `t`."""
        i = bisect.bisect_right(self.starts, t) - 1
        if i < 0:
            return _ZERO
        if t < self.ends[i]:
            return self.cum_before[i] + (t - self.starts[i])
        return self.cum_after[i]


def _open_before_many(arrays: _Arrays, t: np.ndarray) -> np.ndarray:
    import numpy as np

    i = np.searchsorted(arrays.starts, t, side="right") - 1
    safe = np.maximum(i, 0)
    within = np.minimum(t, arrays.ends[safe]) - arrays.starts[safe]
    return np.where(i < 0, 0, arrays.cum_before[safe] + within)


def _merge(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, overlapping or touching intervals joined into one."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(pairs):
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _subtract(
    opened: list[tuple[int, int]], closed: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """`opened` less every interval of `closed`; both sorted."""
    out: list[tuple[int, int]] = []
    closed = _merge(closed)
    j = 0
    for s, e in opened:
        while j < len(closed) and closed[j][1] <= s:
            j += 1
        k = j
        while k < len(closed) and closed[k][0] < e:
            cs, ce = closed[k]
            if cs > s:
                out.append((s, cs))
            s = max(s, ce)
            k += 1
        if s < e:
            out.append((s, e))
    return out


def iter_weekdays(names: Iterable[str]) -> Iterator[int]:
    """Weekday numbers (0 = Monday) of three-letter English day names."""
    for name in names:
        try:
            yield WEEKDAYS.index(name.lower())
        except ValueError:
            raise ValueError(
                f"{name!r} is not a day (expected one of {', '.join(WEEKDAYS)})"
            ) from None
