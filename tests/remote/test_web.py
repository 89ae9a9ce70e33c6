"""Remote access (§2.3) on the ticket pages: the engineer asks in the
workspace, the customer grants, declines or revokes in the portal beside the
policy's wording, and the page says how long a grant has left."""

from __future__ import annotations

import time_machine
from django.test import Client

from supportdesk.remote import actions
from supportdesk.remote.models import RemoteAccess
from supportdesk.tickets.models import TicketEvent
from tests.remote.conftest import T0, Desk, hours, signed_in

HTMX = {"HX-Request": "true"}


def desk_url(desk: Desk, tail: str = "") -> str:
    return f"/desk/tickets/{desk.ivan_ticket.number}/{tail}"


def portal_url(desk: Desk, tail: str = "") -> str:
    return f"/portal/tickets/{desk.ivan_ticket.number}/{tail}"


def asked(desk: Desk, minutes: int = 240) -> RemoteAccess:
    return actions.do_request_remote_access(
        desk.ivan_ticket,
        purpose="Check the VSS writers",
        minutes=minutes,
        acting_user=desk.erin,
        now=T0,
    )


def test_the_engineer_asks_from_the_ticket_page(desk: Desk) -> None:
    erin = signed_in(desk.erin)
    page = erin.get(desk_url(desk)).content.decode()
    assert 'id="remote-access"' in page
    assert 'id="remote-access-request-form"' in page
    assert "No remote access asked for." in page
    response = erin.post(
        desk_url(desk, "remote-access"),
        {"purpose": "Check the VSS writers", "tool": "ScreenConnect", "minutes": "60"},
        headers=HTMX,
    )
    assert response.status_code == 200
    body = response.content.decode()
    # The panel, and the history out of band.
    assert body.lstrip().startswith('<section id="remote-access"')
    assert "Waiting for the customer" in body
    assert 'id="timeline"' in body
    assert "hx-swap-oob" in body
    assert "Remote access requested with ScreenConnect for 1 h (§2.3)" in body
    # Waiting for the customer: no second request form, a withdraw button.
    assert 'id="remote-access-request-form"' not in body
    assert "Withdraw the request" in body
    access = RemoteAccess.objects.get()
    assert (access.minutes, access.tool) == (60, "ScreenConnect")


def test_without_htmx_asking_redirects_back_to_the_panel(desk: Desk) -> None:
    response = signed_in(desk.erin).post(
        desk_url(desk, "remote-access"), {"purpose": "Look", "minutes": "240"}
    )
    assert response.status_code == 303
    assert response["Location"] == f"{desk_url(desk)}#remote-access"


