"""What changed between two policy versions, for the admin who confirms a
new one: a summary read from the two parsed policies, and a unified diff of
their files.

The summary compares values, not text: a target moved from 2 to 4 hours, a
matrix cell turned from "supported" to "fee", a calendar gained holidays.
Reformatting the file changes nothing here; the text diff shows it. Every
part of the policy is compared: the areas named below in words written for
them, and any other part (a table added to the schema later) field by
field, so nothing that changes a rule goes unmentioned.

Pure: two `Policy` values in, a tuple of `Change` out, in the order of the
statement of support. Within an area, entries follow the new policy's order
and removed ones come last.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, timedelta
from enum import Enum, StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from supportdesk.policy.calendar import BusinessCalendar
from supportdesk.policy.schema import Category, Policy, Severity

# A text longer than this is shown as an excerpt around where it changed.
_SHORT = 80
# Dates listed one by one before "and N more".
_MAX_DATES = 8


class Kind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True)
class Change:
    """One difference, in words: `subject` in `area` was `before` and is now
    `after` (`before` is empty for an addition, `after` for a removal).
    `source` is the policy section the entry comes from, when it has one."""

    area: str
    subject: str
    kind: Kind
    before: str = ""
    after: str = ""
    source: str = ""

    def describe(self) -> str:
        if self.kind is Kind.ADDED:
            return f"{self.subject}: added" + (f" ({self.after})" if self.after else "")
        if self.kind is Kind.REMOVED:
            return f"{self.subject}: removed" + (f" (was {self.before})" if self.before else "")
        return f"{self.subject}: {self.before} → {self.after}"


@dataclass(frozen=True)
class PolicyDiff:
    changes: tuple[Change, ...]

    @property
    def empty(self) -> bool:
        return not self.changes

    def areas(self) -> tuple[tuple[str, tuple[Change, ...]], ...]:
        """The changes grouped by area, areas in order of first appearance."""
        grouped: dict[str, list[Change]] = {}
        for change in self.changes:
            grouped.setdefault(change.area, []).append(change)
        return tuple((area, tuple(changes)) for area, changes in grouped.items())


def diff_policies(old: Policy, new: Policy, *, years: range | None = None) -> PolicyDiff:
    """Every difference between `old` (the active policy) and `new`.

    Holidays are compared as the dates each calendar is closed in `years`
    (default: the new policy's effective year and the next), so a changed
    `holiday_country` shows as the dates it adds and removes."""
    if years is None:
        start = new.meta.effective.year
        years = range(start, start + 2)
    changes: list[Change] = []
    changes += _walk("Policy", "", old.meta, new.meta, "")
    changes += _calendars(old, new, years)
    changes += _keyed_walk("Channels", old.channels, new.channels)
    changes += _severities(old, new)
    changes += _walk("Severity rules", "", old.severity_rules, new.severity_rules, "")
    changes += _keyed_walk("Products", old.products, new.products)
    changes += _matrix(old, new)
    changes += _walk("Third-party products", "", old.third_party, new.third_party, "")
    changes += _walk("Version support", "", old.version_support, new.version_support, "")
    changes += _walk("Escalation", "", old.escalation, new.escalation, "")
    changes += _keyed_walk("Contacts", old.contacts, new.contacts)
    changes += _keyed_walk("Policy text", old.sections, new.sections)
    changes += _keyed_walk("Decisions", old.decisions, new.decisions)
    for field in fields(Policy):
        if field.name not in _COMPARED:
            area = _words(field.name).capitalize()
            old_value, new_value = getattr(old, field.name), getattr(new, field.name)
            changes += _walk(area, "", old_value, new_value, "")
    return PolicyDiff(tuple(changes))


_COMPARED = frozenset(
    {
        "meta",
        "calendars",
        "calendar_titles",
        "channels",
        "severities",
        "severity_rules",
        "products",
        "categories",
        "third_party",
        "version_support",
        "escalation",
        "contacts",
        "sections",
        "decisions",
    }
)


# -- calendars --------------------------------------------------------------------


def _calendars(old: Policy, new: Policy, years: range) -> Iterator[Change]:
    area = "Calendars"
    old_calendars, new_calendars = dict(old.calendars), dict(new.calendars)
    for name, calendar in new.calendars:
        subject = f"calendar {name}"
        before = old_calendars.get(name)
        if before is None:
            yield Change(area, subject, Kind.ADDED, after=_calendar_words(calendar))
            continue
        if old.calendar_title(name) != new.calendar_title(name):
            before_title, after_title = _texts(old.calendar_title(name), new.calendar_title(name))
            yield Change(area, f"{subject} › title", Kind.CHANGED, before_title, after_title)
        if before.zone.key != calendar.zone.key:
            yield Change(
                area, f"{subject} › zone", Kind.CHANGED, before.zone.key, calendar.zone.key
            )
        if before.describe() != calendar.describe():
            yield Change(
                area, f"{subject} › open", Kind.CHANGED, before.describe(), calendar.describe()
            )
        closed_before, closed_after = _closed_days(before, years), _closed_days(calendar, years)
        span = f"{years.start}" if len(years) == 1 else f"{years.start}–{years[-1]}"
        added, removed = closed_after - closed_before, closed_before - closed_after
        if added:
            yield Change(area, f"{subject} › holidays {span}", Kind.ADDED, after=_dates(added))
        if removed:
            yield Change(area, f"{subject} › holidays {span}", Kind.REMOVED, before=_dates(removed))
    for name, calendar in old.calendars:
        if name not in new_calendars:
            yield Change(area, f"calendar {name}", Kind.REMOVED, before=_calendar_words(calendar))


def _calendar_words(calendar: BusinessCalendar) -> str:
    return f"{calendar.describe()}, {calendar.zone.key}"


def _closed_days(calendar: BusinessCalendar, years: range) -> set[date]:
    """The whole dates in `years` the calendar is closed for holidays."""
    days = {d for d in calendar.holidays if d.year in years}
    if calendar.holiday_source is not None:
        days.update(calendar.holiday_source(years))
    return days


def _dates(days: set[date]) -> str:
    ordered = sorted(days)
    shown = ", ".join(d.isoformat() for d in ordered[:_MAX_DATES])
    more = len(ordered) - _MAX_DATES
    return shown + (f" and {more} more" if more > 0 else "")


# -- severities and their targets ----------------------------------------------------


def _severities(old: Policy, new: Policy) -> Iterator[Change]:
    area = "Severities and response targets"
    old_levels = {s.level: s for s in old.severities}
    new_levels = {s.level for s in new.severities}
    for severity in new.severities:
        subject = _severity_label(severity)
        before = old_levels.get(severity.level)
        if before is None:
            yield Change(area, subject, Kind.ADDED, after=severity.summary, source=severity.source)
            continue
        for field in fields(severity):
            if field.name in ("level", "targets"):
                continue
            yield from _walk(
                area,
                f"{subject} › {_words(field.name)}",
                getattr(before, field.name),
                getattr(severity, field.name),
                severity.source,
            )
        yield from _targets(area, subject, old, new, before, severity)
    for severity in old.severities:
        if severity.level not in new_levels:
            yield Change(
                area,
                _severity_label(severity),
                Kind.REMOVED,
                before=severity.summary,
                source=severity.source,
            )


def _severity_label(severity: Severity) -> str:
    return f"Severity {severity.level} ({severity.name})"


def _targets(
    area: str, subject: str, old: Policy, new: Policy, before: Severity, after: Severity
) -> Iterator[Change]:
    """The first-response target each channel gets, compared channel by
    channel; channels with the same change are named together."""
    old_slugs = [c.slug for c in old.channels]
    new_slugs = [c.slug for c in new.channels]
    moved: dict[tuple[str, str], list[str]] = {}
    sources: dict[tuple[str, str], str] = {}
    for slug in new_slugs:
        target = after.target_for(slug)
        words = _target_words(target.duration, target.calendar)
        was_words = ""
        if slug in old_slugs:
            was = before.target_for(slug)
            was_words = _target_words(was.duration, was.calendar)
        if was_words != words:
            moved.setdefault((was_words, words), []).append(slug)
            sources[(was_words, words)] = target.source
    for slug in old_slugs:
        if slug not in new_slugs:
            was = before.target_for(slug)
            key = (_target_words(was.duration, was.calendar), "")
            moved.setdefault(key, []).append(slug)
            sources[key] = was.source
    for (was_words, words), slugs in moved.items():
        kind = Kind.ADDED if not was_words else Kind.REMOVED if not words else Kind.CHANGED
        label = f"{subject} › target by {', '.join(slugs)}"
        yield Change(area, label, kind, was_words, words, sources[(was_words, words)])


def _target_words(duration: timedelta, calendar: str) -> str:
    return f"{_duration(duration)} ({calendar} calendar)"


# -- the support matrix ------------------------------------------------------------------


def _matrix(old: Policy, new: Policy) -> Iterator[Change]:
    area = "Support matrix"
    old_rows = {c.slug: c for c in old.categories}
    new_rows = {c.slug for c in new.categories}
    names = {p.slug: p.name for p in (*old.products, *new.products)}
    for category in new.categories:
        before = old_rows.get(category.slug)
        if before is None:
            yield Change(
                area,
                category.name,
                Kind.ADDED,
                after=_row_words(category, names),
                source=_row_source(category),
            )
            continue
        if before.name != category.name:
            yield Change(area, f"{category.name} › name", Kind.CHANGED, before.name, category.name)
        old_cells = dict(before.cells)
        # A row's text and section are usually shared by its cells: one
        # change names the products it applies to, or none when it is all.
        reworded: dict[tuple[str, str, str], list[str]] = {}
        for product, cell in category.cells:
            subject = f"{category.name} › {names[product]}"
            was = old_cells.get(product)
            if was is None:
                yield Change(
                    area, subject, Kind.ADDED, after=cell.coverage.value, source=cell.source
                )
                continue
            if was.coverage != cell.coverage:
                yield Change(
                    area,
                    subject,
                    Kind.CHANGED,
                    was.coverage.value,
                    cell.coverage.value,
                    cell.source,
                )
            if was.source != cell.source:
                reworded.setdefault(("section", was.source, cell.source), []).append(product)
            if was.text != cell.text:
                reworded.setdefault(("text", was.text, cell.text), []).append(product)
        for (what, was_text, text), products in reworded.items():
            which = (
                ""
                if len(products) == len(category.cells)
                else ", ".join(names[p] for p in products)
            )
            subject = _join(_join(category.name, which), what)
            shown = _texts(was_text, text) if what == "text" else (was_text, text)
            source = text if what == "section" else dict(category.cells)[products[0]].source
            yield Change(area, subject, Kind.CHANGED, *shown, source)
        new_products = {p for p, _ in category.cells}
        for product, cell in before.cells:
            if product not in new_products:
                yield Change(
                    area,
                    f"{category.name} › {names[product]}",
                    Kind.REMOVED,
                    before=cell.coverage.value,
                    source=cell.source,
                )
    for category in old.categories:
        if category.slug not in new_rows:
            yield Change(
                area,
                category.name,
                Kind.REMOVED,
                before=_row_words(category, names),
                source=_row_source(category),
            )


def _row_words(category: Category, names: dict[str, str]) -> str:
    return "; ".join(f"{names[p]}: {c.coverage.value}" for p, c in category.cells)


def _row_source(category: Category) -> str:
    return category.cells[0][1].source if category.cells else ""


# -- everything else, field by field ---------------------------------------------------------


def _keyed_walk(area: str, old: tuple[Any, ...], new: tuple[Any, ...]) -> Iterator[Change]:
    return _walk(area, "", old, new, "")


def _walk(area: str, subject: str, old: Any, new: Any, source: str) -> Iterator[Change]:
    """The differences between two values of one schema type: dataclasses
    field by field, tuples of keyed entries (by slug, level, id …) entry by
    entry, other tuples item by item, anything else as a whole."""
    if _same(old, new):
        return
    if is_dataclass(old) and type(old) is type(new):
        own = getattr(new, "source", source)
        source = own if isinstance(own, str) else source
        for field in fields(old):
            label = _join(subject, _words(field.name))
            yield from _walk(
                area, label, getattr(old, field.name), getattr(new, field.name), source
            )
        return
    if isinstance(old, tuple) and isinstance(new, tuple):
        yield from _walk_items(area, subject, old, new, source)
        return
    if old is None:
        yield Change(
            area, subject or area, Kind.ADDED, after=_show(new), source=_source(new, source)
        )
        return
    if new is None:
        yield Change(
            area, subject or area, Kind.REMOVED, before=_show(old), source=_source(old, source)
        )
        return
    if _prose(old) and _prose(new):
        yield Change(area, subject or area, Kind.CHANGED, *_texts(old, new), source)
        return
    yield Change(area, subject or area, Kind.CHANGED, _show(old), _show(new), source)


def _walk_items(
    area: str, subject: str, old: tuple[Any, ...], new: tuple[Any, ...], source: str
) -> Iterator[Change]:
    keyed_old, keyed_new = _keyed(old), _keyed(new)
    if keyed_old is not None and keyed_new is not None:
        for key, (label, item) in keyed_new.items():
            entry = _join(subject, label)
            if key not in keyed_old:
                yield Change(
                    area, entry, Kind.ADDED, after=_show(item), source=_source(item, source)
                )
            else:
                yield from _walk(area, entry, keyed_old[key][1], item, _source(item, source))
        for key, (label, item) in keyed_old.items():
            if key not in keyed_new:
                yield Change(
                    area,
                    _join(subject, label),
                    Kind.REMOVED,
                    before=_show(item),
                    source=_source(item, source),
                )
        return
    if all(_plain(v) for v in (*old, *new)):
        added = [v for v in new if v not in old]
        removed = [v for v in old if v not in new]
        label = subject or area
        for value in added:
            yield Change(area, label, Kind.ADDED, after=_show(value), source=source)
        for value in removed:
            yield Change(area, label, Kind.REMOVED, before=_show(value), source=source)
        if not added and not removed:
            yield Change(area, f"{label} › order", Kind.CHANGED, _show(old), _show(new), source)
        return
    for index in range(max(len(old), len(new))):
        entry = _join(subject, f"#{index + 1}")
        if index >= len(old):
            yield Change(area, entry, Kind.ADDED, after=_show(new[index]), source=source)
        elif index >= len(new):
            yield Change(area, entry, Kind.REMOVED, before=_show(old[index]), source=source)
        else:
            yield from _walk(area, entry, old[index], new[index], source)


# Attributes that name an entry of a list, tried in order, with how to label it.
_KEYS: tuple[tuple[str, Callable[[Any], str]], ...] = (
    ("slug", lambda e: str(getattr(e, "name", None) or getattr(e, "title", None) or e.slug)),
    ("level", lambda e: f"Severity {e.level}"),
    ("id", lambda e: f"{e.id} {e.title}"),
    ("topic", lambda e: str(e.topic)),
    ("region", lambda e: f"{e.region} {e.label}"),
    ("question", lambda e: _excerpt(e.question, 60)),
)


def _keyed(items: tuple[Any, ...]) -> dict[Any, tuple[str, Any]] | None:
    """Entries by their key (slug, level, id …) with a label for people;
    pairs `(key, value)` by their first item; None for a plain list."""
    if not items:
        return {}
    if all(isinstance(i, tuple) and len(i) == 2 and _plain(i[0]) for i in items):
        return {i[0]: (str(i[0]), i[1]) for i in items}
    first = items[0]
    if not is_dataclass(first):
        return None
    for attribute, label in _KEYS:
        if all(type(i) is type(first) and hasattr(i, attribute) for i in items):
            keys = [_key(i, attribute) for i in items]
            if len(set(keys)) == len(keys):
                return {k: (label(i), i) for k, i in zip(keys, items, strict=True)}
    return None


def _key(item: Any, attribute: str) -> Any:
    if attribute == "region":
        return (item.region, item.label)
    return getattr(item, attribute)


def _same(old: Any, new: Any) -> bool:
    if callable(old) and callable(new):
        return True  # a holiday source: compared by the dates it names instead
    if isinstance(old, ZoneInfo) and isinstance(new, ZoneInfo):
        return old.key == new.key
    return bool(old == new)


def _prose(value: Any) -> bool:
    return isinstance(value, str) and not isinstance(value, Enum)


def _plain(value: Any) -> bool:
    return isinstance(value, str | int | float | timedelta | date)


def _source(value: Any, default: str) -> str:
    own = getattr(value, "source", None)
    return own if isinstance(own, str) and own else default


# -- words ------------------------------------------------------------------------------


def _show(value: Any) -> str:
    """A value as people read it."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, timedelta):
        return _duration(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return _excerpt(value, _SHORT) if value else "(empty)"
    if isinstance(value, tuple):
        return ", ".join(_show(v) for v in value) if value else "none"
    if is_dataclass(value):
        # An entry's simple fields; its name or title is already the subject.
        return "; ".join(
            f"{_words(f.name)}: {_excerpt(v, 40) if isinstance(v, str) else _show(v)}"
            for f in fields(value)
            if f.name not in _UNSHOWN and _plain(v := getattr(value, f.name)) and v != ""
        )
    return str(value)


_UNSHOWN = frozenset({"name", "title", "source"})


def _texts(old: str, new: str) -> tuple[str, str]:
    """Two texts, or for long ones the stretch around where they differ."""
    if len(old) <= _SHORT and len(new) <= _SHORT:
        return old or "(empty)", new or "(empty)"
    prefix = 0
    while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < min(len(old), len(new)) - prefix
        and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]
    ):
        suffix += 1
    return _around(old, prefix, suffix), _around(new, prefix, suffix)


