"""Implementation hand-over (§2.1): the vendor leads for the policy's months
after a partner's first implementation; from the day after them the
partner's implementation tickets are answered as guidance."""

import dataclasses
import subprocess
import sys
from datetime import date

import pytest

from supportdesk.policy import PolicyError, default_policy, parse_policy
from supportdesk.policy.handover import concerns, decide
from supportdesk.policy.load import default_policy_path

POLICY = default_policy()
SHIPPED = default_policy_path().read_text(encoding="utf-8")


def test_the_shipped_rule():
    rule = POLICY.handover
    assert rule is not None
    assert (rule.months, rule.categories, rule.source) == (
        1,
        ("implementation", "agent-installation"),
        "§2.1",
    )
    assert "within one (1) month of first implementation" in rule.text


@pytest.mark.parametrize(
    ("first", "on", "guidance", "hands_over_on"),
    [
        # First implementation Monday 2026-11-02: the vendor leads through
        # 2026-12-01; from 2026-12-02 the partner's tickets get guidance.
        (date(2026, 11, 2), date(2026, 11, 2), False, date(2026, 12, 2)),
        (date(2026, 11, 2), date(2026, 12, 1), False, date(2026, 12, 2)),
        (date(2026, 11, 2), date(2026, 12, 2), True, date(2026, 12, 2)),
        (date(2026, 11, 2), date(2027, 6, 1), True, date(2026, 12, 2)),
        # Before the first implementation: the vendor leads.
        (date(2026, 11, 2), date(2026, 10, 1), False, date(2026, 12, 2)),
        # 31 January + 1 month clamps to the last day of February.
        (date(2027, 1, 31), date(2027, 2, 27), False, date(2027, 2, 28)),
        (date(2027, 1, 31), date(2027, 2, 28), True, date(2027, 2, 28)),
        (date(2028, 1, 31), date(2028, 2, 28), False, date(2028, 2, 29)),
        (date(2028, 1, 31), date(2028, 2, 29), True, date(2028, 2, 29)),
    ],
)
def test_worked_dates(first, on, guidance, hands_over_on):
    found = decide(POLICY, category="implementation", first_implementation_on=first, on=on)
    assert found is not None
    assert (found.guidance, found.hands_over_on, found.first_implementation_on) == (
        guidance,
        hands_over_on,
        first,
    )
    assert found.source == "§2.1"


def test_agent_installation_too():
    found = decide(
        POLICY,
        category="agent-installation",
        first_implementation_on=date(2025, 1, 1),
        on=date(2026, 1, 1),
    )
    assert found is not None
    assert found.guidance


@pytest.mark.parametrize("category", ["dashboard-configuration", "billing", "", "no-such"])
def test_other_categories_are_not_its_concern(category):
    assert not concerns(POLICY, category)
    assert (
        decide(
            POLICY, category=category, first_implementation_on=date(2020, 1, 1), on=date(2026, 6, 1)
        )
        is None
    )


def test_no_recorded_date_means_the_vendor_leads():
    found = decide(
        POLICY, category="implementation", first_implementation_on=None, on=date(2030, 1, 1)
    )
    assert found is not None
    assert not found.guidance
    assert found.hands_over_on is None


def test_the_months_come_from_the_policy():
    assert POLICY.handover is not None
    three = dataclasses.replace(POLICY, handover=dataclasses.replace(POLICY.handover, months=3))
    first = date(2026, 11, 30)
    found = decide(
        three, category="implementation", first_implementation_on=first, on=date(2027, 2, 27)
    )
    assert found is not None
    assert (found.guidance, found.hands_over_on) == (False, date(2027, 2, 28))
    zero = dataclasses.replace(POLICY, handover=dataclasses.replace(POLICY.handover, months=0))
    found = decide(zero, category="implementation", first_implementation_on=first, on=first)
    assert found is not None
    assert found.guidance


def test_a_policy_without_the_table_has_no_rule():
    start = SHIPPED.index("[handover]")
    end = SHIPPED.index('"""\n', SHIPPED.index('text = """', start)) + 4
    older = parse_policy(SHIPPED[:start] + SHIPPED[end:])
    assert older.handover is None
    assert not concerns(older, "implementation")
    assert (
        decide(
            older,
            category="implementation",
            first_implementation_on=date(2020, 1, 1),
            on=date(2026, 1, 1),
        )
        is None
    )


def _edited(old: str, new: str) -> str:
    assert SHIPPED.count(old) == 1, old
    return SHIPPED.replace(old, new)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            _edited(
                'categories = ["implementation", "agent-installation"]',
                'categories = ["implementation", "installs"]',
            ),
            "handover.categories[1]: expected a category slug from [[categories]]",
        ),
        (
            _edited('categories = ["implementation", "agent-installation"]', "categories = []"),
            "handover.categories: expected at least one category slug",
        ),
        (
            _edited(
                'categories = ["implementation", "agent-installation"]',
                'categories = ["implementation", "implementation"]',
            ),
            "handover.categories: category slugs must be unique",
        ),
        (
            _edited(
                'categories = ["implementation", "agent-installation"]',
                'categories = "implementation"',
            ),
            "handover.categories: expected a list",
        ),
        (
            _edited("[handover]\nmonths = 1", "[handover]\nmonths = -1"),
            "handover.months: expected an integer from 0 to 120",
        ),
        (
            _edited("[handover]\nmonths = 1", '[handover]\nmonths = "one"'),
            "handover.months: expected an integer",
        ),
        (_edited("[handover]\nmonths = 1", "[handover]\nmonth = 1"), "handover.month: unknown key"),
        (
            _edited("[handover]\nmonths = 1\n", "[handover]\n"),
            "handover.months: required key is missing",
        ),
        (
            _edited(
                'categories = ["implementation", "agent-installation"]\nsource = "§2.1"',
                'categories = ["implementation", "agent-installation"]\nsource = ""',
            ),
            "handover.source: expected a non-empty string",
        ),
    ],
)
def test_a_wrong_table_is_refused_naming_the_key(text, words):
    with pytest.raises(PolicyError) as refused:
        parse_policy(text, origin="policy.toml")
    assert words in str(refused.value)
    assert str(refused.value).startswith("policy.toml: ")


PROBE = """
import sys
sys.modules["django"] = None  # any `import django…` now raises ImportError
from supportdesk.policy import handover, versions
assert not any(n == "django" or n.startswith("django.") for n in sys.modules if sys.modules[n])
"""


def test_the_rules_import_without_django():
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_the_statement_renders_the_rule_from_the_same_file():
    from supportdesk.policy.render import render_markdown

    text = render_markdown(POLICY)
    assert "### Implementation hand-over (§2.1)" in text
    assert POLICY.handover is not None
    assert POLICY.handover.text in text
    assert "**Implementation hand-over** (§2.1)" in text  # how the desk reads it
    older = dataclasses.replace(POLICY, handover=None)
    assert "### Implementation hand-over" not in render_markdown(older)
