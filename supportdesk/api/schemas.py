"""What goes in and what comes out.

Inputs forbid unknown fields and take JSON types as they are (strict: "2" is
not a severity, 1 is not `true`). Outputs are built from rows by the
`*_out` functions below, so what a client sees is written down in one place.
Instants are ISO 8601 in UTC with a "Z".
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.utils import timezone
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
)

from supportdesk.accounts.models import Organization, User
from supportdesk.assets.adapters import ReleaseBook, policy_day
from supportdesk.assets.models import Device
from supportdesk.policies.active import policy_for_version
from supportdesk.policy import Policy
from supportdesk.policy.breaches import misassigned_by
from supportdesk.policy.matrix import ScopeError, scope_of
from supportdesk.policy.sla import Explanation
from supportdesk.tickets.adapters import effort_owed
from supportdesk.tickets.models import Attachment, Message, Quote, Status, Ticket, TicketEvent
from supportdesk.tickets.quotes import LOOK_UP, QuoteBook, section_of
from supportdesk.tickets.reports import BreachGroup, BreachReport

# The largest id a database column holds; a bigger one is a validation error,
# not an overflow deep in the driver.
MAX_ID = 2**63 - 1


def _text(value: str) -> str:
    # PostgreSQL text cannot hold NUL, and a lone surrogate cannot be encoded
    # at all: refuse or drop them here rather than fail in the database.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text (it holds a lone surrogate)") from None
    return value.replace("\x00", "")


def _iso_z(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


Text = Annotated[str, AfterValidator(_text)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Instant = Annotated[
    datetime,
    PlainSerializer(_iso_z, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time", "examples": ["2026-11-30T16:00:00Z"]}),
]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Output(BaseModel):
    pass


# -- inputs -----------------------------------------------------------------------


class TicketCreate(Input):
    subject: Text
    description: Text | None = Field(None, description="What is wrong (or send it as `body`).")
    body: Text | None = Field(None, description="Another name for `description`.")
    product: Text = Field(description="A product slug of the policy (GET /products).")
    category: Text | None = Field(None, description="A support category slug (§4).")
    severity: int = Field(description="1 (most severe) to 4.")
    company_id: Id | None = Field(
        None, description="Required for partner and vendor staff; customers' own by default."
    )
    device_id: Id | None = None
    dedicated_contact: Text = Field(
        "", description="The customer contact dedicated to a Severity 1 issue (§1.6.1)."
    )
    vendor_outage: bool = False
    to_vendor: bool | None = Field(
        None, description="Partner staff: start the ticket with the vendor (§2.2)."
    )
    third_party: list[Text] = Field(
        default_factory=list,
        description="Third-party software involved (§3.5): the policy's slugs or names; "
        "anything it does not support is answered with the options of §3.3.",
    )
    reproduction_steps: Text | None = Field(
        None,
        description="For a defect in a troubleshooting category (or none): the steps "
        "that reproduce it (§3.2), kept below the description.",
    )


class MessageCreate(Input):
    body: Text
    public: bool = Field(True, description="False writes an internal note (staff only).")


class SeverityChange(Input):
    severity: int
    reason: Text
    misassigned: bool = Field(
        False,
        description="A downgrade because the customer mis-assigned the severity (§1.7.3): "
        "a missed target under it is reported apart from the vendor's own.",
    )


class Forward(Input):
    severity: int | None = Field(None, description="The severity the vendor works to.")
    note: Text = ""


class SeverityRequestCreate(Input):
    severity: int
    justification: Text


class SeverityDecision(Input):
    accept: bool
    reason: Text = ""


class StatusChange(Input):
    status: Text = Field(json_schema_extra={"enum": list(Status.values)})
    reason: Text = Field("", description="Why; required to cease work (work-ceased, §3.3).")
    cause: Text = Field(
        "",
        description="Resolving or closing (working side): the limit of support the issue "
        "lies beyond, a slug of the policy's limitations (§3.1, §3.4).",
    )


class WorkaroundCreate(Input):
    note: Text = Field(description="The workaround, in words the customer reads.")


class CategoryChange(Input):
    product: Text | None = Field(None, description="A product slug; the ticket's own if left out.")
    category: Text | None = Field(
        description="A support category slug (§4) that applies to the product, or null for none."
    )


class ScopeOverride(Input):
    reason: Text = Field(description="Why the ticket is taken on although out of scope.")


class QuoteWithdrawal(Input):
    reason: Text = Field(description="Why the quote is taken back; the customer is told.")


class QuoteCreate(Input):
    # A JSON number or a string: money is often sent as text to keep its cents.
    amount: Decimal = Field(
        strict=False,
        gt=0,
        max_digits=12,
        decimal_places=2,
        description='The price, e.g. 450 or "450.00".',
    )
    currency: Text = Field("USD", description="An ISO 4217 code.")
    description: Text = Field(description="The work the price is for, in the customer's words.")
    reason: Literal["matrix", "third-party"] = Field(
        "matrix",
        description="`matrix`: work a fee row of the support matrix (§4) offers; "
        "`third-party`: support beside a non-supported application (§3.3).",
    )


class AssigneeChange(Input):
    assignee: Id | Literal["me"] | None = Field(description='A user id, "me", or null to unassign.')


# -- outputs ----------------------------------------------------------------------


class ErrorOut(Output):
    detail: str


class FieldErrorOut(Output):
    field: str
    message: str
    type: str


class ValidationErrorOut(Output):
    detail: str
    errors: list[FieldErrorOut]


class Ref(Output):
    id: int
    name: str


class TicketOut(Output):
    number: str
    subject: str
    status: str
    tier: str
    severity: int
    requested_severity: int | None
    channel: str
    product: str
    category: str | None
    coverage: str | None
    company: Ref
    partner: Ref | None
    requester: Ref | None
    assignee: Ref | None
    device: Ref | None
    dedicated_contact: str
    vendor_outage: bool
    clock_started_at: Instant | None
    response_due_at: Instant | None
    first_response_at: Instant | None
    breached: bool
    continuous_effort_owed: bool = Field(
        description="Continuous effort is owed (§1.6): a Severity 1 at the vendor, open, "
        "with no workaround since it became Severity 1."
    )
    workaround_at: Instant | None = Field(
        description="When the workaround that ends continuous effort was recorded (§1.6); "
        "null when none has been since the ticket last became its severity."
    )
    device_version_supported: bool | None = Field(
        description="Whether the device's version is still supported today (§3.2): false "
        "from 12 months after its successor's release; null with no device, or a version "
        "not in the product's release history (unknown)."
    )
    support_ended_on: date | None = Field(
        description="The first day the device's version was out of support (§3.2); null "
        "while it is supported or unknown."
    )
    guidance_only: bool = Field(
        description="Answered as guidance (documentation, training), not hands-on work: a "
        "partner's implementation ticket after the vendor-led month (§2.1)."
    )
    scope: ScopeOut | None = Field(
        description="What the support matrix says of the ticket's category (§4); null "
        "without a category."
    )
    quote: QuoteOut | None = Field(description="The latest quote, if any was offered.")
    third_party: list[str] = Field(
        description="Third-party software involved: the policy's slugs of supported "
        "products, names as given for others (§3.5)."
    )
    resolution_cause: str | None = Field(
        description="The limit of support the ticket was resolved or closed with (§3.1, "
        "§3.4): a slug of the policy's limitations."
    )
    policy_version: str
    submitted_at: Instant
    updated_at: Instant


class ScopeOut(Output):
    coverage: str = Field(description="supported, not-supported, fee or finance (§4).")
    intake: str = Field(description="proceed, out-of-scope, quote or finance.")
    section: str
    text: str = Field(description="The policy's text for the ticket's row of the matrix.")


class QuoteOut(Output):
    amount: str = Field(description='Decimal, as a string: "450.00".')
    currency: str
    description: str
    reason: str
    section: str
    state: str = Field(description="offered, accepted, declined or withdrawn.")
    offered_at: Instant
    decided_at: Instant | None


class TicketPage(Output):
    items: list[TicketOut]
    next_cursor: str | None


class AttachmentOut(Output):
    id: int
    filename: str
    content_type: str
    size: int


class MessageOut(Output):
    id: int
    kind: str
    public: bool
    via: str
    body: str
    author: Ref | None
    call_direction: str | None
    call_minutes: int | None
    created_at: Instant
    attachments: list[AttachmentOut]


class MessageList(Output):
    items: list[MessageOut]


class EventOut(Output):
    seq: int
    kind: str
    at: Instant
    actor: Ref | None
    public: bool
    data: dict[str, Any]
    hash: str


class EventList(Output):
    items: list[EventOut]


class TargetOut(Output):
    minutes: int
    calendar: str
    calendar_title: str
    source: str
    note: str


class SegmentOut(Output):
    start: Instant
    end: Instant
    minutes: float


class ChangeOut(Output):
    at: Instant
    old: int
    new: int
    kind: str
    rule: str
    due_before: Instant | None
    due_after: Instant | None
    reason: str
    misassigned: bool = Field(False, description="Mis-assigned by the customer (§1.7.3).")


class NoteOut(Output):
    at: Instant
    text: str
    source: str


class BreachOut(Output):
    due_at: Instant
    severity: int
    seen_at: Instant
    misassigned: bool = Field(
        False, description="Under a severity the customer mis-assigned (§1.7.3), not the vendor's."
    )


class SlaOut(Output):
    number: str
    policy_version: str
    severity: int
    severity_name: str
    channel: str
    target: TargetOut | None
    calendar: str | None
    clock_started_at: Instant | None
    counted_from: Instant | None
    due: Instant | None
    first_response_at: Instant | None
    breached: bool
    segments: list[SegmentOut]
    changes: list[ChangeOut]
    notes: list[NoteOut]
    breaches: list[BreachOut]
    time_zone: str
    lines: list[str]


class CoverageOut(Output):
    category: str
    name: str
    coverage: str
    text: str
    source: str


class ProductOut(Output):
    slug: str
    name: str
    categories: list[CoverageOut]


class ProductList(Output):
    policy_version: str
    items: list[ProductOut]


class ProductRef(Output):
    slug: str
    name: str


class DeviceOut(Output):
    id: int
    name: str
    product: ProductRef
    version: str
    operating_system: str
    company: Ref


class DevicePage(Output):
    items: list[DeviceOut]
    next_cursor: str | None


# -- rows to outputs ------------------------------------------------------------------


def _org(org: Organization | None) -> Ref | None:
    return Ref(id=org.pk, name=org.name) if org is not None else None


def _person(user: User | None) -> Ref | None:
    return Ref(id=user.pk, name=user.display_name) if user is not None else None


def ticket_out(
    ticket: Ticket, releases: ReleaseBook | None = None, *, quotes: QuoteBook = LOOK_UP
) -> TicketOut:
    """`releases`: the page's book, so a list makes no query per ticket;
    without it, a ticket on a device reads its product's releases. `quotes`
    likewise: without a book, the ticket's quote is read."""
    device = ticket.device
    policy = policy_for_version(ticket.policy_version)
    if releases is None:
        releases = ReleaseBook.for_devices([device])
    version = releases.judge(policy, device, policy_day(policy, timezone.now()))
    return TicketOut(
        number=ticket.number,
        subject=ticket.subject,
        status=ticket.status,
        tier=ticket.tier,
        severity=ticket.severity,
        requested_severity=ticket.requested_severity,
        channel=ticket.channel,
        product=ticket.product,
        category=ticket.category or None,
        coverage=ticket.coverage or None,
        company=Ref(id=ticket.company.pk, name=ticket.company.name),
        partner=_org(ticket.partner),
        requester=_person(ticket.requester),
        assignee=_person(ticket.assignee),
        device=Ref(id=device.pk, name=device.name) if device is not None else None,
        dedicated_contact=ticket.dedicated_contact,
        vendor_outage=ticket.vendor_outage,
        clock_started_at=ticket.clock_started_at,
        response_due_at=ticket.response_due_at,
        first_response_at=ticket.first_response_at,
        breached=ticket.breached,
        # From the row's columns and the cached policy: no query per ticket.
        continuous_effort_owed=effort_owed(policy_for_version(ticket.policy_version), ticket),
        workaround_at=ticket.workaround_at,
        device_version_supported=version.supported if version is not None else None,
        support_ended_on=version.support_ended_on if version is not None else None,
        guidance_only=ticket.guidance_only,
        scope=_scope_out(policy, ticket),
        quote=_quote_out(ticket, quotes.latest(ticket)),
        third_party=[str(p) for p in ticket.third_party],
        resolution_cause=ticket.resolution_cause or None,
        policy_version=ticket.policy_version,
        submitted_at=ticket.submitted_at,
        updated_at=ticket.updated_at,
    )


