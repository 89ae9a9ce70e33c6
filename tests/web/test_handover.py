"""Implementation hand-over (§2.1) on the screens: the ticket pages say
"Answered as guidance (§2.1): …"; staff see where the partner's month
stands; vendor admins record the first implementation date."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from supportdesk.accounts.models import Organization, Role, User

pytestmark = pytest.mark.usefixtures("clock")  # Monday 2026-11-30 10:00 Eastern

SAYS = "Answered as guidance (§2.1): You will be trained on the installation and implementation"


@pytest.fixture
def months(cast):
    """Northwind implemented 2026-10-05 (its own since 2026-11-05); Contoso on
    2026-11-16 (the vendor leads until 2026-12-16)."""
    Organization.objects.filter(pk=cast.northwind.pk).update(
        first_implementation_on=date(2026, 10, 5)
    )
    Organization.objects.filter(pk=cast.contoso.pk).update(
        first_implementation_on=date(2026, 11, 16)
    )
    for org in (cast.acme, cast.globex, cast.northwind, cast.contoso):
        org.refresh_from_db()
    return cast


def test_a_portal_submission_after_the_month_is_answered_as_guidance(months, as_user):
    alice = as_user(months.alice)
    response = alice.post(
        "/portal/new",
        {
            "product": "cloud-backup",
            "category": "agent-installation",
            "severity": "3",
            "subject": "Agent install fails",
            "description": "Error 1603 on every machine.",
        },
    )
    assert response.status_code == 302, response.content.decode()
    page = alice.get(response["Location"]).content.decode()
    assert f'<dd id="ticket-guidance">{SAYS}' in page
    # …and the conversation says when and why.
    assert "installation and implementation were the partner&#x27;s from 2026-11-05" in page


def test_the_workspace_says_so_too(months, as_user, submit):
    ticket = submit(months.alice, category="implementation")
    for who in (months.erin, months.nora):
        page = as_user(who).get(f"/desk/tickets/{ticket.number}/").content.decode()
        assert f'<dd id="ticket-guidance">{SAYS}' in page


def test_within_the_month_staff_see_when_the_partner_takes_over(months, as_user, submit):
    ticket = submit(months.gina, category="implementation")
    page = as_user(months.erin).get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert 'id="ticket-guidance"' not in page
    assert (
        "Contoso MSP first implemented 16 Nov 2026; installation and implementation are theirs "
        "from 16 Dec 2026"
    ) in page
    # The customer is not told about the partner's month.
    portal = as_user(months.gina).get(f"/portal/tickets/{ticket.number}/").content.decode()
    assert 'id="ticket-handover"' not in portal
    assert 'id="ticket-guidance"' not in portal


def test_without_a_recorded_date_staff_are_told(cast, as_user, submit):
    ticket = submit(cast.alice, category="agent-installation")
    page = as_user(cast.erin).get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert "no first implementation date recorded for Northwind IT: the vendor leads" in page


def test_other_tickets_say_nothing_of_it(months, as_user, submit):
    for ticket in (
        submit(months.alice, category="dashboard-configuration"),
        submit(months.ivan, category="implementation"),
    ):
        page = as_user(months.erin).get(f"/desk/tickets/{ticket.number}/").content.decode()
        assert 'id="ticket-guidance"' not in page
        assert 'id="ticket-handover"' not in page


@pytest.fixture
def ada(cast) -> User:
    return User.objects.create_superuser("ada@infrascale.example", None, organization=cast.vendor)


def _change_form(org: Organization, **changes: str) -> dict[str, str]:
    created = org.created_at
    data = {
        "kind": org.kind,
        "name": org.name,
        "slug": org.slug,
        "parent": str(org.parent_id or ""),
        "email_domains": org.email_domains,
        "default_severity": "",
        "first_implementation_on": "",
        "created_at_0": created.strftime("%Y-%m-%d"),
        "created_at_1": created.strftime("%H:%M:%S"),
    }
    return data | changes


def test_a_vendor_admin_records_the_date_in_the_admin(cast, as_user, ada):
    admin = as_user(ada)
    url = f"/admin/accounts/organization/{cast.northwind.pk}/change/"
    assert 'name="first_implementation_on"' in admin.get(url).content.decode()
    response = admin.post(url, _change_form(cast.northwind, first_implementation_on="2026-10-05"))
    assert response.status_code == 302, response.content.decode()[:2000]
    cast.northwind.refresh_from_db()
    assert cast.northwind.first_implementation_on == date(2026, 10, 5)
    listing = admin.get("/admin/accounts/organization/").content.decode()
    assert "Oct. 5, 2026" in listing or "5 Oct 2026" in listing or "2026-10-05" in listing


def test_only_a_partner_has_one(cast, as_user, ada):
    admin = as_user(ada)
    url = f"/admin/accounts/organization/{cast.acme.pk}/change/"
    response = admin.post(url, _change_form(cast.acme, first_implementation_on="2026-10-05"))
    assert response.status_code == 200
    assert "only a partner has a first implementation date" in response.content.decode()
    cast.acme.refresh_from_db()
    assert cast.acme.first_implementation_on is None
    cast.acme.first_implementation_on = date(2026, 10, 5)
    with pytest.raises(ValidationError):
        cast.acme.full_clean()


@pytest.mark.parametrize("user", ["erin", "nate"])
def test_no_one_else_reaches_the_admin(cast, as_user, user):
    assert getattr(cast, user).role in (Role.ENGINEER, Role.PARTNER_ADMIN)
    response = as_user(getattr(cast, user)).get(
        f"/admin/accounts/organization/{cast.northwind.pk}/change/"
    )
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
