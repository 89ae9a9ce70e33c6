"""The workspace: where vendor and partner staff work tickets all day.

Every page is for vendor or partner staff only; anyone else gets 404, as
for a ticket they may not see. Reads go through `accounts.access`, changes
through the `do_*` actions. Each action form posts with htmx and gets back
just the fragments it changed; without JavaScript the same URLs answer a
redirect, or the whole page with the error beside the form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any, cast

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from supportdesk.accounts.access import (
    NotFound,
    access_attachment_by_id,
    access_ticket_by_number,
    is_customer_side,
    visible_saved_replies,
    works_on,
)
from supportdesk.accounts.models import User
from supportdesk.assets.adapters import judge_device
from supportdesk.assets.models import Device
from supportdesk.lib.htmx import (
    is_htmx,
    login_required,
    render_fragments,
    render_page,
    see_other,
)
from supportdesk.policies.active import policy_for_version
from supportdesk.policy import Policy
from supportdesk.policy.breaches import only_misassigned
from supportdesk.policy.matrix import Intake, ScopeError, scope_of
from supportdesk.remote.panels import panel as remote_panel
from supportdesk.tickets import (
    actions,
    escalation_views,
    handover,
    limitation_forms,
    rows,
)
from supportdesk.tickets.actions import ActionError, attachment_path
from supportdesk.tickets.adapters import effort_owed, sla_explanation
from supportdesk.tickets.forms import (
    AssignForm,
    CallForm,
    DecideForm,
    ForwardForm,
    MessageForm,
    QueueFilterForm,
    RequestSeverityForm,
    SeverityForm,
    StatusForm,
    TicketForm,
    WatchersForm,
    WorkaroundForm,
    form_error,
    uploads,
)
from supportdesk.tickets.models import EventKind, Quote, Status, Ticket, Tier
from supportdesk.tickets.queries import (
    QUEUE_SLUGS,
    QUEUES,
    Entry,
    QueueFilters,
    default_queue,
    default_tier,
    device_versions,
    page_of,
    queue_counts,
    queue_tickets,
    ticket_attachments,
    timeline,
)
from supportdesk.tickets.quotes import cached_latest_quote, section_of
from supportdesk.tickets.scope_forms import (
    CategoryForm,
    OverrideForm,
    QuoteDecisionForm,
    QuoteForm,
    QuoteWithdrawForm,
)
from supportdesk.tickets.templatetags.desk import display_zone


def person(request: HttpRequest) -> User:
    """The signed-in user (views are behind `login_required`)."""
    return cast(User, request.user)


def staff_only[View: Callable[..., HttpResponse]](view: View) -> View:
    """Signed in (else to the login page), and vendor or partner staff (else 404)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not person(request).works_tickets:
            raise NotFound("the workspace is for support staff")
        return view(request, *args, **kwargs)

    return cast(View, login_required(wrapper))


# -- queues ---------------------------------------------------------------------------


@require_GET
@staff_only
def queue(request: HttpRequest, queue: str = "") -> HttpResponse:
    user = person(request)
    queue = queue or default_queue(user)
    if queue not in QUEUE_SLUGS:
        raise Http404("no such queue")
    now = timezone.now()
    form = QueueFilterForm(request.GET or None, user=user)
    filters = form.filters() if form.is_bound else QueueFilters()
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        number = 1
    page = page_of(queue_tickets(user, queue, filters, now=now), number)
    context = {
        "queue": queue,
        "queues": QUEUES,
        "queue_title": next(q.title for q in QUEUES if q.slug == queue),
        "counts": queue_counts(user, filters.tier, now=now),
        "form": form,
        "filters": filters,
        "tier_default": default_tier(user),
        "page": page,
        "versions": device_versions(page.tickets, now=now),
        "now": now,
    }
    if is_htmx(request):
        return render_fragments(request, "tickets/queue.html", context, "results", oob=["tabs"])
    return render_page(request, "tickets/queue.html", context)


# -- the ticket page ----------------------------------------------------------------------


@dataclass(frozen=True)
class TicketPage:
    """A ticket page whose forms `act` serves: the workspace's, or the
    portal's. Its template defines the partials `header`, `sla`,
    `timeline`, `attachments`, `compose` and `actions`, and one
    `<name>_form` partial per form."""

    template: str
    url_name: str
    load: Callable[[User, str], Ticket]
    permissions: Callable[[User, Ticket], dict[str, bool]]
    context: Callable[..., dict[str, Any]]


