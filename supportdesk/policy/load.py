"""Reading a policy file: TOML in, a checked `Policy` out.

Every problem is a `PolicyError` whose message names the key
(`severities[2].targets[0].calendar`) and says what was expected, so a
wrong file is one clear line, never a traceback.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from supportdesk.policy.calendar import BusinessCalendar, WeeklyWindow, iter_weekdays
from supportdesk.policy.schema import (
    ANY_CHANNEL,
    Category,
    Cell,
    ChangeRule,
    Channel,
    ChecklistItem,
    Contact,
    ContinuousEffortRule,
    Coverage,
    Decision,
    DedicatedContactRule,
    Escalation,
    EscalationReason,
    FeedbackRule,
    Handover,
    Limitation,
    Meta,
    Policy,
    Product,
    Question,
    RemoteAccessRule,
    Reproduction,
    Section,
    Severity,
    SeverityRules,
    Target,
    ThirdParty,
    ThirdPartyProduct,
    VersionSupport,
)


class PolicyError(ValueError):
    """A policy file that cannot be used; the message names the key."""


def default_policy_path() -> Path:
    return Path(str(resources.files("supportdesk.policy") / "default.toml"))


@cache
def default_policy() -> Policy:
    """The policy the desk ships with (the seed, encoded)."""
    return load_policy(default_policy_path())


def load_policy(path: str | Path) -> Policy:
    """Read and check the policy file at `path`."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read the policy file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise PolicyError(f"{path}: the policy file is not UTF-8 text") from None
    return parse_policy(text, origin=str(path))


