"""Third-party software on a ticket and the non-supported-application
workflow (§3.3, §3.5): recorded at submission or by the working side, the
options offered by the desk, the customer's answer, work ceased with the
response clock stopped, and the for-fee continuation."""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from supportdesk.tickets import clock
from supportdesk.tickets.actions import ActionError, do_change_status, do_reply, do_submit_ticket
from supportdesk.tickets.audit import verify_ticket_chains
from supportdesk.tickets.limitations import do_choose_third_party_option, do_record_third_party
from supportdesk.tickets.models import EventKind, Message, Status, Ticket, TicketEvent
from supportdesk.tickets.queries import timeline
from supportdesk.tickets.quotes import do_decide_quote, do_offer_quote
from tests.tickets.conftest import ET, MONDAY_9

MIN = timedelta(minutes=1)
# Monday 30 November 2026 (EST = UTC-5); business hours run all weekday.
T_10 = datetime(2026, 11, 30, 10, tzinfo=ET)
T_1130 = datetime(2026, 11, 30, 11, 30, tzinfo=ET)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def submit(people, **kw) -> Ticket:
    """Ian of Initech (a direct customer: the vendor's clock starts at once),
    Severity 3 by the portal, Monday 09:00 EST: due 13:00 EST (18:00Z)."""
    fields = {
        "company": people.initech,
        "requester": people.initech_user,
        "acting_user": people.initech_user,
        "subject": "Backups fail",
        "body": "Every job stops at 40%.",
        "product": "cloud-backup",
        "severity": 3,
        "channel": "portal",
        "now": MONDAY_9,
    }
    fields.update(kw)
    return do_submit_ticket(**fields)


def kinds(ticket: Ticket) -> list[str]:
    return list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))


def last(ticket: Ticket, kind: EventKind) -> TicketEvent:
    event = TicketEvent.objects.filter(ticket=ticket, kind=kind).last()
    assert event is not None
    return event


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


# -- at submission ----------------------------------------------------------------------


def test_a_new_ticket_records_its_software_and_is_offered_the_options(people):
    ticket = submit(people, third_party=["ConnectWise/Autotask", "Veeam Agent", " "])
    ticket = fresh(ticket)
    assert ticket.third_party == ["connectwise-autotask", "Veeam Agent"]
    assert kinds(ticket) == ["submitted", "message", "third-party", "message"]
    data = last(ticket, EventKind.THIRD_PARTY).data
    assert data["supported"] == ["connectwise-autotask"]
    assert data["unsupported"] == ["Veeam Agent"]
    assert data["names"] == ["ConnectWise/Autotask", "Veeam Agent"]
    assert data["offered"] is True
    assert data["section"] == "§3.5"

    answer = Message.objects.filter(ticket=ticket).last()
    assert answer is not None
    assert answer.author is None
    assert answer.is_public
    assert answer.body.startswith(
        "Veeam Agent is not among the third-party applications Infrascale supports (§3.5)."
    )
    assert "(ii) cease work on the case" in answer.body
    # The desk's own answer is no first response: the clock runs on.
    assert ticket.first_response_at is None
    assert ticket.response_due_at == utc("2026-11-30T18:00")
    assert last(ticket, EventKind.MESSAGE).data["side"] == "desk"
    assert verify_ticket_chains()[1] == []


def test_supported_software_alone_is_recorded_without_an_offer(people):
    ticket = fresh(submit(people, third_party=["storagecraft-shadowprotect"]))
    assert ticket.third_party == ["storagecraft-shadowprotect"]
    assert kinds(ticket) == ["submitted", "message", "third-party"]
    assert last(ticket, EventKind.THIRD_PARTY).data["offered"] is False


def test_no_software_no_event(people):
    assert kinds(submit(people)) == ["submitted", "message"]


def test_too_many_names_refuse_the_ticket(people):
    with pytest.raises(ActionError, match="third_party: at most 20"):
        submit(people, third_party=[f"tool {i}" for i in range(21)])
    assert not Ticket.objects.exists()


def test_the_timeline_tells_it(people):
    ticket = submit(people, third_party=["Veeam Agent"])
    texts = [(e.text, e.detail) for e in timeline(people.engineer, ticket) if not e.message]
    assert (
        "Third-party software recorded: Veeam Agent (§3.5)",
        "Not supported: Veeam Agent. The options of §3.3 were offered.",
    ) in texts


# -- recorded by the working side ---------------------------------------------------------


