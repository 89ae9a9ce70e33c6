"""Tickets over the API: open, list, read, and every change the actions allow.

Each operation finds the ticket through `access` (404 for missing and for
not-yours alike), reads `now` once, and calls one `do_*` action.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router
from ninja import Status as WithStatus
from ninja.errors import HttpError
from pydantic import BaseModel, Field

from supportdesk.accounts.access import (
    NotFound,
    access_company_by_id,
    access_device_by_id,
    access_ticket_by_number,
    assignable_users,
    visible_events,
    visible_messages,
    visible_tickets,
    works_on,
)
from supportdesk.accounts.models import Organization, User
from supportdesk.api.auth import acting_user
from supportdesk.api.errors import raw_json_response
from supportdesk.api.pagination import decode_cursor, encode_cursor
from supportdesk.api.schemas import (
    MAX_ID,
    AssigneeChange,
    ErrorOut,
    EventList,
    Forward,
    MessageCreate,
    MessageList,
    MessageOut,
    SeverityChange,
    SeverityDecision,
    SeverityRequestCreate,
    SlaOut,
    StatusChange,
    Text,
    TicketCreate,
    TicketOut,
    TicketPage,
    ValidationErrorOut,
    event_out,
    message_out,
    sla_out,
    ticket_out,
)
from supportdesk.assets.adapters import ReleaseBook
from supportdesk.assets.models import Device
from supportdesk.policies.active import policy_for_version
from supportdesk.tickets import actions
from supportdesk.tickets.actions import ActionError
from supportdesk.tickets.adapters import sla_explanation
from supportdesk.tickets.models import (
    OPEN_STATUSES,
    Channel,
    IdempotencyKey,
    Status,
    Ticket,
)
from supportdesk.tickets.quotes import NO_QUOTES, QuoteBook, with_latest_quote

router = Router(tags=["tickets"])

ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
    422: ValidationErrorOut,
}

# `breaching=true` lists tickets whose first response is overdue or due within this.
DUE_SOON = timedelta(hours=1)
MAX_IDEMPOTENCY_KEY = 200


# -- opening --------------------------------------------------------------------------


@router.post(
    "/tickets",
    response={201: TicketOut, **ERRORS},
    summary="Open a ticket",
    description=(
        "Opens a ticket by the API channel. Send an `Idempotency-Key` header to retry "
        "safely: the same key with the same body answers the first result again; with "
        "another body, 409."
    ),
)
def create_ticket(request: HttpRequest, payload: TicketCreate) -> HttpResponse:
    user = acting_user(request)
    key = _idempotency_key(request)
    body_hash = hashlib.sha256(request.body).hexdigest()
    if key is not None:
        replay = _replay(user, key, body_hash)
        if replay is not None:
            return replay

    company = _company_for(user, payload.company_id)
    device = _device_for(user, payload.device_id)
    if payload.description is not None and payload.body is not None:
        raise HttpError(400, "description: send description or body, not both")
    description = payload.description if payload.description is not None else payload.body
    if payload.to_vendor is not None and not user.is_partner_staff:
        raise HttpError(400, "to_vendor: only partner staff choose where a ticket starts")
    now = timezone.now()
    # Before the transaction: it sets a process-wide "done" flag that a
    # rollback (a lost race for the key, below) would not unset.
    actions.remember_active_policy_once()

    def submit() -> Ticket:
        return actions.do_submit_ticket(
            company=company,
            requester=user,
            subject=payload.subject,
            body=description or "",
            product=payload.product,
            category=payload.category or "",
            severity=payload.severity,
            channel=Channel.API,
            device=device,
            dedicated_contact=payload.dedicated_contact,
            vendor_outage=payload.vendor_outage,
            to_vendor=payload.to_vendor,
            third_party=payload.third_party,
            reproduction_steps=payload.reproduction_steps or "",
            acting_user=user,
            now=now,
        )

    if key is None:
        # Nothing else to write with it: the action opens the ticket in as
        # few round trips as the database allows.
        return raw_json_response(ticket_out(submit(), quotes=NO_QUOTES).model_dump_json(), 201)
    try:
        with transaction.atomic():
            out = ticket_out(submit(), quotes=NO_QUOTES).model_dump_json()
            IdempotencyKey.objects.create(
                user=user,
                key=key,
                request_hash=body_hash,
                status=201,
                response=out,
                created_at=now,
            )
    except IntegrityError:
        # Two requests with one key raced; the loser's ticket was rolled back
        # with its key row, and it answers what the winner stored.
        replay = _replay(user, key, body_hash)
        if replay is None:
            raise
        return replay
    return raw_json_response(out, 201)


def _idempotency_key(request: HttpRequest) -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_IDEMPOTENCY_KEY:
        raise HttpError(400, f"Idempotency-Key: give 1 to {MAX_IDEMPOTENCY_KEY} characters")
    return key


def _replay(user: User, key: str, body_hash: str) -> HttpResponse | None:
    stored = IdempotencyKey.objects.filter(user=user, key=key).first()
    if stored is None:
        return None
    if stored.request_hash != body_hash:
        raise HttpError(409, "Idempotency-Key was already used with a different request body")
    response = raw_json_response(stored.response, stored.status)
    response["Idempotent-Replayed"] = "true"
    return response


def _company_for(user: User, company_id: int | None) -> Organization:
    if company_id is None:
        if user.is_customer:
            return user.organization
        raise HttpError(400, "company_id: required for partner and vendor staff")
    try:
        return access_company_by_id(user, company_id)
    except NotFound:
        # The same answer whether the company exists elsewhere or not at all.
        raise HttpError(400, f"company_id: no company {company_id}") from None


def _device_for(user: User, device_id: int | None) -> Device | None:
    if device_id is None:
        return None
    try:
        return access_device_by_id(user, device_id)
    except NotFound:
        raise HttpError(400, f"device_id: no device {device_id}") from None


# -- listing ----------------------------------------------------------------------------


class TicketFilters(BaseModel):
    status: str | None = Field(
        None, description=f"One status or several, comma-separated: {', '.join(Status.values)}."
    )
    severity: int | None = Field(None, ge=1, le=99)
    tier: Literal["partner", "vendor"] | None = None
    company: int | None = Field(None, ge=1, le=MAX_ID, description="A company id.")
    assignee: str | None = Field(None, description='"me", "none" or a user id.')
    q: Text | None = Field(None, max_length=200, description="Words in the subject.")
    breaching: bool = Field(
        False, description="Only tickets whose first response is overdue or due within an hour."
    )
    coverage: Literal["supported", "not-supported", "fee", "finance"] | None = Field(
        None,
        description="Only tickets of this coverage (§4); `finance` is the finance team's queue.",
    )
    order: Literal["due", "newest"] = Field(
        "due", description="`due`: soonest response due first, then the rest; `newest`: by number."
    )
    cursor: str | None = Field(None, max_length=1000)
    limit: int = Field(50, ge=1, le=100)


@router.get("/tickets", response={200: TicketPage, **ERRORS}, summary="List tickets")
def list_tickets(request: HttpRequest, filters: Query[TicketFilters]) -> TicketPage:
    user = acting_user(request)
    now = timezone.now()
    tickets = visible_tickets(user).select_related(
        "company", "partner", "requester", "assignee", "device"
    )
    tickets = with_latest_quote(_filtered(tickets, filters, user, now))
    listing = f"tickets:{filters.order}"
    if filters.order == "due":
        tickets = tickets.order_by(F("response_due_at").asc(nulls_last=True), "id")
    else:
        tickets = tickets.order_by("-id")
    if filters.cursor:
        tickets = _after(tickets, filters.order, decode_cursor(listing, filters.cursor))
    page = list(tickets[: filters.limit + 1])
    next_cursor = None
    if len(page) > filters.limit:
        page = page[: filters.limit]
        last = page[-1]
        due = last.response_due_at.isoformat() if last.response_due_at else None
        next_cursor = encode_cursor(listing, [due, last.pk])
    # One read of the page's products' releases, not one per ticket (§3.2).
    releases = ReleaseBook.for_devices(t.device for t in page)
    # Likewise the quotes (§4): a query only when some ticket here has one.
    quoted = QuoteBook.for_page(page)
    return TicketPage(
        items=[ticket_out(t, releases, quotes=quoted) for t in page], next_cursor=next_cursor
    )


def _filtered(
    tickets: QuerySet[Ticket], filters: TicketFilters, user: User, now: datetime
) -> QuerySet[Ticket]:
    if filters.status:
        wanted = [s.strip() for s in filters.status.split(",") if s.strip()]
        unknown = [s for s in wanted if s not in Status.values]
        if unknown:
            raise HttpError(
                400, f"status: no status {unknown[0]!r} (use {', '.join(Status.values)})"
            )
        tickets = tickets.filter(status__in=wanted)
    if filters.severity is not None:
        tickets = tickets.filter(severity=filters.severity)
    if filters.tier:
        tickets = tickets.filter(tier=filters.tier)
    if filters.coverage:
        tickets = tickets.filter(coverage=filters.coverage)
    if filters.company is not None:
        tickets = tickets.filter(company_id=filters.company)
    if filters.assignee:
        tickets = _by_assignee(tickets, filters.assignee.strip().lower(), user)
    if filters.q and filters.q.strip():
        tickets = tickets.filter(subject__icontains=filters.q.strip())
    if filters.breaching:
        tickets = tickets.filter(
            status__in=OPEN_STATUSES,
            first_response_at__isnull=True,
            response_due_at__lte=now + DUE_SOON,
        )
    return tickets


def _by_assignee(tickets: QuerySet[Ticket], assignee: str, user: User) -> QuerySet[Ticket]:
    if assignee == "me":
        return tickets.filter(assignee_id=user.pk)
    if assignee == "none":
        return tickets.filter(assignee__isnull=True)
    if assignee.isdigit() and 0 < int(assignee) <= MAX_ID:
        return tickets.filter(assignee_id=int(assignee))
    raise HttpError(400, 'assignee: use "me", "none" or a user id')


def _after(tickets: QuerySet[Ticket], order: str, key: list[Any]) -> QuerySet[Ticket]:
    """The tickets after the cursor's (due, id) in the listing's order."""
    try:
        due_text, pk = key
        due = datetime.fromisoformat(due_text) if due_text is not None else None
        pk = int(pk)
    except (TypeError, ValueError):
        raise HttpError(400, "cursor: not a cursor this API gave out") from None
    if order == "newest":
        return tickets.filter(id__lt=pk)
    if due is None:
        # Past the last due time: only the tickets without one remain, by id.
        return tickets.filter(response_due_at__isnull=True, id__gt=pk)
    return tickets.filter(
        Q(response_due_at__gt=due)
        | Q(response_due_at=due, id__gt=pk)
        | Q(response_due_at__isnull=True)
    )


# -- one ticket ---------------------------------------------------------------------------


@router.get("/tickets/{number}", response={200: TicketOut, **ERRORS}, summary="Read a ticket")
def get_ticket(request: HttpRequest, number: str) -> TicketOut:
    return ticket_out(access_ticket_by_number(acting_user(request), number))


@router.get(
    "/tickets/{number}/messages",
    response={200: MessageList, **ERRORS},
    summary="The messages you may read",
)
def list_messages(request: HttpRequest, number: str) -> MessageList:
    user = acting_user(request)
    ticket = access_ticket_by_number(user, number)
    messages = visible_messages(user, ticket).prefetch_related("attachments")
    return MessageList(items=[message_out(m, list(m.attachments.all())) for m in messages])


@router.post(
    "/tickets/{number}/messages",
    response={201: MessageOut, **ERRORS},
    summary="Reply, or (staff) write an internal note",
)
def create_message(
    request: HttpRequest, number: str, payload: MessageCreate
) -> WithStatus[MessageOut]:
    user = acting_user(request)
    ticket = access_ticket_by_number(user, number)
    message = actions.do_reply(
        ticket,
        body=payload.body,
        public=payload.public,
        via=Channel.API,
        acting_user=user,
        now=timezone.now(),
    )
    return WithStatus(201, message_out(message, []))


@router.get(
    "/tickets/{number}/events",
    response={200: EventList, **ERRORS},
    summary="The history you may see",
)
def list_events(request: HttpRequest, number: str) -> EventList:
    user = acting_user(request)
    ticket = access_ticket_by_number(user, number)
    return EventList(items=[event_out(e) for e in visible_events(user, ticket).order_by("seq")])


class SlaQuery(BaseModel):
    tz: str | None = Field(None, max_length=100, description="Show `lines` in this IANA zone.")


@router.get(
    "/tickets/{number}/sla",
    response={200: SlaOut, **ERRORS},
    summary="Why the first response is due when it is",
)
def get_sla(request: HttpRequest, number: str, params: Query[SlaQuery]) -> SlaOut:
    tz = params.tz
    user = acting_user(request)
    ticket = access_ticket_by_number(user, number)
    policy = policy_for_version(ticket.policy_version)
    explanation = sla_explanation(policy, ticket, now=timezone.now())
    if tz:
        try:
            zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise HttpError(400, f"tz: no time zone {tz!r}") from None
    else:
        calendar = explanation.calendar or policy.calendars[0][0]
        zone = policy.calendar(calendar).zone
    return sla_out(ticket, policy, explanation, zone.key, explanation.lines(zone))


# -- changes --------------------------------------------------------------------------------


@router.post(
    "/tickets/{number}/severity",
    response={200: TicketOut, **ERRORS},
    summary="Change the severity, with a reason (working side)",
)
def change_severity(request: HttpRequest, number: str, payload: SeverityChange) -> TicketOut:
    user = acting_user(request)
    ticket = access_ticket_by_number(user, number)
    ticket = actions.do_change_severity(
        ticket,
        severity=payload.severity,
        reason=payload.reason,
        misassigned=payload.misassigned,
        acting_user=user,
        now=timezone.now(),
    )
    return ticket_out(ticket)


@router.post(
    "/tickets/{number}/forward",
    response={200: TicketOut, **ERRORS},
    summary="Forward to the vendor (partner staff, §2.2)",
)
def forward_ticket(request: HttpRequest, number: str, payload: Forward) -> TicketOut:
    user = acting_user(request)
    ticket = access_ticket_by_number(user, number)
    ticket = actions.do_forward_to_vendor(
        ticket, severity=payload.severity, note=payload.note, acting_user=user, now=timezone.now()
    )
    return ticket_out(ticket)


@router.post(
    "/tickets/{number}/severity-requests",
    response={200: TicketOut, **ERRORS},
    summary="Ask for a higher severity, with a justification (customer side, §1.7.2)",
)
def request_severity(
    request: HttpRequest, number: str, payload: SeverityRequestCreate
) -> TicketOut:
    user = acting_user(request)
    ticket = access_ticket_by_number(user, number)
    ticket = actions.do_request_severity(
        ticket,
        severity=payload.severity,
        justification=payload.justification,
        acting_user=user,
        now=timezone.now(),
    )
    return ticket_out(ticket)


@router.post(
    "/tickets/{number}/severity-requests/decision",
    response={200: TicketOut, **ERRORS},
    summary="Accept or decline the pending severity request (working side)",
)
def decide_severity_request(
    request: HttpRequest, number: str, payload: SeverityDecision
) -> TicketOut:
    user = acting_user(request)
    ticket = access_ticket_by_number(user, number)
    ticket = actions.do_decide_severity_request(
        ticket, accept=payload.accept, reason=payload.reason, acting_user=user, now=timezone.now()
    )
    return ticket_out(ticket)


@router.post(
    "/tickets/{number}/status",
    response={200: TicketOut, **ERRORS},
    summary="Change the status",
)
def change_status(request: HttpRequest, number: str, payload: StatusChange) -> TicketOut:
    user = acting_user(request)
    ticket = access_ticket_by_number(user, number)
    ticket = actions.do_change_status(
        ticket,
        status=payload.status,
        reason=payload.reason,
        cause=payload.cause,
        acting_user=user,
        now=timezone.now(),
    )
    return ticket_out(ticket)


@router.post(
    "/tickets/{number}/assignee",
    response={200: TicketOut, **ERRORS},
    summary="Assign or unassign (working side)",
)
def change_assignee(request: HttpRequest, number: str, payload: AssigneeChange) -> TicketOut:
    user = acting_user(request)
    ticket = access_ticket_by_number(user, number)
    assignee: User | None = None
    if payload.assignee is not None:
        pk = user.pk if payload.assignee == "me" else payload.assignee
        assignee = assignable_users(ticket).filter(pk=pk).first()
        if assignee is None:
            # Said the same for a stranger, a user elsewhere and no user at
            # all; and to someone who may not assign, the action's refusal.
            code = "invalid" if works_on(user, ticket) else "forbidden"
            raise ActionError("assignee: that person cannot work this ticket", code)
    ticket = actions.do_assign(ticket, assignee=assignee, acting_user=user, now=timezone.now())
    return ticket_out(ticket)