def parse_policy(text: str, *, origin: str = "<policy>") -> Policy:
    """Check the TOML text of a policy and build it."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{origin}: not valid TOML: {exc}") from None
    try:
        return _build(Node(data, ""))
    except PolicyError as exc:
        raise PolicyError(f"{origin}: {exc}") from None


# -- a path-aware view of the parsed TOML -------------------------------------


@dataclass(frozen=True)
class Node:
    """A value in the parsed file and the key path that leads to it."""

    value: Any
    path: str

    def fail(self, expected: str) -> PolicyError:
        shown = repr(self.value)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        return PolicyError(f"{self.path or 'the file'}: expected {expected}, got {shown}")

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def table(self) -> dict[str, Any]:
        if not isinstance(self.value, dict):
            raise self.fail("a table")
        return self.value

    def get(self, name: str) -> Node:
        table = self.table()
        if name not in table:
            raise PolicyError(f"{self.key(name)}: required key is missing")
        return Node(table[name], self.key(name))

    def opt(self, name: str, default: Any) -> Node:
        return Node(self.table().get(name, default), self.key(name))

    def only(self, *names: str) -> None:
        """Refuse keys the schema does not know: a typo must not pass silently."""
        unknown = sorted(set(self.table()) - set(names))
        if unknown:
            raise PolicyError(
                f"{self.key(unknown[0])}: unknown key (expected one of: {', '.join(names)})"
            )

    def items(self) -> list[Node]:
        if not isinstance(self.value, list):
            raise self.fail("a list")
        return [Node(v, f"{self.path}[{i}]") for i, v in enumerate(self.value)]

    def entries(self) -> list[tuple[str, Node]]:
        return [(k, Node(v, self.key(k))) for k, v in self.table().items()]

    def text(self, *, empty: bool = False) -> str:
        if not isinstance(self.value, str) or (not empty and not self.value.strip()):
            raise self.fail("a string" if empty else "a non-empty string")
        return self.value.strip()

    def integer(self, low: int | None = None, high: int | None = None) -> int:
        v = self.value
        if isinstance(v, bool) or not isinstance(v, int):
            raise self.fail("an integer")
        if (low is not None and v < low) or (high is not None and v > high):
            raise self.fail(f"an integer from {low} to {high}" if high else f"an integer >= {low}")
        return v

    def boolean(self) -> bool:
        if not isinstance(self.value, bool):
            raise self.fail("true or false")
        return self.value

    def day(self) -> date:
        if isinstance(self.value, date) and not hasattr(self.value, "hour"):
            return self.value
        raise self.fail("a date like 2026-12-25")

    def strings(self) -> tuple[str, ...]:
        return tuple(n.text() for n in self.items())

    def choice(self, allowed: Iterable[str]) -> str:
        options = list(allowed)
        if self.value not in options:
            raise self.fail(f"one of {', '.join(options)}")
        return str(self.value)

    def slug(self) -> str:
        v = self.text()
        if not all(c.islower() or c.isdigit() or c == "-" for c in v):
            raise self.fail("a slug of lower-case letters, digits and hyphens")
        return v


# -- building the policy ------------------------------------------------------

_TOP_KEYS = (
    "policy",
    "calendars",
    "channels",
    "severity_rules",
    "severities",
    "products",
    "categories",
    "third_party",
    "version_support",
    "escalation",
    "contacts",
    "sections",
    "decisions",
    "handover",
    "remote_access",
    "feedback",
    "limitations",
    "reproduction",
)


def _build(root: Node) -> Policy:
    root.only(*_TOP_KEYS)
    calendars, titles = _calendars(root.get("calendars"))
    calendar_names = [name for name, _ in calendars]
    severities = _severities(root.get("severities"), calendar_names)
    levels = [s.level for s in severities]
    channels = _channels(root.get("channels"), calendar_names, levels)
    channel_slugs = {c.slug for c in channels}
    for severity, node in zip(severities, root.get("severities").items(), strict=True):
        for target, tnode in zip(severity.targets, node.get("targets").items(), strict=True):
            for name in target.channels:
                if name != ANY_CHANNEL and name not in channel_slugs:
                    raise tnode.get("channels").fail(
                        f"channel names from [channels] ({', '.join(sorted(channel_slugs))}) or *"
                    )
        uncovered = [
            c for c in sorted(channel_slugs) if not any(t.applies_to(c) for t in severity.targets)
        ]
        if uncovered:
            raise PolicyError(
                f"{node.path}.targets: no target for channel {uncovered[0]!r} "
                f'(add one, or one with channels = ["*"])'
            )
    products = _products(root.get("products"))
    return Policy(
        meta=_meta(root.get("policy")),
        calendars=tuple(calendars),
        calendar_titles=tuple(titles),
        channels=channels,
        severities=severities,
        severity_rules=_severity_rules(root.get("severity_rules"), levels),
        products=products,
        categories=_categories(root.get("categories"), [p.slug for p in products]),
        third_party=_third_party(root.get("third_party")),
        version_support=_version_support(root.get("version_support")),
        escalation=_escalation(root.get("escalation")),
        contacts=tuple(_contact(n) for n in root.opt("contacts", []).items()),
        sections=tuple(_section(n) for n in root.opt("sections", []).items()),
        decisions=tuple(_decision(n) for n in root.opt("decisions", []).items()),
        handover=_handover(root),
        remote_access=_remote_access(root),
        feedback=_feedback(root),
        limitations=_limitations(root, [p.slug for p in products]),
        reproduction=_reproduction(root),
    )


def _meta(node: Node) -> Meta:
    node.only("vendor", "title", "version", "effective", "revised", "introduction", "source")
    return Meta(
        vendor=node.get("vendor").text(),
        title=node.get("title").text(),
        version=node.get("version").text(),
        effective=node.get("effective").day(),
        revised=node.opt("revised", "").text(empty=True),
        introduction=node.opt("introduction", "").text(empty=True),
        source=node.opt("source", "").text(empty=True),
    )


def _calendars(node: Node) -> tuple[list[tuple[str, BusinessCalendar]], list[tuple[str, str]]]:
    calendars, titles = [], []
    for name, cal in node.entries():
        cal.only("title", "zone", "windows", "holidays", "holiday_country", "source")
        zone_name = cal.get("zone").text()
        try:
            zone = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise cal.get("zone").fail("an IANA time zone like America/New_York") from None
        windows: list[WeeklyWindow] = []
        for wnode in cal.get("windows").items():
            wnode.only("days", "opens", "closes")
            opens, closes = wnode.get("opens").text(), wnode.get("closes").text()
            try:
                days = list(iter_weekdays(wnode.get("days").strings()))
                windows.extend(WeeklyWindow.parse(day, opens, closes) for day in days)
            except ValueError as exc:
                raise PolicyError(f"{wnode.path}: {exc}") from None
        holidays = frozenset(n.day() for n in cal.opt("holidays", []).items())
        country = cal.opt("holiday_country", "").text(empty=True)
        source = _country_holidays(country, cal.get("holiday_country")) if country else None
        calendars.append((name, BusinessCalendar(name, zone, tuple(windows), holidays, source)))
        titles.append((name, cal.opt("title", name).text()))
    if not calendars:
        raise node.fail("at least one calendar")
    return calendars, titles


def _country_holidays(spec: str, node: Node) -> Callable[[range], set[date]]:
    """Holidays of a country ("US") or a subdivision ("US-NY") from the
    `holidays` package, checked now so a typo fails at load time."""
    import holidays

    country, _, subdiv = spec.partition("-")
    try:
        holidays.country_holidays(country, subdiv=subdiv or None, years=2026)
    except NotImplementedError:
        raise node.fail("a country code the holidays package knows, like US or GB-ENG") from None

    def source(years: range) -> set[date]:
        found = holidays.country_holidays(country, subdiv=subdiv or None, years=list(years))
        return set(found.keys())

    return source


def _channels(node: Node, calendars: list[str], levels: list[int]) -> tuple[Channel, ...]:
    channels = []
    for slug, ch in node.entries():
        ch.only("name", "intake", "intake_by_severity", "address", "note", "source")
        by_severity = []
        for level, cal in ch.opt("intake_by_severity", {}).entries():
            if not level.isdigit() or int(level) not in levels:
                raise PolicyError(f"{cal.path}: expected a severity level ({levels}) as the key")
            by_severity.append((int(level), cal.choice(calendars)))
        channels.append(
            Channel(
                slug=Node(slug, ch.path).slug(),
                name=ch.get("name").text(),
                intake=ch.get("intake").choice(calendars),
                intake_by_severity=tuple(by_severity),
                address=ch.opt("address", "").text(empty=True),
                note=ch.opt("note", "").text(empty=True),
                source=ch.get("source").text(),
            )
        )
    if not channels:
        raise node.fail("at least one channel")
    return tuple(channels)


def _severities(node: Node, calendars: list[str]) -> tuple[Severity, ...]:
    severities = []
    for sev in node.items():
        sev.only("level", "name", "summary", "definition", "targets", "continuous_effort", "source")
        targets = []
        for tnode in sev.get("targets").items():
            tnode.only("channels", "minutes", "hours", "calendar", "source", "note")
            targets.append(
                Target(
                    channels=tnode.get("channels").strings(),
                    duration=_duration(tnode),
                    calendar=tnode.get("calendar").choice(calendars),
                    source=tnode.get("source").text(),
                    note=tnode.opt("note", "").text(empty=True),
                )
            )
        if not targets:
            raise sev.get("targets").fail("at least one target")
        severities.append(
            Severity(
                level=sev.get("level").integer(1, 9),
                name=sev.get("name").text(),
                summary=sev.opt("summary", "").text(empty=True),
                definition=sev.get("definition").text(),
                targets=tuple(targets),
                continuous_effort=sev.opt("continuous_effort", False).boolean(),
                source=sev.get("source").text(),
            )
        )
    levels = [s.level for s in severities]
    if sorted(levels) != list(range(1, len(levels) + 1)):
        raise node.fail("severities numbered 1, 2, 3 … without gaps or repeats")
    return tuple(sorted(severities, key=lambda s: s.level))


def _duration(node: Node) -> timedelta:
    has_minutes, has_hours = "minutes" in node.table(), "hours" in node.table()
    if has_minutes == has_hours:
        raise PolicyError(f"{node.path}: give exactly one of minutes or hours")
    if has_minutes:
        return timedelta(minutes=node.get("minutes").integer(1))
    return timedelta(hours=node.get("hours").integer(1))


def _severity_rules(node: Node, levels: list[int]) -> SeverityRules:
    node.only(
        "change_rule",
        "upgrade_request_needs_justification",
        "dedicated_contact",
        "lifecycle",
        "source",
        "warn_at_percent",
        "continuous_effort",
    )
    dedicated = None
    if "dedicated_contact" in node.table():
        dc = node.get("dedicated_contact")
        dc.only("severity", "fallback", "exempt_vendor_outage", "text", "source")
        severity = dc.get("severity").integer(1, max(levels))
        fallback = dc.get("fallback").integer(1, max(levels))
        if fallback <= severity:
            raise dc.get("fallback").fail(f"a less severe level than {severity}")
        dedicated = DedicatedContactRule(
            severity=severity,
            fallback=fallback,
            exempt_vendor_outage=dc.opt("exempt_vendor_outage", True).boolean(),
            text=dc.get("text").text(),
            source=dc.get("source").text(),
        )
    return SeverityRules(
        change_rule=ChangeRule(node.get("change_rule").choice(r.value for r in ChangeRule)),
        upgrade_request_needs_justification=node.opt(
            "upgrade_request_needs_justification", True
        ).boolean(),
        dedicated_contact=dedicated,
        lifecycle_text=tuple(_section(n) for n in node.opt("lifecycle", []).items()),
        source=node.get("source").text(),
        warn_at_percent=node.opt("warn_at_percent", 75).integer(1, 99),
        continuous_effort=_continuous_effort(node),
    )


def _continuous_effort(rules: Node) -> ContinuousEffortRule:
    """`[severity_rules.continuous_effort]`, optional: a policy file older
    than the table gets the desk's defaults."""
    default = ContinuousEffortRule()
    if "continuous_effort" not in rules.table():
        return default
    node = rules.get("continuous_effort")
    node.only("unassigned_alert_every_minutes", "source")
    every = node.opt("unassigned_alert_every_minutes", None)
    return ContinuousEffortRule(
        # At least 5 minutes: the worker sweeps every 15 seconds, and alerts
        # closer together would bury the managers rather than wake them.
        unassigned_alert_every=(
            timedelta(minutes=every.integer(5, 24 * 60))
            if every.value is not None
            else default.unassigned_alert_every
        ),
        source=node.opt("source", default.source).text(),
    )


