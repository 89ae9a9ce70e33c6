"""Implementation hand-over (§2.1) through the API: after the partner's
vendor-led month, its implementation tickets come back `guidance_only`, and
the history they can read says why."""

from datetime import date

import pytest

from supportdesk.accounts.models import Organization


@pytest.fixture
def handed_over(world):
    # Northwind's first implementation 2026-10-05: its own from 2026-11-05.
    Organization.objects.filter(pk=world.northwind.pk).update(
        first_implementation_on=date(2026, 10, 5)
    )
    # Contoso's on 2026-11-16: the vendor leads until 2026-12-16.
    Organization.objects.filter(pk=world.contoso.pk).update(
        first_implementation_on=date(2026, 11, 16)
    )
    return world


@pytest.mark.parametrize("category", ["implementation", "agent-installation"])
def test_a_partners_implementation_ticket_is_answered_as_guidance(handed_over, monday, category):
    ticket = handed_over.alice.open(category=category)
    assert ticket["guidance_only"] is True
    events = handed_over.alice.get(f"/tickets/{ticket['number']}/events").json()["items"]
    (guidance,) = [e for e in events if e["kind"] == "guidance-only"]
    assert guidance["public"] is True
    assert guidance["data"]["section"] == "§2.1"
    assert guidance["data"]["hands_over_on"] == "2026-11-05"
    assert "within one (1) month of first implementation" in guidance["data"]["text"]
    # Partner staff see it too, and the vendor reads the flag in the list.
    assert handed_over.nina.get(f"/tickets/{ticket['number']}").json()["guidance_only"] is True
    items = handed_over.erin.get("/tickets").json()["items"]
    assert [t["guidance_only"] for t in items] == [True]


def test_within_the_month_or_another_category_or_a_direct_customer(handed_over, monday):
    assert handed_over.gary.open(category="implementation")["guidance_only"] is False
    assert handed_over.alice.open(category="dashboard-configuration")["guidance_only"] is False
    assert handed_over.alice.open()["guidance_only"] is False
    assert handed_over.ian.open(category="implementation")["guidance_only"] is False


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"category": "installs"}, "category"),
        (
            {"product": "cloud-application-backup", "category": "agent-installation"},
            "agent-installation",
        ),
        ({"product": "no-such-product", "category": "implementation"}, "product"),
    ],
)
def test_bad_categories_are_refused_before_any_guidance(handed_over, monday, fields, words):
    response = handed_over.alice.post(
        "/tickets",
        {"subject": "Install", "description": "x", "product": "cloud-backup", "severity": 3}
        | fields,
    )
    assert response.status_code == 400
    assert words in response.json()["detail"]
