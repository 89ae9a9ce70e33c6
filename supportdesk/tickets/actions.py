"""Every change to a ticket: the one write path for screens, the API, mail
and tasks.

Each `do_*` action runs in one transaction: it locks the ticket row, checks
the rule, appends the event(s) to the hash chain, and rewrites the derived
columns (severity, tier, due time, first response, breach) from the policy
core's reading of the whole history. A rule that refuses raises
`ActionError` with a message for people; `code` tells the API which status
to answer.

The same path goes on in modules of their own, built on these helpers:
escalations (`escalation_actions`), the SLA clock's alarms (`alarms`),
quotes (`quotes`), the limitations of §3 (`limitations`) and remote access
(`supportdesk.remote.actions`); saved replies keep to its rules
(`saved_replies`).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from supportdesk.accounts.access import is_customer_side, side_of, works_on
from supportdesk.accounts.models import Organization, User
from supportdesk.assets.models import Device
from supportdesk.policies.active import active_policy, policy_for_version, remember_active_policy
from supportdesk.policy import Policy, limits
from supportdesk.policy.intake import check_intake
from supportdesk.policy.matrix import Intake, Scope, ScopeError, scope_of
from supportdesk.policy.severity import (
    UPGRADE_SECTION,
    change_section,
    check_change,
    check_request,
    opening_severity,
)
from supportdesk.policy.sla import SlaState
from supportdesk.tickets import handover, notify, rows
from supportdesk.tickets.adapters import (
    continuous_effort,
    next_alert_at,
    pending_alarms,
    sla_events,
)
from supportdesk.tickets.models import (
    Attachment,
    Channel,
    EventKind,
    Message,
    Status,
    Ticket,
    TicketEvent,
    Tier,
)

MAX_SUBJECT = 250
MAX_BODY = 100_000


class ActionError(Exception):
    """A change the rules refuse. `code`: "invalid" (bad input), "forbidden"
    (not this user's to make), "conflict" (not in the ticket's current state)."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Upload:
    """A file to attach, as received."""

    filename: str
    content: bytes
    # An image shown inside an HTML mail by `cid:` reference.
    inline: bool = False
    content_id: str = ""


# -- helpers ----------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str, *, limit: int, what: str, single_line: bool = False) -> str:
    """Text as people typed it, less control characters; refused when empty or too long."""
    text = _CONTROL.sub("", unicodedata.normalize("NFC", text or ""))
    if single_line:
        text = " ".join(text.split())
    text = text.strip()
    if not text:
        raise ActionError(f"{what} is required")
    if len(text) > limit:
        raise ActionError(f"{what} is too long ({len(text)} characters; at most {limit})")
    return text


def _event(
    kind: EventKind,
    *,
    at: datetime,
    actor: User | None,
    data: dict[str, Any],
    public: bool = True,
) -> TicketEvent:
    """An event not yet in any chain."""
    return rows.new_event(kind=kind, at=at, actor=actor, public=public, data=data)


def _append(
    ticket: Ticket,
    kind: EventKind,
    *,
    at: datetime,
    actor: User | None,
    data: dict[str, Any],
    public: bool = True,
) -> TicketEvent:
    """Add an event to the ticket's hash chain (the ticket row is locked)."""
    event = _event(kind, at=at, actor=actor, data=data, public=public)
    rows.chain(ticket, event)
    rows.insert_events.insert(event)
    return event


def _message_event(
    author: User, *, public: bool, via: str, now: datetime, call: bool = False, direction: str = ""
) -> TicketEvent:
    """The event that records a message; its id is filled in once it is saved."""
    return _event(
        EventKind.CALL_LOGGED if call else EventKind.MESSAGE,
        at=now,
        actor=author,
        public=public,
        data={
            "message": None,
            "public": public,
            "side": side_of(author),
            "org": author.organization_id,
            "via": via,
            "direction": direction,
        },
    )


def _policy(ticket: Ticket) -> Policy:
    return policy_for_version(ticket.policy_version)


def _refresh(ticket: Ticket, now: datetime) -> None:
    """Rewrite the derived columns from the history and save the ticket."""
    history = rows.events_of(ticket)
    policy = _policy(ticket)
    _apply(ticket, policy, policy.sla(sla_events(ticket, history), now=now), history, now)
    rows.save_changes.update(ticket)
    last = history[-1]
    notify.changed(notify.TICKET_UPDATED, ticket, {"event": last.kind, "seq": last.seq}, now)


def _apply(
    ticket: Ticket,
    policy: Policy,
    state: SlaState,
    history: Sequence[TicketEvent],
    now: datetime,
) -> None:
    ticket.severity = state.severity
    ticket.tier = state.tier
    ticket.clock_started_at = state.clock_started_at
    ticket.response_due_at = state.response_due_at
    ticket.first_response_at = state.first_response_at
    ticket.breached = state.breached
    ticket.requested_severity = state.pending_request.severity if state.pending_request else None
    owed = pending_alarms(policy, state, history, ticket.status)
    # The clock's next moment: the next SLA alarm or the next alert that a
    # Severity 1 has nobody on it (§1.6), whichever comes first.
    effort = continuous_effort(policy, state, history)
    ticket.workaround_at = effort.workaround_at
    moments = [owed[0].at] if owed else []
    alert_at = next_alert_at(effort, history)
    if alert_at is not None:
        moments.append(alert_at)
    ticket.sla_next_at = min(moments, default=None)
    ticket.updated_at = now