def _products(node: Node) -> tuple[Product, ...]:
    products = []
    for p in node.items():
        p.only("slug", "name")
        products.append(Product(p.get("slug").slug(), p.get("name").text()))
    _unique(node, [p.slug for p in products], "product slugs")
    return tuple(products)


def _categories(node: Node, products: list[str]) -> tuple[Category, ...]:
    categories = []
    for c in node.items():
        c.only("slug", "name", "source", "text", "coverage")
        text, source = c.get("text").text(), c.get("source").text()
        cov = c.get("coverage")
        cells = []
        for product, cell in cov.entries():
            if product not in products:
                raise PolicyError(
                    f"{cell.path}: unknown product (expected one of: {', '.join(products)})"
                )
            if isinstance(cell.value, dict):
                cell.only("coverage", "text", "source")
                cells.append(
                    (
                        product,
                        Cell(
                            Coverage(cell.get("coverage").choice(v.value for v in Coverage)),
                            cell.opt("text", text).text(),
                            cell.opt("source", source).text(),
                        ),
                    )
                )
            else:
                cells.append(
                    (product, Cell(Coverage(cell.choice(v.value for v in Coverage)), text, source))
                )
        missing = [p for p in products if p not in dict(cells)]
        if missing:
            raise PolicyError(
                f"{cov.key(missing[0])}: required key is missing (every product needs a cell)"
            )
        categories.append(Category(c.get("slug").slug(), c.get("name").text(), tuple(cells)))
    _unique(node, [c.slug for c in categories], "category slugs")
    return tuple(categories)


