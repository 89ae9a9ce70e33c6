"""The limits of support on the screens (§3): third-party software and the
options for unsupported software (§3.3, §3.5) in the workspace and the
portal, "cannot reproduce" and reproduction steps (§3.2), and resolving
with a cause (§3.1, §3.4) — with bad input beside the forms."""

from __future__ import annotations

import re

import pytest

from supportdesk.tickets.models import EventKind, Message, Ticket, TicketEvent
from tests.web.conftest import htmx

pytestmark = pytest.mark.usefixtures("clock")

FORM = {
    "product": "cloud-backup",
    "severity": "3",
    "subject": "Dashboard login loops",
    "description": "The sign-in page reloads forever.",
}


def desk(ticket: Ticket, action: str = "") -> str:
    return f"/desk/tickets/{ticket.number}/{action}"


def portal(ticket: Ticket, action: str = "") -> str:
    return f"/portal/tickets/{ticket.number}/{action}"


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


@pytest.fixture
def veeam(cast, submit) -> Ticket:
    """Ivan's ticket (Initech, with the vendor), naming unsupported software."""
    return submit(cast.ivan, third_party=["Veeam Agent", "connectwise-autotask"])


# -- the workspace ---------------------------------------------------------------------------


def test_the_workspace_shows_the_software_and_offers_the_forms(cast, as_user, veeam):
    page = as_user(cast.erin).get(desk(veeam)).content.decode()
    assert 'id="ticket-third-party"' in page
    assert "Veeam Agent — not supported" in page
    assert "ConnectWise/Autotask</span>" in page
    assert '<form id="third-party-form"' in page
    assert "Veeam Agent\nConnectWise/Autotask</textarea>" in page
    assert '<form id="cannot-reproduce-form"' in page
    # The customer's answer is not the engineer's to give.
    assert 'id="third-party-option-form"' not in page
    # The causes that fit a cloud-backup ticket: §3.1's seven, not §3.4's.
    causes = re.findall(r'<option value="([a-z-]+)"[^>]*>[^<]*\(§3\.[14]', page)
    assert causes[0] == "updates-not-applied"
    assert len(causes) == 7
    assert "local-firewall" not in causes
    # The desk's answer with the options, signed by the desk.
    assert 'class="author">supportdesk</span>' in page