def _locked(ticket: Ticket) -> Ticket:
    """The ticket re-read under a row lock, so events append in order."""
    return rows.locked_ticket(ticket.pk)


def _require(allowed: bool, message: str, code: str = "forbidden") -> None:
    if not allowed:
        raise ActionError(message, code)


# For the actions of apps that keep rows of their own beside a ticket's
# history (remote access): the same lock, chain and refresh as these.


def locked(ticket: Ticket) -> Ticket:
    """The ticket re-read under a row lock (inside a transaction)."""
    return _locked(ticket)


def append_event(
    ticket: Ticket,
    kind: EventKind,
    *,
    at: datetime,
    actor: User | None,
    data: dict[str, Any],
    public: bool = True,
) -> TicketEvent:
    """Add an event to the locked ticket's hash chain."""
    return _append(ticket, kind, at=at, actor=actor, data=data, public=public)


def refresh(ticket: Ticket, now: datetime) -> None:
    """Rewrite the locked ticket's derived columns from its history, and save it."""
    _refresh(ticket, now)


def add_message(
    ticket: Ticket, *, body: str, via: str, author: User, now: datetime, public: bool = True
) -> Message:
    """A reply on the locked ticket, in its chain; a public one by the
    working side goes to the customer side (notify)."""
    message = _add_message(ticket, body=body, public=public, via=via, author=author, now=now)
    if public:
        notify.public_reply(ticket, message, now)
    return message


def add_desk_message(
    ticket: Ticket, *, body: str, via: str, public: bool, now: datetime
) -> Message:
    """A message the desk writes itself, with no author, on the locked
    ticket: a public answer from the policy's text, which the customer side
    reads and is mailed (not a first response: no person of the vendor wrote
    it, DESIGN.md §2), or an internal note for the side working the ticket
    (the vendor reads every internal note, a partner those of its own
    organization: access.may_see_internal)."""
    org = ticket.partner_id if not public and ticket.tier == Tier.PARTNER else None
    message = rows.new_message(
        ticket=ticket,
        author=None,
        author_org_id=org,
        kind=Message.Kind.REPLY,
        visibility=Message.Visibility.PUBLIC if public else Message.Visibility.INTERNAL,
        via=via,
        body=body,
        created_at=now,
    )
    data = {
        "message": None,
        "public": public,
        "side": "desk",
        "org": org,
        "via": via,
        "direction": "",
    }
    event = _event(EventKind.MESSAGE, at=now, actor=None, public=public, data=data)
    rows.add_message(ticket, message, event)
    if public:
        notify.public_reply(ticket, message, now)
    return message


# -- submitting ---------------------------------------------------------------------


