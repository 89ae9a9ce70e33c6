"""The limits of support as actions (§3).

- Third-party software (§3.3, §3.5): named with a new ticket or recorded
  later by the working side. Software the vendor does not support starts the
  non-supported-application workflow: the desk answers with the options of
  §3.3, the customer side chooses one (option (ii) ceases work until the
  software is removed, which stops the response clock) or asks to continue
  for a fee, which the working side answers with a quote
  (`quotes.do_offer_quote`, reason "third-party"). Recording the software as
  removed puts a ticket whose work had ceased back to work.
- Reproducibility (§3.2): a ticket of a troubleshooting category may come
  with the steps that reproduce it; "cannot reproduce" asks the customer for
  them and waits for their answer (pending customer).

Resolution causes (§3.1, §3.4) go with a status change (`do_change_status`).
Every action here runs as the others do: one transaction, the ticket's row
locked, the events appended to its chain, the derived columns refreshed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction

from supportdesk.accounts.access import is_customer_side, works_on
from supportdesk.accounts.models import User
from supportdesk.policies.active import policy_for_version
from supportdesk.policy import Policy, limits
from supportdesk.policy import thirdparty as tp
from supportdesk.tickets import actions, limits_events, rows
from supportdesk.tickets.actions import ActionError
from supportdesk.tickets.models import (
    Channel,
    EventKind,
    Message,
    Status,
    Ticket,
    TicketEvent,
)

MAX_NOTE = 4000


def read_software(policy: Policy, names: Sequence[str]) -> tp.Software:
    """The third-party software `names` lists, or ActionError saying why not."""
    if isinstance(names, str):
        raise ActionError("third_party: give a list of names")
    try:
        return tp.read_software(policy, names)
    except tp.BadNames as exc:
        raise ActionError(f"third_party: {exc}") from None


# -- with a new ticket (do_submit_ticket) -------------------------------------------------


def at_submission(
    policy: Policy, category: str, body: str, steps: str, names: Sequence[str]
) -> tuple[str, tp.Software]:
    """A new ticket's description with its reproduction steps below it
    (§3.2; only for the troubleshooting categories), and the third-party
    software it names (§3.5). Refuses what does not fit."""
    refusal = limits.check_steps(policy, category, steps)
    if refusal:
        raise ActionError(f"reproduction_steps: {refusal}")
    steps = actions.clean_text(steps, limit=limits.MAX_STEPS, what="steps") if steps.strip() else ""
    return limits.with_steps(policy, body, steps), read_software(policy, names)


def opening_events(
    ticket: Ticket, policy: Policy, software: tp.Software, *, actor: User, now: datetime
) -> list[TicketEvent]:
    """The event that records the software a new ticket names, if any; the
    options are offered (`offer_at_submission`) for any the vendor does not
    support."""
    if not software.products:
        return []
    ticket.third_party = list(software.products)
    data = limits_events.software_data(policy, software, (), offered=bool(software.unsupported))
    return [TicketEvent(kind=EventKind.THIRD_PARTY, at=now, actor=actor, public=True, data=data)]


def offer_at_submission(
    ticket: Ticket, policy: Policy, software: tp.Software, *, via: str, now: datetime
) -> None:
    """The desk's answer to a new ticket that names unsupported software:
    the options of §3.3, once the ticket (and so the answer's place in its
    history) exists."""
    if not software.unsupported:
        return
    with transaction.atomic():
        ticket = actions.locked(ticket)
        body = tp.offer_text(policy, software.unsupported)
        actions.add_desk_message(ticket, body=body, via=via, public=True, now=now)
        ticket.updated_at = now
        rows.save_changes.update(ticket)


# -- later, by the working side ---------------------------------------------------------


def do_record_third_party(
    ticket: Ticket,
    *,
    products: Sequence[str],
    via: str = Channel.PORTAL,
    acting_user: User,
    now: datetime,
) -> Ticket:
    """The working side records the ticket's third-party software, the whole
    list (so an entry can be taken off). Unsupported software the options
    were never offered for gets the desk's answer offering them (§3.3); a
    list with no unsupported software left puts a ticket whose work had
    ceased back to work."""
    with transaction.atomic():
        ticket = actions.locked(ticket)
        policy = policy_for_version(ticket.policy_version)
        software = read_software(policy, products)
        if not works_on(acting_user, ticket):
            raise ActionError("only the working side records third-party software", "forbidden")
        if not ticket.is_open:
            raise ActionError("the ticket is no longer open", "conflict")
        before = [str(p) for p in ticket.third_party]
        if [p.casefold() for p in software.products] == [p.casefold() for p in before]:
            return ticket  # the same software, perhaps in other letters
        wf = limits_events.workflow(rows.events_of(ticket))
        offer = tp.needs_offer(wf, software)
        actions.append_event(
            ticket,
            EventKind.THIRD_PARTY,
            at=now,
            actor=acting_user,
            data=limits_events.software_data(policy, software, before, offered=offer),
        )
        ticket.third_party = list(software.products)
        if offer:
            body = tp.offer_text(policy, software.unsupported)
            actions.add_desk_message(ticket, body=body, via=via, public=True, now=now)
        if ticket.status == Status.WORK_CEASED and not software.unsupported:
            actions.set_status_citing(
                ticket,
                Status.OPEN,
                acting_user,
                now,
                "the unsupported software was removed: work goes on",
                policy.third_party.options_section,
            )
        actions.refresh(ticket, now)
    return ticket


# -- the customer's answer ---------------------------------------------------------------


def do_choose_third_party_option(
    ticket: Ticket, *, option: str, acting_user: User, now: datetime
) -> Ticket:
    """The customer side answers the options offered (§3.3): option (i), the
    vendor removes the software after consulting them; option (ii), work
    ceases until they remove it (the response clock stops); or "for-fee", a
    request to go on beside the software under a for-fee agreement. One
    option per offer; a for-fee request once, and before any option."""
    with transaction.atomic():
        ticket = actions.locked(ticket)
        if not is_customer_side(acting_user, ticket):
            raise ActionError("only the customer side chooses an option", "forbidden")
        policy = policy_for_version(ticket.policy_version)
        section = policy.third_party.options_section
        wf = limits_events.workflow(rows.events_of(ticket))
        refusal = tp.check_choice(policy, wf, option)
        if refusal is not None:
            raise ActionError(refusal.message, "conflict" if refusal.conflict else "invalid")
        if not ticket.is_open:
            raise ActionError("the ticket is no longer open", "conflict")
        actions.append_event(
            ticket,
            EventKind.THIRD_PARTY_OPTION,
            at=now,
            actor=acting_user,
            data={
                "option": option,
                "text": tp.option_text(policy, option),
                "software": list(wf.unsupported),
                "section": section,
            },
        )
        if option == tp.CEASE_WORK:
            names = ", ".join(wf.unsupported)
            actions.set_status_citing(
                ticket,
                Status.WORK_CEASED,
                acting_user,
                now,
                f"option ({option}) chosen: work ceases until {names} is removed",
                section,
            )
        actions.refresh(ticket, now)
    return ticket


# -- reproducibility (§3.2) ---------------------------------------------------------------


def do_cannot_reproduce(
    ticket: Ticket,
    *,
    note: str = "",
    via: str = Channel.PORTAL,
    acting_user: User,
    now: datetime,
) -> Message:
    """The working side could not reproduce the issue: it asks the customer
    for the steps, in the policy's words after its own `note`, and the
    ticket waits for them (pending customer) (§3.2). The request is a public
    reply of the engineer's, so a first response like any other."""
    note = actions.clean_text(note, limit=MAX_NOTE, what="note") if note.strip() else ""
    with transaction.atomic():
        ticket = actions.locked(ticket)
        if not works_on(acting_user, ticket):
            raise ActionError("only the working side asks for reproduction steps", "forbidden")
        if not ticket.is_open:
            raise ActionError("the ticket is no longer open", "conflict")
        if ticket.status in (Status.WORK_CEASED, Status.OUT_OF_SCOPE):
            raise ActionError(
                f"the ticket is {ticket.get_status_display().lower()}: put it back to work first",
                "conflict",
            )
        policy = policy_for_version(ticket.policy_version)
        section = limits.reproduction_source(policy)
        actions.append_event(
            ticket,
            EventKind.REPRODUCTION_REQUESTED,
            at=now,
            actor=acting_user,
            data={"note": note, "category": ticket.category, "section": section},
        )
        message = actions.add_message(
            ticket,
            body=limits.reproduction_request(policy, note),
            via=via,
            author=acting_user,
            now=now,
        )
        actions.set_status_citing(
            ticket,
            Status.PENDING_CUSTOMER,
            acting_user,
            now,
            "cannot reproduce: waiting for the steps that reproduce the issue",
            section,
        )
        actions.refresh(ticket, now)
    return message