def test_recording_software_answers_with_the_options(cast, as_user, submit):
    ticket = submit(cast.ivan)
    erin = as_user(cast.erin)
    response = erin.post(
        desk(ticket, "third-party"), {"products": "Acronis\n\nVeeam"}, headers=htmx()
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#ticket-actions"
    body = response.content.decode()
    assert "Acronis — not supported" in body
    assert "Acronis, Veeam are not among the third-party applications" in body
    assert fresh(ticket).third_party == ["Acronis", "Veeam"]


def test_too_many_names_are_refused_beside_the_form(cast, as_user, submit):
    ticket = submit(cast.ivan)
    names = "\n".join(f"tool {i}" for i in range(21))
    response = as_user(cast.erin).post(
        desk(ticket, "third-party"), {"products": names}, headers=htmx()
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert body.lstrip().startswith('<form id="third-party-form"')
    assert (
        'id="third-party-form-error">third_party: at most 20 third-party products per ticket'
        in body
    )
    assert "tool 20</textarea>" in body  # what was typed stays
    assert fresh(ticket).third_party == []


def test_cannot_reproduce_from_the_workspace(cast, as_user, submit):
    ticket = submit(cast.ivan)
    response = as_user(cast.erin).post(
        desk(ticket, "cannot-reproduce"), {"note": "Tried on Chrome and Firefox."}, headers=htmx()
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Could not reproduce the issue: reproduction steps requested (§3.2)" in body
    assert "Tried on Chrome and Firefox.<br><br>We could not reproduce" in body
    assert fresh(ticket).status == "pending-customer"
    # Once the ticket waits for the customer the form is still there; closed, it is gone.
    as_user(cast.erin).post(desk(ticket, "status"), {"status": "closed"}, headers=htmx())
    page = as_user(cast.erin).get(desk(ticket)).content.decode()
    assert 'id="cannot-reproduce-form"' not in page


def test_resolving_with_a_cause_from_the_workspace(cast, as_user, submit):
    ticket = submit(cast.ivan)
    erin = as_user(cast.erin)
    response = erin.post(
        desk(ticket, "status"),
        {"status": "resolved", "reason": "", "cause": "local-firewall"},
        headers=htmx(),
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert body.lstrip().startswith('<form id="status-form"')
    assert "applies only to disaster-recovery, backup-disaster-recovery" in body

    response = erin.post(
        desk(ticket, "status"),
        {"status": "resolved", "reason": "Modified agent", "cause": "unauthorised-alterations"},
        headers=htmx(),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="ticket-resolution-cause">Unauthorised alterations' in body
    assert "; cause: Unauthorised alterations of the operating system" in body
    assert fresh(ticket).resolution_cause == "unauthorised-alterations"


def test_an_unknown_cause_is_refused(cast, as_user, submit):
    ticket = submit(cast.ivan)
    response = as_user(cast.erin).post(
        desk(ticket, "status"), {"status": "closed", "cause": "gremlins"}, headers=htmx()
    )
    assert response.status_code == 422
    assert "cause must be one of: updates-not-applied" in response.content.decode()
    assert fresh(ticket).status == "new"


def test_ceasing_work_in_the_workspace_needs_a_reason_and_stops_the_clock(cast, as_user, submit):
    ticket = submit(cast.ivan)
    erin = as_user(cast.erin)
    response = erin.post(desk(ticket, "status"), {"status": "work-ceased"}, headers=htmx())
    assert response.status_code == 422
    assert "ceasing work needs a reason (§3.3)" in response.content.decode()
    response = erin.post(
        desk(ticket, "status"),
        {"status": "work-ceased", "reason": "Unsupported filter driver"},
        headers=htmx(),
    )
    assert response.status_code == 200
    page = erin.get(desk(ticket)).content.decode()
    assert "Clock stopped since Mon 30 Nov 2026 10:00 EST: Unsupported filter driver (§3.3)" in page


# -- the portal -------------------------------------------------------------------------------


def test_the_customer_chooses_an_option_once(cast, as_user, veeam):
    ivan = as_user(cast.ivan)
    page = ivan.get(portal(veeam)).content.decode()
    assert '<form id="third-party-option-form"' in page
    assert "Veeam Agent is not among the third-party applications Infrascale supports" in page
    assert 'id="third-party-option-i"' in page
    assert 'id="third-party-option-ii"' in page
    assert 'id="third-party-option-for-fee"' in page
    assert "Veeam Agent — not supported" in page

    response = ivan.post(portal(veeam, "third-party/option"), {"option": "ii"}, headers=htmx())
    assert response.status_code == 200
    body = response.content.decode()
    assert "Work ceased" in body
    assert 'id="third-party-option-form"' not in body
    assert "Chose option (ii) for the unsupported software (§3.3)" in body
    assert fresh(veeam).status == "work-ceased"

    # A second answer (a stale page) is refused beside the form.
    response = ivan.post(portal(veeam, "third-party/option"), {"option": "i"}, headers=htmx())
    assert response.status_code == 422
    assert "option (ii) was already chosen for this software (§3.3)" in response.content.decode()
    assert TicketEvent.objects.filter(ticket=veeam, kind=EventKind.THIRD_PARTY_OPTION).count() == 1


def test_an_unknown_option_is_refused_in_the_portal(cast, as_user, veeam):
    response = as_user(cast.ivan).post(
        portal(veeam, "third-party/option"), {"option": "remove-it"}, headers=htmx()
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert body.lstrip().startswith('<form id="third-party-option-form"')
    assert "option must be one of i, ii, for-fee (§3.3)" in body


def test_asking_for_a_fee_hides_that_button(cast, as_user, veeam):
    ivan = as_user(cast.ivan)
    response = ivan.post(portal(veeam, "third-party/option"), {"option": "for-fee"})
    assert response.status_code == 303
    page = ivan.get(portal(veeam)).content.decode()
    assert 'id="third-party-option-ii"' in page
    assert 'id="third-party-option-for-fee"' not in page


def test_the_new_ticket_form_takes_software_and_steps(cast, as_user):
    ivan = as_user(cast.ivan)
    page = ivan.get("/portal/new").content.decode()
    assert 'id="submit-third-party"' in page
    assert 'data-show-for-categories="- dashboard-troubleshooting agent-installation"' in page
    assert 'id="submit-reproduction-steps"' in page

    response = ivan.post(
        "/portal/new",
        {
            **FORM,
            "category": "dashboard-troubleshooting",
            "reproduction_steps": "1. Sign in\n2. Watch it reload",
            "third_party": "Veeam Agent\nStorageCraft ShadowProtect",
        },
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.third_party == ["Veeam Agent", "storagecraft-shadowprotect"]
    first = Message.objects.filter(ticket=ticket).first()
    assert first is not None
    assert first.body.endswith("Steps to reproduce (§3.2):\n1. Sign in\n2. Watch it reload")


def test_steps_for_a_category_that_takes_none_are_refused(cast, as_user):
    response = as_user(cast.ivan).post(
        "/portal/new", {**FORM, "category": "billing", "reproduction_steps": "1. Pay"}
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "reproduction steps are for the troubleshooting categories" in body
    assert "1. Pay</textarea>" in body
    assert not Ticket.objects.exists()