def _third_party(node: Node) -> ThirdParty:
    node.only("supported", "options", "options_source", "text", "source")
    supported = []
    for p in node.get("supported").items():
        p.only("slug", "name", "source")
        supported.append(
            ThirdPartyProduct(p.get("slug").slug(), p.get("name").text(), p.get("source").text())
        )
    return ThirdParty(
        supported=tuple(supported),
        options=node.opt("options", []).strings(),
        text=node.get("text").text(),
        source=node.get("source").text(),
        options_source=node.opt("options_source", "").text(empty=True),
    )


# `Ticket.resolution_cause` holds a cause's slug in at most this many characters.
MAX_CAUSE_SLUG = 40


def _limitations(root: Node, products: list[str]) -> tuple[Limitation, ...]:
    """`[[limitations]]` (§3.1, §3.4), optional: a policy file older than the
    list has no resolution causes."""
    node = root.opt("limitations", [])
    limitations = []
    for item in node.items():
        item.only("slug", "title", "source", "products")
        slug = item.get("slug").slug()
        if len(slug) > MAX_CAUSE_SLUG:
            raise item.get("slug").fail(f"a slug of at most {MAX_CAUSE_SLUG} characters")
        applies = []
        for pnode in item.opt("products", []).items():
            applies.append(pnode.choice(products))
        limitations.append(
            Limitation(
                slug=slug,
                title=item.get("title").text(),
                source=item.get("source").text(),
                products=tuple(applies),
            )
        )
    _unique(node, [lim.slug for lim in limitations], "limitation slugs")
    return tuple(limitations)


