"""The screens of policy versions: the statement of support renders the
version in force; the vendor's staff list the versions; an admin uploads a
file, reads what it changes, and confirms it with a date."""

from __future__ import annotations

import base64
import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from supportdesk.policies.actions import do_schedule_policy_version
from supportdesk.policies.active import active_policy
from supportdesk.policies.models import PolicyVersion
from tests.policies.conftest import (
    DEC_1_START,
    FILE_VERSION,
    SEV3_HOURS,
    policy_text,
    sev3_in,
)
from tests.tenants import PERSONAS

pytestmark = pytest.mark.usefixtures("clock")

STAFF = ("engineer", "manager", "finance", "admin")
OTHERS = tuple(p for p in PERSONAS if p not in STAFF)


def schedule(tenants, version, *edits, effective=date(2026, 12, 1), against=FILE_VERSION):
    return do_schedule_policy_version(
        policy_text(version, *edits),
        effective=effective,
        reviewed_against=against,
        acting_user=tenants.people["admin"],
        now=timezone.now(),
    )


def page(response) -> str:
    return unescape(response.content.decode())


def shown_version(response) -> str:
    return re.search(r'data-policy-version="([^"]+)"', response.content.decode())[1]


# -- the statement of support ------------------------------------------------------------


def test_the_statement_renders_the_active_version(tenants, clock):
    schedule(tenants, "2026-12-01", sev3_in(8))
    response = Client().get("/policy")
    assert shown_version(response) == FILE_VERSION
    assert "A new version of this policy takes effect on Tue 01 Dec 2026 00:00 EST." in page(
        response
    )
    clock.move_to(DEC_1_START)
    response = Client().get("/policy")
    assert shown_version(response) == "2026-12-01"
    text = page(response)
    assert "policy version 2026-12-01 · effective December 1, 2026" in text
    assert "8 hours or less by any channel" in text
    assert "takes effect on" not in text


def test_staff_read_a_scheduled_or_superseded_version(tenants, signed_in, clock):
    schedule(tenants, "2026-12-01", sev3_in(8))
    for persona in STAFF:
        response = signed_in(persona).get("/policy", {"version": "2026-12-01"})
        assert response.status_code == 200, persona
        assert shown_version(response) == "2026-12-01"
        assert "Version 2026-12-01 is scheduled: it takes effect on December 1, 2026" in page(
            response
        )
    clock.move_to(DEC_1_START)
    response = signed_in("engineer").get("/policy", {"version": FILE_VERSION})
    assert shown_version(response) == FILE_VERSION
    assert f"Version {FILE_VERSION} is no longer in force" in page(response)


def test_others_read_only_the_version_in_force(tenants, signed_in):
    schedule(tenants, "2026-12-01", sev3_in(8))
    clients = {p: signed_in(p) for p in OTHERS} | {"anonymous": Client()}
    for persona, client in clients.items():
        for version in ("2026-12-01", "no-such-version"):
            response = client.get("/policy", {"version": version})
            assert response.status_code == 404, (persona, version)
            assert "2026-12-01" not in page(response)
        assert shown_version(client.get("/policy", {"version": FILE_VERSION})) == FILE_VERSION
    assert signed_in("admin").get("/policy", {"version": "no-such"}).status_code == 404


# -- the list of versions ---------------------------------------------------------------------


def test_the_list_says_what_governs_which_open_tickets(
    tenants, signed_in, clock, open_ticket, django_assert_num_queries
):
    open_ticket(timezone.now())
    closed = open_ticket(timezone.now())
    closed.status = "closed"
    closed.save(update_fields=["status"])
    schedule(tenants, "2026-12-01", sev3_in(8))
    schedule(tenants, "2027-01-01", effective=date(2027, 1, 1))
    clock.move_to(DEC_1_START + timedelta(hours=10))
    open_ticket(timezone.now())
    open_ticket(timezone.now())
    client = signed_in("engineer")
    client.get("/desk/policy/")  # the session, once
    # The session, the user, the versions, the open tickets per version, and
    # the layout's unread count and organization: however many of either.
    with django_assert_num_queries(6):
        response = client.get("/desk/policy/")
    rows = re.findall(
        r'data-policy-version="([^"]+)" data-state="(\w+)">.*?class="open-tickets">(\d+)<',
        response.content.decode(),
        re.S,
    )
    assert rows == [
        ("2027-01-01", "scheduled", "0"),
        ("2026-12-01", "active", "2"),
        (FILE_VERSION, "superseded", "1"),
    ]
    assert "Upload a new version" not in page(response)
    assert "Upload a new version" in page(signed_in("admin").get("/desk/policy/"))


def test_only_the_vendors_staff_list_versions(tenants, signed_in):
    for persona in OTHERS:
        assert signed_in(persona).get("/desk/policy/").status_code == 404, persona
    assert Client().get("/desk/policy/").status_code == 302


# -- upload, review, confirm -------------------------------------------------------------------


def upload(client: Client, text: str, **extra):
    return client.post("/desk/policy/upload", {"text": text, **extra})


