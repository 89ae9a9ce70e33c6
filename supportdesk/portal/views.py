"""The portal: customers submit and follow their company's tickets; partner
staff share the submit form (they work tickets in the workspace).

Customers see only the public side of a ticket: `access.visible_events` and
`visible_messages` leave internal notes out. The ticket page's forms post
with htmx through the same `act` as the workspace's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from supportdesk.accounts.access import (
    NotFound,
    access_company_by_id,
    access_device_by_id,
    access_ticket_by_number,
    is_customer_side,
    visible_tickets,
)
from supportdesk.accounts.models import Organization, User
from supportdesk.assets.adapters import judge_device
from supportdesk.assets.models import Device
from supportdesk.lib.htmx import is_htmx, login_required, render_fragments, render_page
from supportdesk.policies.active import active_policy, policy_for_version
from supportdesk.portal.forms import SubmitForm
from supportdesk.remote.panels import panel as remote_panel
from supportdesk.tickets import actions, escalation_views, limitation_forms, rows
from supportdesk.tickets.actions import ActionError
from supportdesk.tickets.adapters import sla_explanation
from supportdesk.tickets.forms import (
    MessageForm,
    RequestSeverityForm,
    StatusForm,
    TicketForm,
    form_error,
    uploads,
)
from supportdesk.tickets.models import OPEN_STATUSES, Channel, Status, Ticket
from supportdesk.tickets.queries import page_of, ticket_attachments, timeline
from supportdesk.tickets.scope_forms import QuoteDecisionForm
from supportdesk.tickets.scope_views import perform_decide_quote
from supportdesk.tickets.templatetags.desk import display_zone
from supportdesk.tickets.views import (
    TicketPage,
    act,
    perform_change_status,
    perform_reply,
    perform_request_severity,
    person,
    scope_context,
    scope_permissions,
)


def customers_only[View: Callable[..., HttpResponse]](view: View) -> View:
    """Signed in (else to the login page), and a customer user (else 404)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not person(request).is_customer:
            raise NotFound("the portal's ticket pages are for customers")
        return view(request, *args, **kwargs)

    return cast(View, login_required(wrapper))


# -- the ticket list -------------------------------------------------------------------

SHOW = {"open": "Open", "closed": "Resolved and closed", "all": "All"}


@require_GET
@customers_only
def ticket_list(request: HttpRequest) -> HttpResponse:
    user = person(request)
    show = request.GET.get("show", "open")
    show = show if show in SHOW else "open"
    tickets = visible_tickets(user).select_related("requester")
    if show == "open":
        tickets = tickets.filter(status__in=OPEN_STATUSES)
    elif show == "closed":
        tickets = tickets.exclude(status__in=OPEN_STATUSES)
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        number = 1
    page = page_of(tickets.order_by("-submitted_at", "-id"), number)
    context = {"page": page, "show": show, "shows": SHOW, "now": timezone.now()}
    if is_htmx(request):
        return render_fragments(request, "portal/tickets.html", context, "results")
    return render_page(request, "portal/tickets.html", context)


# -- submitting --------------------------------------------------------------------------


def _submitters_only(request: HttpRequest) -> User:
    user = person(request)
    if not (user.is_customer or user.is_partner_staff):
        raise NotFound("tickets are submitted here by customers and partner staff")
    return user


@require_http_methods(["GET", "POST"])
@login_required
def new_ticket(request: HttpRequest) -> HttpResponse:
    """The submit form. An htmx GET (the product or company changed)
    answers just the fields that depend on them: categories and devices."""
    user = _submitters_only(request)
    policy = active_policy()
    if request.method == "POST":
        form = SubmitForm(request.POST, request.FILES, user=user)
    else:
        form = SubmitForm(request.GET or None, user=user)
    context: dict[str, Any] = {
        "form": form,
        "policy": policy,
        "severities": policy.severities,
        "contact_rule": policy.severity_rules.dedicated_contact,
        "error": "",
    }
    if request.method == "GET":
        if is_htmx(request):
            return render_fragments(request, "portal/new.html", context, "matrix_fields")
        return render_page(request, "portal/new.html", context)
    # Without a script, the chosen product's categories come by posting the
    # form back unsubmitted ("Show its categories").
    if "refresh" in request.POST:
        return render_page(request, "portal/new.html", context)

    error = ""
    ticket: Ticket | None = None
    if form.is_valid():
        try:
            ticket = _submit(user, form, now=timezone.now())
        except ActionError as exc:
            error = exc.message
    else:
        error = form_error(form)
    if ticket is None:
        context["error"] = error
        return render_page(request, "portal/new.html", context, status=422)
    messages.success(request, f"{ticket.number} submitted.")
    if user.works_tickets:
        return redirect("tickets:ticket", ticket.number)
    return redirect("portal:ticket", ticket.number)


def _submit(user: User, form: SubmitForm, *, now: datetime) -> Ticket:
    data = form.cleaned_data
    company: Organization
    if user.is_customer:
        company = access_company_by_id(user, user.organization_id)
    elif data["company"] is None:
        raise ActionError("choose the company the ticket is for")
    else:
        try:
            company = access_company_by_id(user, data["company"])
        except NotFound:
            raise ActionError("choose one of your companies") from None
    device: Device | None = None
    if data["device"] is not None:
        try:
            device = access_device_by_id(user, data["device"])
        except NotFound:
            raise ActionError("choose one of the company's devices") from None
    return actions.do_submit_ticket(
        company=company,
        requester=user,
        subject=data["subject"],
        body=data["description"],
        product=data["product"],
        category=data["category"],
        device=device,
        severity=data["severity"],
        channel=Channel.PORTAL,
        dedicated_contact=data["dedicated_contact"],
        vendor_outage=data["vendor_outage"],
        to_vendor=data["to_vendor"] if user.is_partner_staff else None,
        uploads=uploads(data["attachments"]),
        third_party=limitation_forms.names_of(data["third_party"]),
        reproduction_steps=data["reproduction_steps"],
        acting_user=user,
        now=now,
    )


