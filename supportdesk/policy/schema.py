"""The policy as immutable values.

Every entry that comes from the written policy carries `source`, the section
of the policy that asks for it ("§1.6"), so a rule the desk applies can be
traced back to its text. `load.py` builds these from a TOML file and checks
them; nothing here reads files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from supportdesk.policy.calendar import BusinessCalendar

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from supportdesk.policy.sla import Explanation, SlaEvent, SlaState


ANY_CHANNEL = "*"


class ChangeRule(StrEnum):
    """How a severity change before the first response moves the due time."""

    # Upgrade at t: due = min(current due, t + new target); downgrade: due =
    # submission + new target (DESIGN.md §2).
    FROM_CHANGE = "from-change"
    # due = submission + new target, as Zendesk, JSM, Zammad and Frappe do.
    FROM_SUBMISSION = "from-submission"


class Coverage(StrEnum):
    SUPPORTED = "supported"
    NOT_SUPPORTED = "not-supported"
    NOT_APPLICABLE = "not-applicable"
    FEE = "fee"
    FINANCE = "finance"


@dataclass(frozen=True)
class Meta:
    vendor: str
    title: str
    version: str
    effective: date
    revised: str
    introduction: str
    source: str


@dataclass(frozen=True)
class Channel:
    """A way in for tickets, open per severity on a calendar."""

    slug: str
    name: str
    intake: str  # calendar name for every severity not in `intake_by_severity`
    intake_by_severity: tuple[tuple[int, str], ...]
    address: str
    note: str
    source: str

    def intake_calendar(self, severity: int) -> str:
        for level, calendar in self.intake_by_severity:
            if level == severity:
                return calendar
        return self.intake


@dataclass(frozen=True)
class Target:
    """First-response target for some channels: `duration` of open time on
    `calendar`."""

    channels: tuple[str, ...]
    duration: timedelta
    calendar: str
    source: str
    note: str = ""

    def applies_to(self, channel: str) -> bool:
        return channel in self.channels or ANY_CHANNEL in self.channels


@dataclass(frozen=True)
class Severity:
    level: int
    name: str
    summary: str
    definition: str
    targets: tuple[Target, ...]
    continuous_effort: bool
    source: str

    def target_for(self, channel: str) -> Target:
        """The first target naming `channel`, else the catch-all one."""
        for target in self.targets:
            if channel in target.channels:
                return target
        for target in self.targets:
            if ANY_CHANNEL in target.channels:
                return target
        raise KeyError(f"severity {self.level} has no target for channel {channel!r}")


@dataclass(frozen=True)
class DedicatedContactRule:
    """§1.6.1: `severity` needs a named customer contact dedicated to the
    issue, unless the issue is a vendor service outage; without one the
    ticket opens at `fallback`."""

    severity: int
    fallback: int
    exempt_vendor_outage: bool
    text: str
    source: str


@dataclass(frozen=True)
class ContinuousEffortRule:
    """§1.6: a severity with `continuous_effort` gets it until a workaround
    or resolution is provided or it is downgraded. While nobody has such a
    ticket the support managers are alerted at once and again every
    `unassigned_alert_every`: the policy gives no interval, so it is the
    desk's own choice."""

    unassigned_alert_every: timedelta = timedelta(minutes=30)
    source: str = "§1.6"


@dataclass(frozen=True)
class SeverityRules:
    change_rule: ChangeRule
    upgrade_request_needs_justification: bool
    dedicated_contact: DedicatedContactRule | None
    lifecycle_text: tuple[Section, ...]
    source: str
    # The SLA worker warns once this share of a first-response target has run.
    warn_at_percent: int = 75
    continuous_effort: ContinuousEffortRule = ContinuousEffortRule()


@dataclass(frozen=True)
class Product:
    slug: str
    name: str


@dataclass(frozen=True)
class Cell:
    coverage: Coverage
    text: str
    source: str


@dataclass(frozen=True)
class Category:
    """One row of the support matrix (§4)."""

    slug: str
    name: str
    cells: tuple[tuple[str, Cell], ...]  # product slug -> cell

    def cell(self, product: str) -> Cell:
        for slug, cell in self.cells:
            if slug == product:
                return cell
        raise KeyError(f"category {self.slug!r} has no entry for product {product!r}")