def confirm_fields(review) -> dict[str, str]:
    html = review.content.decode()
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    fields["effective"] = re.search(r'name="effective"[^>]*value="([^"]*)"', html)[1]
    return {k: unescape(v) for k, v in fields.items()}


def test_an_admin_uploads_reviews_and_confirms(tenants, signed_in):
    admin = signed_in("admin")
    assert admin.get("/desk/policy/upload").status_code == 200
    text = policy_text("2026-12-01", sev3_in(8), effective="2026-12-07")
    review = admin.post(
        "/desk/policy/upload",
        {"file": SimpleUploadedFile("policy.toml", text.encode(), "application/toml")},
    )
    assert review.status_code == 200
    html = page(review)
    assert "Review version 2026-12-01" in html
    # The summary, from the two parsed policies …
    assert re.search(
        r"<td>Severity 3 \(Important\) › target by email, portal, api, chat, phone</td>\s*"
        r'<td><span class="badge change-changed">changed</span></td>\s*'
        r"<td>4 hours \(business calendar\)</td>\s*<td>8 hours \(business calendar\)</td>",
        html,
    )
    # … and the files, line by line.
    assert '<span class="line-removed">-effective = 2021-09-14</span>' in html
    assert '<span class="line-added">+effective = 2026-12-07</span>' in html
    assert not PolicyVersion.objects.exists()  # nothing stored before the confirmation

    fields = confirm_fields(review)
    assert fields["effective"] == "2026-12-07"  # the file's own date, by default
    assert fields["against"] == FILE_VERSION
    assert base64.b64decode(fields["text"]).decode() == text
    done = admin.post("/desk/policy/confirm", fields)
    assert done.status_code == 303
    assert done["Location"] == "/desk/policy/"
    stored = PolicyVersion.objects.get()
    assert (stored.version, stored.effective, stored.text) == (
        "2026-12-01",
        date(2026, 12, 7),
        text,
    )
    assert stored.uploaded_by == tenants.people["admin"]
    listing = page(admin.get("/desk/policy/"))
    assert "Policy version 2026-12-01 takes effect on 2026-12-07." in listing
    assert 'data-state="scheduled"' in listing


def test_a_pasted_file_with_an_error_is_refused_naming_the_key(tenants, signed_in):
    admin = signed_in("admin")
    bad = policy_text("v2", (SEV3_HOURS, SEV3_HOURS.replace('"business"', '"weekdays"')))
    response = upload(admin, bad)
    assert response.status_code == 422
    assert (
        "the uploaded file: severities[2].targets[0].calendar: expected one of business, "
        "staffed, always, got 'weekdays'" in page(response)
    )
    assert not PolicyVersion.objects.exists()
    assert active_policy().version == FILE_VERSION


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({}, "choose a policy file or paste its text"),
        ({"text": "   "}, "choose a policy file or paste its text"),
        ({"text": "x", "file": SimpleUploadedFile("p.toml", b"x")}, "not both"),
        ({"file": SimpleUploadedFile("p.toml", b"\xff\xfe")}, "the file is not UTF-8 text"),
        ({"text": policy_text(FILE_VERSION)}, f"version '{FILE_VERSION}' exists already"),
    ],
)
def test_an_upload_that_cannot_be_reviewed(tenants, signed_in, fields, error):
    response = signed_in("admin").post("/desk/policy/upload", fields)
    assert response.status_code == 422
    assert error in page(response)
    assert not PolicyVersion.objects.exists()


def test_a_file_that_changes_only_its_version_says_so(tenants, signed_in):
    same = policy_text("v2", effective="2021-09-14")
    html = page(upload(signed_in("admin"), same))
    assert re.findall(
        r'<tr class="change-(\w+)" data-area="([^"]+)">\s*<td>([^<]+)</td>', html
    ) == [("changed", "Policy", "version")]
    assert 'id="policy-lines-added">+1<' in html
    assert 'id="policy-lines-removed">−1<' in html


def test_a_confirmation_refused_shows_the_review_again(tenants, signed_in):
    admin = signed_in("admin")
    fields = confirm_fields(upload(admin, policy_text("v2", sev3_in(8))))
    past = admin.post("/desk/policy/confirm", {**fields, "effective": "2026-11-29"})
    assert past.status_code == 422
    assert "effective: 2026-11-29 has passed; choose 2026-11-30 or later" in page(past)
    assert "Review version v2" in page(past)
    missing = admin.post("/desk/policy/confirm", {**fields, "effective": ""})
    assert missing.status_code == 422
    assert "effective: give the date it takes effect" in page(missing)
    broken = admin.post("/desk/policy/confirm", {**fields, "text": "not base64!"})
    assert broken.status_code == 422
    assert "the reviewed file did not come back" in page(broken)
    assert not PolicyVersion.objects.exists()


