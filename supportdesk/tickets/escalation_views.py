"""Escalations on screen (§1.8): the panel on a ticket page (the workspace's
and the portal's), the forms of its steps, and the managers' queue.

The panel shows the escalation as the policy core folds it, and one form per
step the signed-in person may take now (`machine.allowed_steps`), so a
customer sees "request" and "insufficient progress", a manager "evaluate",
the working side the plan, updates, the checklist and the de-escalation.
Every step goes through `escalation_actions.do_escalation_step`, as the API's do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from supportdesk.accounts.access import NotFound
from supportdesk.accounts.models import User
from supportdesk.lib.htmx import is_htmx, login_required, render_fragments, render_page, see_other
from supportdesk.policies.active import policy_for_version
from supportdesk.policy import Policy
from supportdesk.policy import escalation as machine
from supportdesk.tickets import escalation_actions, escalations, rows
from supportdesk.tickets.actions import ActionError
from supportdesk.tickets.escalation_forms import MODE_NAMES, STEP_FORMS, EvaluateForm, StepForm
from supportdesk.tickets.forms import form_error
from supportdesk.tickets.models import Escalation, Ticket, TicketEvent

# A bound form travels in the page's `bound` forms under this prefix, so the
# panel can show it again, with its error, beside the other forms.
BOUND = "escalation:"

# The steps the panel puts in its "next steps" area, and their headings.
HEADINGS = {
    "request": "Escalate this ticket",
    "evaluate": "Evaluate the request",
    "plan": "Communication and action plan",
    "update": "Record an update given",
    "insufficient-progress": "Progress is not sufficient",
    "engage-vendor": "Engage another vendor",
    "confirm": "De-escalation checklist",
    "de-escalate": "De-escalate",
}


@dataclass(frozen=True)
class ChecklistLine:
    slug: str
    text: str
    confirmation: machine.Confirmation | None


def panel(
    user: User,
    ticket: Ticket,
    *,
    now: datetime,
    url_name: str,
    bound: Mapping[str, Any] | None = None,
    errors: Mapping[str, str] | None = None,
    history: list[TicketEvent] | None = None,
) -> dict[str, Any]:
    """What the escalation panel shows `user`, and the forms of the steps
    they may take now. `url_name` names the page's step URL; `history` is
    the ticket's, when the page has read it."""
    policy = policy_for_version(ticket.policy_version)
    events = rows.events_of(ticket) if history is None else history
    found = escalations.current(events)
    state = machine.compute(policy, found[1]) if found else None
    vendor_tier = ticket.tier == "vendor"
    allowed = (
        machine.allowed_steps(policy, state, escalations.actor_of(user))
        if vendor_tier and ticket.is_open
        else []
    )
    bound_forms = {
        k.removeprefix(BOUND): v for k, v in (bound or {}).items() if k.startswith(BOUND)
    }
    step_forms: dict[str, StepForm] = {
        step: bound_forms.get(step) or STEP_FORMS[step](policy=policy, ticket=ticket)
        for step in allowed
    }
    step_errors = {
        k.removeprefix(BOUND): v for k, v in (errors or {}).items() if k.startswith(BOUND)
    }
    evaluate = step_forms.get("evaluate")
    plan = state.plan if state is not None else None
    return {
        "state": state,
        "seq": found[0] if found else None,
        "reason_title": _reason_title(policy, state.reason) if state else "",
        "plan": plan,
        "mode_name": MODE_NAMES.get(plan.mode, plan.mode) if plan else "",
        "every_words": escalations.every_words(int(plan.every.total_seconds() // 60))
        if plan
        else "",
        # Answers to the conference call's invitation, by calendar reply.
        "answers": escalations.call_answers(events, state.requested_at) if state else {},
        "missed": machine.missed_updates(state, now) if state else (),
        "checklist": [
            ChecklistLine(item.slug, item.text, state.confirmation(item.slug) if state else None)
            for item in policy.escalation.deescalation_checklist
        ],
        "unconfirmed": list(machine.unconfirmed(policy, state)) if state else [],
        "allowed": allowed,
        "forms": step_forms,
        "errors": step_errors,
        "headings": HEADINGS,
        "engineers": evaluate.engineers() if isinstance(evaluate, EvaluateForm) else [],
        "url_name": url_name,
        "section": policy.escalation.source,
        "vendor_tier": vendor_tier,
    }


def _reason_title(policy: Policy, slug: str) -> str:
    for reason in policy.escalation.reasons:
        if reason.slug == slug:
            return reason.title
    return slug


def take_step(request: HttpRequest, number: str, step: str, page: Any) -> HttpResponse:
    """Run one escalation step from its form and answer with what changed:
    for htmx the panel, and the header, SLA, timeline and actions out of
    band (accepting assigns the primary engineer); otherwise a redirect.
    A refusal shows the panel again with the typed input and the reason."""
    if step not in STEP_FORMS:
        raise Http404("no such step")
    user = cast(User, request.user)
    ticket = page.load(user, number)
    policy = policy_for_version(ticket.policy_version)
    form = STEP_FORMS[step](request.POST, policy=policy, ticket=ticket)
    now = timezone.now()
    error = ""
    if form.is_valid():
        try:
            escalation_actions.do_escalation_step(
                ticket, step=step, fields=form.fields_for_step(), acting_user=user, now=now
            )
        except ActionError as exc:
            error = exc.message
    else:
        error = form_error(form)
    if not error:
        if not is_htmx(request):
            return see_other(f"{reverse(page.url_name, args=[number])}#escalation")
        context = page.context(request, page.load(user, number), now=now)
        return render_fragments(
            request,
            page.template,
            context,
            "escalation",
            oob=["header", "sla", "timeline", "actions"],
        )
    context = page.context(
        request, ticket, now=now, bound={BOUND + step: form}, errors={BOUND + step: error}
    )
    if is_htmx(request):
        return render_fragments(request, page.template, context, "escalation", status=422)
    return render_page(request, page.template, context, status=422)


# -- the managers' queue -------------------------------------------------------------


@require_GET
@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Escalations waiting for a manager, then those running (highest level
    and nearest update first), then those ended in the last 30 days. The
    vendor's staff see every one (vendor staff read every ticket); anyone
    else gets 404, as for a page that is not there."""
    user = cast(User, request.user)
    if not user.is_vendor_staff:
        raise NotFound("escalations are the vendor's")
    now = timezone.now()
    base = Escalation.objects.select_related("ticket", "ticket__company", "ticket__assignee")
    running = list(
        base.filter(status__in=(machine.Status.REQUESTED, machine.Status.ACTIVE))
        .annotate(
            waiting=Case(
                When(status=machine.Status.REQUESTED, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("waiting", "-level", "next_update_due", "requested_at")[:500]
    )
    ended = list(
        base.filter(
            status__in=(machine.Status.DECLINED, machine.Status.DEESCALATED),
            updated_at__gte=now - timedelta(days=30),
        ).order_by("-updated_at")[:50]
    )
    context = {
        "requested": [e for e in running if e.status == machine.Status.REQUESTED],
        "active": [e for e in running if e.status == machine.Status.ACTIVE],
        "ended": ended,
        "now": now,
        "reasons": {
            r.slug: r.title
            for version in {e.ticket.policy_version for e in running + ended}
            for r in policy_for_version(version).escalation.reasons
        },
    }
    return render(request, "tickets/escalations.html", context)