def do_submit_ticket(
    *,
    company: Organization,
    requester: User,
    subject: str,
    body: str,
    product: str,
    severity: int,
    channel: str,
    category: str = "",
    device: Device | None = None,
    dedicated_contact: str = "",
    vendor_outage: bool = False,
    to_vendor: bool | None = None,
    uploads: Sequence[Upload] = (),
    third_party: Sequence[str] = (),
    reproduction_steps: str = "",
    acting_user: User,
    now: datetime,
) -> Ticket:
    """Open a ticket. A customer of a partner's company starts with the
    partner (§2.2) unless the partner forwards everything; partner staff
    choose (`to_vendor`); everyone else starts with the vendor."""
    policy = active_policy()
    subject = clean_text(subject, limit=MAX_SUBJECT, what="subject", single_line=True)
    body = clean_text(body, limit=MAX_BODY, what="description")
    if company.kind != Organization.Kind.COMPANY:
        raise ActionError("a ticket belongs to a company")
    # A mail names no product; staff set it once they have read it.
    scope: Scope | None = None
    if product or category or channel != Channel.EMAIL:
        scope = _check_product(policy, product, category)
    try:
        policy.severity(severity)
    except KeyError:
        raise ActionError(
            f"severity must be one of {[s.level for s in policy.severities]}"
        ) from None
    if channel not in Channel.values:
        raise ActionError(f"channel must be one of {', '.join(Channel.values)}")
    if device is not None and device.company_id != company.pk:
        raise ActionError("the device belongs to another company")
    _check_requester(requester, company, acting_user)
    intake = check_intake(policy, channel, severity, now)
    if not intake.accepted:
        raise ActionError(intake.message, "conflict")
    # §3.2, §3.5: the steps that reproduce a defect, the third-party software named.
    from supportdesk.tickets import limitations

    body, software = limitations.at_submission(
        policy, category, body, reproduction_steps, third_party
    )

    partner = company.partner()
    if partner is None:
        tier = Tier.VENDOR
    elif acting_user.is_partner_staff:
        tier = Tier.VENDOR if to_vendor else Tier.PARTNER
    elif acting_user.is_vendor_staff:
        tier = Tier.VENDOR
    else:
        tier = Tier.PARTNER
    contact = dedicated_contact.strip()[:200]
    opening = opening_severity(
        policy, severity, dedicated_contact=bool(contact), vendor_outage=vendor_outage
    )
    coverage = scope.coverage.value if scope is not None and scope.coverage is not None else ""

    ticket = rows.new_ticket(
        subject=subject,
        requester=requester,
        company=company,
        partner=partner,
        product=product,
        device=device,
        category=category,
        coverage=coverage,
        channel=channel,
        tier=tier,
        status=Status.NEW,
        dedicated_contact=contact,
        vendor_outage=vendor_outage,
        policy_version=policy.version,
        submitted_at=now,
    )
    submitted = _event(
        EventKind.SUBMITTED,
        at=now,
        actor=acting_user,
        data={
            "severity": severity,
            "opened_at_severity": opening.severity,
            "severity_note": opening.reason,
            "source": opening.source,
            "channel": channel,
            "tier": tier,
            "product": product,
            "category": category,
            "coverage": coverage,
            "dedicated_contact": bool(contact),
            "vendor_outage": vendor_outage,
            "policy_version": policy.version,
        },
    )
    described = _message_event(acting_user, public=True, via=channel, now=now)
    events = [submitted, described]
    events += limitations.opening_events(ticket, policy, software, actor=acting_user, now=now)
    # §4: what the category's coverage does at once (most tickets: nothing).
    if scope is not None and scope.intake is not Intake.PROCEED:
        events += _intake_events(ticket, submitted, scope, now)
    # §2.1: a partner's implementation ticket after the vendor-led month.
    guidance = handover.guidance_event(policy, ticket)
    if guidance is not None:
        events.append(guidance)
    if tier == Tier.PARTNER and partner is not None and partner.auto_forward:
        forward = {
            "severity": opening.severity,
            "note": "forwarded automatically",
            "automatic": True,
        }
        events.append(_event(EventKind.FORWARDED, at=now, actor=None, data=forward))
    # A new ticket's history is all in hand: its derived columns are read
    # from these events before the insert, with no re-read after it.
    _apply(ticket, policy, policy.sla(sla_events(ticket, events), now=now), events, now)

    remember_active_policy_once()
    message = rows.new_message(
        author=acting_user,
        author_org_id=acting_user.organization_id,
        kind=Message.Kind.REPLY,
        visibility=Message.Visibility.PUBLIC,
        via=channel,
        body=body,
        created_at=now,
    )
    if uploads:
        with transaction.atomic(savepoint=False):
            rows.open_ticket(ticket, message, events, names_message=described)
            _save_uploads(ticket, message, uploads, acting_user)
    else:
        rows.open_ticket(ticket, message, events, names_message=described)
    notify.changed(notify.TICKET_CREATED, ticket, {}, now)
    # §3.3: the options, answered once the ticket (and its acknowledgement) exists.
    limitations.offer_at_submission(ticket, policy, software, via=channel, now=now)
    return ticket


_remembered = False


def remember_active_policy_once() -> None:
    global _remembered
    if not _remembered:
        remember_active_policy()
        _remembered = True


def _check_product(policy: Policy, product: str, category: str) -> Scope:
    try:
        return scope_of(policy, product, category)
    except ScopeError as exc:
        raise ActionError(exc.message) from None


def _intake_events(
    ticket: Ticket, submitted: TicketEvent, scope: Scope, now: datetime
) -> list[TicketEvent]:
    """What a new ticket's category does at once (§4), as events after its
    submission, with the status it opens at: a `not-supported` row answers
    with its text and leaves the ticket out of scope (its clock stands
    still until an engineer overrides); a `fee` row waits for a quote; a
    `finance` row has no response target at all."""
    if scope.intake is Intake.FINANCE:
        submitted.data["no_target"] = {"reason": scope.no_target_reason(), "source": scope.source}
        return []
    events = []
    status = Status.AWAITING_QUOTE
    reason = f"{scope.category_name}: done for a fee, quoted before any work"
    if scope.intake is Intake.OUT_OF_SCOPE:
        events.append(_event(EventKind.OUT_OF_SCOPE, at=now, actor=None, data=_answer(scope)))
        status = Status.OUT_OF_SCOPE
        reason = f"answered as out of scope: {scope.category_name}"
    data = {"from": ticket.status, "to": status.value, "reason": reason, "section": scope.source}
    events.append(_event(EventKind.STATUS_CHANGED, at=now, actor=None, data=data))
    ticket.status = status
    return events


def _answer(scope: Scope) -> dict[str, Any]:
    """An out-of-scope answer's event data: the policy's text for the row."""
    return {
        "product": scope.product,
        "category": scope.category,
        "text": scope.text,
        "section": scope.source,
        "answer": scope.answer(),
    }


