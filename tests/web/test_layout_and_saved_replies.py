"""The frame around every page, and the saved-replies page."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders

from supportdesk.tickets import saved_replies
from supportdesk.tickets.models import SavedReply


def test_the_top_bar_shows_who_is_signed_in_and_links_by_role(cast, as_user):
    staff = as_user(cast.erin).get("/desk/").content.decode()
    assert 'id="signed-in-user" class="who-name">Erin Engineer<' in staff
    assert 'id="signed-in-org" class="who-org">Infrascale<' in staff
    assert 'id="nav-workspace" href="/desk/" aria-current="page"' in staff
    assert 'id="nav-my-tickets"' not in staff
    assert 'id="nav-new-ticket"' not in staff
    assert 'id="nav-statement" href="/policy"' in staff
    assert '<form id="signout-form" method="post" action="/accounts/logout/">' in staff

    partner = as_user(cast.nora).get("/desk/").content.decode()
    assert 'id="nav-workspace"' in partner
    assert 'id="nav-new-ticket"' in partner

    customer = as_user(cast.alice).get("/portal/").content.decode()
    assert 'id="signed-in-org" class="who-org">Acme Dental<' in customer
    assert 'id="nav-my-tickets" href="/portal/" aria-current="page"' in customer
    assert 'id="nav-new-ticket" href="/portal/new"' in customer
    assert 'id="nav-workspace"' not in customer


def test_the_page_loads_the_desks_css_js_and_htmx(cast, as_user):
    page = as_user(cast.erin).get("/desk/").content.decode()
    for path in ("css/desk.css", "js/desk.js", "vendor/htmx.min.js"):
        assert f'"/static/{path}"' in page
        assert finders.find(path), path
    assert finders.find("vendor/htmx.LICENSE")
    assert 'name="htmx-config"' in page
    assert '"code":"422","swap":true' in page


def test_signing_out_is_a_post(cast, as_user):
    erin = as_user(cast.erin)
    assert erin.get("/accounts/logout/").status_code == 405
    assert erin.post("/accounts/logout/").status_code == 302
    assert erin.get("/desk/").status_code == 302


def test_the_login_page_renders_in_the_layout(db, client):
    page = client.get("/accounts/login/").content.decode()
    assert 'id="nav-sign-in"' in page
    assert "Sign in</h1>" in page


def test_saved_replies_add_edit_delete(cast, as_user):
    erin = as_user(cast.erin)
    response = erin.post("/desk/saved-replies/", {"title": "Logs", "body": "Please send logs."})
    assert response.status_code == 302
    reply = SavedReply.objects.get()
    assert reply.owner == cast.erin
    assert reply.organization == cast.vendor

    response = erin.post("/desk/saved-replies/", {"title": "", "body": "Kept text"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "title is required" in page
    assert ">Kept text</textarea>" in page

    # Engineers keep their own; sharing is for managers.
    response = erin.post("/desk/saved-replies/", {"title": "Team", "body": "x", "shared": "on"})
    assert response.status_code == 422
    assert 'id="saved-reply-shared"' not in erin.get("/desk/saved-replies/").content.decode()

    response = erin.post(
        f"/desk/saved-replies/{reply.pk}/", {"title": "Logs please", "body": "Send logs."}
    )
    assert response.status_code == 302
    reply.refresh_from_db()
    assert reply.title == "Logs please"
    assert erin.post(f"/desk/saved-replies/{reply.pk}/delete").status_code == 302
    assert not SavedReply.objects.exists()


def test_saved_replies_stay_with_their_organization_and_owner(cast, as_user):
    shared = saved_replies.do_save_saved_reply(
        None, title="Vendor shared", body="v", shared=True, acting_user=cast.mark
    )
    marks = saved_replies.do_save_saved_reply(
        None, title="Mark's own", body="m", shared=False, acting_user=cast.mark
    )
    erin = as_user(cast.erin)
    page = erin.get("/desk/saved-replies/").content.decode()
    assert "Vendor shared" in page
    assert "Mark&#x27;s own" not in page
    assert f'id="saved-reply-edit-{shared.pk}"' not in page  # only managers edit shared ones
    assert erin.get(f"/desk/saved-replies/{marks.pk}/").status_code == 404
    assert erin.post(f"/desk/saved-replies/{shared.pk}/delete").status_code == 422
    nora = as_user(cast.nora)
    assert "Vendor shared" not in nora.get("/desk/saved-replies/").content.decode()
    assert nora.get(f"/desk/saved-replies/{shared.pk}/").status_code == 404
    assert nora.post(f"/desk/saved-replies/{shared.pk}/delete").status_code == 404
    assert SavedReply.objects.count() == 2


@pytest.mark.parametrize("persona", ["alice", "ivan"])
def test_customers_have_no_saved_replies(cast, as_user, persona):
    assert as_user(getattr(cast, persona)).get("/desk/saved-replies/").status_code == 404
