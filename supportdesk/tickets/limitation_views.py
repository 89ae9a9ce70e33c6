"""The ticket pages' forms for the limits of support (§3), in the workspace
and the portal: each posts to one action through `views.act`, so a form
means the same wherever it is posted, and answers as every other form
(htmx: the changed fragments; otherwise a redirect, or the page with the
error beside the form)."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from supportdesk.accounts.models import User
from supportdesk.portal.views import PORTAL, customers_only
from supportdesk.tickets import limitations
from supportdesk.tickets.limitation_forms import (
    CannotReproduceForm,
    ThirdPartyForm,
    ThirdPartyOptionForm,
)
from supportdesk.tickets.models import Channel, Ticket
from supportdesk.tickets.views import WORKSPACE, TicketPage, act, staff_only


def perform_record(ticket: Ticket, form: ThirdPartyForm, user: User, now: datetime) -> object:
    return limitations.do_record_third_party(
        ticket, products=form.names(), via=Channel.PORTAL, acting_user=user, now=now
    )


def perform_choose(ticket: Ticket, form: ThirdPartyOptionForm, user: User, now: datetime) -> object:
    return limitations.do_choose_third_party_option(
        ticket, option=form.cleaned_data["option"].strip(), acting_user=user, now=now
    )


def perform_cannot_reproduce(
    ticket: Ticket, form: CannotReproduceForm, user: User, now: datetime
) -> object:
    return limitations.do_cannot_reproduce(
        ticket, note=form.cleaned_data["note"], via=Channel.PORTAL, acting_user=user, now=now
    )


def _choose(request: HttpRequest, number: str, page: TicketPage) -> HttpResponse:
    return act(
        request,
        number,
        "third_party_option",
        lambda t, u: ThirdPartyOptionForm(request.POST, ticket=t, user=u),
        perform_choose,
        page,
    )


# -- the workspace ----------------------------------------------------------------------


@require_POST
@staff_only
def record_third_party(request: HttpRequest, number: str) -> HttpResponse:
    return act(
        request,
        number,
        "third_party",
        lambda t, u: ThirdPartyForm(request.POST, ticket=t, user=u),
        perform_record,
        WORKSPACE,
    )


@require_POST
@staff_only
def choose_option(request: HttpRequest, number: str) -> HttpResponse:
    """Partner staff answering the options on a ticket they forwarded (they
    are its customer side now)."""
    return _choose(request, number, WORKSPACE)


@require_POST
@staff_only
def cannot_reproduce(request: HttpRequest, number: str) -> HttpResponse:
    return act(
        request,
        number,
        "cannot_reproduce",
        lambda t, u: CannotReproduceForm(request.POST, ticket=t, user=u),
        perform_cannot_reproduce,
        WORKSPACE,
    )


# -- the portal --------------------------------------------------------------------------


@require_POST
@customers_only
def portal_choose_option(request: HttpRequest, number: str) -> HttpResponse:
    return _choose(request, number, PORTAL)