# -- the ticket page -------------------------------------------------------------------------


def _load(user: User, number: str) -> Ticket:
    return access_ticket_by_number(user, number)


def _permissions(user: User, ticket: Ticket) -> dict[str, bool]:
    customer = is_customer_side(user, ticket)
    closed = ticket.status == Status.CLOSED
    policy = policy_for_version(ticket.policy_version)
    return {
        "customer": customer,
        "reply": customer and not closed,
        "request": customer
        and ticket.is_open
        and ticket.requested_severity is None
        and any(s.level < ticket.severity for s in policy.severities),
        "status": customer and not closed,
        # §4: accept or decline the quote waiting.
        "quote_decide": scope_permissions(user, ticket, working=False, customer=customer)[
            "quote_decide"
        ],
        # §3.3: answer the options for unsupported software.
        **limitation_forms.permissions(ticket, working=False, customer=customer),
    }


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
    # Read once: the SLA explanation and the escalation panel both fold it.
    history = rows.events_of(ticket)
    can = _permissions(user, ticket)
    blank: dict[str, TicketForm] = {}
    if can["reply"]:
        blank["reply"] = MessageForm(ticket=ticket, user=user)
    if can["request"]:
        blank["request"] = RequestSeverityForm(ticket=ticket, user=user)
    if can["status"]:
        blank["status"] = StatusForm(ticket=ticket, user=user, working=False)
    if can["quote_decide"]:
        blank["quote_decide"] = QuoteDecisionForm(ticket=ticket, user=user)
    blank |= limitation_forms.blank_forms(user, ticket, can)
    return {
        "ticket": ticket,
        "now": now,
        "policy": policy,
        "severities": policy.severities,
        "severity": policy.severity(ticket.severity),
        "sla_lines": sla_explanation(policy, ticket, now=now, history=history).lines(
            display_zone(policy)
        ),
        **scope_context(policy, ticket),
        # §3.2 and §2.1: the device's version support, and guidance only.
        "device_version": judge_device(policy, ticket.device, now),
        "timeline": timeline(user, ticket),
        "attachments": ticket_attachments(user, ticket),
        "can": can,
        "forms": blank | (bound or {}),
        "errors": errors or {},
        "esc": escalation_views.panel(
            user,
            ticket,
            now=now,
            url_name="portal:escalation_step",
            bound=bound,
            errors=errors,
            history=history,
        ),
        # §2.3: the ticket's requests for remote access (remote/panels.py).
        "remote": remote_panel(user, ticket, now=now, portal=True, bound=bound, errors=errors),
        # §3: third-party software, the options of §3.3, the resolution cause.
        "limits": limitation_forms.panel(ticket),
    }


PORTAL = TicketPage(
    template="portal/ticket.html",
    url_name="portal:ticket",
    load=_load,
    permissions=_permissions,
    context=ticket_context,
)


@require_GET
@customers_only
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _load(person(request), number)
    context = ticket_context(request, ticket, now=timezone.now())
    if is_htmx(request):
        return render_fragments(
            request, "portal/ticket.html", context, "header", oob=["sla", "timeline"]
        )
    return render_page(request, "portal/ticket.html", context)


@require_POST
@customers_only
def reply(request: HttpRequest, number: str) -> HttpResponse:
    return act(
        request,
        number,
        "reply",
        lambda t, u: MessageForm(request.POST, request.FILES, ticket=t, user=u),
        perform_reply(public=True),
        PORTAL,
    )


@require_POST
@customers_only
def request_severity(request: HttpRequest, number: str) -> HttpResponse:
    return act(
        request,
        number,
        "request",
        lambda t, u: RequestSeverityForm(request.POST, ticket=t, user=u),
        perform_request_severity,
        PORTAL,
    )


@require_POST
@customers_only
def escalation_step(request: HttpRequest, number: str, step: str) -> HttpResponse:
    return escalation_views.take_step(request, number, step, PORTAL)


@require_POST
@customers_only
def change_status(request: HttpRequest, number: str) -> HttpResponse:
    return act(
        request,
        number,
        "status",
        lambda t, u: StatusForm(request.POST, ticket=t, user=u, working=False),
        perform_change_status,
        PORTAL,
    )


@require_POST
@customers_only
def decide_quote(request: HttpRequest, number: str) -> HttpResponse:
    return act(
        request,
        number,
        "quote_decide",
        lambda t, u: QuoteDecisionForm(request.POST, ticket=t, user=u),
        perform_decide_quote,
        PORTAL,
    )


# -- how to reach support -----------------------------------------------------------------------


@require_GET
def contact(request: HttpRequest) -> HttpResponse:
    """Regional numbers and when each channel takes tickets, from the policy
    the desk enforces (§1.2, §1.3, §1.5). Public, like the statement."""
    policy = active_policy()
    channels = []
    for channel in policy.channels:
        exceptions = [
            (level, policy.calendar_title(calendar))
            for level, calendar in channel.intake_by_severity
        ]
        channels.append(
            {
                "channel": channel,
                "hours": policy.calendar_title(channel.intake),
                "exceptions": exceptions,
            }
        )
    regions: dict[str, list[Any]] = {}
    for contact_ in policy.contacts:
        regions.setdefault(contact_.region, []).append(contact_)
    return render(
        request,
        "portal/contact.html",
        {
            "policy": policy,
            "channels": channels,
            "regions": regions,
            "response_hours": policy.calendar_title("business")
            if "business" in dict(policy.calendars)
            else "",
        },
    )
