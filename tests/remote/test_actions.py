"""Remote access (§2.3) through its actions: an engineer asks, the customer
grants or declines, a grant is time-boxed and revocable, and every step is
in the ticket's history."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from supportdesk.mail.models import OutboundMail
from supportdesk.remote import actions
from supportdesk.remote.models import RemoteAccess
from supportdesk.tickets.actions import ActionError, do_change_status
from supportdesk.tickets.audit import verify_ticket_chains
from supportdesk.tickets.models import EventKind, Ticket, TicketEvent
from tests.remote.conftest import T0, Desk, hours


def ask(desk: Desk, ticket: Ticket | None = None, **kw: object) -> RemoteAccess:
    fields: dict[str, object] = {
        "purpose": "Check the VSS writers on FS01",
        "tool": "ScreenConnect",
    }
    fields.update(kw)
    return actions.do_request_remote_access(
        ticket or desk.ivan_ticket,
        acting_user=desk.erin,
        now=T0,
        **fields,  # type: ignore[arg-type]
    )


def events(ticket: Ticket, prefix: str = "remote-access") -> list[TicketEvent]:
    return list(ticket.events.filter(kind__startswith=prefix).order_by("seq"))


def test_an_engineer_asks_and_the_requester_is_mailed(desk: Desk) -> None:
    access = ask(desk, minutes=60)
    assert access.state == RemoteAccess.State.REQUESTED
    assert (access.minutes, access.requested_by, access.requested_at) == (60, desk.erin, T0)
    [event] = events(desk.ivan_ticket)
    assert event.kind == EventKind.REMOTE_ACCESS_REQUESTED
    assert event.public
    assert event.actor == desk.erin
    assert event.data == {
        "access": access.pk,
        "section": "§2.3",
        "minutes": 60,
        "expires_at": None,
        "purpose": "Check the VSS writers on FS01",
        "tool": "ScreenConnect",
    }
    [mail] = OutboundMail.objects.filter(ticket=desk.ivan_ticket, kind="notification")
    assert mail.to == ["ivan@initech.example"]
    assert mail.subject == f"Re: [{desk.ivan_ticket.number}] FS01 backups fail"
    assert "Check the VSS writers on FS01" in mail.body
    assert "for 1 h from when you grant it" in mail.body
    assert "§2.3: At Infrascale's request, You shall Yourself" in mail.body
    assert "    I grant remote access\n    I decline remote access" in mail.body
    assert not mail.automatic


def test_the_default_duration_is_the_policys(desk: Desk) -> None:
    assert ask(desk).minutes == 240


def test_the_customer_grants_for_the_duration_asked(desk: Desk) -> None:
    access = ask(desk)
    later = T0 + hours(1)
    granted = actions.do_grant_remote_access(access, acting_user=desk.ivan, now=later)
    assert granted.state == RemoteAccess.State.GRANTED
    assert (granted.granted_by, granted.granted_at) == (desk.ivan, later)
    assert granted.expires_at == later + hours(4)
    event = events(desk.ivan_ticket)[-1]
    assert event.kind == EventKind.REMOTE_ACCESS_GRANTED
    assert event.data["expires_at"] == "2026-11-30T20:00:00+00:00"
    assert event.data["section"] == "§2.3"
    assert (event.data["side"], event.data["via"]) == ("customer", "portal")


def test_the_customer_declines_saying_why(desk: Desk) -> None:
    access = ask(desk)
    declined = actions.do_decline_remote_access(
        access, note="Not during surgery hours", acting_user=desk.ivan, now=T0
    )
    assert declined.state == RemoteAccess.State.DECLINED
    assert (declined.declined_by, declined.note) == (desk.ivan, "Not during surgery hours")
    assert events(desk.ivan_ticket)[-1].kind == EventKind.REMOTE_ACCESS_DECLINED


@pytest.mark.parametrize("who", ["ivan", "erin"])
def test_either_side_revokes_a_running_grant(desk: Desk, who: str) -> None:
    access = actions.do_grant_remote_access(ask(desk), acting_user=desk.ivan, now=T0)
    revoked = actions.do_revoke_remote_access(
        access, note="Done", acting_user=getattr(desk, who), now=T0 + hours(1)
    )
    assert revoked.state == RemoteAccess.State.REVOKED
    assert revoked.revoked_at == T0 + hours(1)
    event = events(desk.ivan_ticket)[-1]
    assert event.kind == EventKind.REMOTE_ACCESS_REVOKED
    assert event.data["withdrawn"] is False


def test_the_engineer_withdraws_a_request_still_waiting(desk: Desk) -> None:
    access = actions.do_revoke_remote_access(ask(desk), acting_user=desk.erin, now=T0)
    assert access.state == RemoteAccess.State.REVOKED
    assert events(desk.ivan_ticket)[-1].data["withdrawn"] is True


def test_a_grant_revoked_after_expiry_is_refused_and_nothing_changes(desk: Desk) -> None:
    access = actions.do_grant_remote_access(ask(desk, minutes=60), acting_user=desk.ivan, now=T0)
    before = (TicketEvent.objects.count(), desk.fresh(desk.ivan_ticket).last_event_hash)
    with pytest.raises(ActionError) as caught:
        actions.do_revoke_remote_access(access, acting_user=desk.ivan, now=T0 + hours(1))
    assert caught.value.code == "conflict"
    assert caught.value.message == (
        "the grant expired at 2026-11-30T16:00:00+00:00; there is nothing to revoke"
    )
    access.refresh_from_db()
    assert access.state == RemoteAccess.State.GRANTED
    assert (TicketEvent.objects.count(), desk.fresh(desk.ivan_ticket).last_event_hash) == before


def test_every_step_is_in_the_history_and_the_chain_holds(desk: Desk) -> None:
    first = ask(desk)
    actions.do_decline_remote_access(first, acting_user=desk.ivan, now=T0)
    second = ask(desk, minutes=480)
    actions.do_grant_remote_access(second, acting_user=desk.ivan, now=T0)
    actions.do_revoke_remote_access(second, acting_user=desk.erin, now=T0 + hours(2))
    assert [e.kind for e in events(desk.ivan_ticket)] == [
        EventKind.REMOTE_ACCESS_REQUESTED,
        EventKind.REMOTE_ACCESS_DECLINED,
        EventKind.REMOTE_ACCESS_REQUESTED,
        EventKind.REMOTE_ACCESS_GRANTED,
        EventKind.REMOTE_ACCESS_REVOKED,
    ]
    assert all(e.public and e.data["section"] == "§2.3" for e in events(desk.ivan_ticket))
    assert verify_ticket_chains(desk.ivan_ticket.pk) == (1, [])


def test_one_request_or_grant_at_a_time(desk: Desk) -> None:
    access = ask(desk)
    with pytest.raises(ActionError, match="already waiting for the customer") as caught:
        ask(desk)
    assert caught.value.code == "conflict"
    actions.do_grant_remote_access(access, acting_user=desk.ivan, now=T0)
    with pytest.raises(ActionError, match="granted for 4 h more"):
        ask(desk)
    # Once the grant has run out, the engineer may ask again.
    again = actions.do_request_remote_access(
        desk.ivan_ticket, purpose="Once more", acting_user=desk.erin, now=T0 + hours(4)
    )
    assert again.state == RemoteAccess.State.REQUESTED


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"purpose": "   "}, "purpose is required"),
        ({"minutes": 90}, "the duration must be one of 1 h, 4 h, 8 h, 1 day (§2.3)"),
        ({"minutes": -60}, "the duration must be one of"),
        ({"purpose": "x" * 2001}, "purpose is too long"),
    ],
)
def test_bad_requests_are_refused(desk: Desk, fields: dict[str, object], words: str) -> None:
    with pytest.raises(ActionError, match=words.replace("(", r"\(").replace(")", r"\)")):
        ask(desk, **fields)
    assert not RemoteAccess.objects.exists()
    assert events(desk.ivan_ticket) == []


@pytest.mark.parametrize(
    ("who", "ticket"),
    [
        ("ivan", "ivan_ticket"),  # the customer side does not ask
        ("fiona", "ivan_ticket"),  # finance does not work support tickets
        ("nora", "alice_ticket"),  # the partner forwarded it: the vendor works it now
        ("erin", "gina_ticket"),  # still with the partner: Contoso works it
    ],
)
def test_only_the_working_side_asks(desk: Desk, who: str, ticket: str) -> None:
    with pytest.raises(ActionError) as caught:
        actions.do_request_remote_access(
            getattr(desk, ticket), purpose="Look", acting_user=getattr(desk, who), now=T0
        )
    assert caught.value.code == "forbidden"


def test_the_partner_asks_on_a_ticket_it_works(desk: Desk) -> None:
    access = actions.do_request_remote_access(
        desk.gina_ticket, purpose="Look at the clinic server", acting_user=desk.carl, now=T0
    )
    granted = actions.do_grant_remote_access(access, acting_user=desk.gina, now=T0)
    assert granted.state == RemoteAccess.State.GRANTED


def test_a_forwarding_partner_answers_for_its_customer(desk: Desk) -> None:
    access = ask(desk, ticket=desk.alice_ticket)
    granted = actions.do_grant_remote_access(access, acting_user=desk.nora, now=T0)
    assert granted.granted_by == desk.nora


@pytest.mark.parametrize("who", ["erin", "gina", "carl", "fiona"])
def test_only_the_customer_side_grants(desk: Desk, who: str) -> None:
    access = ask(desk)
    with pytest.raises(ActionError) as caught:
        actions.do_grant_remote_access(access, acting_user=getattr(desk, who), now=T0)
    assert caught.value.code == "forbidden"
    access.refresh_from_db()
    assert access.state == RemoteAccess.State.REQUESTED


def test_answers_are_refused_once_the_request_is_answered(desk: Desk) -> None:
    access = ask(desk)
    actions.do_decline_remote_access(access, acting_user=desk.ivan, now=T0)
    with pytest.raises(ActionError, match="declined already") as caught:
        actions.do_grant_remote_access(access, acting_user=desk.ivan, now=T0)
    assert caught.value.code == "conflict"


def test_a_closed_ticket_is_not_asked_about_nor_granted(desk: Desk) -> None:
    access = ask(desk)
    from supportdesk.tickets import actions as ticket_actions

    ticket_actions.do_change_status(
        desk.ivan_ticket, status="closed", acting_user=desk.ivan, now=T0
    )
    with pytest.raises(ActionError, match="no longer open"):
        actions.do_grant_remote_access(access, acting_user=desk.ivan, now=T0)
    # Declining or withdrawing what waits is still possible.
    actions.do_revoke_remote_access(access, acting_user=desk.erin, now=T0)
    with pytest.raises(ActionError, match="no longer open"):
        ask(desk)


def test_history_reads_in_words(desk: Desk) -> None:
    from supportdesk.tickets.queries import timeline

    access = ask(desk, minutes=60)
    actions.do_grant_remote_access(access, acting_user=desk.ivan, now=T0)
    texts = [
        (e.text, e.detail)
        for e in timeline(desk.ivan, desk.ivan_ticket)
        if e.kind.startswith("remote")
    ]
    assert texts == [
        (
            "Remote access requested with ScreenConnect for 1 h (§2.3)",
            "Check the VSS writers on FS01",
        ),
        ("Remote access granted for 1 h, until 2026-11-30 16:00 UTC (§2.3)", ""),
    ]
    assert datetime(2026, 11, 30, 16, tzinfo=UTC) == RemoteAccess.objects.get().expires_at


def test_resolving_the_ticket_ends_a_running_grant(
    desk: Desk, django_capture_on_commit_callbacks
) -> None:
    """§2.3: access is for the work; once the ticket is resolved it ends,
    by the desk, after the resolution commits."""
    access = actions.do_grant_remote_access(ask(desk), acting_user=desk.ivan, now=T0)
    with django_capture_on_commit_callbacks(execute=True):
        do_change_status(
            desk.ivan_ticket,
            status="resolved",
            reason="VSS writer restarted",
            acting_user=desk.erin,
            now=T0 + hours(1),
        )
    access.refresh_from_db()
    assert (access.state, access.revoked_at, access.revoked_by) == ("revoked", T0 + hours(1), None)
    ended = events(desk.ivan_ticket)[-1]
    assert ended.kind == EventKind.REMOTE_ACCESS_REVOKED
    assert ended.actor is None
    assert ended.data["note"] == "the ticket was resolved"
    assert verify_ticket_chains()[1] == []


def test_closing_withdraws_a_request_nobody_answered(
    desk: Desk, django_capture_on_commit_callbacks
) -> None:
    access = ask(desk)
    with django_capture_on_commit_callbacks(execute=True):
        do_change_status(
            desk.ivan_ticket, status="closed", reason="", acting_user=desk.erin, now=T0 + hours(1)
        )
    access.refresh_from_db()
    assert access.state == "revoked"
    assert events(desk.ivan_ticket)[-1].data["withdrawn"] is True
