"""Version support (§3.2) in the ticket JSON: `device_version_supported` and
`support_ended_on`, without a query per ticket in the list."""

from datetime import date

import pytest

from supportdesk.assets.models import Device, Product, Release


@pytest.fixture
def releases(world):
    backup = Product.objects.get(slug="cloud-backup")
    dr = Product.objects.create(slug="disaster-recovery", name="Disaster Recovery")
    for product, version, day in [
        (backup, "8.3.0", date(2024, 2, 13)),
        (backup, "8.4.0", date(2024, 9, 24)),
        (backup, "8.6.0", date(2026, 1, 27)),
        (dr, "6.3", date(2025, 3, 11)),
        (dr, "7.0", date(2026, 4, 21)),
    ]:
        Release.objects.create(product=product, version=version, released_on=day)
    # Acme's server runs 8.3.0: out of support since 2025-09-24 (8.4.0 + 12 months).
    Device.objects.filter(pk=world.acme_server.pk).update(version="8.3.0")
    return {"backup": backup, "dr": dr}


def open_on(api, device, **fields):
    return api.open(device_id=device.pk, **fields)


def test_a_ticket_on_a_version_out_of_support_says_since_when(world, releases, monday):
    ticket = open_on(world.alice, world.acme_server)
    assert (ticket["device_version_supported"], ticket["support_ended_on"]) == (False, "2025-09-24")
    again = world.erin.get(f"/tickets/{ticket['number']}").json()
    assert (again["device_version_supported"], again["support_ended_on"]) == (False, "2025-09-24")


def test_a_supported_version(world, releases, monday):
    Device.objects.filter(pk=world.acme_server.pk).update(version="8.6.0")
    ticket = open_on(world.alice, world.acme_server)
    assert (ticket["device_version_supported"], ticket["support_ended_on"]) == (True, None)


@pytest.mark.parametrize("version", ["", "8.3", "10.0.0"])
def test_a_version_not_in_the_history_is_unknown(world, releases, monday, version):
    Device.objects.filter(pk=world.acme_server.pk).update(version=version)
    ticket = open_on(world.alice, world.acme_server)
    assert (ticket["device_version_supported"], ticket["support_ended_on"]) == (None, None)


def test_no_device_no_answer(world, releases, monday):
    ticket = world.alice.open()
    assert (ticket["device_version_supported"], ticket["support_ended_on"]) == (None, None)


def test_another_companys_device_is_refused(world, releases, monday):
    response = world.alice.post(
        "/tickets",
        {
            "subject": "Backups fail",
            "description": "x",
            "product": "cloud-backup",
            "severity": 3,
            "device_id": world.globex_server.pk,
        },
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("device_id:")


def test_the_list_reads_releases_once_for_the_page(
    world, releases, monday, django_assert_num_queries
):
    dr_box = Device.objects.create(
        company=world.acme, product=releases["dr"], name="acme-dr-01", version="6.3"
    )
    Device.objects.filter(pk=world.globex_server.pk).update(version="8.6.0")
    for _ in range(3):
        open_on(world.alice, world.acme_server)
        open_on(world.alice, dr_box, product="disaster-recovery")
        open_on(world.gary, world.globex_server)
    world.ian.open()
    world.erin.get("/tickets")  # records the token's use, a write of its own
    # The token, the page with its devices joined, the page's releases.
    with django_assert_num_queries(3):
        items = world.erin.get("/tickets", {"order": "newest"}).json()["items"]
    by_device = {
        (t["device"] or {}).get("name"): (t["device_version_supported"], t["support_ended_on"])
        for t in items
    }
    assert by_device == {
        "acme-srv-01": (False, "2025-09-24"),
        "acme-dr-01": (True, None),  # 7.0 came out 2026-04-21: 6.3 has until 2027-04-21
        "globex-srv-01": (True, None),
        None: (None, None),
    }
    assert len(items) == 10
