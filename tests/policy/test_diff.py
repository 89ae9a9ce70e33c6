"""What changed between two policy versions: a summary read from the two
parsed policies (the admin's review of an upload), and the files' diff.

Each case edits the shipped policy the way an admin would, and states the
summary the admin must read: every change, in words, and nothing else."""

from collections.abc import Callable
from dataclasses import fields, is_dataclass, replace
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from supportdesk.policy import ChangeRule, Coverage, Policy, parse_policy
from supportdesk.policy.calendar import WeeklyWindow
from supportdesk.policy.diff import (
    Change,
    DiffLine,
    Kind,
    LineKind,
    PolicyDiff,
    count_lines,
    diff_policies,
    text_diff,
)
from supportdesk.policy.load import default_policy_path
from supportdesk.policy.schema import (
    Category,
    Cell,
    Channel,
    EscalationReason,
    Product,
    Section,
    Severity,
    Target,
)

TEXT = default_policy_path().read_text(encoding="utf-8")
BASE = parse_policy(TEXT)


def edited(*pairs: tuple[str, str]) -> Policy:
    """The shipped policy file with each `old` text replaced by `new`."""
    text = TEXT
    for old, new in pairs:
        assert text.count(old) == 1, f"not once in the file: {old!r}"
        text = text.replace(old, new)
    return parse_policy(text)


def summary(new: Policy, old: Policy = BASE, **kw: object) -> list[tuple[str, str, str]]:
    return [(c.area, c.describe(), c.source) for c in diff_policies(old, new, **kw).changes]


def category(policy: Policy, slug: str) -> Category:
    return policy.category(slug)


def with_category(policy: Policy, slug: str, change: Callable[[Category], Category]) -> Policy:
    return replace(
        policy,
        categories=tuple(change(c) if c.slug == slug else c for c in policy.categories),
    )


def with_cells(policy: Policy, slug: str, change: Callable[[str, Cell], Cell]) -> Policy:
    return with_category(
        policy, slug, lambda c: replace(c, cells=tuple((p, change(p, cell)) for p, cell in c.cells))
    )


def with_severity(policy: Policy, level: int, **changes: object) -> Policy:
    severities = tuple(replace(s, **changes) if s.level == level else s for s in policy.severities)
    return replace(policy, severities=severities)


def test_the_same_policy_changes_nothing():
    diff = diff_policies(BASE, parse_policy(TEXT))
    assert diff.empty
    assert diff.areas() == ()
    assert text_diff(TEXT, TEXT) == ()


def test_a_new_version_says_so():
    new = replace(BASE, meta=replace(BASE.meta, version="2026-12-01", effective=date(2026, 12, 1)))
    assert summary(new) == [
        ("Policy", "version: 2021-09-14+desk.1 → 2026-12-01", "Preamble"),
        ("Policy", "effective: 2021-09-14 → 2026-12-01", "Preamble"),
    ]


# -- severities and targets ----------------------------------------------------------


def test_a_longer_target_names_every_channel_it_applies_to():
    new = edited(
        (
            'targets = [{ channels = ["*"], hours = 4, calendar = "business", source = "§1.6" }]',
            'targets = [{ channels = ["*"], hours = 8, calendar = "business", source = "§1.6" }]',
        )
    )
    assert summary(new) == [
        (
            "Severities and response targets",
            "Severity 3 (Important) › target by email, portal, api, chat, phone: "
            "4 hours (business calendar) → 8 hours (business calendar)",
            "§1.6",
        )
    ]


def test_a_target_of_one_channel_changes_only_there():
    new = edited(
        (
            '{ channels = ["phone"], minutes = 60, calendar = "always", source = "§1.6" }',
            '{ channels = ["phone"], minutes = 30, calendar = "always", source = "§1.6" }',
        )
    )
    assert summary(new) == [
        (
            "Severities and response targets",
            "Severity 1 (Critical) › target by phone: "
            "60 minutes (always calendar) → 30 minutes (always calendar)",
            "§1.6",
        )
    ]