def _scope_out(policy: Policy, ticket: Ticket) -> ScopeOut | None:
    if not ticket.category:
        return None
    try:
        scope = scope_of(policy, ticket.product, ticket.category)
    except ScopeError:
        return None
    return ScopeOut(
        coverage=ticket.coverage, intake=scope.intake.value, section=scope.source, text=scope.text
    )


def _quote_out(ticket: Ticket, quote: Quote | None) -> QuoteOut | None:
    if quote is None:
        return None
    return QuoteOut(
        amount=str(quote.amount),
        currency=quote.currency,
        description=quote.description,
        reason=quote.reason,
        section=section_of(quote, ticket),
        state=quote.state,
        offered_at=quote.offered_at,
        decided_at=quote.decided_at,
    )


def message_out(message: Message, attachments: list[Attachment]) -> MessageOut:
    return MessageOut(
        id=message.pk,
        kind=message.kind,
        public=message.is_public,
        via=message.via,
        body=message.body,
        author=_person(message.author),
        call_direction=message.call_direction or None,
        call_minutes=message.call_minutes,
        created_at=message.created_at,
        attachments=[
            AttachmentOut(id=a.pk, filename=a.filename, content_type=a.content_type, size=a.size)
            for a in attachments
        ],
    )


def event_out(event: TicketEvent) -> EventOut:
    return EventOut(
        seq=event.seq,
        kind=event.kind,
        at=event.at,
        actor=_person(event.actor),
        public=event.public,
        data=event.data,
        hash=event.hash,
    )