def test_bad_input_shows_the_reason_and_keeps_what_was_typed(desk: Desk) -> None:
    erin = signed_in(desk.erin)
    response = erin.post(
        desk_url(desk, "remote-access"),
        {"purpose": "  ", "tool": "RDP", "minutes": "60"},
        headers=HTMX,
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "purpose is required" in body
    assert 'value="RDP"' in body
    response = erin.post(
        desk_url(desk, "remote-access"), {"purpose": "Look", "minutes": "90"}, headers=HTMX
    )
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    # Without htmx the whole page answers, with the reason beside the panel.
    response = erin.post(desk_url(desk, "remote-access"), {"purpose": "", "minutes": "60"})
    assert response.status_code == 422
    assert "<html" in response.content.decode()
    assert not RemoteAccess.objects.exists()


def test_the_customer_sees_the_policys_words_and_grants(desk: Desk) -> None:
    access = asked(desk)
    ivan = signed_in(desk.ivan)
    page = ivan.get(portal_url(desk)).content.decode()
    assert "Check the VSS writers" in page
    assert "At Infrascale&#x27;s request, You shall Yourself, or cause Your customer to" in page
    assert "until the time granted runs out or You revoke it" in page
    assert "Grant remote access" in page
    assert f"/portal/tickets/{desk.ivan_ticket.number}/remote-access/{access.pk}/grant" in page
    response = ivan.post(portal_url(desk, f"remote-access/{access.pk}/grant"), {}, headers=HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert "expires in 4 h" in body
    access.refresh_from_db()
    assert access.state == RemoteAccess.State.GRANTED


def test_the_page_counts_down_and_then_says_expired(
    desk: Desk, clock: time_machine.Traveller
) -> None:
    actions.do_grant_remote_access(asked(desk), acting_user=desk.ivan, now=T0)
    erin = signed_in(desk.erin)
    clock.move_to(T0 + hours(1) + hours(1 / 3))
    page = erin.get(desk_url(desk)).content.decode()
    assert "expires in 2 h 40 min" in page
    clock.move_to(T0 + hours(5))
    page = erin.get(desk_url(desk)).content.decode()
    assert 'data-state="expired"' in page
    assert "expires in" not in page
    # Over: the engineer may ask again.
    assert 'id="remote-access-request-form"' in page


def test_the_customer_declines_with_a_reason(desk: Desk) -> None:
    access = asked(desk)
    response = signed_in(desk.ivan).post(
        portal_url(desk, f"remote-access/{access.pk}/decline"), {"note": "Not today"}
    )
    assert response.status_code == 303
    access.refresh_from_db()
    assert (access.state, access.note) == (RemoteAccess.State.DECLINED, "Not today")


def test_revoking_after_expiry_says_why_and_changes_nothing(
    desk: Desk, clock: time_machine.Traveller
) -> None:
    access = actions.do_grant_remote_access(asked(desk, 60), acting_user=desk.ivan, now=T0)
    clock.move_to(T0 + hours(2))
    events = TicketEvent.objects.count()
    response = signed_in(desk.ivan).post(
        portal_url(desk, f"remote-access/{access.pk}/revoke"), {}, headers=HTMX
    )
    assert response.status_code == 422
    assert "the grant expired at 2026-11-30T16:00:00+00:00; there is nothing to revoke" in (
        response.content.decode()
    )
    access.refresh_from_db()
    assert access.state == RemoteAccess.State.GRANTED
    assert TicketEvent.objects.count() == events


def test_a_partner_answers_in_the_workspace_for_a_ticket_it_forwarded(desk: Desk) -> None:
    access = actions.do_request_remote_access(
        desk.alice_ticket, purpose="Look at the imaging server", acting_user=desk.erin, now=T0
    )
    nora = signed_in(desk.nora)
    page = nora.get(f"/desk/tickets/{desk.alice_ticket.number}/").content.decode()
    assert "Grant remote access" in page
    response = nora.post(
        f"/desk/tickets/{desk.alice_ticket.number}/remote-access/{access.pk}/grant", headers=HTMX
    )
    assert response.status_code == 200
    access.refresh_from_db()
    assert access.granted_by == desk.nora


def test_other_tenants_and_mismatched_ids_get_404(desk: Desk) -> None:
    access = asked(desk)
    gina: Client = signed_in(desk.gina)
    assert gina.post(portal_url(desk, f"remote-access/{access.pk}/grant")).status_code == 404
    carl = signed_in(desk.carl)
    assert carl.post(desk_url(desk, f"remote-access/{access.pk}/revoke")).status_code == 404
    assert carl.post(desk_url(desk, "remote-access"), {"purpose": "x"}).status_code == 404
    # The access of one ticket named under another: not found.
    ivan = signed_in(desk.ivan)
    other = f"/portal/tickets/{desk.gina_ticket.number}/remote-access/{access.pk}/grant"
    assert ivan.post(other).status_code == 404
    huge = portal_url(desk, f"remote-access/{10**30}/grant")
    assert ivan.post(huge).status_code == 404
    # Customers answer in the portal, not in the workspace.
    assert ivan.post(desk_url(desk, f"remote-access/{access.pk}/grant")).status_code == 404
    access.refresh_from_db()
    assert access.state == RemoteAccess.State.REQUESTED


def test_the_working_side_cannot_grant_for_the_customer(desk: Desk) -> None:
    access = asked(desk)
    response = signed_in(desk.erin).post(
        desk_url(desk, f"remote-access/{access.pk}/grant"), headers=HTMX
    )
    assert response.status_code == 422
    assert "only the customer side may grant remote access" in response.content.decode()