def test_the_working_side_records_software_and_the_desk_offers_the_options(people):
    ticket = submit(people)
    do_record_third_party(
        ticket, products=["Acronis"], acting_user=people.engineer, now=MONDAY_9 + MIN
    )
    ticket = fresh(ticket)
    assert ticket.third_party == ["Acronis"]
    assert kinds(ticket)[-2:] == ["third-party", "message"]
    assert last(ticket, EventKind.THIRD_PARTY).data["added"] == ["Acronis"]

    # The same list again changes nothing; a supported product added, no new offer.
    do_record_third_party(
        ticket, products=["acronis"], acting_user=people.engineer, now=MONDAY_9 + 2 * MIN
    )
    assert fresh(ticket).event_count == ticket.event_count
    do_record_third_party(
        ticket,
        products=["Acronis", "ConnectWise/Autotask"],
        acting_user=people.engineer,
        now=MONDAY_9 + 3 * MIN,
    )
    assert kinds(ticket)[-1] == "third-party"
    assert last(ticket, EventKind.THIRD_PARTY).data["offered"] is False


@pytest.mark.parametrize("who", ["initech_user", "northwind_tech", "finance"])
def test_only_the_working_side_records_software(people, who):
    ticket = submit(people)
    with pytest.raises(ActionError) as refused:
        do_record_third_party(
            ticket, products=["Acronis"], acting_user=getattr(people, who), now=MONDAY_9
        )
    assert refused.value.code == "forbidden"


def test_a_closed_ticket_takes_no_software(people):
    ticket = submit(people)
    do_change_status(ticket, status="closed", acting_user=people.engineer, now=MONDAY_9)
    with pytest.raises(ActionError) as refused:
        do_record_third_party(
            ticket, products=["Acronis"], acting_user=people.engineer, now=MONDAY_9
        )
    assert refused.value.code == "conflict"


# -- the customer's answer ----------------------------------------------------------------


def choose(people, ticket, option, who="initech_user", at=T_10):
    return do_choose_third_party_option(
        ticket, option=option, acting_user=getattr(people, who), now=at
    )


def test_option_two_ceases_work_and_stops_the_clock_until_the_software_is_removed(people):
    ticket = submit(people, third_party=["Veeam Agent"])
    # Sev3 at 09:00 EST: due 13:00 EST.
    assert fresh(ticket).response_due_at == utc("2026-11-30T18:00")

    choose(people, ticket, "ii")  # 10:00 EST
    ticket = fresh(ticket)
    assert ticket.status == Status.WORK_CEASED
    assert ticket.response_due_at is None
    assert ticket.sla_next_at is None
    option = last(ticket, EventKind.THIRD_PARTY_OPTION).data
    assert option["option"] == "ii"
    assert option["software"] == ["Veeam Agent"]
    assert option["section"] == "§3.3"
    status = last(ticket, EventKind.STATUS_CHANGED).data
    assert status["to"] == "work-ceased"
    assert status["reason"] == "option (ii) chosen: work ceases until Veeam Agent is removed"
    assert status["section"] == "§3.3"

    # Nothing breaches while work has ceased, however long.
    clock.sweep(datetime(2026, 11, 30, 16, tzinfo=ET))
    assert not TicketEvent.objects.filter(ticket=ticket, kind=EventKind.SLA_BREACHED).exists()

    # Removed at 11:30 EST: back to work, due 90 minutes later than it was.
    do_record_third_party(ticket, products=[], acting_user=people.engineer, now=T_1130)
    ticket = fresh(ticket)
    assert ticket.status == Status.OPEN
    assert ticket.third_party == []
    assert ticket.response_due_at == utc("2026-11-30T19:30")
    assert last(ticket, EventKind.STATUS_CHANGED).data["reason"] == (
        "the unsupported software was removed: work goes on"
    )
    assert verify_ticket_chains()[1] == []


def test_option_one_keeps_the_ticket_at_work(people):
    ticket = submit(people, third_party=["Veeam Agent"])
    choose(people, ticket, "i")
    ticket = fresh(ticket)
    assert ticket.status == Status.NEW
    assert ticket.response_due_at == utc("2026-11-30T18:00")
    texts = [e.text for e in timeline(people.initech_user, ticket)]
    assert "Chose option (i) for the unsupported software (§3.3)" in texts


@pytest.mark.parametrize(
    ("first", "second", "message"),
    [
        ("ii", "ii", "option (ii) was already chosen"),
        ("i", "ii", "option (i) was already chosen"),
        ("ii", "for-fee", "option (ii) was already chosen"),
        ("for-fee", "for-fee", "a for-fee continuation was already asked for"),
    ],
)
def test_choosing_twice_is_refused(people, first, second, message):
    ticket = submit(people, third_party=["Veeam Agent"])
    choose(people, ticket, first)
    with pytest.raises(ActionError, match=re.escape(message)) as refused:
        choose(people, ticket, second, at=T_10 + MIN)
    assert refused.value.code == "conflict"


def test_an_unknown_option_is_bad_input(people):
    ticket = submit(people, third_party=["Veeam Agent"])
    with pytest.raises(ActionError, match=r"option must be one of i, ii, for-fee \(§3\.3\)") as e:
        choose(people, ticket, "iii")
    assert e.value.code == "invalid"