def _permissions(user: User, ticket: Ticket) -> dict[str, bool]:
    """What the page offers; the actions check again."""
    working = works_on(user, ticket)
    customer = is_customer_side(user, ticket)
    is_open = ticket.is_open
    closed = ticket.status == Status.CLOSED
    policy = policy_for_version(ticket.policy_version)
    return {
        "working": working,
        "customer": customer,
        "reply": not closed
        and (working or customer or (user.is_vendor_staff and ticket.tier == Tier.VENDOR)),
        "note": not closed and (working or user.is_vendor_staff),
        "call": working and not closed,
        "severity": working and is_open,
        "decide": working and ticket.requested_severity is not None,
        "assign": working and not closed,
        "status": (working or customer) and not closed,
        "forward": user.is_partner_staff
        and user.organization_id == ticket.partner_id
        and ticket.tier == Tier.PARTNER
        and is_open,
        "request": customer
        and is_open
        and ticket.requested_severity is None
        and any(s.level < ticket.severity for s in policy.severities),
        "watchers": (working or customer) and not closed,
        # §1.6: a workaround the customer can use meanwhile.
        "workaround": working and is_open,
        # §4: the support matrix: the category, the override, quotes.
        **scope_permissions(user, ticket, working=working, customer=customer),
        # §3: third-party software and its options, "cannot reproduce".
        **limitation_forms.permissions(ticket, working=working, customer=customer),
    }


def scope_permissions(
    user: User, ticket: Ticket, *, working: bool, customer: bool
) -> dict[str, bool]:
    """The support matrix's forms (§4): the working side sets the category,
    overrides "out of scope", offers a quote and withdraws the one waiting;
    the customer side accepts or declines it."""
    waiting = waiting_quote(ticket) is not None
    return {
        "category": working and ticket.is_open,
        "override": working and ticket.status == Status.OUT_OF_SCOPE,
        "quote": working and ticket.is_open and not waiting,
        "quote_withdraw": working and waiting,
        "quote_decide": customer and ticket.is_open and waiting,
    }


def waiting_quote(ticket: Ticket) -> Quote | None:
    """The quote waiting for the customer, read once per ticket object."""
    latest = cached_latest_quote(ticket)
    return latest if latest is not None and latest.state == Quote.State.OFFERED else None


def scope_context(policy: Policy, ticket: Ticket) -> dict[str, Any]:
    """What both ticket pages show of the matrix (§4): the ticket's row, the
    answer of a ticket out of scope, and its latest quote."""
    try:
        scope = scope_of(policy, ticket.product, ticket.category) if ticket.product else None
    except ScopeError:
        scope = None
    quote = cached_latest_quote(ticket)
    return {
        "scope": scope,
        "scope_answer": scope is not None
        and scope.intake is Intake.OUT_OF_SCOPE
        and ticket.status == Status.OUT_OF_SCOPE,
        "quote": quote,
        "quote_section": section_of(quote, ticket) if quote is not None else "",
    }


def _blank_forms(user: User, ticket: Ticket, can: dict[str, bool]) -> dict[str, TicketForm]:
    kw: dict[str, Any] = {"ticket": ticket, "user": user}
    made: dict[str, Callable[[], TicketForm]] = {
        "reply": lambda: MessageForm(**kw),
        "note": lambda: MessageForm(**kw),
        "call": lambda: CallForm(**kw),
        "severity": lambda: SeverityForm(**kw),
        "decide": lambda: DecideForm(**kw),
        "assign": lambda: AssignForm(**kw),
        "status": lambda: StatusForm(working=can["working"], **kw),
        "forward": lambda: ForwardForm(**kw),
        "request": lambda: RequestSeverityForm(**kw),
        "watchers": lambda: WatchersForm(
            initial={"watchers": [u.pk for u in ticket.watchers.all()]}, **kw
        ),
        "workaround": lambda: WorkaroundForm(**kw),
        "category": lambda: CategoryForm(**kw),
        "override": lambda: OverrideForm(**kw),
        "quote": lambda: QuoteForm(**kw),
        "quote_withdraw": lambda: QuoteWithdrawForm(**kw),
        "quote_decide": lambda: QuoteDecisionForm(**kw),
    }
    blank = {name: make() for name, make in made.items() if can[name]}
    return blank | limitation_forms.blank_forms(user, ticket, can)


