"""Products from the policy, and devices by scope."""

import pytest

pytestmark = pytest.mark.django_db


def test_products_come_from_the_active_policy(world):
    response = world.alice.get("/products")
    assert response.status_code == 200
    products = response.json()
    assert products["policy_version"]
    slugs = [p["slug"] for p in products["items"]]
    assert slugs[:1] == ["cloud-backup"]
    assert set(slugs) >= {"cloud-backup", "disaster-recovery"}
    backup = products["items"][0]
    billing = next(c for c in backup["categories"] if c["category"] == "billing")
    assert billing["coverage"] == "finance"
    assert billing["source"].startswith("§")


def device_names(api, **params):
    response = api.get("/devices", params)
    assert response.status_code == 200
    return [d["name"] for d in response.json()["items"]]


def test_devices_by_scope(world):
    assert device_names(world.alice) == ["acme-srv-01"]
    assert device_names(world.nina) == ["acme-srv-01"]
    assert device_names(world.gary) == ["globex-srv-01"]
    assert device_names(world.carl) == ["globex-srv-01"]
    assert device_names(world.ian) == []
    assert device_names(world.erin) == ["acme-srv-01", "globex-srv-01"]
    assert device_names(world.erin, company=world.globex.pk) == ["globex-srv-01"]


def test_devices_page(world):
    first = world.erin.get("/devices", {"limit": 1}).json()
    assert [d["name"] for d in first["items"]] == ["acme-srv-01"]
    second = world.erin.get("/devices", {"limit": 1, "cursor": first["next_cursor"]}).json()
    assert [d["name"] for d in second["items"]] == ["globex-srv-01"]
    assert second["next_cursor"] is None


def test_one_device(world):
    device = world.alice.get(f"/devices/{world.acme_server.pk}").json()
    assert device == {
        "id": world.acme_server.pk,
        "name": "acme-srv-01",
        "product": {"slug": "cloud-backup", "name": "Cloud Backup"},
        "version": "",
        "operating_system": "",
        "company": {"id": world.acme.pk, "name": "Acme Dental"},
    }


@pytest.mark.parametrize("device_id", ["theirs", "987654", "0", "9" * 30])
def test_another_tenants_device_is_not_found_like_a_missing_one(world, device_id):
    if device_id == "theirs":
        device_id = str(world.globex_server.pk)
    response = world.alice.get(f"/devices/{device_id}")
    assert response.status_code in (404, 422)
    if response.status_code == 404:
        assert response.json() == {"detail": "not found"}