def _reproduction(root: Node) -> Reproduction | None:
    """`[reproduction]` (§3.2), optional: without it no category asks for
    reproduction steps, and "cannot reproduce" asks in the desk's words."""
    if "reproduction" not in root.table():
        return None
    node = root.get("reproduction")
    node.only("categories", "request", "source")
    known = [c.get("slug").value for c in root.get("categories").items()]
    categories = [n.choice(known) for n in node.get("categories").items()]
    _unique(node.get("categories"), categories, "category slugs")
    return Reproduction(
        categories=tuple(categories),
        request=node.get("request").text(),
        source=node.get("source").text(),
    )


def _version_support(node: Node) -> VersionSupport:
    node.only("months_after_successor", "text", "source")
    return VersionSupport(
        months_after_successor=node.get("months_after_successor").integer(0, 240),
        text=node.get("text").text(),
        source=node.get("source").text(),
    )


def _handover(root: Node) -> Handover | None:
    """`[handover]` (§2.1), optional: a policy file older than the table has
    no hand-over rule, and the vendor leads every implementation."""
    if "handover" not in root.table():
        return None
    node = root.get("handover")
    node.only("months", "categories", "text", "source")
    known = [c.get("slug").value for c in root.get("categories").items()]
    categories = []
    for item in node.get("categories").items():
        slug = item.slug()
        if slug not in known:
            raise item.fail(f"a category slug from [[categories]] ({', '.join(known)})")
        categories.append(slug)
    if not categories:
        raise node.get("categories").fail("at least one category slug")
    _unique(node.get("categories"), categories, "category slugs")
    return Handover(
        months=node.get("months").integer(0, 120),
        categories=tuple(categories),
        text=node.get("text").text(),
        source=node.get("source").text(),
    )