def test_a_target_counted_on_another_calendar():
    sev4 = BASE.severity(4)
    new = with_severity(
        BASE,
        4,
        targets=(replace(sev4.targets[0], duration=timedelta(hours=24), calendar="always"),),
    )
    assert summary(new) == [
        (
            "Severities and response targets",
            "Severity 4 (Minor) › target by email, portal, api, chat, phone: "
            "24 hours (business calendar) → 24 hours (always calendar)",
            "§1.6",
        )
    ]


def test_a_renamed_severity_and_its_effort():
    new = with_severity(BASE, 2, name="Major", continuous_effort=True)
    assert summary(new) == [
        (
            "Severities and response targets",
            "Severity 2 (Major) › name: Major/Urgent → Major",
            "§1.6.2",
        ),
        (
            "Severities and response targets",
            "Severity 2 (Major) › continuous effort: no → yes",
            "§1.6.2",
        ),
    ]


def test_a_severity_added_and_one_removed():
    five = Severity(
        level=5,
        name="Cosmetic",
        summary="A typo on a screen.",
        definition="Cosmetic issues.",
        targets=(Target(("*",), timedelta(hours=48), "business", "§1.6"),),
        continuous_effort=False,
        source="§1.6.5",
    )
    assert summary(replace(BASE, severities=(*BASE.severities, five))) == [
        (
            "Severities and response targets",
            "Severity 5 (Cosmetic): added (A typo on a screen.)",
            "§1.6.5",
        )
    ]
    fewer = replace(BASE, severities=BASE.severities[:3])
    assert summary(fewer) == [
        (
            "Severities and response targets",
            "Severity 4 (Minor): removed (was Routine inquiry, information request, or a bug "
            "affecting few users; workaround available.)",
            "§1.6.4",
        )
    ]


def test_a_long_definition_shows_where_it_changed():
    sev1 = BASE.severity(1)
    reworded = sev1.definition.replace("hardware failure", "hardware or network failure")
    [change] = diff_policies(BASE, with_severity(BASE, 1, definition=reworded)).changes
    assert change.subject == "Severity 1 (Critical) › definition"
    # The stretch that differs, a few words either side, cut at words.
    assert change.before == "…restore a critical device, hardware failure, and/or data integrity…"
    assert change.after == (
        "…restore a critical device, hardware or network failure, and/or data integrity…"
    )


def test_the_rule_for_severity_changes():
    rules = BASE.severity_rules
    new = replace(
        BASE,
        severity_rules=replace(
            rules,
            change_rule=ChangeRule.FROM_SUBMISSION,
            warn_at_percent=80,
            dedicated_contact=None,
        ),
    )
    assert summary(new) == [
        ("Severity rules", "change rule: from-change → from-submission", "§1.7"),
        (
            "Severity rules",
            "dedicated contact: removed (was severity: 1; fallback: 2; exempt vendor outage: yes; "
            "text: Severity 1 issues identified by You…)",
            "§1.6.1",
        ),
        ("Severity rules", "warn at percent: 75 → 80", "§1.7"),
    ]


# -- the support matrix ------------------------------------------------------------


def test_a_cell_that_changes_coverage():
    new = with_cells(
        BASE,
        "hardware-upgrade",
        lambda p, cell: (
            replace(cell, coverage=Coverage.SUPPORTED) if p == "disaster-recovery" else cell
        ),
    )
    assert summary(new) == [
        (
            "Support matrix",
            "Hardware upgrades › Infrascale Disaster Recovery: fee → supported",
            "§4.2.4",
        )
    ]


