"""Version support (§3.2) on the screens: a ticket on a device whose version
is out of support is flagged in the workspace (header and queue row) and the
portal (with the update guidance), and the new-ticket form warns."""

from __future__ import annotations

import re
from datetime import date

import pytest

from supportdesk.assets.models import Device, Product, Release
from tests.web.conftest import htmx

pytestmark = pytest.mark.usefixtures("clock")  # Monday 2026-11-30 10:00 Eastern


@pytest.fixture
def history(cast):
    """Cloud Backup 8.1 (Alice's ACME-FS01) lost support on 2025-05-14, 12
    months after 8.2 came out; 8.3 is the latest."""
    backup = Product.objects.get(slug="cloud-backup")
    for version, day in [
        ("8.1", date(2023, 1, 10)),
        ("8.2", date(2024, 5, 14)),
        ("8.3", date(2026, 2, 3)),
    ]:
        Release.objects.create(product=backup, version=version, released_on=day)
    current = Device.objects.create(
        company=cast.acme, product=backup, name="ACME-NEW", version="8.3"
    )
    return {"backup": backup, "current": current}


def test_the_workspace_flags_a_ticket_on_an_old_version(cast, as_user, submit, history):
    ticket = submit(cast.alice, device=cast.acme_server)
    page = as_user(cast.erin).get(f"/desk/tickets/{ticket.number}/").content.decode()
    flag = re.search(r'<span class="badge sev-1" id="ticket-version-flag">([^<]*)</span>', page)
    assert flag is not None
    assert flag.group(1) == "Version 8.1 out of support since 14 May 2025"
    assert "succeeded by 8.2; the latest is 8.3" in page
    # The guidance for the customer is the portal's, not the workspace's.
    assert 'id="ticket-version-guidance"' not in page


def test_the_portal_shows_the_date_and_the_update_guidance(cast, as_user, submit, history):
    ticket = submit(cast.alice, device=cast.acme_server)
    page = as_user(cast.alice).get(f"/portal/tickets/{ticket.number}/").content.decode()
    assert 'id="ticket-version-flag">Version 8.1 out of support since 14 May 2025<' in page
    guidance = re.search(
        r'<p class="scope-note" id="ticket-version-guidance">(.*?)</p>', page, re.S
    )
    assert guidance is not None
    text = " ".join(guidance.group(1).split())
    assert text.startswith(
        "Support for version 8.1 ended on 14 May 2025, 12 months after version 8.2 was "
        "released. Updating to version 8.3 restores full support."
    )
    assert "Software Updates are made available at no charge." in text
    # htmx refreshes of the header keep it.
    header = as_user(cast.alice).get(f"/portal/tickets/{ticket.number}/", headers=htmx())
    assert 'id="ticket-version-flag"' in header.content.decode()


def test_a_supported_or_unknown_version_is_not_flagged(cast, as_user, submit, history):
    current = submit(cast.alice, device=history["current"])
    Device.objects.filter(pk=cast.acme_server.pk).update(version="9.0-rc1")
    unknown = submit(cast.alice, device=cast.acme_server)
    none = submit(cast.alice)
    erin, alice = as_user(cast.erin), as_user(cast.alice)
    for ticket in (current, unknown, none):
        for page in (
            erin.get(f"/desk/tickets/{ticket.number}/").content.decode(),
            alice.get(f"/portal/tickets/{ticket.number}/").content.decode(),
        ):
            assert 'id="ticket-version-flag"' not in page
            assert 'id="ticket-version-guidance"' not in page
    page = erin.get(f"/desk/tickets/{unknown.number}/").content.decode()
    assert "Version 9.0-rc1 is not in the product's release history: support unknown" in page
    page = erin.get(f"/desk/tickets/{current.number}/").content.decode()
    assert 'data-supported="yes"' in page
    page = erin.get(f"/desk/tickets/{none.number}/").content.decode()
    assert 'id="ticket-version-support"' not in page


