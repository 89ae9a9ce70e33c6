"""A wrong policy file is one clear message naming the key, never a traceback."""

import subprocess
import sys
import tomllib
from datetime import timedelta

import pytest

from supportdesk.policy import PolicyError, default_policy, load_policy, parse_policy
from supportdesk.policy.load import default_policy_path

SHIPPED = default_policy_path().read_text(encoding="utf-8")


def edited(old: str, new: str, count: int = 1) -> str:
    assert old in SHIPPED, old
    return SHIPPED.replace(old, new, count)


BROKEN = [
    # (what is wrong, the file text, words the message must contain)
    ("not TOML", "this is [not toml", "not valid TOML"),
    ("unknown top-level key", SHIPPED + "\n[surprise]\nx = 1\n", "surprise: unknown key"),
    (
        "unknown zone",
        edited('zone = "America/New_York"', 'zone = "America/Nowhere"'),
        "calendars.business.zone: expected an IANA time zone",
    ),
    (
        "bad clock time",
        edited('opens = "08:00"', 'opens = "8am"'),
        "calendars.staffed.windows[0]: '8am' is not a time of day",
    ),
    (
        "bad weekday",
        edited(
            'days = ["mon", "tue", "wed", "thu", "fri"], opens = "08:00"',
            'days = ["monday"], opens = "08:00"',
        ),
        "calendars.staffed.windows[0]: 'monday' is not a day",
    ),
    (
        "target on an unknown calendar",
        edited('hours = 4, calendar = "business"', 'hours = 4, calendar = "biz"'),
        "severities[2].targets[0].calendar: expected one of business, staffed, always",
    ),
    (
        "target with both minutes and hours",
        edited("hours = 4,", "hours = 4, minutes = 240,"),
        "severities[2].targets[0]: give exactly one of minutes or hours",
    ),
    (
        "negative target",
        edited("hours = 24,", "hours = -24,"),
        "severities[3].targets[0].hours: expected an integer >= 1",
    ),
    (
        "severities with a gap",
        edited("level = 3", "level = 5"),
        "severities: expected severities numbered 1, 2, 3",
    ),
    (
        "unknown change rule",
        edited('change_rule = "from-change"', 'change_rule = "whenever"'),
        "severity_rules.change_rule: expected one of from-change, from-submission",
    ),
    (
        "unknown coverage",
        edited('coverage = { cloud-backup = "supported",', 'coverage = { cloud-backup = "maybe",'),
        "categories[0].coverage.cloud-backup: expected one of supported, not-supported",
    ),
    (
        "matrix cell missing",
        edited(', backup-disaster-recovery = "finance" }', " }"),
        "categories[11].coverage.backup-disaster-recovery: required key is missing",
    ),
    (
        "phone intake for a severity that does not exist",
        edited('intake_by_severity = { 1 = "always" }', 'intake_by_severity = { 7 = "always" }'),
        "channels.phone.intake_by_severity.7: expected a severity level",
    ),
    (
        "missing version",
        edited('version = "2021-09-14+desk.1"\n', ""),
        "policy.version: required key is missing",
    ),
    (
        "effective date as text",
        edited("effective = 2021-09-14", 'effective = "last year"'),
        "policy.effective: expected a date like 2026-12-25",
    ),
    (
        "target for an unknown channel",
        edited('channels = ["phone"], minutes = 60', 'channels = ["fax"], minutes = 60'),
        "severities[0].targets[0].channels: expected channel names from [channels]",
    ),
    (
        "fallback more severe than the rule's severity",
        edited("fallback = 2", "fallback = 1"),
        "severity_rules.dedicated_contact.fallback: expected a less severe level than 1",
    ),
    (
        "unknown holiday country",
        edited(
            'holidays = []\nsource = "§1.2, §1.6"', 'holiday_country = "XX"\nsource = "§1.2, §1.6"'
        ),
        "calendars.business.holiday_country: expected a country code",
    ),
    (
        "typo in a key",
        edited("continuous_effort = true", "continous_effort = true"),
        "severities[0].continous_effort: unknown key",
    ),
    (
        "escalation reminder with no lead",
        edited("update_reminder_minutes = 30", "update_reminder_minutes = 0"),
        "escalation.update_reminder_minutes: expected an integer from 1 to 1440",
    ),
    (
        "escalation reminder lead as text",
        edited("update_reminder_minutes = 30", 'update_reminder_minutes = "half an hour"'),
        "escalation.update_reminder_minutes: expected an integer",
    ),
]