def test_a_row_reworded_once_for_all_its_products():
    def reword(product: str, cell: Cell) -> Cell:
        return replace(cell, text=cell.text.replace("files and folders to a", "files to a"))

    assert summary(with_cells(BASE, "data-migration", reword)) == [
        (
            "Support matrix",
            "Data migrations › text: …guidance on how to restore files and folders to a "
            "different machine. → …guidance on how to restore files to a different machine.",
            "§4.2.3",
        )
    ]


def test_a_cell_with_its_own_text_and_section():
    def own(product: str, cell: Cell) -> Cell:
        if product != "cloud-backup":
            return cell
        return replace(cell, text="Cloud Backup restores to any machine.", source="§4.2.3a")

    assert summary(with_cells(BASE, "data-migration", own)) == [
        (
            "Support matrix",
            "Data migrations › Infrascale Cloud Backup › section: §4.2.3 → §4.2.3a",
            "§4.2.3a",
        ),
        (
            "Support matrix",
            # Rewritten, not edited: the start of the old text is enough.
            "Data migrations › Infrascale Cloud Backup › text: Use of the Infrascale Service to "
            "move/migrate data from one machine (virtual… → Cloud Backup restores to any "
            "machine.",
            "§4.2.3a",
        ),
    ]


def test_rows_added_removed_and_renamed():
    restores = Category(
        "restores",
        "Restore assistance",
        tuple(
            (p.slug, Cell(Coverage.SUPPORTED, "We help you restore.", "§4.1.6"))
            for p in BASE.products
        ),
    )
    rows = tuple(c for c in BASE.categories if c.slug != "billing")
    rows = tuple(replace(c, name="Data moves") if c.slug == "data-migration" else c for c in rows)
    assert summary(replace(BASE, categories=(*rows, restores))) == [
        ("Support matrix", "Data moves › name: Data migrations → Data moves", ""),
        (
            "Support matrix",
            "Restore assistance: added (Infrascale Cloud Backup: supported; Infrascale Cloud "
            "Application Backup: supported; Infrascale Disaster Recovery: supported; Infrascale "
            "Backup & Disaster Recovery: supported)",
            "§4.1.6",
        ),
        (
            "Support matrix",
            "Billing assistance: removed (was Infrascale Cloud Backup: finance; Infrascale Cloud "
            "Application Backup: finance; Infrascale Disaster Recovery: finance; Infrascale "
            "Backup & Disaster Recovery: finance)",
            "§4.2.7",
        ),
    ]


def test_a_new_product_and_its_column():
    endpoint = Product("endpoint", "Infrascale Endpoint")
    cell = Cell(Coverage.NOT_APPLICABLE, "n/a", "§4")
    rows = tuple(
        replace(c, cells=(*c.cells, ("endpoint", cell))) if c.slug == "billing" else c
        for c in BASE.categories
    )
    new = replace(BASE, products=(*BASE.products, endpoint), categories=rows)
    assert summary(new) == [
        ("Products", "Infrascale Endpoint: added (slug: endpoint)", ""),
        (
            "Support matrix",
            "Billing assistance › Infrascale Endpoint: added (not-applicable)",
            "§4",
        ),
    ]
    assert summary(BASE, old=new) == [
        ("Products", "Infrascale Endpoint: removed (was slug: endpoint)", ""),
        (
            "Support matrix",
            "Billing assistance › Infrascale Endpoint: removed (was not-applicable)",
            "§4",
        ),
    ]


# -- calendars and channels -------------------------------------------------------------


def test_staffed_hours_that_shrink():
    new = edited(
        (
            'windows = [{ days = ["mon", "tue", "wed", "thu", "fri"], opens = "08:00", '
            'closes = "20:00" }]',
            'windows = [{ days = ["mon", "tue", "wed", "thu", "fri"], opens = "09:00", '
            'closes = "17:00" }]',
        )
    )
    assert summary(new) == [
        (
            "Calendars",
            "calendar staffed › open: mon 08:00–20:00, tue 08:00–20:00, wed 08:00–20:00, "
            "thu 08:00–20:00, fri 08:00–20:00 → mon 09:00–17:00, tue 09:00–17:00, "
            "wed 09:00–17:00, thu 09:00–17:00, fri 09:00–17:00",
            "",
        )
    ]


