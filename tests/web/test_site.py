"""The web site as a visitor meets it."""

import pytest
from django.db import connection
from django.test import Client, override_settings

from supportdesk.policies import active


@pytest.mark.django_db
def test_healthz_answers_when_the_database_does(client: Client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": connection.vendor}


@pytest.mark.django_db
def test_healthz_refuses_other_methods(client: Client):
    assert client.post("/healthz").status_code == 405


def test_statement_of_support_page(client: Client):
    response = client.get("/policy")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Statement of Support &amp; Customer Service Policy</h1>" in page
    assert "60 minutes or less by telephone" in page
    assert 'data-policy-version="2021-09-14+desk.1"' in page
    statement = page[page.index('<article class="statement"') : page.index("</article>")]
    assert "<script" not in statement


def test_home_asks_a_visitor_to_sign_in(client: Client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"


@pytest.mark.django_db  # with the cache cleared, the desk asks which version is in force
def test_a_configured_policy_file_is_the_one_shown(client: Client, tmp_path):
    from supportdesk.policy.load import default_policy_path

    text = default_policy_path().read_text(encoding="utf-8")
    custom = tmp_path / "policy.toml"
    custom.write_text(text.replace('vendor = "Infrascale"', 'vendor = "Northwind Backup"'))
    active.active_policy.cache_clear()
    try:
        with override_settings(SUPPORTDESK_POLICY=str(custom)):
            assert "Northwind Backup" in client.get("/policy").content.decode()
    finally:
        active.active_policy.cache_clear()