def _flagged(page: str) -> list[str]:
    out = []
    for row in re.findall(
        r'<tr data-ticket="(SD-\d+)" data-testid="queue-row">(.*?)</tr>', page, re.S
    ):
        if 'data-testid="version-flag"' in row[1]:
            out.append(row[0])
    return out


@pytest.mark.parametrize("count", [4, 40])
def test_the_queue_flags_rows_at_a_fixed_cost(
    cast, as_user, submit, history, django_assert_max_num_queries, count
):
    dr = Product.objects.create(slug="disaster-recovery", name="Disaster Recovery")
    Release.objects.create(product=dr, version="6.3", released_on=date(2025, 3, 11))
    dr_box = Device.objects.create(company=cast.initech, product=dr, name="INI-DR", version="6.3")
    flagged = []
    for i in range(count):
        match i % 4:
            case 0:
                flagged.append(
                    submit(cast.alice, f"Old {i}", device=cast.acme_server, to_vendor=None)
                )
            case 1:
                submit(cast.alice, f"Current {i}", device=history["current"])
            case 2:
                submit(cast.ivan, f"DR {i}", device=dr_box)
            case _:
                submit(cast.ivan, f"No device {i}")
    erin = as_user(cast.erin)
    # session, user, organization, tab counts, companies, rows (devices
    # joined), the unread notifications, and the page's releases
    with django_assert_max_num_queries(8):
        page = erin.get("/desk/?tier=any").content.decode()
    assert sorted(_flagged(page)) == sorted(t.number for t in flagged)
    assert 'title="ACME-FS01: version 8.1 out of support since 14 May 2025 (§3.2)"' in page


def test_the_new_ticket_form_warns_about_the_chosen_device(cast, as_user, history):
    alice = as_user(cast.alice)
    page = alice.get("/portal/new").content.decode()
    assert "ACME-FS01 — Infrascale Cloud Backup 8.1, Win (out of support since 14 May 2025)" in page
    assert "ACME-NEW — Infrascale Cloud Backup 8.3</option>" in page
    assert 'id="submit-device-warning"' not in page

    # Choosing the device asks for the fields again, with the warning.
    fragment = alice.get(
        "/portal/new", {"product": "cloud-backup", "device": cast.acme_server.pk}, headers=htmx()
    ).content.decode()
    assert fragment.lstrip().startswith('<div id="matrix-fields"')
    warning = re.search(r'id="submit-device-warning" role="status">(.*?)</p>', fragment, re.S)
    assert warning is not None
    text = " ".join(warning.group(1).split())
    assert text.startswith(
        "ACME-FS01 runs version 8.1 of Infrascale Cloud Backup, out of support since 14 May "
        "2025, 12 months after version 8.2 was released (§3.2). Updating to version 8.3 "
        "restores full support."
    )
    assert "Software Updates are made available at no charge." in text


@pytest.mark.parametrize(
    "device", ["current", "globex", "nonsense", "-1", "99999999999999999999999"]
)
def test_no_warning_for_a_supported_foreign_or_bad_device(cast, as_user, history, device):
    value = {
        "current": str(history["current"].pk),
        "globex": str(cast.globex_server.pk),
    }.get(device, device)
    response = as_user(cast.alice).get(
        "/portal/new", {"product": "cloud-backup", "device": value}, headers=htmx()
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="submit-device-warning"' not in page
    assert "GLOBEX-DC1" not in page


def test_submitting_on_an_old_version_is_allowed_and_flagged(cast, as_user, history):
    response = as_user(cast.alice).post(
        "/portal/new",
        {
            "product": "cloud-backup",
            "severity": "3",
            "subject": "Backups fail",
            "description": "Since Tuesday.",
            "device": str(cast.acme_server.pk),
        },
    )
    assert response.status_code == 302
    page = as_user(cast.alice).get(response["Location"]).content.decode()
    assert 'id="ticket-version-flag"' in page