def ticket_context(
    request: HttpRequest,
    ticket: Ticket,
    *,
    now: datetime,
    bound: dict[str, TicketForm] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    user = person(request)
    policy = policy_for_version(ticket.policy_version)
    zone = display_zone(policy)
    can = _permissions(user, ticket)
    forms_ = _blank_forms(user, ticket, can) | (bound or {})
    # Read once: the SLA explanation and the escalation panel both fold it.
    history = rows.events_of(ticket)
    explanation = sla_explanation(policy, ticket, now=now, history=history)
    entries = timeline(user, ticket)
    return {
        "ticket": ticket,
        "now": now,
        "policy": policy,
        "severities": policy.severities,
        "severity": policy.severity(ticket.severity),
        "coverage_text": _coverage_text(policy, ticket),
        **scope_context(policy, ticket),
        # §3.2 and §2.1: the device's version support, the hand-over month.
        "device_version": judge_device(policy, ticket.device, now),
        "handover": handover.decision(policy, ticket),
        "effort_owed": effort_owed(policy, ticket),
        "sla_lines": explanation.lines(zone),
        # §1.7.3: the target was missed only under a severity the customer mis-assigned.
        "breach_misassigned": only_misassigned(explanation.breaches, explanation.changes),
        "timeline": entries,
        "pending_justification": _pending_justification(ticket, entries),
        "attachments": ticket_attachments(user, ticket),
        "watchers": list(ticket.watchers.all()),
        "saved_replies": list(visible_saved_replies(user)) if can["reply"] else [],
        "can": can,
        "forms": forms_,
        "errors": errors or {},
        "me": user,
        "esc": escalation_views.panel(
            user,
            ticket,
            now=now,
            url_name="tickets:escalation_step",
            bound=bound,
            errors=errors,
            history=history,
        ),
        # §2.3: the ticket's requests for remote access (remote/panels.py).
        "remote": remote_panel(user, ticket, now=now, portal=False, bound=bound, errors=errors),
        # §3: third-party software, the options of §3.3, the resolution cause.
        "limits": limitation_forms.panel(ticket),
    }


def _pending_justification(ticket: Ticket, entries: list[Entry]) -> str:
    if ticket.requested_severity is None:
        return ""
    for entry in reversed(entries):
        if entry.kind == EventKind.SEVERITY_REQUESTED:
            return entry.detail
    return ""


def _coverage_text(policy: Policy, ticket: Ticket) -> str:
    if not ticket.category:
        return ""
    try:
        cell = policy.coverage(ticket.product, ticket.category)
    except KeyError:
        return ""
    return f"{cell.text} ({cell.source})" if cell.text else cell.source


def _load(user: User, number: str) -> Ticket:
    ticket = access_ticket_by_number(user, number)
    # The header shows the device; one query here beats one per use.
    if ticket.device_id is not None:
        ticket.device = Device.objects.select_related("product").get(pk=ticket.device_id)
    return ticket


WORKSPACE = TicketPage(
    template="tickets/ticket.html",
    url_name="tickets:ticket",
    load=_load,
    permissions=_permissions,
    context=ticket_context,
)


@require_GET
@staff_only
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    user = person(request)
    ticket = _load(user, number)
    context = ticket_context(request, ticket, now=timezone.now())
    if is_htmx(request):
        return render_fragments(
            request, "tickets/ticket.html", context, "header", oob=["sla", "timeline"]
        )
    return render_page(request, "tickets/ticket.html", context)


# Forms that write into the conversation; the others change the ticket's state.
COMPOSE = frozenset({"reply", "note", "call"})
Perform = Callable[[Ticket, Any, User, datetime], object]


# Forms to actions, shared by the workspace and the portal so a form means
# the same action wherever it is posted.


def perform_reply(*, public: bool) -> Perform:
    def perform(ticket: Ticket, form: MessageForm, user: User, now: datetime) -> object:
        return actions.do_reply(
            ticket,
            body=form.cleaned_data["body"],
            public=public,
            uploads=uploads(form.cleaned_data["attachments"]),
            acting_user=user,
            now=now,
        )

    return perform


def perform_request_severity(
    ticket: Ticket, form: RequestSeverityForm, user: User, now: datetime
) -> object:
    return actions.do_request_severity(
        ticket,
        severity=form.cleaned_data["severity"],
        justification=form.cleaned_data["justification"],
        acting_user=user,
        now=now,
    )


def perform_change_status(ticket: Ticket, form: StatusForm, user: User, now: datetime) -> object:
    return actions.do_change_status(
        ticket,
        status=form.cleaned_data["status"],
        reason=form.cleaned_data["reason"],
        cause=form.cleaned_data.get("cause") or "",
        acting_user=user,
        now=now,
    )


def act(
    request: HttpRequest,
    number: str,
    name: str,
    make_form: Callable[[Ticket, User], TicketForm],
    perform: Perform,
    page: TicketPage,
) -> HttpResponse:
    """Run one action from a posted form and answer with what changed.

    1. Parse the form; a parse error is shown like a refused action.
    2. Run the action with `now` taken here, at the edge.
    3. On success: htmx gets the fresh form (or the whole side panel) and
       the header, SLA and timeline out of band; others a redirect.
    4. On refusal: the form again with the typed input and the message,
       status 422 (htmx swaps it; see the htmx-config meta in base.html).
    """
    user = person(request)
    ticket = page.load(user, number)
    before = page.permissions(user, ticket)
    form = make_form(ticket, user)
    now = timezone.now()
    error = ""
    if form.is_valid():
        try:
            perform(ticket, form, user, now)
        except ActionError as exc:
            error = exc.message
    else:
        error = form_error(form)

    anchor = f"{name}-form"
    if not error:
        if not is_htmx(request):
            url = reverse(page.url_name, args=[number])
            return see_other(f"{url}#{'timeline' if name in COMPOSE else anchor}")
        fresh = page.load(user, number)
        context = page.context(request, fresh, now=now)
        after = context["can"]
        oob = ["header", "sla", "timeline", "attachments"]
        compose_changed = any(before.get(f) != after.get(f) for f in COMPOSE)
        side_changed = fresh.status != ticket.status or any(
            before[f] != after.get(f) for f in before if f not in COMPOSE
        )
        headers: dict[str, str] = {}
        if name in COMPOSE and not compose_changed:
            # Only the posted form is renewed: text typed in the others stays.
            main = f"{name}_form"
            if side_changed:
                oob.append("actions")
        elif name in COMPOSE:
            main, headers = "compose", _retarget("compose")
            oob.append("actions")
        else:
            main, headers = "actions", _retarget("ticket-actions")
            if compose_changed:
                oob.append("compose")
        return render_fragments(request, page.template, context, main, oob=oob, headers=headers)
    context = page.context(request, ticket, now=now, bound={name: form}, errors={name: error})
    if is_htmx(request):
        return render_fragments(request, page.template, context, f"{name}_form", status=422)
    return render_page(request, page.template, context, status=422)


def act_in_workspace(
    request: HttpRequest,
    number: str,
    name: str,
    make_form: Callable[[Ticket, User], TicketForm],
    perform: Perform,
) -> HttpResponse:
    return act(request, number, name, make_form, perform, WORKSPACE)


def _retarget(element_id: str) -> dict[str, str]:
    return {"HX-Retarget": f"#{element_id}", "HX-Reswap": "outerHTML"}


def _post(request: HttpRequest) -> dict[str, Any]:
    return {"data": request.POST, "files": request.FILES}


@require_POST
@staff_only
def escalation_step(request: HttpRequest, number: str, step: str) -> HttpResponse:
    return escalation_views.take_step(request, number, step, WORKSPACE)


@require_POST
@staff_only
def reply(request: HttpRequest, number: str) -> HttpResponse:
    return act_in_workspace(
        request,
        number,
        "reply",
        lambda t, u: MessageForm(**_post(request), ticket=t, user=u),
        perform_reply(public=True),
    )


@require_POST
@staff_only
def note(request: HttpRequest, number: str) -> HttpResponse:
    return act_in_workspace(
        request,
        number,
        "note",
        lambda t, u: MessageForm(**_post(request), ticket=t, user=u),
        perform_reply(public=False),
    )


@require_POST
@staff_only
def log_call(request: HttpRequest, number: str) -> HttpResponse:
    def perform(ticket: Ticket, form: CallForm, user: User, now: datetime) -> object:
        data = form.cleaned_data
        return actions.do_log_call(
            ticket,
            summary=data["summary"],
            direction=data["direction"],
            minutes=data["minutes"],
            public=data["public"],
            acting_user=user,
            now=now,
        )

    return act_in_workspace(
        request, number, "call", lambda t, u: CallForm(request.POST, ticket=t, user=u), perform
    )


@require_POST
@staff_only
def change_severity(request: HttpRequest, number: str) -> HttpResponse:
    def perform(ticket: Ticket, form: SeverityForm, user: User, now: datetime) -> object:
        return actions.do_change_severity(
            ticket,
            severity=form.cleaned_data["severity"],
            reason=form.cleaned_data["reason"],
            misassigned=form.cleaned_data["misassigned"],
            acting_user=user,
            now=now,
        )

    return act_in_workspace(
        request,
        number,
        "severity",
        lambda t, u: SeverityForm(request.POST, ticket=t, user=u),
        perform,
    )


@require_POST
@staff_only
def decide_severity(request: HttpRequest, number: str) -> HttpResponse:
    def perform(ticket: Ticket, form: DecideForm, user: User, now: datetime) -> object:
        return actions.do_decide_severity_request(
            ticket,
            accept=form.cleaned_data["decision"] == "accept",
            reason=form.cleaned_data["reason"],
            acting_user=user,
            now=now,
        )

    return act_in_workspace(
        request, number, "decide", lambda t, u: DecideForm(request.POST, ticket=t, user=u), perform
    )


@require_POST
@staff_only
def assign(request: HttpRequest, number: str) -> HttpResponse:
    def perform(ticket: Ticket, form: AssignForm, user: User, now: datetime) -> object:
        return actions.do_assign(ticket, assignee=form.chosen(), acting_user=user, now=now)

    return act_in_workspace(
        request, number, "assign", lambda t, u: AssignForm(request.POST, ticket=t, user=u), perform
    )


@require_POST
@staff_only
def change_status(request: HttpRequest, number: str) -> HttpResponse:
    return act_in_workspace(
        request,
        number,
        "status",
        lambda t, u: StatusForm(request.POST, ticket=t, user=u, working=works_on(u, t)),
        perform_change_status,
    )


@require_POST
@staff_only
def forward(request: HttpRequest, number: str) -> HttpResponse:
    def perform(ticket: Ticket, form: ForwardForm, user: User, now: datetime) -> object:
        return actions.do_forward_to_vendor(
            ticket,
            severity=form.cleaned_data["severity"],
            note=form.cleaned_data["note"],
            acting_user=user,
            now=now,
        )

    return act_in_workspace(
        request,
        number,
        "forward",
        lambda t, u: ForwardForm(request.POST, ticket=t, user=u),
        perform,
    )


@require_POST
@staff_only
def request_severity(request: HttpRequest, number: str) -> HttpResponse:
    """Partner staff asking the vendor for a higher severity on a ticket
    they forwarded (they are its customer side now)."""

    return act_in_workspace(
        request,
        number,
        "request",
        lambda t, u: RequestSeverityForm(request.POST, ticket=t, user=u),
        perform_request_severity,
    )


@require_POST
@staff_only
def set_watchers(request: HttpRequest, number: str) -> HttpResponse:
    def perform(ticket: Ticket, form: WatchersForm, user: User, now: datetime) -> object:
        return actions.do_set_watchers(
            ticket,
            watchers=form.wanted(list(ticket.watchers.all())),
            acting_user=user,
            now=now,
        )

    return act_in_workspace(
        request,
        number,
        "watchers",
        lambda t, u: WatchersForm(request.POST, ticket=t, user=u),
        perform,
    )


@require_POST
@staff_only
def record_workaround(request: HttpRequest, number: str) -> HttpResponse:
    def perform(ticket: Ticket, form: WorkaroundForm, user: User, now: datetime) -> object:
        return actions.do_record_workaround(
            ticket, note=form.cleaned_data["note"], acting_user=user, now=now
        )

    return act_in_workspace(
        request,
        number,
        "workaround",
        lambda t, u: WorkaroundForm(request.POST, ticket=t, user=u),
        perform,
    )


# -- attachments ----------------------------------------------------------------------------

# Types a browser would run or render as a page; served as plain bytes instead.
_ACTIVE_TYPES = ("html", "xml", "svg", "javascript", "ecmascript", "xhtml")


@require_GET
@login_required
def download_attachment(request: HttpRequest, pk: int) -> FileResponse:
    """A file, to whoever may see the message it came with; always as a
    download, never rendered in the desk's origin."""
    attachment = access_attachment_by_id(request.user, pk)
    try:
        handle = attachment_path(attachment).open("rb")
    except FileNotFoundError:
        raise NotFound(f"attachment {pk} has no file") from None
    content_type = attachment.content_type or "application/octet-stream"
    if any(word in content_type.lower() for word in _ACTIVE_TYPES):
        content_type = "application/octet-stream"
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