def test_holidays_are_the_dates_closed_in_the_years_asked():
    business = 'holidays = []\nsource = "§1.2, §1.6"'
    new = edited(
        (business, 'holidays = [2026-12-25, 2027-01-01, 2030-01-01]\nsource = "§1.2, §1.6"')
    )
    years = range(2026, 2028)
    assert summary(new, years=years) == [
        ("Calendars", "calendar business › holidays 2026–2027: added (2026-12-25, 2027-01-01)", "")
    ]
    assert summary(BASE, old=new, years=range(2030, 2031)) == [
        ("Calendars", "calendar business › holidays 2030: removed (was 2030-01-01)", "")
    ]
    # By default: the new policy's effective year and the next (2021, 2022 here).
    assert summary(new) == []


def test_a_country_of_holidays_lists_its_dates():
    new = edited(
        ('holidays = []\nsource = "§1.2, §1.6"', 'holiday_country = "US"\nsource = "§1.2, §1.6"')
    )
    [(_, words, _)] = summary(new, years=range(2026, 2027))
    assert words.startswith(
        "calendar business › holidays 2026: added (2026-01-01, 2026-01-19, 2026-02-16, "
    )
    more = len(holidays.country_holidays("US", years=2026)) - 8  # 8 shown
    assert words.endswith(f" and {more} more)")


def test_a_calendar_moved_retitled_added_and_removed():
    calendars = dict(BASE.calendars)
    moved = replace(calendars["staffed"], zone=ZoneInfo("America/Chicago"))
    night = replace(
        calendars["staffed"], name="night", windows=(WeeklyWindow.parse(0, "20:00", "08:00"),)
    )
    new = replace(
        BASE,
        calendars=(("business", calendars["business"]), ("staffed", moved), ("night", night)),
        calendar_titles=(
            ("business", "business hours"),
            ("staffed", dict(BASE.calendar_titles)["staffed"]),
            ("night", "nights"),
        ),
    )
    assert summary(new) == [
        (
            "Calendars",
            "calendar business › title: business hours (Monday 00:00 to Friday 24:00 Eastern) "
            "→ business hours",
            "",
        ),
        ("Calendars", "calendar staffed › zone: America/New_York → America/Chicago", ""),
        ("Calendars", "calendar night: added (mon 20:00–08:00 next day, America/New_York)", ""),
        (
            "Calendars",
            "calendar always: removed (was mon 00:00–24:00, tue 00:00–24:00, wed 00:00–24:00, "
            "thu 00:00–24:00, fri 00:00–24:00, sat 00:00–24:00, sun 00:00–24:00, "
            "America/New_York)",
            "",
        ),
    ]


def test_a_new_channel_gets_each_severitys_target():
    sms = Channel("sms", "Text message", "always", (), "", "", "§1.5")
    new = replace(BASE, channels=(*BASE.channels, sms))
    assert summary(new) == [
        ("Channels", "Text message: added (slug: sms; intake: always)", "§1.5"),
        *[
            (
                "Severities and response targets",
                f"{label} › target by sms: added ({target})",
                "§1.6",
            )
            for label, target in (
                ("Severity 1 (Critical)", "2 hours (business calendar)"),
                ("Severity 2 (Major/Urgent)", "2 hours (business calendar)"),
                ("Severity 3 (Important)", "4 hours (business calendar)"),
                ("Severity 4 (Minor)", "24 hours (business calendar)"),
            )
        ],
    ]


