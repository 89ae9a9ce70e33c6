"""Product feedback (§2.4): a form apart from tickets, beside the policy's
notice on how feedback may be used; the vendor's staff triage it; nobody
sees another organization's (404).

Personas (tests/tenants.py): alice (Acme Dental, a Northwind company),
gina (Globex Clinic), nora (Northwind IT's technician), erin (the vendor's
engineer), fiona (the vendor's finance).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from supportdesk.accounts.models import ApiToken, User
from supportdesk.feedback import actions
from supportdesk.feedback.models import Feedback
from supportdesk.tickets.actions import ActionError
from tests.tenants import Tenants, build_tenants

T0 = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
NOTICE = "Infrascale shall be free to use, disclose, reproduce, license or otherwise distribute"


@pytest.fixture
def tenants(db: None, tmp_path: Path) -> Iterator[Tenants]:
    with (
        override_settings(SUPPORTDESK_ATTACHMENTS_DIR=tmp_path),
        time_machine.travel(T0, tick=False),
    ):
        yield build_tenants()


def person(tenants: Tenants, key: str) -> User:
    return tenants.people[key]


def browser(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user: User, method: str, path: str, data: Any = None) -> Any:
    token = ApiToken.issue(user, "tests")[1]
    headers = {"Authorization": f"Bearer {token}"}
    client = Client()
    if method == "GET":
        return client.get(f"/api/v1{path}", headers=headers)
    return client.post(
        f"/api/v1{path}", json.dumps(data or {}), content_type="application/json", headers=headers
    )


def give(user: User, text: str = "Let us choose the restore point by date.") -> Feedback:
    return actions.do_submit_feedback(product="cloud-backup", text=text, acting_user=user, now=T0)


# -- the portal's form ------------------------------------------------------------------------


def test_the_form_shows_the_policys_notice(tenants: Tenants) -> None:
    page = browser(person(tenants, "acme_user")).get("/portal/feedback")
    assert page.status_code == 200
    body = page.content.decode()
    assert "How we may use your feedback" in body
    assert "§2.4" in body
    assert NOTICE in body
    assert "&quot;Product Feedback&quot; shall mean suggestions, comments or other feedback" in body
    assert 'id="nav-feedback"' in body


def test_a_customer_gives_feedback_and_sees_their_organizations(tenants: Tenants) -> None:
    alice = person(tenants, "acme_user")
    client = browser(alice)
    response = client.post(
        "/portal/feedback", {"product": "disaster-recovery", "text": "A dark mode, please."}
    )
    assert response.status_code == 303
    assert response["Location"] == "/portal/feedback"
    feedback = Feedback.objects.get()
    assert (feedback.author, feedback.organization, feedback.product) == (
        alice,
        tenants.acme,
        "disaster-recovery",
    )
    assert (feedback.state, feedback.submitted_at) == ("new", T0)
    assert feedback.policy_version == "2021-09-14+desk.1"
    give(person(tenants, "globex_user"), "Globex wants a mobile app.")
    page = client.get("/portal/feedback").content.decode()
    assert "A dark mode, please." in page
    assert "Globex wants a mobile app." not in page
    assert "Thank you: your feedback is with us." in page


def test_partner_staff_give_feedback_too(tenants: Tenants) -> None:
    nora = person(tenants, "northwind_tech")
    response = browser(nora).post(
        "/portal/feedback", {"product": "cloud-backup", "text": "Bulk agent rollout."}
    )
    assert response.status_code == 303
    assert Feedback.objects.get().organization == tenants.northwind


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"product": "cloud-backup", "text": "   "}, "feedback is required"),
        ({"product": "toaster", "text": "Crunchier."}, "product: Select a valid choice"),
        ({"product": "cloud-backup", "text": "x" * 10_001}, "feedback is too long"),
    ],
)
def test_bad_input_is_shown_and_nothing_is_stored(
    tenants: Tenants, data: dict[str, str], words: str
) -> None:
    response = browser(person(tenants, "acme_user")).post("/portal/feedback", data)
    assert response.status_code == 422
    assert words in response.content.decode()
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("key", ["engineer", "finance"])
def test_the_vendor_triages_rather_than_gives(tenants: Tenants, key: str) -> None:
    assert browser(person(tenants, key)).get("/portal/feedback").status_code == 404
    with pytest.raises(ActionError) as caught:
        give(person(tenants, key))
    assert caught.value.code == "forbidden"


# -- the workspace's triage -------------------------------------------------------------------


def test_staff_filter_the_list_by_state_and_product(tenants: Tenants) -> None:
    a = give(person(tenants, "acme_user"), "Restore by date.")
    b = actions.do_submit_feedback(
        product="disaster-recovery",
        text="Failover drill report.",
        acting_user=person(tenants, "globex_user"),
        now=T0,
    )
    actions.do_triage_feedback(
        a, state="planned", note="Q1", acting_user=person(tenants, "engineer"), now=T0
    )
    erin = browser(person(tenants, "engineer"))
    page = erin.get("/desk/feedback/").content.decode()
    assert "Restore by date." in page
    assert "Failover drill report." in page
    page = erin.get("/desk/feedback/?state=planned").content.decode()
    assert f'data-feedback="{a.pk}"' in page
    assert f'data-feedback="{b.pk}"' not in page
    page = erin.get("/desk/feedback/?product=disaster-recovery").content.decode()
    assert f'data-feedback="{b.pk}"' in page
    assert f'data-feedback="{a.pk}"' not in page
    # A filter value it does not know shows everything rather than failing.
    assert erin.get("/desk/feedback/?state=bogus").status_code == 200


def test_the_triage_list_reads_a_fixed_number_of_queries(tenants: Tenants) -> None:
    erin = browser(person(tenants, "engineer"))
    give(person(tenants, "acme_user"))
    erin.get("/desk/feedback/")  # warm the session and the policy
    with CaptureQueriesContext(connection) as few:
        erin.get("/desk/feedback/")
    for key in ("globex_user", "initech_user", "northwind_tech", "contoso_tech"):
        give(person(tenants, key))
    with CaptureQueriesContext(connection) as many:
        assert erin.get("/desk/feedback/").status_code == 200
    assert len(many) == len(few)


def test_staff_triage_with_a_note(tenants: Tenants) -> None:
    feedback = give(person(tenants, "acme_user"))
    erin = browser(person(tenants, "engineer"))
    page = erin.get(f"/desk/feedback/{feedback.pk}/").content.decode()
    assert "Let us choose the restore point by date." in page
    response = erin.post(f"/desk/feedback/{feedback.pk}/", {"state": "declined", "note": ""})
    assert response.status_code == 422
    assert "marking feedback declined needs a note saying why" in response.content.decode()
    response = erin.post(
        f"/desk/feedback/{feedback.pk}/", {"state": "duplicate", "note": "Same as #12."}
    )
    assert response.status_code == 303
    feedback.refresh_from_db()
    assert (feedback.state, feedback.staff_note) == ("duplicate", "Same as #12.")
    assert (feedback.triaged_by, feedback.triaged_at) == (person(tenants, "engineer"), T0)
    # The customer sees the state, not the staff note.
    page = browser(person(tenants, "acme_user")).get("/portal/feedback").content.decode()
    assert "Duplicate" in page
    assert "Same as #12." not in page


@pytest.mark.parametrize("key", ["acme_user", "northwind_tech", "partner_admin"])
def test_only_the_vendor_triages(tenants: Tenants, key: str) -> None:
    feedback = give(person(tenants, "acme_user"))
    client = browser(person(tenants, key))
    assert client.get("/desk/feedback/").status_code == 404
    assert client.get(f"/desk/feedback/{feedback.pk}/").status_code == 404
    assert client.post(f"/desk/feedback/{feedback.pk}/", {"state": "done"}).status_code == 404
    assert Feedback.objects.get().state == "new"


# -- the API --------------------------------------------------------------------------------


def test_the_api_takes_feedback_and_lists_each_organizations_own(tenants: Tenants) -> None:
    alice, gina = person(tenants, "acme_user"), person(tenants, "globex_user")
    response = api(alice, "POST", "/feedback", {"product": "cloud-backup", "text": "By date."})
    assert response.status_code == 201
    mine = response.json()
    assert (mine["state"], mine["organization"], mine["staff_note"]) == ("new", "Acme Dental", None)
    assert mine["submitted_at"] == "2026-11-30T15:00:00Z"
    api(gina, "POST", "/feedback", {"product": "cloud-backup", "text": "Globex idea."})
    listed = api(alice, "GET", "/feedback").json()
    assert [f["text"] for f in listed["items"]] == ["By date."]
    assert listed["notice"].startswith(NOTICE)
    assert listed["section"] == "§2.4"
    everything = api(person(tenants, "engineer"), "GET", "/feedback").json()
    assert [f["text"] for f in everything["items"]] == ["Globex idea.", "By date."]
    # Another organization's: not found, as for one that does not exist.
    gina_id = everything["items"][0]["id"]
    assert api(alice, "GET", f"/feedback/{gina_id}").status_code == 404
    assert api(alice, "GET", f"/feedback/{gina_id}").json() == {"detail": "not found"}
    assert api(alice, "GET", "/feedback/987654").json() == {"detail": "not found"}
    assert api(alice, "GET", f"/feedback/{mine['id']}").json()["text"] == "By date."


def test_the_api_pages_and_filters(tenants: Tenants) -> None:
    erin = person(tenants, "engineer")
    made = [give(person(tenants, "acme_user"), f"Idea {n}") for n in range(3)]
    actions.do_triage_feedback(made[0], state="done", acting_user=erin, now=T0)
    first = api(erin, "GET", "/feedback?limit=2").json()
    assert [f["text"] for f in first["items"]] == ["Idea 2", "Idea 1"]
    rest = api(erin, "GET", f"/feedback?limit=2&cursor={first['next_cursor']}").json()
    assert ([f["text"] for f in rest["items"]], rest["next_cursor"]) == (["Idea 0"], None)
    assert [f["text"] for f in api(erin, "GET", "/feedback?state=done").json()["items"]] == [
        "Idea 0"
    ]
    assert api(erin, "GET", "/feedback?state=bogus").status_code == 400
    assert api(erin, "GET", "/feedback?cursor=forged").status_code == 400


def test_the_api_triages_for_the_vendor_only(tenants: Tenants) -> None:
    feedback = give(person(tenants, "acme_user"))
    path = f"/feedback/{feedback.pk}/triage"
    response = api(person(tenants, "engineer"), "POST", path, {"state": "planned", "note": "Q1"})
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["staff_note"]) == ("planned", "Q1")
    assert api(person(tenants, "acme_user"), "POST", path, {"state": "done"}).status_code == 404
    assert api(person(tenants, "globex_user"), "POST", path, {"state": "done"}).status_code == 404
    assert Feedback.objects.get().state == "planned"


@pytest.mark.parametrize(
    ("who", "path", "body", "status", "words"),
    [
        ("acme_user", "/feedback", {"product": "toaster", "text": "x"}, 400, "product must be"),
        ("acme_user", "/feedback", {"product": "cloud-backup", "text": ""}, 400, "required"),
        ("acme_user", "/feedback", {"product": "cloud-backup"}, 422, "text: required"),
        ("acme_user", "/feedback", {"product": "cloud-backup", "text": 5}, 422, "text"),
        ("engineer", "/feedback", {"product": "cloud-backup", "text": "x"}, 404, "staff triage"),
        ("engineer", "/feedback/{id}/triage", {"state": "maybe"}, 400, "state must be one of"),
        ("engineer", "/feedback/{id}/triage", {"state": "declined"}, 400, "needs a note"),
        ("engineer", "/feedback/{id}/triage", {"state": "done", "x": 1}, 422, "unknown field"),
    ],
)
def test_the_api_refuses_bad_input(
    tenants: Tenants, who: str, path: str, body: dict[str, Any], status: int, words: str
) -> None:
    feedback = give(person(tenants, "globex_user"))
    response = api(person(tenants, who), "POST", path.format(id=feedback.pk), body)
    assert response.status_code == status, response.content
    assert words in response.json()["detail"]
    assert Feedback.objects.count() == 1
    assert Feedback.objects.get().state == "new"