def _remote_access(root: Node) -> RemoteAccessRule:
    """`[remote_access]` (§2.3), optional: a file without it gets the desk's
    durations and no consent wording beyond the policy's section."""
    default = RemoteAccessRule()
    if "remote_access" not in root.table():
        return default
    node = root.get("remote_access")
    node.only("durations_minutes", "default_minutes", "text", "consent", "source")
    durations_node = node.get("durations_minutes")
    # At least 5 minutes, at most a week: a grant is time-boxed (§2.3).
    minutes = [n.integer(5, 7 * 24 * 60) for n in durations_node.items()]
    if not minutes:
        raise durations_node.fail("at least one duration in minutes")
    _unique(durations_node, [str(m) for m in minutes], "durations")
    chosen = node.get("default_minutes")
    if chosen.integer(5, 7 * 24 * 60) not in minutes:
        raise chosen.fail(f"one of durations_minutes ({', '.join(map(str, minutes))})")
    return RemoteAccessRule(
        durations=tuple(timedelta(minutes=m) for m in sorted(minutes)),
        default=timedelta(minutes=chosen.value),
        text=node.opt("text", "").text(empty=True),
        consent=node.opt("consent", "").text(empty=True),
        source=node.get("source").text(),
    )


def _feedback(root: Node) -> FeedbackRule:
    """`[feedback]` (§2.4), optional: the notice on how feedback may be used."""
    if "feedback" not in root.table():
        return FeedbackRule()
    node = root.get("feedback")
    node.only("notice", "source")
    return FeedbackRule(notice=node.get("notice").text(), source=node.get("source").text())


def _escalation(node: Node) -> Escalation:
    node.only(
        "reasons",
        "communication_modes",
        "deescalation_checklist",
        "questions",
        "text",
        "source",
        "update_reminder_minutes",
    )
    reasons = []
    for r in node.get("reasons").items():
        r.only("slug", "title", "source")
        reasons.append(
            EscalationReason(r.get("slug").slug(), r.get("title").text(), r.get("source").text())
        )
    if not reasons:
        raise node.get("reasons").fail("at least one escalation reason")
    _unique(node.get("reasons"), [r.slug for r in reasons], "reason slugs")
    checklist = []
    for item in node.get("deescalation_checklist").items():
        item.only("slug", "text")
        checklist.append(ChecklistItem(item.get("slug").slug(), item.get("text").text()))
    questions = []
    for q in node.opt("questions", []).items():
        q.only("question", "answer")
        questions.append(Question(q.get("question").text(), q.get("answer").text()))
    return Escalation(
        reasons=tuple(reasons),
        communication_modes=node.get("communication_modes").strings(),
        deescalation_checklist=tuple(checklist),
        questions=tuple(questions),
        text=node.opt("text", "").text(empty=True),
        source=node.get("source").text(),
        # Optional, so a policy file older than the key loads with the default.
        update_reminder=timedelta(
            minutes=node.opt(
                "update_reminder_minutes", Escalation.update_reminder // timedelta(minutes=1)
            ).integer(1, 24 * 60)
        ),
    )


def _contact(node: Node) -> Contact:
    node.only("region", "label", "number", "source")
    return Contact(
        node.get("region").text(),
        node.get("label").text(),
        node.get("number").text(),
        node.get("source").text(),
    )


def _section(node: Node) -> Section:
    node.only("id", "title", "text", "items")
    return Section(
        node.get("id").text(),
        node.get("title").text(),
        node.get("text").text(),
        node.opt("items", []).strings(),
    )


def _decision(node: Node) -> Decision:
    node.only("topic", "text", "source")
    return Decision(node.get("topic").text(), node.get("text").text(), node.get("source").text())


def _unique(node: Node, values: list[str], what: str) -> None:
    seen: set[str] = set()
    for v in values:
        if v in seen:
            raise PolicyError(f"{node.path}: {what} must be unique; {v!r} appears twice")
        seen.add(v)