def _check_requester(requester: User, company: Organization, acting_user: User) -> None:
    if requester.is_customer and requester.organization_id != company.pk:
        raise ActionError("the requester belongs to another company")
    if acting_user.is_customer:
        _require(
            acting_user.organization_id == company.pk and requester.pk == acting_user.pk,
            "customers open tickets for themselves, in their own company",
        )
    elif acting_user.is_partner_staff:
        _require(
            company.parent_id == acting_user.organization_id,
            "partner staff open tickets for the partner's own companies",
        )
        _require(
            requester.pk == acting_user.pk or requester.organization_id == company.pk,
            "the requester must be you or a user of the company",
        )
    elif not acting_user.is_vendor_staff:
        raise ActionError("not allowed to open tickets", "forbidden")


# -- conversation ---------------------------------------------------------------------


def _add_message(
    ticket: Ticket,
    *,
    body: str,
    public: bool,
    via: str,
    author: User,
    now: datetime,
    kind: str = Message.Kind.REPLY,
    call_direction: str = "",
    call_minutes: int | None = None,
) -> Message:
    message = rows.new_message(
        ticket=ticket,
        author=author,
        author_org_id=author.organization_id,
        kind=kind,
        visibility=Message.Visibility.PUBLIC if public else Message.Visibility.INTERNAL,
        via=via,
        body=body,
        call_direction=call_direction,
        call_minutes=call_minutes,
        created_at=now,
    )
    event = _message_event(
        author,
        public=public,
        via=via,
        now=now,
        call=kind == Message.Kind.CALL,
        direction=call_direction,
    )
    rows.add_message(ticket, message, event)
    return message


def do_reply(
    ticket: Ticket,
    *,
    body: str,
    public: bool = True,
    via: str = Channel.PORTAL,
    uploads: Sequence[Upload] = (),
    acting_user: User,
    now: datetime,
    already_locked: bool = False,
) -> Message:
    """A public reply or (staff only) an internal note. A staff reply to a new
    ticket opens it; a customer reply to a pending or resolved one reopens it.
    `already_locked`: the caller read `ticket` with `rows.locked_ticket` in
    this transaction and nothing changed it since (mail ingestion, which
    reads the ticket a mail answers to place it), so it is not read again."""
    body = clean_text(body, limit=MAX_BODY, what="message")
    with transaction.atomic():
        if not already_locked:
            ticket = _locked(ticket)
        working = works_on(acting_user, ticket) or (
            acting_user.is_vendor_staff and ticket.tier == Tier.VENDOR
        )
        customer = is_customer_side(acting_user, ticket)
        if not public:
            _require(working or acting_user.is_vendor_staff, "only staff write internal notes")
        else:
            _require(working or customer, "you cannot reply to this ticket")
        _require(ticket.status != Status.CLOSED, "the ticket is closed; open a new one", "conflict")
        message = _add_message(
            ticket, body=body, public=public, via=via, author=acting_user, now=now
        )
        _save_uploads(ticket, message, uploads, acting_user)
        if public and working:
            notify.public_reply(ticket, message, now)
        if public and working and ticket.status == Status.NEW:
            _set_status(ticket, Status.OPEN, acting_user, now, "first reply")
        elif public and customer and ticket.status in (Status.PENDING_CUSTOMER, Status.RESOLVED):
            _set_status(ticket, Status.OPEN, acting_user, now, "customer replied")
        _refresh(ticket, now)
    return message


def do_log_call(
    ticket: Ticket,
    *,
    summary: str,
    direction: str,
    minutes: int | None = None,
    public: bool = True,
    acting_user: User,
    now: datetime,
) -> Message:
    """Record a phone call. A public outbound call by vendor staff is a first
    response like any public reply (DESIGN.md §2)."""
    summary = clean_text(summary, limit=MAX_BODY, what="call summary")
    if direction not in ("inbound", "outbound"):
        raise ActionError("direction must be inbound or outbound")
    if minutes is not None and not 0 <= minutes <= 24 * 60:
        raise ActionError("call minutes must be between 0 and 1440")
    with transaction.atomic():
        ticket = _locked(ticket)
        _require(works_on(acting_user, ticket), "only the working side logs calls")
        message = _add_message(
            ticket,
            body=summary,
            public=public,
            via=Channel.PHONE,
            author=acting_user,
            now=now,
            kind=Message.Kind.CALL,
            call_direction=direction,
            call_minutes=minutes,
        )
        if public and ticket.status == Status.NEW:
            _set_status(ticket, Status.OPEN, acting_user, now, "call logged")
        _refresh(ticket, now)
    return message


# -- severity -----------------------------------------------------------------------


