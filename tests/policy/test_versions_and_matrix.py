"""Version support (§3.2) and the support matrix (§4)."""

from datetime import date

import pytest

from supportdesk.policy import default_policy
from supportdesk.policy.matrix import is_third_party_supported, offered_categories
from supportdesk.policy.versions import Release, add_months, version_status

POLICY = default_policy()
RELEASES = (
    Release("9.0", date(2025, 1, 31)),
    Release("9.1", date(2025, 8, 15)),
    Release("10.0", date(2026, 3, 1)),
)


@pytest.mark.parametrize(
    ("version", "on", "supported", "ends"),
    [
        ("9.0", date(2026, 8, 14), True, date(2026, 8, 15)),
        ("9.0", date(2026, 8, 15), False, date(2026, 8, 15)),  # the end is exclusive
        ("9.1", date(2027, 2, 28), True, date(2027, 3, 1)),
        ("10.0", date(2030, 1, 1), True, None),  # no successor yet
        ("9.1", date(2026, 2, 1), True, None),  # 10.0 not out yet on that day
    ],
)
def test_version_support(version, on, supported, ends):
    status = version_status(POLICY, RELEASES, version, on)
    assert (status.supported, status.support_ends_on) == (supported, ends)
    assert status.source == "§3.2"


def test_add_months_clamps_to_the_end_of_month():
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 30), 14) == date(2028, 1, 30)


def test_unknown_version():
    with pytest.raises(KeyError):
        version_status(POLICY, RELEASES, "8.0", date(2026, 1, 1))


def test_offered_categories_leave_out_what_does_not_apply():
    cab = [o.category.slug for o in offered_categories(POLICY, "cloud-application-backup")]
    assert "agent-installation" not in cab
    assert "hardware-upgrade" not in cab
    dr = {o.category.slug: o.cell.coverage for o in offered_categories(POLICY, "disaster-recovery")}
    assert dr["hardware-upgrade"] == "fee"
    assert dr["billing"] == "finance"
    assert dr["data-migration"] == "not-supported"
    assert len(dr) == 12


def test_third_party_support():
    assert is_third_party_supported(POLICY, "connectwise-autotask")
    assert not is_third_party_supported(POLICY, "veeam")