def test_a_channel_removed_and_one_changed():
    phone = replace(BASE.channel("phone"), intake_by_severity=(), intake="always")
    channels = tuple(phone if c.slug == "phone" else c for c in BASE.channels if c.slug != "chat")
    changes = summary(replace(BASE, channels=channels))
    assert changes[:3] == [
        ("Channels", "Telephone › intake: staffed → always", "§1.2, §1.5"),
        ("Channels", "Telephone › intake by severity › 1: removed (was always)", "§1.2, §1.5"),
        (
            "Channels",
            "Chat: removed (was slug: chat; intake: staffed; note: Chat is staffed Monday to "
            "Friday, 8am…)",
            "§1.2",
        ),
    ]
    assert [c[1] for c in changes[3:]] == [
        "Severity 1 (Critical) › target by chat: removed (was 2 hours (business calendar))",
        "Severity 2 (Major/Urgent) › target by chat: removed (was 2 hours (business calendar))",
        "Severity 3 (Important) › target by chat: removed (was 4 hours (business calendar))",
        "Severity 4 (Minor) › target by chat: removed (was 24 hours (business calendar))",
    ]


# -- the rest of the policy, field by field ------------------------------------------------


def test_escalation_reasons_and_modes():
    escalation = BASE.escalation
    reason = EscalationReason("security-incident", "Security incident", "§1.8")
    modes = escalation.communication_modes
    new = replace(
        BASE,
        escalation=replace(
            escalation,
            reasons=(*escalation.reasons[1:], reason),
            communication_modes=(*modes, "sms"),
            update_reminder=timedelta(minutes=45),
        ),
    )
    first = escalation.reasons[0]
    assert summary(new) == [
        ("Escalation", "reasons › Security incident: added (slug: security-incident)", "§1.8"),
        ("Escalation", f"reasons › {first.title}: removed (was slug: {first.slug})", first.source),
        ("Escalation", "communication modes: added (sms)", escalation.source),
        ("Escalation", "update reminder: 30 minutes → 45 minutes", escalation.source),
    ]
    swapped = replace(BASE, escalation=replace(escalation, communication_modes=modes[::-1]))
    [(_, words, _)] = summary(swapped)
    assert words == f"communication modes › order: {', '.join(modes)} → {', '.join(modes[::-1])}"


def test_sections_contacts_and_decisions():
    section = BASE.sections[0]
    contact = BASE.contacts[0]
    decision = BASE.decisions[0]
    new = replace(
        BASE,
        sections=(
            replace(section, title="About us"),
            *BASE.sections[1:],
            Section("§5", "Glossary", "Words we use."),
        ),
        contacts=(replace(contact, number="+1 555 0100"), *BASE.contacts[1:]),
        decisions=(replace(decision, text="Read it strictly."), *BASE.decisions[1:]),
    )
    assert summary(new) == [
        (
            "Contacts",
            f"{contact.region} {contact.label} › number: {contact.number} → +1 555 0100",
            contact.source,
        ),
        ("Policy text", f"{section.id} About us › title: {section.title} → About us", ""),
        ("Policy text", "§5 Glossary: added (id: §5; text: Words we use.)", ""),
        (
            "Decisions",
            f"{decision.topic} › text: {diff_words(decision.text)} → Read it strictly.",
            decision.source,
        ),
    ]


def diff_words(text: str) -> str:
    """How a long text shows beside a short one: its start, up to the margin."""
    from supportdesk.policy.diff import _texts

    return _texts(text, "Read it strictly.")[0]


def test_version_support_and_third_parties():
    third = BASE.third_party
    new = replace(
        BASE,
        version_support=replace(BASE.version_support, months_after_successor=18),
        third_party=replace(
            third, supported=third.supported[1:], options=(*third.options, "refund")
        ),
    )
    gone = third.supported[0]
    assert summary(new) == [
        (
            "Third-party products",
            f"supported › {gone.name}: removed (was slug: {gone.slug})",
            gone.source,
        ),
        ("Third-party products", "options: added (refund)", third.source),
        ("Version support", "months after successor: 12 → 18", BASE.version_support.source),
    ]