@pytest.mark.parametrize(
    ("text", "words"), [(t, w) for _, t, w in BROKEN], ids=[b[0] for b in BROKEN]
)
def test_broken_file_names_the_key(text, words):
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, origin="broken.toml")
    message = str(caught.value)
    assert message.startswith("broken.toml: ")
    assert words in message
    assert "\n" not in message.strip() or "TOML" in message


def test_the_shipped_policy_loads_and_is_the_seed():
    policy = default_policy()
    assert policy.meta.vendor == "Infrascale"
    assert [c for c, _ in policy.calendars] == ["business", "staffed", "always"]
    assert [c.slug for c in policy.channels] == ["email", "portal", "api", "chat", "phone"]
    assert [p.slug for p in policy.products] == [
        "cloud-backup",
        "cloud-application-backup",
        "disaster-recovery",
        "backup-disaster-recovery",
    ]
    assert [c.slug for c in policy.categories] == [
        "dashboard-configuration",
        "dashboard-troubleshooting",
        "dashboard-upgrades",
        "implementation",
        "agent-installation",
        "third-party-scripts",
        "os-patching",
        "data-migration",
        "hardware-upgrade",
        "secondary-monitoring",
        "data-deletion",
        "billing",
    ]
    assert [r.slug for r in policy.escalation.reasons] == [
        "production-down-during-upgrade",
        "critical-business-impact",
        "dissatisfied",
        "other",
    ]
    assert len(policy.escalation.deescalation_checklist) == 3
    assert [t.name for t in policy.third_party.supported] == [
        "ConnectWise/Autotask",
        "StorageCraft ShadowProtect",
    ]
    assert policy.version_support.months_after_successor == 12
    assert policy.contacts[0].number == "+1 877 896 3616"
    assert policy.coverage("disaster-recovery", "hardware-upgrade").coverage == "fee"
    assert policy.coverage("cloud-backup", "os-patching").source == "§4.2.2"
    assert policy.coverage("disaster-recovery", "os-patching").coverage == "supported"
    assert (
        policy.coverage("cloud-application-backup", "agent-installation").coverage
        == "not-applicable"
    )


def test_a_policy_older_than_the_reminder_lead_gets_the_desks_default():
    older = parse_policy(edited("update_reminder_minutes = 30\n", ""))
    assert older.escalation.update_reminder == timedelta(minutes=30)
    hour = parse_policy(edited("update_reminder_minutes = 30", "update_reminder_minutes = 60"))
    assert hour.escalation.update_reminder == timedelta(hours=1)


def test_every_entry_names_its_section():
    data = tomllib.loads(SHIPPED)
    for name, calendar in data["calendars"].items():
        assert calendar["source"].startswith("§"), name
    for severity in default_policy().severities:
        assert severity.source.startswith("§")
        assert all(t.source.startswith("§") for t in severity.targets)
    for category in default_policy().categories:
        assert all(cell.source.startswith("§") for _, cell in category.cells)


def test_unreadable_file(tmp_path):
    with pytest.raises(PolicyError, match="cannot read the policy file"):
        load_policy(tmp_path / "missing.toml")
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(PolicyError, match="not UTF-8"):
        load_policy(binary)


def test_check_command_prints_one_line_and_no_traceback(tmp_path):
    bad = tmp_path / "policy.toml"
    bad.write_text(edited('zone = "America/New_York"', 'zone = "Mars/Olympus"'), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "supportdesk.cli", "policy", "check", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "calendars.business.zone: expected an IANA time zone" in result.stderr
    assert "Traceback" not in result.stderr

    good = subprocess.run(
        [sys.executable, "-m", "supportdesk.cli", "policy", "check", str(default_policy_path())],
        capture_output=True,
        text=True,
        check=False,
    )
    assert good.returncode == 0
    assert good.stdout.startswith("ok: ")