@dataclass(frozen=True)
class ThirdPartyProduct:
    slug: str
    name: str
    source: str


@dataclass(frozen=True)
class ThirdParty:
    supported: tuple[ThirdPartyProduct, ...]
    options: tuple[str, ...]  # what the vendor may elect (§3.3)
    text: str
    source: str
    # The section of the options (§3.3); empty: `source`.
    options_source: str = ""

    @property
    def options_section(self) -> str:
        return self.options_source or self.source


@dataclass(frozen=True)
class Limitation:
    """A limit of support (§3.1, §3.4): a cause a ticket may be resolved or
    closed with when the issue lies outside what the vendor supports. With
    `products`, it applies to those products only (§3.4: on-premises
    infrastructure of the disaster-recovery products)."""

    slug: str
    title: str
    source: str
    products: tuple[str, ...] = ()

    def applies_to(self, product: str) -> bool:
        """Whether the cause fits a ticket for `product` ("" for a ticket
        whose product is not known yet: every cause fits)."""
        return not self.products or not product or product in self.products


@dataclass(frozen=True)
class Reproduction:
    """§3.2: support addresses issues that are demonstrable and
    reproducible. Tickets of `categories` (the troubleshooting ones) ask for
    the steps that reproduce the issue; `request` is what the customer reads
    when an engineer cannot reproduce it."""

    categories: tuple[str, ...]
    request: str
    source: str


@dataclass(frozen=True)
class VersionSupport:
    months_after_successor: int
    text: str
    source: str


@dataclass(frozen=True)
class Handover:
    """§2.1: for `months` after a partner's first implementation the vendor
    leads installation and implementation; after that, the partner's tickets
    of `categories` are answered as guidance (documentation, training)."""

    months: int
    categories: tuple[str, ...]
    text: str
    source: str


@dataclass(frozen=True)
class EscalationReason:
    slug: str
    title: str
    source: str


@dataclass(frozen=True)
class ChecklistItem:
    slug: str
    text: str


@dataclass(frozen=True)
class Question:
    question: str
    answer: str


@dataclass(frozen=True)
class Escalation:
    reasons: tuple[EscalationReason, ...]
    communication_modes: tuple[str, ...]
    deescalation_checklist: tuple[ChecklistItem, ...]
    questions: tuple[Question, ...]
    text: str
    source: str
    # How long before an update of the communication plan is due the engineer
    # is reminded. §1.8 gives no lead time: the desk's own choice.
    update_reminder: timedelta = timedelta(minutes=30)


@dataclass(frozen=True)
class Contact:
    region: str
    label: str
    number: str
    source: str


@dataclass(frozen=True)
class Section:
    """Policy text the desk shows but does not compute with."""

    id: str
    title: str
    text: str
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decision:
    """How the desk reads an ambiguity of the written policy."""

    topic: str
    text: str
    source: str


@dataclass(frozen=True)
class RemoteAccessRule:
    """§2.3: at the vendor's request the customer lets it reach the Service
    remotely. An engineer asks for one of `durations`; a grant lasts that
    long of wall-clock time from the moment it is given, and either side may
    end it sooner. §2.3 names no durations: they are the desk's own choice.
    `text` quotes the policy; `consent` is what granting means, shown beside
    the customer's Grant button."""

    durations: tuple[timedelta, ...] = (
        timedelta(hours=1),
        timedelta(hours=4),
        timedelta(hours=8),
        timedelta(hours=24),
    )
    default: timedelta = timedelta(hours=4)
    text: str = ""
    consent: str = ""
    source: str = "§2.3"


@dataclass(frozen=True)
class FeedbackRule:
    """§2.4: how the vendor may use product feedback, shown on the feedback form."""

    notice: str = ""
    source: str = "§2.4"


