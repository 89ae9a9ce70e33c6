"""Remote access (§2.3) over the API, bad input included: every refusal is
a 4xx with a reason, and changes nothing."""

from __future__ import annotations

import time_machine

from supportdesk.remote.models import RemoteAccess
from supportdesk.tickets.models import TicketEvent
from tests.remote.conftest import T0, Api, Desk, hours


def base(desk: Desk) -> str:
    return f"/tickets/{desk.ivan_ticket.number}/remote-access"


def ask(desk: Desk, erin: Api, **fields: object) -> dict[str, object]:
    body = {"purpose": "Check the VSS writers", "tool": "ScreenConnect", **fields}
    response = erin.post(base(desk), body)
    assert response.status_code == 201, response.content
    return response.json()


def test_the_whole_exchange(desk: Desk, clock: time_machine.Traveller) -> None:
    erin, ivan = Api(desk.erin), Api(desk.ivan)
    listed = ivan.get(base(desk)).json()
    assert listed["items"] == []
    assert listed["durations_minutes"] == [60, 240, 480, 1440]
    assert listed["default_minutes"] == 240
    assert listed["section"] == "§2.3"
    assert listed["text"].startswith("At Infrascale's request")

    asked = ask(desk, erin, minutes=60)
    assert asked["state"] == "requested"
    assert asked["expires_at"] is None
    assert asked["allowed_steps"] == ["revoke"]  # the engineer may withdraw it
    assert ivan.get(base(desk)).json()["items"][0]["allowed_steps"] == ["grant", "decline"]

    granted = ivan.post(f"{base(desk)}/{asked['id']}/grant").json()
    assert granted["state"] == "granted"
    assert granted["granted_by"] == "Ivan Initech"
    assert granted["expires_at"] == "2026-11-30T16:00:00Z"
    assert granted["seconds_left"] == 3600

    clock.move_to(T0 + hours(0.5))
    assert erin.get(base(desk)).json()["items"][0]["seconds_left"] == 1800
    clock.move_to(T0 + hours(1))
    item = erin.get(base(desk)).json()["items"][0]
    assert (item["state"], item["seconds_left"], item["allowed_steps"]) == ("expired", None, [])

    events = [
        e["kind"] for e in ivan.get(f"/tickets/{desk.ivan_ticket.number}/events").json()["items"]
    ]
    assert events[-2:] == ["remote-access-requested", "remote-access-granted"]


def test_a_grant_revoked_after_expiry_answers_409_and_changes_nothing(
    desk: Desk, clock: time_machine.Traveller
) -> None:
    erin, ivan = Api(desk.erin), Api(desk.ivan)
    asked = ask(desk, erin, minutes=60)
    ivan.post(f"{base(desk)}/{asked['id']}/grant")
    clock.move_to(T0 + hours(1))
    before = TicketEvent.objects.count()
    for who in (ivan, erin):
        response = who.post(f"{base(desk)}/{asked['id']}/revoke", {"note": "Done"})
        assert response.status_code == 409
        assert response.json() == {
            "detail": "the grant expired at 2026-11-30T16:00:00+00:00; there is nothing to revoke"
        }
    assert TicketEvent.objects.count() == before
    assert RemoteAccess.objects.get().state == "granted"


def test_decline_and_revoke_carry_the_note(desk: Desk) -> None:
    erin, ivan = Api(desk.erin), Api(desk.ivan)
    first = ask(desk, erin)
    declined = ivan.post(f"{base(desk)}/{first['id']}/decline", {"note": "Not now"}).json()
    assert (declined["state"], declined["note"], declined["declined_by"]) == (
        "declined",
        "Not now",
        "Ivan Initech",
    )
    second = ask(desk, erin)
    ivan.post(f"{base(desk)}/{second['id']}/grant")
    revoked = ivan.post(f"{base(desk)}/{second['id']}/revoke", {"note": "We saw enough"}).json()
    assert (revoked["state"], revoked["note"]) == ("revoked", "We saw enough")


def test_bad_input(desk: Desk) -> None:
    erin, ivan = Api(desk.erin), Api(desk.ivan)
    cases = [
        ({"purpose": "Look", "minutes": 90}, 400, "the duration must be one of 1 h, 4 h, 8 h"),
        ({"purpose": " "}, 400, "purpose is required"),
        ({"purpose": "Look", "minutes": "60"}, 422, "minutes"),
        ({"purpose": "Look", "minutes": 0}, 422, "minutes"),
        ({"purpose": "Look", "minutes": 10**12}, 422, "minutes"),
        ({"purpose": "Look", "hours": 1}, 422, "hours: unknown field"),
        ({}, 422, "purpose: required"),
    ]
    for body, status, words in cases:
        response = erin.post(base(desk), body)
        assert response.status_code == status, (body, response.content)
        assert words in response.json()["detail"], (body, response.json())
    assert not RemoteAccess.objects.exists()
    asked = ask(desk, erin)
    # A second request while one waits: a conflict.
    response = erin.post(base(desk), {"purpose": "Again"})
    assert response.status_code == 409
    assert "already waiting" in response.json()["detail"]
    # Granting twice: the second is a conflict.
    assert ivan.post(f"{base(desk)}/{asked['id']}/grant").status_code == 200
    response = ivan.post(f"{base(desk)}/{asked['id']}/grant")
    assert response.status_code == 409
    assert response.json()["detail"] == "remote access is granted already; it can only be revoked"
    response = ivan.post(f"{base(desk)}/{asked['id']}/revoke", {"note": 5})
    assert response.status_code == 422


def test_not_yours_answers_404(desk: Desk) -> None:
    erin, ivan, gina, carl = Api(desk.erin), Api(desk.ivan), Api(desk.gina), Api(desk.carl)
    asked = ask(desk, erin)
    # The customer side does not ask; the working side does not grant: both
    # answer as for a ticket they could not see.
    assert ivan.post(base(desk), {"purpose": "Look"}).status_code == 404
    assert erin.post(f"{base(desk)}/{asked['id']}/grant").status_code == 404
    # Another tenant: the ticket is not there at all.
    for who in (gina, carl):
        assert who.get(base(desk)).status_code == 404
        assert who.post(f"{base(desk)}/{asked['id']}/grant").status_code == 404
    # An id of this ticket's request under another ticket, or one too big.
    other = f"/tickets/{desk.alice_ticket.number}/remote-access/{asked['id']}/grant"
    assert Api(desk.alice).post(other).status_code == 404
    assert ivan.post(f"{base(desk)}/{2**70}/grant").status_code == 404
    assert ivan.post(f"{base(desk)}/999/grant").json() == {"detail": "not found"}
    assert RemoteAccess.objects.get().state == "requested"