def _around(text: str, prefix: int, suffix: int, margin: int = 30) -> str:
    """`text` from a word or so before `prefix` to a word or so after its
    last `suffix` characters, with "…" where it was cut."""
    start = 0 if prefix <= margin else text.rfind(" ", 0, prefix - margin) + 1
    cut = len(text) - suffix + margin
    end = len(text) if cut >= len(text) else text.find(" ", cut)
    end = len(text) if end < 0 else end
    shown = " ".join(text[start:end].split())
    cut_end = end < len(text)
    if len(shown) > _SHORT:  # rewritten rather than edited: its start is enough
        shown, cut_end = _excerpt(shown, _SHORT).removesuffix("…"), True
    return ("…" if start > 0 else "") + (shown or "(empty)") + ("…" if cut_end else "")


def _excerpt(text: str, width: int) -> str:
    """`text` on one line, cut at a word to at most `width` characters."""
    flat = " ".join(text.split())
    if len(flat) <= width:
        return flat
    cut = flat[: width - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut) + "…"


def _duration(duration: timedelta) -> str:
    """ "90 minutes", "2 hours", "1 day 4 hours": whole minutes."""
    minutes = int(duration.total_seconds() // 60)
    if minutes % 60 or minutes <= 90:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = minutes // 60
    return f"{hours} hour{'s' if hours != 1 else ''}"


def _words(name: str) -> str:
    return name.replace("_", " ")


def _join(subject: str, part: str) -> str:
    return f"{subject} › {part}" if subject and part else subject or part


# -- the files, line by line ----------------------------------------------------------------


class LineKind(StrEnum):
    FILE = "file"
    HUNK = "hunk"
    ADDED = "added"
    REMOVED = "removed"
    SAME = "same"


@dataclass(frozen=True)
class DiffLine:
    kind: LineKind
    text: str


def text_diff(
    old_text: str,
    new_text: str,
    *,
    old_name: str = "active",
    new_name: str = "uploaded",
    context: int = 3,
) -> tuple[DiffLine, ...]:
    """A unified diff of two policy files (`difflib`), each line classified
    for display; empty when the files are the same."""
    lines = difflib.unified_diff(
        old_text.splitlines(), new_text.splitlines(), old_name, new_name, n=context, lineterm=""
    )
    return tuple(_classify(index, line) for index, line in enumerate(lines))


def _classify(index: int, line: str) -> DiffLine:
    if index < 2:  # the "--- old" and "+++ new" header
        return DiffLine(LineKind.FILE, line)
    kinds = {"@": LineKind.HUNK, "+": LineKind.ADDED, "-": LineKind.REMOVED}
    return DiffLine(kinds.get(line[:1], LineKind.SAME), line)


def count_lines(lines: Iterable[DiffLine]) -> tuple[int, int]:
    """(lines added, lines removed)."""
    added = removed = 0
    for line in lines:
        added += line.kind is LineKind.ADDED
        removed += line.kind is LineKind.REMOVED
    return added, removed
