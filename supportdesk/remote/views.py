"""Remote access on screen (§2.3): the forms of the panel on a ticket page
(remote/panels.py), in the workspace and in the portal.

The working side asks and may withdraw or revoke; the customer side grants
(beside the policy's wording), declines or revokes. Every form goes through
the actions in remote/actions.py, as the API and mail do; each answers htmx
with the panel and the history out of band, and anything else with a
redirect; a refusal shows the panel again with the reason (422).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from supportdesk.accounts.access import access_remote_access_by_id
from supportdesk.lib.htmx import is_htmx, render_fragments, render_page, see_other
from supportdesk.policy import remote_access as core
from supportdesk.portal.views import PORTAL, customers_only
from supportdesk.remote import actions
from supportdesk.remote.forms import AnswerForm, RequestForm
from supportdesk.remote.panels import KEY
from supportdesk.tickets.actions import ActionError
from supportdesk.tickets.forms import TicketForm, form_error
from supportdesk.tickets.models import Channel, Ticket
from supportdesk.tickets.views import WORKSPACE, TicketPage, person, staff_only


def _answer(
    request: HttpRequest,
    page: TicketPage,
    ticket: Ticket,
    run: Callable[[datetime], object],
    form: TicketForm | AnswerForm,
) -> HttpResponse:
    """Run one action and answer: see the module's docstring."""
    user = person(request)
    now = timezone.now()
    error = ""
    if form.is_valid():
        try:
            run(now)
        except ActionError as exc:
            error = exc.message
    else:
        error = form_error(form)
    number = ticket.number
    if not error:
        if not is_htmx(request):
            return see_other(f"{reverse(page.url_name, args=[number])}#remote-access")
        context = page.context(request, page.load(user, number), now=now)
        return render_fragments(request, page.template, context, "remote_access", oob=["timeline"])
    bound = {KEY: form} if isinstance(form, RequestForm) else None
    context = page.context(request, ticket, now=now, bound=bound, errors={KEY: error})
    if is_htmx(request):
        return render_fragments(request, page.template, context, "remote_access", status=422)
    return render_page(request, page.template, context, status=422)


def _request(request: HttpRequest, number: str, page: TicketPage) -> HttpResponse:
    user = person(request)
    ticket = page.load(user, number)
    form = RequestForm(request.POST, ticket=ticket, user=user)

    def run(now: datetime) -> object:
        data = form.cleaned_data
        return actions.do_request_remote_access(
            ticket,
            purpose=data["purpose"],
            tool=data["tool"],
            minutes=data["minutes"],
            acting_user=user,
            now=now,
        )

    return _answer(request, page, ticket, run, form)


def _step(
    request: HttpRequest, number: str, pk: int, step: core.Step, page: TicketPage
) -> HttpResponse:
    user = person(request)
    access = access_remote_access_by_id(user, number, pk)
    ticket = page.load(user, number)
    form = AnswerForm(request.POST)
    via = Channel.PORTAL

    def run(now: datetime) -> object:
        note = form.cleaned_data["note"]
        match step:
            case core.Step.GRANT:
                return actions.do_grant_remote_access(access, acting_user=user, now=now, via=via)
            case core.Step.DECLINE:
                return actions.do_decline_remote_access(
                    access, note=note, acting_user=user, now=now, via=via
                )
            case core.Step.REVOKE:
                return actions.do_revoke_remote_access(
                    access, note=note, acting_user=user, now=now, via=via
                )

    return _answer(request, page, ticket, run, form)


# The workspace: the working side asks, withdraws and revokes; a partner's
# staff, the customer side of a ticket they forwarded, answer here too.


@require_POST
@staff_only
def request_access(request: HttpRequest, number: str) -> HttpResponse:
    return _request(request, number, WORKSPACE)


@require_POST
@staff_only
def grant(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    return _step(request, number, pk, core.Step.GRANT, WORKSPACE)


@require_POST
@staff_only
def decline(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    return _step(request, number, pk, core.Step.DECLINE, WORKSPACE)


@require_POST
@staff_only
def revoke(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    return _step(request, number, pk, core.Step.REVOKE, WORKSPACE)


# The portal: customers answer and revoke.


@require_POST
@customers_only
def portal_grant(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    return _step(request, number, pk, core.Step.GRANT, PORTAL)


@require_POST
@customers_only
def portal_decline(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    return _step(request, number, pk, core.Step.DECLINE, PORTAL)


@require_POST
@customers_only
def portal_revoke(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    return _step(request, number, pk, core.Step.REVOKE, PORTAL)