@dataclass(frozen=True)
class Policy:
    meta: Meta
    calendars: tuple[tuple[str, BusinessCalendar], ...]
    calendar_titles: tuple[tuple[str, str], ...]
    channels: tuple[Channel, ...]
    severities: tuple[Severity, ...]
    severity_rules: SeverityRules
    products: tuple[Product, ...]
    categories: tuple[Category, ...]
    third_party: ThirdParty
    version_support: VersionSupport
    escalation: Escalation
    contacts: tuple[Contact, ...]
    sections: tuple[Section, ...]
    decisions: tuple[Decision, ...]
    # Optional, so a policy file older than [handover] loads (without the rule).
    handover: Handover | None = None
    # §2.3, §2.4: optional too; a file without them gets the desk's defaults.
    remote_access: RemoteAccessRule = RemoteAccessRule()
    feedback: FeedbackRule = FeedbackRule()
    # §3.1, §3.4 and §3.2: optional, so an older file loads (no causes; no
    # category asks for reproduction steps).
    limitations: tuple[Limitation, ...] = ()
    reproduction: Reproduction | None = None

    @property
    def version(self) -> str:
        return self.meta.version

    # -- lookups ------------------------------------------------------------

    def calendar(self, name: str) -> BusinessCalendar:
        for key, calendar in self.calendars:
            if key == name:
                return calendar
        raise KeyError(f"no calendar {name!r} (have: {', '.join(k for k, _ in self.calendars)})")

    def calendar_title(self, name: str) -> str:
        return dict(self.calendar_titles).get(name, name)

    def channel(self, slug: str) -> Channel:
        for channel in self.channels:
            if channel.slug == slug:
                return channel
        raise KeyError(f"no channel {slug!r} (have: {', '.join(c.slug for c in self.channels)})")

    def severity(self, level: int) -> Severity:
        for severity in self.severities:
            if severity.level == level:
                return severity
        levels = ", ".join(str(s.level) for s in self.severities)
        raise KeyError(f"no severity {level!r} (have: {levels})")

    def product(self, slug: str) -> Product:
        for product in self.products:
            if product.slug == slug:
                return product
        raise KeyError(f"no product {slug!r}")

    def category(self, slug: str) -> Category:
        for category in self.categories:
            if category.slug == slug:
                return category
        raise KeyError(f"no support category {slug!r}")

    def limitation(self, slug: str) -> Limitation:
        for limitation in self.limitations:
            if limitation.slug == slug:
                return limitation
        raise KeyError(f"no resolution cause {slug!r}")

    def coverage(self, product: str, category: str) -> Cell:
        """What the support matrix says for `category` of `product` (§4)."""
        self.product(product)
        return self.category(category).cell(product)

    def target(self, severity: int, channel: str) -> Target:
        self.channel(channel)
        return self.severity(severity).target_for(channel)

    # -- decisions (delegated to sla.py, imported late to avoid a cycle) ----

    def response_due(self, submitted_at: datetime, severity: int, channel: str) -> datetime:
        """When the first response is due (UTC) for a ticket submitted to the
        vendor at `submitted_at` with `severity` by `channel` (§1.6)."""
        target = self.target(severity, channel)
        return self.calendar(target.calendar).add(submitted_at, target.duration)

    def response_due_many(
        self,
        submitted_at: npt.NDArray[np.datetime64],
        severities: npt.ArrayLike,
        channels: npt.ArrayLike,
    ) -> npt.NDArray[np.datetime64]:
        from supportdesk.policy.sla import response_due_many

        return response_due_many(self, submitted_at, severities, channels)

    def sla(self, events: tuple[SlaEvent, ...], *, now: datetime | None = None) -> SlaState:
        from supportdesk.policy.sla import compute

        return compute(self, events, now=now)

    def explain(self, events: tuple[SlaEvent, ...]) -> Explanation:
        from supportdesk.policy.sla import explain

        return explain(self, events)

    def is_open(self, channel: str, severity: int, at: datetime) -> bool:
        """Whether `channel` takes tickets of `severity` at `at` (§1.2, §1.5)."""
        return self.calendar(self.channel(channel).intake_calendar(severity)).is_open(at)

    def next_opening(self, channel: str, severity: int, at: datetime) -> datetime:
        """`at` if `channel` is open for `severity` then, else when it opens."""
        calendar = self.calendar(self.channel(channel).intake_calendar(severity))
        return calendar.next_opening(at)
