"""The statement of support is written from the policy file."""

from dataclasses import replace

from supportdesk.policy import default_policy
from supportdesk.policy.render import render_html, render_markdown

POLICY = default_policy()


def test_markdown_has_every_part_of_the_statement():
    text = render_markdown(POLICY)
    for words in [
        "# Statement of Support & Customer Service Policy",
        "| Critical (Severity 1) | 60 minutes or less by telephone",
        "2 hours or less by any other channel, counted in business hours",
        "| Minor (Severity 4) | 24 hours or less by any channel",
        "Severity 1: wall-clock time",  # the weekend P1 phone line
        "- UK Phone: +44 800 160 1454",
        "How do I de-escalate a Support Ticket?",
        "1. Confirm that the action plan is acceptable",
        "| Hardware upgrades | n/a | n/a | Yes – additional fee | Yes – additional fee |",
        "| Billing assistance | Via Finance Team | Via Finance Team",
        "*Infrascale Cloud Backup, Infrascale Cloud Application Backup:* Infrascale shall not",
        "- StorageCraft ShadowProtect",
        "one (1) year after the date of release of a subsequent version",
        "## How this desk reads the policy",
        '"EST" means US Eastern local time, zone America/New_York',
        "rule `from-change`",
        "Limitations of support",
        "7. Your breach of this Policy",
    ]:
        assert words in text, words


def test_statement_follows_the_file():
    renamed = replace(POLICY.meta, vendor="Northwind Backup")
    assert "Northwind Backup · policy version" in render_markdown(replace(POLICY, meta=renamed))


def test_html_is_sanitised_and_policy_text_cannot_inject_markup():
    hostile = replace(
        POLICY.meta, introduction='<script>alert(1)</script> <img src=x onerror="alert(2)">'
    )
    html = render_html(replace(POLICY, meta=hostile))
    assert "<script>" not in html
    assert "<img" not in html
    assert "&lt;script&gt;" in html
    assert "<table>" in html
    assert "<h1>Statement of Support &amp; Customer Service Policy</h1>" in html
