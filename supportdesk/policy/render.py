"""The statement of support, written from the policy file.

Customers read the same file the desk enforces, so the two cannot drift.
Markdown is the source form; HTML is rendered from it with raw HTML disabled
and then sanitised, because a policy's text is data, not markup.
"""

from __future__ import annotations

from datetime import timedelta

from supportdesk.policy.schema import Coverage, Policy, Section, Target

COVERAGE_WORDS = {
    Coverage.SUPPORTED: "Yes",
    Coverage.NOT_SUPPORTED: "No",
    Coverage.NOT_APPLICABLE: "n/a",
    Coverage.FEE: "Yes – additional fee",
    Coverage.FINANCE: "Via Finance Team",
}


def render_markdown(policy: Policy) -> str:
    """The whole statement of support as Markdown."""
    out: list[str] = []
    meta = policy.meta
    out += [f"# {_inline(meta.title)}", ""]
    out += [
        f"{_inline(meta.vendor)} · policy version {_inline(meta.version)} · "
        f"effective {meta.effective:%B} {meta.effective.day}, {meta.effective.year}"
        + (f" · {_inline(meta.revised)}" if meta.revised else ""),
        "",
    ]
    if meta.introduction:
        out += [meta.introduction, ""]

    out += ["## 1. General information", ""]
    out += _sections(policy.sections, "§1.1")
    out += ["### Support channels and hours (§1.2, §1.5)", ""]
    out += ["| Channel | Takes tickets | Notes |", "|---|---|---|"]
    for channel in policy.channels:
        hours = policy.calendar_title(channel.intake)
        exceptions = "; ".join(
            f"Severity {level}: {policy.calendar_title(cal)}"
            for level, cal in channel.intake_by_severity
        )
        when = hours + (f"; {exceptions}" if exceptions else "")
        out.append(f"| {_cell(channel.name)} | {_cell(when)} | {_cell(channel.note)} |")
    out.append("")
    if policy.contacts:
        out += ["### Contact support (§1.3)", ""]
        out += [
            f"- {_inline(c.region)} {_inline(c.label)}: {_inline(c.number)}"
            for c in policy.contacts
        ]
        addresses = [c for c in policy.channels if c.address]
        out += [f"- {_inline(c.name)}: {_inline(c.address)}" for c in addresses]
        out.append("")
    out += _sections(policy.sections, "§1.4", "§1.5")

    out += ["### Severity and response time (§1.6)", ""]
    out += ["| Severity level | Target response time |", "|---|---|"]
    for severity in policy.severities:
        alone = len(severity.targets) == 1
        targets = "; ".join(_target_words(policy, t, alone=alone) for t in severity.targets)
        out.append(f"| {_cell(severity.name)} (Severity {severity.level}) | {_cell(targets)} |")
    out.append("")
    out += ["Targets are for the first response. Resolution time is not guaranteed.", ""]
    out += _sections(policy.sections, "§1.6")
    for severity in policy.severities:
        out += [f"#### {_inline(severity.name)} (Severity {severity.level}, {severity.source})", ""]
        out += [severity.definition, ""]
        if severity.continuous_effort:
            effort = policy.severity_rules.continuous_effort
            every = _words_minutes(effort.unassigned_alert_every)
            out += [
                "Issues of this severity get continuous effort until a workaround or resolution "
                f"is provided or the issue is downgraded ({effort.source}). While nobody has "
                "taken such an issue, the support managers are alerted at once and again every "
                f"{every} until someone does (the interval is this desk's own choice: the "
                "policy sets none).",
                "",
            ]
    rule = policy.severity_rules.dedicated_contact
    if rule is not None:
        out += [f"**Dedicated contact ({rule.source}).** {rule.text}", ""]

    for section in policy.severity_rules.lifecycle_text:
        level = "###" if section.id.count(".") == 1 else "####"
        out += [f"{level} {_inline(section.title)} ({section.id})", "", section.text, ""]
    out += _change_rule_words(policy)

    esc = policy.escalation
    out += [f"### Support ticket escalation ({esc.source})", ""]
    if esc.text:
        out += [esc.text, ""]
    out += ["You may ask for an escalation for one of these reasons:", ""]
    out += [f"- {_inline(r.title)}" for r in esc.reasons]
    out.append("")
    for q in esc.questions:
        out += [f"**{_inline(q.question)}**", "", q.answer, ""]
    out += ["Before a ticket is de-escalated, the assigned engineer will:", ""]
    out += [f"{i}. {_inline(item.text)}" for i, item in enumerate(esc.deescalation_checklist, 1)]
    out.append("")

    out += ["## 2. Your responsibilities", ""]
    out += _sections(policy.sections, *[s.id for s in policy.sections if s.id.startswith("§2")])
    if policy.handover is not None:
        ho = policy.handover
        out += [f"### Implementation hand-over ({ho.source})", "", ho.text, ""]
    ra = policy.remote_access
    spans = ", ".join(_words_minutes(d) for d in ra.durations)
    out += [
        f"### Remote access on this desk ({ra.source})",
        "",
        "An engineer asks on the ticket for remote access, saying what for and for how long "
        f"({spans}); you grant or decline it in the portal or by replying to the request. A "
        "grant ends when its time runs out, or sooner when either side revokes it. Every step "
        "is in the ticket's history. (The durations are this desk's own choice: the policy "
        "sets none.)",
        "",
    ]

    out += ["## 3. Limitations of support", ""]
    out += _sections(policy.sections, *[s.id for s in policy.sections if s.id.startswith("§3")])
    tp = policy.third_party
    out += [f"### Third-party applications ({tp.source})", "", tp.text, ""]
    out += ["Supported third-party products:", ""]
    out += [f"- {_inline(p.name)}" for p in tp.supported]
    out.append("")
    vs = policy.version_support
    out += [f"### Version support ({vs.source})", "", vs.text, ""]

    out += ["## 4. Support matrix", ""]
    header = " | ".join(_cell(p.name) for p in policy.products)
    out += [f"| | {header} |", "|---|" + "---|" * len(policy.products)]
    for category in policy.categories:
        cells = " | ".join(COVERAGE_WORDS[category.cell(p.slug).coverage] for p in policy.products)
        out.append(f"| {_cell(category.name)} | {cells} |")
    out.append("")
    for category in policy.categories:
        out += [f"#### {_inline(category.name)}", ""]
        texts: dict[tuple[str, str], list[str]] = {}
        for product in policy.products:
            cell = category.cell(product.slug)
            if cell.coverage is Coverage.NOT_APPLICABLE:
                continue
            texts.setdefault((cell.text, cell.source), []).append(product.name)
        for (text, source), products in texts.items():
            scope = "" if len(texts) == 1 else f"*{_inline(', '.join(products))}:* "
            out += [f"{scope}{text} ({source})", ""]

    if policy.decisions:
        out += ["## How this desk reads the policy", ""]
        out += [
            "Where the written policy leaves a question open, the desk decides as follows.",
            "",
        ]
        for decision in policy.decisions:
            out += [f"- **{_inline(decision.topic)}** ({decision.source}). {decision.text}"]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def render_html(policy: Policy) -> str:
    """The statement of support as a sanitised HTML fragment."""
    import nh3
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    return nh3.clean(md.render(render_markdown(policy)))