def do_change_severity(
    ticket: Ticket,
    *,
    severity: int,
    reason: str,
    misassigned: bool = False,
    acting_user: User,
    now: datetime,
) -> Ticket:
    """A staff upgrade or downgrade, with its reason (§1.7.1, §1.7.2). A
    downgrade may say the customer mis-assigned the severity (§1.7.3): a
    breach under it stays recorded, and is reported apart from the vendor's."""
    with transaction.atomic():
        ticket = _locked(ticket)
        _require(works_on(acting_user, ticket), "only the working side changes the severity")
        refusal = check_change(
            _policy(ticket), ticket.severity, severity, reason, misassigned=misassigned
        )
        if refusal:
            raise ActionError(refusal, "conflict" if "already" in refusal else "invalid")
        _append(
            ticket,
            EventKind.SEVERITY_CHANGED,
            at=now,
            actor=acting_user,
            data={
                "from": ticket.severity,
                "to": severity,
                "reason": reason.strip()[:2000],
                "misassigned": misassigned,
                "section": change_section(ticket.severity, severity, misassigned=misassigned),
            },
        )
        _refresh(ticket, now)
    return ticket


def do_request_severity(
    ticket: Ticket, *, severity: int, justification: str, acting_user: User, now: datetime
) -> Ticket:
    """The customer side asks for a higher severity; it stays a request
    until the working side accepts or declines it (§1.7.2)."""
    with transaction.atomic():
        ticket = _locked(ticket)
        _require(is_customer_side(acting_user, ticket), "only the customer side requests severity")
        refusal = check_request(_policy(ticket), ticket.severity, severity, justification)
        if refusal:
            raise ActionError(refusal)
        _require(ticket.is_open, "the ticket is no longer open", "conflict")
        _require(
            ticket.requested_severity is None,
            f"a request for Severity {ticket.requested_severity} is already waiting for an "
            "engineer to accept or decline it",
            "conflict",
        )
        _append(
            ticket,
            EventKind.SEVERITY_REQUESTED,
            at=now,
            actor=acting_user,
            data={
                "to": severity,
                "justification": justification.strip()[:4000],
                "section": UPGRADE_SECTION,
            },
        )
        _refresh(ticket, now)
    return ticket


def do_decide_severity_request(
    ticket: Ticket, *, accept: bool, reason: str = "", acting_user: User, now: datetime
) -> Ticket:
    with transaction.atomic():
        ticket = _locked(ticket)
        _require(works_on(acting_user, ticket), "only the working side decides severity requests")
        _require(ticket.requested_severity is not None, "there is no pending request", "conflict")
        if not accept and not reason.strip():
            raise ActionError("declining a request needs a reason")
        _append(
            ticket,
            EventKind.SEVERITY_REQUEST_ACCEPTED if accept else EventKind.SEVERITY_REQUEST_DECLINED,
            at=now,
            actor=acting_user,
            data={
                "to": ticket.requested_severity,
                "reason": reason.strip()[:2000],
                "section": UPGRADE_SECTION,
            },
        )
        _refresh(ticket, now)
    return ticket


# -- routing and status ---------------------------------------------------------------


def do_forward_to_vendor(
    ticket: Ticket, *, severity: int | None, note: str = "", acting_user: User, now: datetime
) -> Ticket:
    """The partner hands the ticket to the vendor; the vendor's clock starts
    now, at the severity the partner set (§2.2)."""
    with transaction.atomic():
        ticket = _locked(ticket)
        _require(
            acting_user.is_partner_staff and acting_user.organization_id == ticket.partner_id,
            "only the partner's staff forward its tickets",
        )
        _require(ticket.tier == Tier.PARTNER, "the ticket is already with the vendor", "conflict")
        _require(ticket.is_open, "the ticket is no longer open", "conflict")
        level = severity if severity is not None else ticket.severity
        try:
            _policy(ticket).severity(level)
        except KeyError:
            raise ActionError(f"no severity {level}") from None
        _append(
            ticket,
            EventKind.FORWARDED,
            at=now,
            actor=acting_user,
            data={"severity": level, "note": note.strip()[:4000]},
        )
        ticket.assignee = None  # the partner's technician does not work the vendor tier
        if ticket.status not in (Status.NEW, Status.OPEN):
            _set_status(ticket, Status.OPEN, acting_user, now, "forwarded to the vendor")
        _refresh(ticket, now)
    return ticket


def do_assign(ticket: Ticket, *, assignee: User | None, acting_user: User, now: datetime) -> Ticket:
    from supportdesk.accounts.access import assignable_users

    with transaction.atomic():
        ticket = _locked(ticket)
        _require(works_on(acting_user, ticket), "only the working side assigns tickets")
        if assignee is not None and not assignable_users(ticket).filter(pk=assignee.pk).exists():
            raise ActionError("that person cannot work this ticket")
        if (assignee.pk if assignee else None) == ticket.assignee_id:
            return ticket
        assign_to(ticket, assignee, acting_user=acting_user, now=now)
        _refresh(ticket, now)
    return ticket


