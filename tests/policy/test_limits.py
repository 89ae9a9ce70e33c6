"""Limits of support (§3.1, §3.2, §3.4): resolution causes and reproduction
steps, as the policy file declares them and the core checks them."""

import pytest

from supportdesk.policy import PolicyError, default_policy, limits, parse_policy
from supportdesk.policy.load import default_policy_path

POLICY = default_policy()
DR = ["disaster-recovery", "backup-disaster-recovery"]


def default_text() -> str:
    return default_policy_path().read_text(encoding="utf-8")


def test_every_limitation_of_the_policy_is_a_cause_with_its_section():
    causes = {c.slug: (c.source, c.products) for c in POLICY.limitations}
    assert causes == {
        "updates-not-applied": ("§3.1(1)", ()),
        "unauthorised-alterations": ("§3.1(2)", ()),
        "improper-installation": ("§3.1(3)", ()),
        "external-causes": ("§3.1(4)", ()),
        "not-used-as-designed": ("§3.1(5)", ()),
        "unapproved-combination": ("§3.1(6)", ()),
        "policy-breach": ("§3.1(7)", ()),
        "local-firewall": ("§3.4(a)", tuple(DR)),
        "network-bandwidth": ("§3.4(b)", tuple(DR)),
        "server-settings": ("§3.4(c)", tuple(DR)),
        "power": ("§3.4(d)", tuple(DR)),
        "hardware-age": ("§3.4(e)", tuple(DR)),
    }
    assert POLICY.limitation("power").title == "Power leading up to the appliance"
    with pytest.raises(KeyError, match="no resolution cause 'nope'"):
        POLICY.limitation("nope")


def test_on_premises_causes_only_fit_the_disaster_recovery_products():
    cloud = [c.slug for c in limits.causes_for(POLICY, "cloud-backup")]
    assert "local-firewall" not in cloud
    assert len(cloud) == 7
    assert len(limits.causes_for(POLICY, "disaster-recovery")) == 12
    # A ticket whose product is not known yet (a mail) may take any.
    assert len(limits.causes_for(POLICY, "")) == 12


@pytest.mark.parametrize(
    ("product", "status", "cause", "refusal"),
    [
        ("cloud-backup", "resolved", "", None),
        ("cloud-backup", "open", "", None),
        ("cloud-backup", "resolved", "policy-breach", None),
        ("cloud-backup", "closed", "improper-installation", None),
        ("disaster-recovery", "closed", "power", None),
        ("cloud-backup", "open", "policy-breach", "when resolving or closing"),
        ("cloud-backup", "resolved", "gremlins", "cause must be one of: updates-not-applied"),
        (
            "cloud-backup",
            "resolved",
            "local-firewall",
            "cause 'local-firewall' (§3.4(a)) applies only to disaster-recovery, "
            "backup-disaster-recovery, not to cloud-backup",
        ),
    ],
)
def test_check_cause(product, status, cause, refusal):
    found = limits.check_cause(POLICY, product=product, status=status, cause=cause)
    if refusal is None:
        assert found is None
    else:
        assert found is not None
        assert refusal in found


def test_an_older_file_without_limitations_or_reproduction_loads():
    text = default_text()
    start = text.index("# -- Limits of support (§3.1, §3.4)")
    end = text.index("[version_support]")
    policy = parse_policy(text[:start] + text[end:])
    assert policy.limitations == ()
    assert policy.reproduction is None
    assert limits.check_cause(policy, product="", status="resolved", cause="power") == (
        "cause must be one of: none in this policy"
    )
    assert not limits.asks_reproduction(policy, "dashboard-troubleshooting")
    assert limits.reproduction_source(policy) == "§3.2"
    assert limits.reproduction_request(policy) == limits.DEFAULT_REQUEST


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ('slug = "power"', 'slug = "Power!"', r"limitations\[10\]\.slug: expected a slug"),
        ('slug = "power"', f'slug = "{"p" * 41}"', r"limitations\[10\]\.slug: .*at most 40"),
        ('slug = "power"', 'slug = "server-settings"', r"limitations: limitation slugs must be"),
        (
            'title = "Power leading up to the appliance"\n',
            "",
            r"limitations\[10\]\.title: required key is missing",
        ),
        ('source = "§3.4(d)"', 'source = "§3.4(d)"\nseverity = 1', r"limitations\[10\]\.severity"),
        (
            'source = "§3.4(d)"\nproducts = ["disaster-recovery", "backup-disaster-recovery"]',
            'source = "§3.4(d)"\nproducts = ["dr"]',
            r"limitations\[10\]\.products\[0\]: expected one of cloud-backup",
        ),
        (
            'categories = ["dashboard-troubleshooting", "agent-installation"]',
            'categories = ["defects"]',
            r"reproduction\.categories\[0\]: expected one of dashboard-configuration",
        ),
        (
            'source = "§3.2"\nrequest = ',
            'source = "§3.2"\nask = "x"\nrequest = ',
            r"reproduction\.ask: unknown key",
        ),
    ],
)
def test_a_wrong_entry_is_refused_naming_its_key(old, new, error):
    text = default_text()
    assert old in text
    with pytest.raises(PolicyError, match=error):
        parse_policy(text.replace(old, new, 1))


# -- reproduction steps (§3.2) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "asks"),
    [
        ("dashboard-troubleshooting", True),
        ("agent-installation", True),
        ("", True),
        ("billing", False),
        ("data-migration", False),
    ],
)
def test_which_tickets_ask_for_reproduction_steps(category, asks):
    assert limits.asks_reproduction(POLICY, category) is asks


def test_check_steps():
    assert limits.check_steps(POLICY, "billing", "  ") is None
    assert limits.check_steps(POLICY, "dashboard-troubleshooting", "1. Open it") is None
    refusal = limits.check_steps(POLICY, "billing", "1. Open it")
    assert refusal == (
        "reproduction steps are for the troubleshooting categories "
        "(dashboard-troubleshooting, agent-installation), not 'billing'"
    )
    too_long = "x" * (limits.MAX_STEPS + 1)
    assert "too long" in (limits.check_steps(POLICY, "", too_long) or "")


def test_the_steps_go_below_the_description():
    assert limits.with_steps(POLICY, "It fails.", "  ") == "It fails."
    assert limits.with_steps(POLICY, "It fails.", " 1. Log in\n2. Click ") == (
        "It fails.\n\nSteps to reproduce (§3.2):\n1. Log in\n2. Click"
    )


def test_the_request_for_steps_quotes_the_policy_after_the_note():
    request = POLICY.reproduction.request if POLICY.reproduction else ""
    assert "demonstrable and reproducible" in request
    assert limits.reproduction_request(POLICY) == request
    assert limits.reproduction_request(POLICY, " Tried on 8.1. ") == f"Tried on 8.1.\n\n{request}"