def test_every_part_of_the_policy_is_compared():
    """A part of the schema this module has no words of its own for (one
    added later) is still compared, field by field."""
    from supportdesk.policy import diff

    for field in fields(Policy):
        if field.name in diff._COMPARED:
            continue
        value = edit_first_text(getattr(BASE, field.name))
        if value is None:
            continue
        changed = replace(BASE, **{field.name: value})
        assert diff_policies(BASE, changed).changes, field.name
    # The walk that compares them compares these too.
    assert diff_policies(BASE, replace(BASE, escalation=edit_first_text(BASE.escalation))).changes


def edit_first_text(value: object) -> object | None:
    """`value` with its first text field (or its first entry's) changed;
    None if it has none."""
    if isinstance(value, tuple):
        first = edit_first_text(value[0]) if value else None
        return None if first is None else (first, *value[1:])
    if not is_dataclass(value) or isinstance(value, type):
        return None
    for f in fields(value):
        if isinstance(getattr(value, f.name), str):
            return replace(value, **{f.name: getattr(value, f.name) + " (changed)"})
    return None


# -- words ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (Change("A", "x", Kind.ADDED, after="1"), "x: added (1)"),
        (Change("A", "x", Kind.ADDED), "x: added"),
        (Change("A", "x", Kind.REMOVED, before="1"), "x: removed (was 1)"),
        (Change("A", "x", Kind.REMOVED), "x: removed"),
        (Change("A", "x", Kind.CHANGED, "1", "2"), "x: 1 → 2"),
    ],
)
def test_a_change_in_words(change, words):
    assert change.describe() == words


def test_changes_grouped_by_area_in_order():
    a1, b1, a2 = (
        Change("A", "1", Kind.ADDED),
        Change("B", "1", Kind.ADDED),
        Change("A", "2", Kind.ADDED),
    )
    assert PolicyDiff((a1, b1, a2)).areas() == (("A", (a1, a2)), ("B", (b1,)))


def test_areas_follow_the_statement_of_support():
    new = with_severity(
        with_cells(BASE, "billing", lambda p, c: replace(c, coverage=Coverage.SUPPORTED)),
        1,
        name="Urgent",
    )
    new = replace(new, meta=replace(new.meta, version="2"))
    assert [area for area, _ in diff_policies(BASE, new).areas()] == [
        "Policy",
        "Severities and response targets",
        "Support matrix",
    ]


# -- the files ---------------------------------------------------------------------------


def test_the_text_diff_is_unified_and_classified():
    old = "a = 1\nb = 2\nc = 3\n"
    new = "a = 1\nb = 20\nc = 3\nd = 4\n"
    lines = text_diff(old, new, old_name="active: 1", new_name="uploaded: 2", context=1)
    assert lines == (
        DiffLine(LineKind.FILE, "--- active: 1"),
        DiffLine(LineKind.FILE, "+++ uploaded: 2"),
        DiffLine(LineKind.HUNK, "@@ -1,3 +1,4 @@"),
        DiffLine(LineKind.SAME, " a = 1"),
        DiffLine(LineKind.REMOVED, "-b = 2"),
        DiffLine(LineKind.ADDED, "+b = 20"),
        DiffLine(LineKind.SAME, " c = 3"),
        DiffLine(LineKind.ADDED, "+d = 4"),
    )
    assert count_lines(lines) == (2, 1)


def test_a_line_that_looks_like_a_header_is_still_a_change():
    lines = text_diff("x\n--- y\n", "x\n", context=0)
    assert lines[-1] == DiffLine(LineKind.REMOVED, "---- y")
    assert count_lines(lines) == (0, 1)


def test_comments_and_layout_change_the_text_not_the_rules():
    new_text = TEXT.replace("# -- Severities", "# -- The severities", 1)
    assert diff_policies(BASE, parse_policy(new_text)).empty
    assert count_lines(text_diff(TEXT, new_text)) == (1, 1)