def assign_to(
    ticket: Ticket, assignee: User | None, *, acting_user: User, now: datetime, reason: str = ""
) -> None:
    """Give the locked ticket to `assignee` (None: nobody), in its history;
    the caller refreshes it."""
    data: dict[str, Any] = {
        "from": ticket.assignee_id,
        "to": assignee.pk if assignee else None,
        "to_name": assignee.display_name if assignee else "",
        "org": acting_user.organization_id,
    }
    if reason:
        data["reason"] = reason
    _append(ticket, EventKind.ASSIGNED, at=now, actor=acting_user, public=False, data=data)
    ticket.assignee = assignee


def do_change_status(
    ticket: Ticket,
    *,
    status: str,
    reason: str = "",
    cause: str = "",
    acting_user: User,
    now: datetime,
) -> Ticket:
    """The working side sets any status; the customer side may resolve or
    close its ticket, and reopen a resolved one. Resolving or closing, the
    working side may give a resolution cause (§3.1, §3.4); ceasing work
    needs a reason (§3.3)."""
    if status not in Status.values:
        raise ActionError(f"status must be one of {', '.join(Status.values)}")
    with transaction.atomic():
        ticket = _locked(ticket)
        if works_on(acting_user, ticket):
            pass
        elif is_customer_side(acting_user, ticket):
            allowed = {Status.RESOLVED, Status.CLOSED}
            if ticket.status == Status.RESOLVED:
                allowed.add(Status.OPEN)
            _require(status in allowed, "you can resolve, close, or reopen a resolved ticket")
        else:
            raise ActionError("you cannot change this ticket's status", "forbidden")
        _require(ticket.status != Status.CLOSED, "the ticket is closed", "conflict")
        cause = cause.strip()
        if status == ticket.status and cause in ("", ticket.resolution_cause):
            return ticket
        _require(
            ticket.status != Status.OUT_OF_SCOPE or status in (Status.RESOLVED, Status.CLOSED),
            "the ticket was answered as out of scope (§4): take it on with Override, "
            "which records the reason",
            "conflict",
        )
        extra = _status_extra(ticket, acting_user, status, reason, cause)
        _set_status(ticket, Status(status), acting_user, now, reason.strip()[:2000], **extra)
        _refresh(ticket, now)
    return ticket


def _status_extra(
    ticket: Ticket, user: User, status: str, reason: str, cause: str
) -> dict[str, Any]:
    """What a status change records beside from, to and reason: the section
    of ceasing work (§3.3), which needs a reason; or the resolution cause
    with its section (§3.1, §3.4), which only the working side gives. Keeps
    `resolution_cause` from resolved to closed; reopening clears it."""
    policy = _policy(ticket)
    if status == Status.WORK_CEASED:
        section = policy.third_party.options_section
        if not reason.strip():
            raise ActionError(f"ceasing work needs a reason ({section})")
        return {"section": section}
    if not cause:
        if status not in (Status.RESOLVED, Status.CLOSED):
            ticket.resolution_cause = ""
        return {}
    _require(works_on(user, ticket), "only the working side records a resolution cause", "invalid")
    refusal = limits.check_cause(policy, product=ticket.product, status=status, cause=cause)
    if refusal:
        raise ActionError(refusal)
    limitation = policy.limitation(cause)
    ticket.resolution_cause = cause
    return {"cause": cause, "cause_title": limitation.title, "section": limitation.source}


def _set_status(
    ticket: Ticket, status: Status, actor: User | None, now: datetime, reason: str, **extra: Any
) -> None:
    _append(
        ticket,
        EventKind.STATUS_CHANGED,
        at=now,
        actor=actor,
        data={"from": ticket.status, "to": status.value, "reason": reason, **extra},
    )
    ticket.status = status


def do_set_watchers(
    ticket: Ticket, *, watchers: Iterable[User], acting_user: User, now: datetime
) -> Ticket:
    """Replace the watchers; each must be able to see the ticket."""
    from supportdesk.accounts.access import visible_tickets

    wanted = {u.pk: u for u in watchers}
    with transaction.atomic():
        ticket = _locked(ticket)
        _require(
            works_on(acting_user, ticket) or is_customer_side(acting_user, ticket),
            "you cannot change the watchers",
        )
        for user in wanted.values():
            if not visible_tickets(user).filter(pk=ticket.pk).exists():
                raise ActionError(f"{user.email} cannot see this ticket")
        current = set(ticket.watchers.values_list("pk", flat=True))
        for pk in sorted(set(wanted) - current):
            ticket.watchers.add(wanted[pk])
            _append(ticket, EventKind.WATCHER_ADDED, at=now, actor=acting_user, data={"user": pk})
        for pk in sorted(current - set(wanted)):
            ticket.watchers.remove(pk)
            _append(ticket, EventKind.WATCHER_REMOVED, at=now, actor=acting_user, data={"user": pk})
        _refresh(ticket, now)
    return ticket


# -- continuous effort (§1.6) -------------------------------------------------------------