def test_a_review_against_a_policy_since_replaced_is_done_again(tenants, signed_in):
    admin = signed_in("admin")
    fields = confirm_fields(upload(admin, policy_text("v3", sev3_in(6))))
    schedule(tenants, "v2", effective=date(2026, 11, 30))  # another admin, meanwhile
    response = admin.post("/desk/policy/confirm", fields)
    assert response.status_code == 422
    html = page(response)
    assert f"the active policy is now version v2, not {FILE_VERSION}" in html
    assert "against version v2, in force now" in html
    assert not PolicyVersion.objects.filter(version="v3").exists()


def test_a_version_stored_meanwhile_sends_the_admin_back_to_upload(tenants, signed_in):
    admin = signed_in("admin")
    fields = confirm_fields(upload(admin, policy_text("v2")))
    schedule(tenants, "v2")
    response = admin.post("/desk/policy/confirm", fields)
    assert response.status_code == 422
    assert "version 'v2' exists already" in page(response)
    assert "Upload a new policy version" in page(response)


def test_only_admins_upload(tenants, signed_in):
    text = policy_text("v2")
    for persona in (*OTHERS, "engineer", "manager", "finance"):
        client = signed_in(persona)
        assert client.get("/desk/policy/upload").status_code == 404, persona
        assert upload(client, text).status_code == 404, persona
        fields = {"text": base64.b64encode(text.encode()).decode(), "against": FILE_VERSION}
        response = client.post("/desk/policy/confirm", {**fields, "effective": "2026-12-01"})
        assert response.status_code == 404, persona
    assert not PolicyVersion.objects.exists()


# -- withdrawing a scheduled version ------------------------------------------------------------


def withdraw(client: Client, version: str, reason: str = "Wrong Severity 3 target."):
    return client.post("/desk/policy/withdraw", {"version": version, "reason": reason})


def test_an_admin_withdraws_a_scheduled_version_before_it_takes_effect(tenants, signed_in, clock):
    schedule(tenants, "2026-12-01", sev3_in(8))
    admin = signed_in("admin")
    listed = page(admin.get("/desk/policy/"))
    assert 'action="/desk/policy/withdraw"' in listed

    done = withdraw(admin, "2026-12-01")
    assert done.status_code == 303
    stored = PolicyVersion.objects.get(version="2026-12-01")
    assert stored.withdrawn_by == tenants.people["admin"]
    assert stored.withdrawn_reason == "Wrong Severity 3 target."
    listed = page(admin.get("/desk/policy/"))
    assert "is withdrawn: it will not take effect" in listed
    assert 'data-policy-version="2026-12-01" data-state="withdrawn"' in listed
    assert "Wrong Severity 3 target." in listed
    # It never takes effect: the file's version stays in force past its date.
    clock.move_to(DEC_1_START + timedelta(hours=1))
    assert active_policy().version == FILE_VERSION
    assert "takes effect on" not in page(Client().get("/policy"))


def test_a_version_in_force_or_withdrawn_or_unknown_is_not_withdrawn(tenants, signed_in, clock):
    schedule(tenants, "2026-12-01", sev3_in(8))
    admin = signed_in("admin")
    nameless = withdraw(admin, "2026-12-01", reason="  ")
    assert nameless.status_code == 422
    assert "reason: say why the version is withdrawn" in page(nameless)
    assert withdraw(admin, "2026-12-01").status_code == 303
    again = withdraw(admin, "2026-12-01")
    assert again.status_code == 422
    assert "was withdrawn already" in page(again)
    assert "no scheduled policy version" in page(withdraw(admin, "no-such-version"))
    schedule(tenants, "2026-12-02", sev3_in(6))
    clock.move_to(DEC_1_START + timedelta(hours=1))
    in_force = withdraw(admin, "2026-12-02")
    assert in_force.status_code == 422
    assert "a version in force or superseded stays" in page(in_force)
    assert active_policy().version == "2026-12-02"


def test_only_admins_withdraw(tenants, signed_in):
    schedule(tenants, "2026-12-01", sev3_in(8))
    for persona in (*OTHERS, "engineer", "manager", "finance"):
        client = signed_in(persona)
        assert withdraw(client, "2026-12-01").status_code == 404, persona
        assert 'action="/desk/policy/withdraw"' not in page(client.get("/desk/policy/"))
    assert PolicyVersion.objects.get(version="2026-12-01").withdrawn_at is None


# -- the API ---------------------------------------------------------------------------------


def test_the_api_lists_versions_for_the_vendors_staff(tenants, signed_in, clock, open_ticket):
    open_ticket(timezone.now())
    schedule(tenants, "2026-12-01", sev3_in(8))
    response = signed_in("finance").get("/api/v1/policy/versions")
    assert response.status_code == 200
    body = response.json()
    assert body["active"] == FILE_VERSION
    assert [(v["version"], v["state"], v["open_tickets"]) for v in body["items"]] == [
        ("2026-12-01", "scheduled", 0),
        (FILE_VERSION, "active", 1),
    ]
    assert body["items"][0]["takes_effect_at"] == "2026-12-01T05:00:00Z"
    assert body["items"][0]["uploaded_by"] == "Ada Admin"
    assert body["items"][1]["from_file"] is True
    for persona in OTHERS:
        assert signed_in(persona).get("/api/v1/policy/versions").status_code == 404, persona
