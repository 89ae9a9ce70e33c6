"""The write path: every change through a do_* action, with its rules."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from supportdesk.accounts.access import NotFound, access_ticket_by_number, visible_tickets
from supportdesk.accounts.models import ApiToken
from supportdesk.tickets.actions import (
    ActionError,
    Upload,
    attachment_path,
    do_assign,
    do_change_severity,
    do_change_status,
    do_decide_severity_request,
    do_forward_to_vendor,
    do_log_call,
    do_reply,
    do_request_severity,
    do_submit_ticket,
    safe_filename,
)
from supportdesk.tickets.audit import verify_ticket_chains
from supportdesk.tickets.models import EventKind, Status, TicketEvent
from tests.tickets.conftest import ET, MONDAY_9

HOUR = timedelta(hours=1)


def submit(people, user, company, **kw):
    fields = {
        "subject": "Backups fail",
        "body": "Since the update every job fails.",
        "product": "cloud-backup",
        "severity": 3,
        "channel": "portal",
    }
    fields.update(kw)
    now = fields.pop("now", MONDAY_9)
    return do_submit_ticket(company=company, requester=user, acting_user=user, now=now, **fields)


def test_direct_customer_ticket_starts_with_the_vendor_and_its_clock(people):
    ticket = submit(people, people.initech_user, people.initech, severity=2)
    assert ticket.tier == "vendor"
    assert ticket.partner is None
    assert ticket.response_due_at == MONDAY_9 + 2 * HOUR
    assert ticket.status == Status.NEW
    assert ticket.number == f"SD-{ticket.pk}"
    assert ticket.policy_version == "2021-09-14+desk.1"


def test_partner_customer_waits_for_the_partner_then_the_clock_starts_at_the_forward(people):
    ticket = submit(people, people.acme_user, people.acme, severity=3)
    assert (ticket.tier, ticket.partner, ticket.response_due_at) == (
        "partner",
        people.northwind,
        None,
    )
    with pytest.raises(ActionError) as refused:
        do_forward_to_vendor(
            ticket, severity=2, acting_user=people.contoso_tech, now=MONDAY_9 + HOUR
        )
    assert refused.value.code == "forbidden"
    do_forward_to_vendor(ticket, severity=2, acting_user=people.northwind_tech, now=MONDAY_9 + HOUR)
    ticket.refresh_from_db()
    assert ticket.tier == "vendor"
    assert ticket.severity == 2
    assert ticket.clock_started_at == MONDAY_9 + HOUR
    assert ticket.response_due_at == MONDAY_9 + 3 * HOUR


def test_a_partner_that_forwards_everything_sends_tickets_straight_on(people):
    people.northwind.auto_forward = True
    people.northwind.save()
    ticket = submit(people, people.acme_user, people.acme)
    assert ticket.tier == "vendor"
    assert ticket.response_due_at == MONDAY_9 + 4 * HOUR


def test_severity_one_without_a_dedicated_contact_opens_as_two_and_says_why(people):
    ticket = submit(people, people.initech_user, people.initech, severity=1)
    assert ticket.severity == 2
    submitted = ticket.events.get(kind=EventKind.SUBMITTED)
    assert submitted.data["source"] == "§1.6.1"
    assert "dedicated" in submitted.data["severity_note"]
    named = submit(people, people.initech_user, people.initech, severity=1, dedicated_contact="Ann")
    assert named.severity == 1


def test_phone_refuses_severity_three_on_a_weekend_but_the_portal_takes_it(people):
    saturday = MONDAY_9 - timedelta(days=2)
    with pytest.raises(ActionError, match="Telephone takes Severity 3 tickets") as refused:
        submit(people, people.initech_user, people.initech, channel="phone", now=saturday)
    assert refused.value.code == "conflict"
    assert submit(people, people.initech_user, people.initech, now=saturday).pk


def test_first_public_vendor_reply_is_the_first_response_notes_are_not(people):
    ticket = submit(people, people.initech_user, people.initech, severity=2)
    do_reply(
        ticket,
        body="Looking into it",
        public=False,
        acting_user=people.engineer,
        now=MONDAY_9 + HOUR,
    )
    ticket.refresh_from_db()
    assert ticket.first_response_at is None
    assert ticket.status == Status.NEW
    do_reply(ticket, body="Which version?", acting_user=people.engineer, now=MONDAY_9 + 3 * HOUR)
    ticket.refresh_from_db()
    assert ticket.first_response_at == MONDAY_9 + 3 * HOUR
    assert ticket.breached
    assert ticket.status == Status.OPEN


def test_a_logged_outbound_call_counts_as_a_first_response(people):
    ticket = submit(people, people.initech_user, people.initech, severity=2)
    do_log_call(
        ticket,
        summary="Called Ann, restarted the agent",
        direction="outbound",
        minutes=12,
        acting_user=people.engineer,
        now=MONDAY_9 + HOUR,
    )
    ticket.refresh_from_db()
    assert ticket.first_response_at == MONDAY_9 + HOUR
    assert not ticket.breached


def test_severity_changes_need_a_reason_and_the_working_side(people):
    ticket = submit(people, people.initech_user, people.initech, severity=4)
    with pytest.raises(ActionError, match="needs a reason"):
        do_change_severity(
            ticket, severity=2, reason=" ", acting_user=people.engineer, now=MONDAY_9
        )
    with pytest.raises(ActionError) as refused:
        do_change_severity(
            ticket, severity=2, reason="worse", acting_user=people.initech_user, now=MONDAY_9
        )
    assert refused.value.code == "forbidden"
    do_change_severity(
        ticket,
        severity=2,
        reason="all sites down",
        acting_user=people.engineer,
        now=MONDAY_9 + 1.5 * HOUR,
    )
    ticket.refresh_from_db()
    # DESIGN.md §2: Sev4 at 09:00 upgraded to 2 at 10:30 is due 12:30 Eastern.
    assert ticket.response_due_at == MONDAY_9 + 3.5 * HOUR


def test_customer_severity_request_waits_for_the_engineer(people):
    ticket = submit(people, people.initech_user, people.initech, severity=4)
    with pytest.raises(ActionError, match="justification"):
        do_request_severity(
            ticket, severity=2, justification="", acting_user=people.initech_user, now=MONDAY_9
        )
    do_request_severity(
        ticket,
        severity=2,
        justification="No backups for 40 servers",
        acting_user=people.initech_user,
        now=MONDAY_9,
    )
    ticket.refresh_from_db()
    assert (ticket.severity, ticket.requested_severity) == (4, 2)
    with pytest.raises(ActionError, match="needs a reason"):
        do_decide_severity_request(
            ticket, accept=False, acting_user=people.engineer, now=MONDAY_9 + HOUR
        )
    do_decide_severity_request(
        ticket, accept=True, acting_user=people.engineer, now=MONDAY_9 + HOUR
    )
    ticket.refresh_from_db()
    assert (ticket.severity, ticket.requested_severity) == (2, None)
    assert ticket.response_due_at == MONDAY_9 + 3 * HOUR


def test_assign_only_to_people_of_the_working_side(people):
    ticket = submit(people, people.initech_user, people.initech)
    with pytest.raises(ActionError, match="cannot work"):
        do_assign(ticket, assignee=people.northwind_tech, acting_user=people.engineer, now=MONDAY_9)
    do_assign(ticket, assignee=people.manager, acting_user=people.engineer, now=MONDAY_9)
    ticket.refresh_from_db()
    assert ticket.assignee == people.manager
    assert not ticket.events.get(kind=EventKind.ASSIGNED).public


def test_customer_may_resolve_close_and_reopen_a_resolved_ticket_only(people):
    ticket = submit(people, people.initech_user, people.initech)
    with pytest.raises(ActionError):
        do_change_status(ticket, status="on-hold", acting_user=people.initech_user, now=MONDAY_9)
    do_change_status(ticket, status="resolved", acting_user=people.initech_user, now=MONDAY_9)
    do_reply(ticket, body="Still broken", acting_user=people.initech_user, now=MONDAY_9 + HOUR)
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    do_change_status(ticket, status="closed", acting_user=people.initech_user, now=MONDAY_9 + HOUR)
    with pytest.raises(ActionError, match="closed") as refused:
        do_reply(ticket, body="again", acting_user=people.initech_user, now=MONDAY_9 + 2 * HOUR)
    assert refused.value.code == "conflict"


def test_nobody_reaches_another_tenants_ticket(people):
    acme = submit(people, people.acme_user, people.acme)
    globex = submit(people, people.globex_user, people.globex)
    initech = submit(people, people.initech_user, people.initech)
    assert set(visible_tickets(people.northwind_tech)) == {acme}
    assert set(visible_tickets(people.contoso_tech)) == {globex}
    assert set(visible_tickets(people.initech_user)) == {initech}
    assert set(visible_tickets(people.engineer)) == {acme, globex, initech}
    for user, ticket in [
        (people.northwind_tech, globex),
        (people.acme_user, initech),
        (people.initech_user, acme),
    ]:
        with pytest.raises(NotFound):
            access_ticket_by_number(user, ticket.number)
    with pytest.raises(NotFound):
        access_ticket_by_number(people.engineer, "SD-999999")
    with pytest.raises(NotFound):
        access_ticket_by_number(people.engineer, "../etc/passwd")
    with pytest.raises(ActionError):
        submit(people, people.northwind_tech, people.globex)


def test_bad_input_is_refused_with_a_message(people):
    for fields, words in [
        ({"subject": "x" * 251}, "subject is too long"),
        ({"subject": " \x00 "}, "subject is required"),
        ({"body": ""}, "description is required"),
        ({"product": "toaster"}, "product must be one of"),
        (
            {"category": "agent-installation", "product": "cloud-application-backup"},
            "does not apply",
        ),
        ({"severity": 7}, "severity must be one of"),
        ({"channel": "fax"}, "channel must be one of"),
    ]:
        with pytest.raises(ActionError, match=words):
            submit(people, people.initech_user, people.initech, **fields)


def test_attachments_are_sniffed_limited_and_stored_under_generated_names(
    people, tmp_path, settings
):
    settings.SUPPORTDESK_ATTACHMENTS_DIR = tmp_path
    settings.SUPPORTDESK_ATTACHMENT_MAX_BYTES = 1000
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    ticket = submit(
        people,
        people.initech_user,
        people.initech,
        uploads=[Upload("../../etc/<script>.html", png)],
    )
    attachment = ticket.attachments.get()
    assert attachment.content_type == "image/png"
    assert attachment.filename == "script_.html"
    assert attachment_path(attachment).read_bytes() == png
    assert attachment.stored_name not in attachment.filename
    with pytest.raises(ActionError, match="the limit is 1,000"):
        submit(
            people, people.initech_user, people.initech, uploads=[Upload("big.bin", b"x" * 1001)]
        )


def test_safe_filename():
    assert safe_filename("C:\\Users\\ann\\report.pdf") == "report.pdf"
    assert safe_filename("") == "attachment"
    assert safe_filename("a" * 300 + ".log").endswith(".log")
    assert len(safe_filename("a" * 300 + ".log")) <= 120


def test_history_is_hash_chained_and_tampering_is_found(people):
    ticket = submit(people, people.initech_user, people.initech)
    do_reply(ticket, body="On it", acting_user=people.engineer, now=MONDAY_9 + HOUR)
    assert verify_ticket_chains() == (1, [])
    call_command("verify_audit")

    event = TicketEvent.objects.get(ticket=ticket, seq=2)
    TicketEvent.objects.filter(pk=event.pk).update(data={**event.data, "public": False})
    checked, problems = verify_ticket_chains()
    assert checked == 1
    assert problems == [f"{ticket.number} event 2 (message): its content does not match its hash"]
    with pytest.raises(CommandError):
        call_command("verify_audit")


def test_create_token_prints_a_token_that_only_its_hash_is_kept_of(people, capsys):
    call_command("create_token", user="USER@initech.example")
    token = capsys.readouterr().out.strip()
    assert token.startswith("sd_")
    row = ApiToken.objects.get()
    assert row.user == people.initech_user
    assert row.key_hash == ApiToken.hash(token)
    assert token not in row.key_hash
    with pytest.raises(CommandError, match="no active user"):
        call_command("create_token", user="nobody@example.com")


def test_times_are_kept_as_instants(people):
    ticket = submit(people, people.initech_user, people.initech, severity=2)
    assert ticket.response_due_at.astimezone(ET).hour == 11