def test_nothing_to_answer_without_an_offer(people):
    ticket = submit(people, third_party=["connectwise-autotask"])
    with pytest.raises(ActionError, match="no options are waiting") as refused:
        choose(people, ticket, "i")
    assert refused.value.code == "conflict"


@pytest.mark.parametrize("who", ["engineer", "globex_user", "northwind_tech"])
def test_only_the_customer_side_answers(people, who):
    ticket = submit(people, third_party=["Veeam Agent"])
    with pytest.raises(ActionError) as refused:
        choose(people, ticket, "ii", who=who)
    assert refused.value.code == "forbidden"


def test_new_unsupported_software_is_offered_afresh(people):
    ticket = submit(people, third_party=["Veeam Agent"])
    choose(people, ticket, "i")
    do_record_third_party(
        ticket, products=["Veeam Agent", "Acronis"], acting_user=people.engineer, now=T_10 + MIN
    )
    offer = Message.objects.filter(ticket=ticket).last()
    assert offer is not None
    assert offer.body.startswith("Veeam Agent, Acronis are not among")
    choose(people, ticket, "ii", at=T_10 + 2 * MIN)
    assert fresh(ticket).status == Status.WORK_CEASED


# -- the for-fee continuation ---------------------------------------------------------------


def test_the_for_fee_continuation_is_a_quote_that_puts_the_ticket_back_to_work(people):
    ticket = submit(people, third_party=["Veeam Agent"])
    choose(people, ticket, "ii")
    # Work has ceased; the customer would rather pay to go on with the software.
    quote = do_offer_quote(
        ticket,
        amount=Decimal("450.00"),
        currency="USD",
        description="Support beside Veeam Agent",
        reason="third-party",
        acting_user=people.engineer,
        now=T_10 + 5 * MIN,
    )
    assert fresh(ticket).status == Status.WORK_CEASED
    offered = last(ticket, EventKind.QUOTE_OFFERED).data
    assert (offered["reason"], offered["section"]) == ("third-party", "§3.3")

    do_decide_quote(ticket, accept=True, acting_user=people.initech_user, now=T_1130)
    ticket = fresh(ticket)
    quote.refresh_from_db()
    assert quote.state == "accepted"
    assert ticket.status == Status.OPEN
    # The clock stood still 10:00 to 11:30, but the quote answered first.
    assert ticket.first_response_at == T_10 + 5 * MIN


def test_asking_for_a_fee_leaves_the_options_open(people):
    ticket = submit(people, third_party=["Veeam Agent"])
    choose(people, ticket, "for-fee")
    texts = [e.text for e in timeline(people.engineer, ticket)]
    assert "Asked to continue under a for-fee agreement (§3.3)" in texts
    choose(people, ticket, "ii", at=T_10 + MIN)
    assert fresh(ticket).status == Status.WORK_CEASED


# -- ceasing work by hand (§3.3) -------------------------------------------------------------


def test_ceasing_work_needs_a_reason(people):
    ticket = submit(people)
    with pytest.raises(ActionError, match=r"ceasing work needs a reason \(§3\.3\)"):
        do_change_status(
            ticket, status="work-ceased", reason=" ", acting_user=people.engineer, now=T_10
        )


def test_work_ceased_by_hand_stops_the_clock_and_a_late_resume_breaches(people):
    ticket = submit(people)
    do_change_status(
        ticket,
        status="work-ceased",
        reason="Unsupported filter driver on the server",
        acting_user=people.engineer,
        now=T_10,
    )
    ticket = fresh(ticket)
    assert ticket.response_due_at is None
    assert last(ticket, EventKind.STATUS_CHANGED).data["section"] == "§3.3"

    do_change_status(ticket, status="open", acting_user=people.engineer, now=T_1130)
    ticket = fresh(ticket)
    assert ticket.response_due_at == utc("2026-11-30T19:30")  # 14:30 EST
    clock.sweep(datetime(2026, 11, 30, 14, 29, tzinfo=ET))
    assert not fresh(ticket).breached
    clock.sweep(datetime(2026, 11, 30, 14, 31, tzinfo=ET))
    assert fresh(ticket).breached
    assert last(ticket, EventKind.SLA_BREACHED).data["due"] == "2026-11-30T19:30:00+00:00"


def test_a_reply_while_work_has_ceased_is_a_first_response_in_time(people):
    ticket = submit(people, third_party=["Veeam Agent"])
    choose(people, ticket, "ii")
    do_reply(ticket, body="Tell us when it is gone.", acting_user=people.engineer, now=T_1130)
    ticket = fresh(ticket)
    assert ticket.first_response_at == T_1130
    assert not ticket.breached