def do_record_workaround(ticket: Ticket, *, note: str, acting_user: User, now: datetime) -> Ticket:
    """The working side records a workaround the customer can use meanwhile,
    in words the customer reads. It ends the continuous effort a Severity 1
    is owed (§1.6, policy/effort.py) and so its unassigned alerts; a later
    upgrade to Severity 1 owes effort afresh."""
    note = clean_text(note, limit=MAX_BODY, what="workaround note")
    with transaction.atomic():
        ticket = _locked(ticket)
        _require(works_on(acting_user, ticket), "only the working side records a workaround")
        _require(ticket.is_open, "the ticket is no longer open", "conflict")
        _append(
            ticket,
            EventKind.WORKAROUND,
            at=now,
            actor=acting_user,
            data={
                "note": note,
                "section": _policy(ticket).severity_rules.continuous_effort.source,
            },
        )
        _refresh(ticket, now)
    return ticket


# -- the support matrix (§4) ------------------------------------------------------------


def set_status_citing(
    ticket: Ticket, status: Status, actor: User | None, now: datetime, reason: str, section: str
) -> None:
    """Change the locked ticket's status, with the policy section that asks
    for it in the history (the SLA clock reads it when the status stops it)."""
    if ticket.status == status:
        return
    data = {"from": ticket.status, "to": status.value, "reason": reason, "section": section}
    _append(ticket, EventKind.STATUS_CHANGED, at=now, actor=actor, data=data)
    ticket.status = status


def do_set_category(
    ticket: Ticket, *, product: str, category: str, acting_user: User, now: datetime
) -> Ticket:
    """The working side sets the product and support category (a mail
    arrives with neither), and the matrix applies as at submission (§4): a
    `not-supported` row answers the customer at once with its text and
    leaves the ticket out of scope; a `fee` row waits for a quote; a
    `finance` row has no response target (§4.2.7). Moving out of such a
    row puts the ticket back to work, and withdraws a matrix quote that
    was waiting."""
    from supportdesk.tickets.models import Quote

    with transaction.atomic():
        ticket = _locked(ticket)
        _require(works_on(acting_user, ticket), "only the working side sets the category")
        _require(ticket.is_open, "the ticket is no longer open", "conflict")
        policy = _policy(ticket)
        scope = _check_product(policy, product, category)
        if (product, category) == (ticket.product, ticket.category):
            return ticket
        waiting = Quote.objects.filter(
            ticket=ticket, state=Quote.State.OFFERED, reason=Quote.Reason.MATRIX
        ).first()
        withdrawn = waiting is not None and scope.intake is not Intake.QUOTE
        no_target = (
            {"reason": scope.no_target_reason(), "source": scope.source}
            if scope.intake is Intake.FINANCE
            else None
        )
        _append(
            ticket,
            EventKind.CATEGORY_SET,
            at=now,
            actor=acting_user,
            data={
                "from_product": ticket.product,
                "from_category": ticket.category,
                "from_coverage": ticket.coverage,
                "product": scope.product,
                "category": scope.category,
                "category_name": scope.category_name,
                "coverage": scope.coverage.value if scope.coverage is not None else "",
                "section": scope.source,
                "no_target": no_target,
                "withdrawn_quote": waiting.pk if withdrawn and waiting is not None else None,
            },
        )
        ticket.product, ticket.category = scope.product, scope.category
        ticket.coverage = scope.coverage.value if scope.coverage is not None else ""
        # Columns no other action changes: written here rather than by every
        # action's update (rows.save_changes).
        Ticket.objects.filter(pk=ticket.pk).update(
            product=ticket.product, category=ticket.category, coverage=ticket.coverage
        )
        # §2.1: a partner's implementation ticket after its vendor-led month.
        handover.apply(policy, ticket, now=now)
        if withdrawn and waiting is not None:
            Quote.objects.filter(pk=waiting.pk, state=Quote.State.OFFERED).update(
                state=Quote.State.WITHDRAWN, decided_at=now, decided_by=acting_user
            )
        if scope.intake is Intake.OUT_OF_SCOPE and ticket.status != Status.OUT_OF_SCOPE:
            _answer_out_of_scope(ticket, scope, acting_user, now)
        elif scope.intake is Intake.QUOTE:
            reason = f"{scope.category_name}: done for a fee, quoted before any work"
            set_status_citing(ticket, Status.AWAITING_QUOTE, acting_user, now, reason, scope.source)
        elif scope.intake in (Intake.PROCEED, Intake.FINANCE) and ticket.status in (
            Status.OUT_OF_SCOPE,
            Status.AWAITING_QUOTE,
        ):
            reason = f"category set to {scope.category_name or 'none'}"
            set_status_citing(ticket, Status.OPEN, acting_user, now, reason, scope.source or "§4")
        _refresh(ticket, now)
    return ticket


def _answer_out_of_scope(ticket: Ticket, scope: Scope, acting_user: User, now: datetime) -> None:
    """Answer the customer at once with the policy's text, by the desk
    rather than a person: the answer goes out by mail like any public reply
    (the customer of a mailed ticket is not in the portal), and, being
    automatic, it is not a first response (DESIGN.md §2)."""
    add_desk_message(ticket, body=scope.answer(), via=ticket.channel, public=True, now=now)
    _append(ticket, EventKind.OUT_OF_SCOPE, at=now, actor=None, data=_answer(scope))
    reason = f"answered as out of scope: {scope.category_name}"
    set_status_citing(ticket, Status.OUT_OF_SCOPE, acting_user, now, reason, scope.source)