def sla_out(
    ticket: Ticket, policy: Policy, explanation: Explanation, zone_name: str, lines: list[str]
) -> SlaOut:
    target = explanation.target
    return SlaOut(
        number=ticket.number,
        policy_version=explanation.policy_version,
        severity=explanation.severity,
        severity_name=explanation.severity_name,
        channel=explanation.channel,
        target=(
            TargetOut(
                minutes=int(target.duration.total_seconds() // 60),
                calendar=target.calendar,
                calendar_title=policy.calendar_title(target.calendar),
                source=target.source,
                note=target.note,
            )
            if target is not None
            else None
        ),
        calendar=explanation.calendar,
        clock_started_at=explanation.clock_started_at,
        counted_from=explanation.basis_at,
        due=explanation.response_due_at,
        first_response_at=explanation.first_response_at,
        breached=bool(explanation.breaches),
        segments=[
            SegmentOut(start=s.start, end=s.end, minutes=s.duration.total_seconds() / 60)
            for s in explanation.segments
        ],
        changes=[
            ChangeOut(
                at=c.at,
                old=c.old,
                new=c.new,
                kind=c.kind,
                rule=c.rule,
                due_before=c.due_before,
                due_after=c.due_after,
                reason=c.reason,
                misassigned=c.misassigned,
            )
            for c in explanation.changes
        ],
        notes=[NoteOut(at=n.at, text=n.text, source=n.source) for n in explanation.notes],
        breaches=[
            BreachOut(
                due_at=b.due_at,
                severity=b.severity,
                seen_at=b.seen_at,
                misassigned=misassigned_by(explanation.changes, b.due_at) is not None,
            )
            for b in explanation.breaches
        ],
        time_zone=zone_name,
        lines=lines,
    )


def products_out(policy: Policy) -> ProductList:
    return ProductList(
        policy_version=policy.version,
        items=[
            ProductOut(
                slug=product.slug,
                name=product.name,
                categories=[
                    CoverageOut(
                        category=category.slug,
                        name=category.name,
                        coverage=cell.coverage.value,
                        text=cell.text,
                        source=cell.source,
                    )
                    for category in policy.categories
                    for slug, cell in category.cells
                    if slug == product.slug
                ],
            )
            for product in policy.products
        ],
    )


def device_out(device: Device) -> DeviceOut:
    return DeviceOut(
        id=device.pk,
        name=device.name,
        product=ProductRef(slug=device.product.slug, name=device.product.name),
        version=device.version,
        operating_system=device.operating_system,
        company=Ref(id=device.company.pk, name=device.company.name),
    )


# -- the breach report (§1.7.3) -----------------------------------------------------------


class SeverityCountOut(Output):
    severity: int
    count: int


class ReportedBreachOut(Output):
    ticket: str
    subject: str
    company: str
    severity: int = Field(description="The severity the missed target was counted under.")
    due_at: Instant = Field(description="When the first-response target ran out.")
    downgraded_at: Instant | None = Field(
        None, description="For a mis-assigned severity: when staff downgraded it."
    )
    downgraded_to: int | None = None
    downgrade_reason: str = ""


class BreachGroupOut(Output):
    count: int
    by_severity: list[SeverityCountOut]
    items: list[ReportedBreachOut]


class BreachReportOut(Output):
    since: Instant
    until: Instant
    vendor: BreachGroupOut = Field(description="The vendor's own missed targets.")
    misassigned: BreachGroupOut = Field(
        description="Missed targets under a severity mis-assigned by the customer (§1.7.3)."
    )


def breach_report_out(report: BreachReport) -> BreachReportOut:
    def group(rows: BreachGroup) -> BreachGroupOut:
        return BreachGroupOut(
            count=rows.count,
            by_severity=[SeverityCountOut(severity=s, count=n) for s, n in rows.by_severity],
            items=[
                ReportedBreachOut(
                    ticket=row.ticket.number,
                    subject=row.ticket.subject,
                    company=row.ticket.company.name,
                    severity=row.severity,
                    due_at=row.due_at,
                    downgraded_at=row.downgrade.at if row.downgrade else None,
                    downgraded_to=row.downgrade.new if row.downgrade else None,
                    downgrade_reason=row.downgrade.reason if row.downgrade else "",
                )
                for row in rows.rows
            ],
        )

    return BreachReportOut(
        since=report.period.since,
        until=report.period.until,
        vendor=group(report.vendor),
        misassigned=group(report.misassigned),
    )


# -- escalations (§1.8) ---------------------------------------------------------------


class EscalationRequestIn(Input):
    reason: Text = Field(
        description="A reason slug of the policy: production-down-during-upgrade, "
        "critical-business-impact, dissatisfied or other."
    )
    statement: Text = Field(description="The situation, in your words.")


class EvaluateIn(Input):
    accept: bool
    note: Text = Field("", description="Why, when declining.")
    primary_engineer: Text | None = Field(None, description="Needed to accept.")


class PlanIn(Input):
    action_plan: Text
    mode: Text = Field(description="email, phone or conference-call")
    every_minutes: int = Field(description="How often updates are due.")
    attendees: list[Text] = Field(default_factory=list, description="Required at every update.")


class UpdateIn(Input):
    note: Text = Field(description="What the customer was told.")


class InsufficientProgressIn(Input):
    statement: Text = Field(description="What progress is missing.")


class EngageVendorIn(Input):
    vendor: Text
    case_reference: Text
    contact: Text


class ConfirmIn(Input):
    item: Text = Field(description="A de-escalation checklist item slug of the policy.")
    confirmed_by: Text = Field(description="The person who confirms it.")


class DeescalateIn(Input):
    note: Text = ""


class PlanOut(Output):
    action_plan: str
    mode: str
    every_minutes: int
    attendees: list[str]
    set_at: Instant
    set_by: str


class MissedUpdateOut(Output):
    due_at: Instant
    mode: str


class VendorCaseOut(Output):
    vendor: str
    case_reference: str
    contact: str
    at: Instant
    by: str


class ChecklistItemOut(Output):
    item: str
    text: str
    confirmed_by: str | None
    recorded_by: str | None
    at: Instant | None


class EscalationStepOut(Output):
    step: str
    at: Instant
    by: str
    side: str
    fields: dict[str, Any]


class EscalationOut(Output):
    state: Literal["none", "requested", "active", "declined", "de-escalated"]
    escalation: int | None = Field(
        default=None, description="The ticket's first, second, … escalation."
    )
    level: int | None = None
    reason: str | None = None
    statement: str | None = None
    requested_at: Instant | None = None
    requested_by: str | None = None
    primary_engineer: str | None = None
    plan: PlanOut | None = None
    next_update_due: Instant | None = None
    missed_updates: list[MissedUpdateOut] = Field(default_factory=list)
    call_requested_at: Instant | None = None
    vendors: list[VendorCaseOut] = Field(default_factory=list)
    checklist: list[ChecklistItemOut]
    allowed_steps: list[str] = Field(description="What you may do now.")
    history: list[EscalationStepOut] = Field(default_factory=list)
    section: str
