"""What must never leak or run: internal notes, other people's files,
hostile markup."""

from __future__ import annotations

import pytest
from django.utils import timezone

from supportdesk.tickets import actions, saved_replies
from supportdesk.tickets.actions import Upload
from supportdesk.tickets.models import Attachment
from tests.web.conftest import htmx

pytestmark = pytest.mark.usefixtures("clock")

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def test_internal_notes_never_reach_customers(cast, as_user, submit):
    ticket = submit(cast.alice, "Agent offline")
    now = timezone.now()
    actions.do_reply(
        ticket, body="Northwind-only note", public=False, acting_user=cast.nora, now=now
    )
    actions.do_reply(ticket, body="Vendor-only note", public=False, acting_user=cast.erin, now=now)
    actions.do_reply(ticket, body="Public answer", acting_user=cast.nora, now=now)
    actions.do_assign(ticket, assignee=cast.nora, acting_user=cast.nora, now=now)

    for persona in (cast.alice, cast.adam):
        page = as_user(persona).get(f"/portal/tickets/{ticket.number}/").content.decode()
        assert "Public answer" in page
        assert "Northwind-only note" not in page
        assert "Vendor-only note" not in page
        assert "internal-note" not in page
        assert "Assigned to" not in page  # an internal event

    nora = as_user(cast.nora).get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert "Northwind-only note" in nora
    assert "Vendor-only note" not in nora  # notes stay with the organization that wrote them
    erin = as_user(cast.erin).get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert "Northwind-only note" in erin
    assert "Vendor-only note" in erin

    # Nor do they arrive through an htmx fragment after a customer's reply.
    response = as_user(cast.alice).post(
        f"/portal/tickets/{ticket.number}/reply", {"body": "Thanks"}, headers=htmx()
    )
    assert "only note" not in response.content.decode()


def test_attachments_download_only_for_those_allowed(cast, as_user, submit, client):
    ticket = submit(cast.alice, "Screenshot", files=(("screen.png", PNG),))
    public = Attachment.objects.get(ticket=ticket)
    note = actions.do_reply(
        ticket,
        body="Our diagnostics",
        public=False,
        uploads=[Upload("diag.txt", b"secret")],
        acting_user=cast.nora,
        now=timezone.now(),
    )
    internal = Attachment.objects.get(message=note)

    response = as_user(cast.erin).get(f"/attachments/{public.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="screen.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]

    assert as_user(cast.adam).get(f"/attachments/{public.pk}/").status_code == 200
    assert as_user(cast.nora).get(f"/attachments/{internal.pk}/").status_code == 200
    assert as_user(cast.erin).get(f"/attachments/{internal.pk}/").status_code == 200
    assert as_user(cast.alice).get(f"/attachments/{internal.pk}/").status_code == 404
    for outsider in (cast.gina, cast.carl, cast.ivan):
        assert as_user(outsider).get(f"/attachments/{public.pk}/").status_code == 404
    assert as_user(cast.erin).get("/attachments/999999/").status_code == 404
    response = client.get(f"/attachments/{public.pk}/")
    assert response.status_code == 302  # anonymous: sign in first

    # Listed where they may be seen, with links to the download view.
    page = as_user(cast.alice).get(f"/portal/tickets/{ticket.number}/").content.decode()
    assert f'href="/attachments/{public.pk}/"' in page
    assert f'href="/attachments/{internal.pk}/"' not in page


def test_an_html_upload_is_served_as_bytes_to_download(cast, as_user, submit):
    ticket = submit(cast.ivan, "Page", files=(("page.html", b"<html><script>alert(1)</script>"),))
    attachment = Attachment.objects.get(ticket=ticket)
    Attachment.objects.filter(pk=attachment.pk).update(content_type="text/html")
    response = as_user(cast.erin).get(f"/attachments/{attachment.pk}/")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


def test_hostile_markup_renders_inert(cast, as_user, submit):
    ticket = submit(
        cast.alice,
        f"Subject {HOSTILE}",
        body=f"Body {HOSTILE}",
        files=((f'"><svg onload=alert(3)>{HOSTILE}.png', PNG),),
    )
    actions.do_reply(
        ticket, body=f"Note {HOSTILE}", public=False, acting_user=cast.nora, now=timezone.now()
    )
    saved_replies.do_save_saved_reply(
        None, title=HOSTILE, body=HOSTILE, shared=False, acting_user=cast.nora
    )
    pages = [
        as_user(cast.nora).get(f"/desk/tickets/{ticket.number}/"),
        as_user(cast.nora).get("/desk/"),
        as_user(cast.nora).get("/desk/saved-replies/"),
        as_user(cast.erin).get(f"/desk/?tier=any&q={HOSTILE}"),
        as_user(cast.alice).get(f"/portal/tickets/{ticket.number}/"),
        as_user(cast.alice).get("/portal/"),
    ]
    for response in pages:
        page = response.content.decode()
        assert response.status_code == 200
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert "<svg onload" not in page
    ticket_page = pages[0].content.decode()
    assert "Subject &lt;script&gt;alert(1)&lt;/script&gt;" in ticket_page
    assert "Body &lt;script&gt;" in ticket_page
    # The stored file name is made safe before it reaches a header or a page.
    attachment = Attachment.objects.get(ticket=ticket)
    assert "<" not in attachment.filename
    assert '"' not in attachment.filename
    response = as_user(cast.nora).get(f"/attachments/{attachment.pk}/")
    assert "<" not in response["Content-Disposition"]


def test_hostile_markup_in_a_form_error_is_inert(cast, as_user, submit):
    ticket = submit(cast.ivan, "Fine")
    response = as_user(cast.erin).post(
        f"/desk/tickets/{ticket.number}/severity",
        {"severity": "2", "reason": "", "x": HOSTILE},
        headers=htmx(),
    )
    assert response.status_code == 422
    response = as_user(cast.erin).post(
        f"/desk/tickets/{ticket.number}/call",
        {"direction": HOSTILE, "summary": HOSTILE},
        headers=htmx(),
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body  # the typed text, kept and escaped


def test_forms_need_the_csrf_token(cast, submit):
    from django.test import Client

    ticket = submit(cast.ivan, "Fine")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(cast.erin)
    response = strict.post(f"/desk/tickets/{ticket.number}/reply", {"body": "x"})
    assert response.status_code == 403