def do_override_scope(ticket: Ticket, *, reason: str, acting_user: User, now: datetime) -> Ticket:
    """An engineer takes on a ticket answered as out of scope, with the
    reason in its history; it is open again and its response clock runs
    from now (the time it stood out of scope does not count)."""
    reason = clean_text(reason, limit=2000, what="reason")
    with transaction.atomic():
        ticket = _locked(ticket)
        _require(works_on(acting_user, ticket), "only the working side overrides the scope")
        _require(ticket.status == Status.OUT_OF_SCOPE, "the ticket is not out of scope", "conflict")
        try:
            section = scope_of(_policy(ticket), ticket.product, ticket.category).source
        except ScopeError:
            section = ""
        section = section or "§4"
        data = {"reason": reason, "section": section, "category": ticket.category}
        _append(ticket, EventKind.SCOPE_OVERRIDDEN, at=now, actor=acting_user, data=data)
        why = f"out of scope overridden: {reason}"
        set_status_citing(ticket, Status.OPEN, acting_user, now, why, section)
        _refresh(ticket, now)
    return ticket


# -- mail that is not a message ---------------------------------------------------------

MAIL_NOTES = frozenset({EventKind.MAIL_BOUNCED, EventKind.MAIL_AUTOMATIC, EventKind.MAIL_HELD})


def do_note_mail(ticket: Ticket, *, kind: EventKind, data: dict[str, Any], now: datetime) -> None:
    """Record on the ticket, for staff, a mail that is not a message on it: a
    bounce of our mail, an automatic reply, a mail held for review. Nothing
    else about the ticket changes."""
    if kind not in MAIL_NOTES:
        raise ValueError(f"{kind} is not a mail note")
    with transaction.atomic():
        ticket = _locked(ticket)
        _append(ticket, kind, at=now, actor=None, public=False, data=data)
        rows.save_chain_head.update(ticket)


def do_note_by_desk(ticket: Ticket, *, body: str, via: str, now: datetime) -> Message:
    """An internal note the desk writes itself, with no author, for the side
    working the ticket: what it could not do as a mail asked (a severity
    request by mail refused, mail/ingest.py). Nothing else about the ticket
    changes."""
    body = clean_text(body, limit=MAX_BODY, what="note")
    with transaction.atomic():
        ticket = _locked(ticket)
        message = add_desk_message(ticket, body=body, via=via, public=False, now=now)
        rows.save_chain_head.update(ticket)
    return message


# -- attachments ----------------------------------------------------------------------

_UNSAFE_NAME = re.compile(r"[^\w.\- ()\[\]]+", re.UNICODE)


def safe_filename(name: str) -> str:
    """A file name people can recognise and no file system or header can
    misread: no path, no control characters, at most 120 characters."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").split("/")[-1]
    name = _UNSAFE_NAME.sub("_", _CONTROL.sub("", name)).strip(" ._")
    if len(name) > 120:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 110 - len(ext)] + dot + ext) if dot and len(ext) <= 10 else name[:120]
    return name or "attachment"


def attachments_root() -> Path:
    return Path(settings.SUPPORTDESK_ATTACHMENTS_DIR)


def _save_uploads(
    ticket: Ticket, message: Message, uploads: Sequence[Upload], actor: User
) -> list[Attachment]:
    import filetype

    limit = settings.SUPPORTDESK_ATTACHMENT_MAX_BYTES
    if len(uploads) > settings.SUPPORTDESK_ATTACHMENT_MAX_COUNT:
        raise ActionError(f"at most {settings.SUPPORTDESK_ATTACHMENT_MAX_COUNT} files per message")
    saved = []
    root = attachments_root()
    for upload in uploads:
        if len(upload.content) > limit:
            raise ActionError(
                f"{safe_filename(upload.filename)} is {len(upload.content):,} bytes; "
                f"the limit is {limit:,}"
            )
        kind = filetype.guess(upload.content)
        stored = uuid.uuid4().hex
        path = root / stored[:2] / stored
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written before the row commits: a rollback leaves an unreferenced
        # file behind, never a row without its file.
        path.write_bytes(upload.content)
        saved.append(
            Attachment.objects.create(
                ticket=ticket,
                message=message,
                filename=safe_filename(upload.filename),
                inline=upload.inline,
                content_id=upload.content_id[:255],
                stored_name=stored,
                content_type=kind.mime if kind else "application/octet-stream",
                size=len(upload.content),
                sha256=hashlib.sha256(upload.content).hexdigest(),
                uploaded_by=actor,
            )
        )
    return saved


def attachment_path(attachment: Attachment) -> Path:
    return attachments_root() / attachment.stored_name[:2] / attachment.stored_name