def render_html_page(policy: Policy) -> str:
    """A standalone HTML page of the statement, for `policy render --format html`."""
    from html import escape

    title = escape(f"{policy.meta.vendor} — {policy.meta.title}")
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title></head><body>\n{render_html(policy)}</body></html>\n"
    )


def _target_words(policy: Policy, target: Target, *, alone: bool) -> str:
    named = " or ".join(policy.channel(c).name.lower() for c in target.channels if c != "*")
    if "*" not in target.channels:
        channels = f"by {named}"
    elif named:
        channels = f"by {named} or any other channel"
    else:
        channels = "by any channel" if alone else "by any other channel"
    calendar = policy.calendar_title(target.calendar)
    words = f"{_duration(target.duration)} {channels}, counted in {calendar}"
    return words + (f" ({target.note})" if target.note else "")


def _duration(duration: timedelta) -> str:
    minutes = int(duration.total_seconds() // 60)
    if minutes % 60 or minutes <= 90:
        return f"{minutes} minutes or less"
    hours = minutes // 60
    return f"{hours} hour{'s' if hours != 1 else ''} or less"


def _words_minutes(duration: timedelta) -> str:
    """An interval as "30 minutes", "2 hours", "1 hour 30 minutes"."""
    hours, minutes = divmod(int(duration.total_seconds() // 60), 60)
    parts = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
    if minutes or not parts:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)


def _change_rule_words(policy: Policy) -> list[str]:
    rule = policy.severity_rules.change_rule.value
    if rule == "from-change":
        text = (
            "If the severity changes before the first response, an upgrade makes the response due "
            "at the earlier of the current due time and the time of the upgrade plus the new "
            "target; a downgrade makes it due at submission plus the new target. A missed target "
            "stays recorded."
        )
    else:
        text = (
            "If the severity changes before the first response, the response is due at "
            "submission plus the new severity's target. A missed target stays recorded."
        )
    return [f"*{text} ({policy.severity_rules.source}, rule `{rule}`)*", ""]


def _sections(sections: tuple[Section, ...], *ids: str) -> list[str]:
    out: list[str] = []
    for section in sections:
        if section.id not in ids:
            continue
        out += [f"### {_inline(section.title)} ({section.id})", "", section.text, ""]
        if section.items:
            out += [f"{i}. {_inline(item)}" for i, item in enumerate(section.items, 1)]
            out.append("")
    return out


def _inline(text: str) -> str:
    """Text for a heading or list item: on one line, Markdown emphasis inert."""
    return " ".join(text.split()).replace("*", r"\*").replace("_", r"\_")


def _cell(text: str) -> str:
    """Text for a table cell: one line, pipes escaped."""
    return _inline(text).replace("|", r"\|")
