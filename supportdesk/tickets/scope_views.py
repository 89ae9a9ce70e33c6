"""The workspace's forms of the support matrix (§4): the product and
category, the override of "out of scope", and quotes (offered, withdrawn,
and decided by partner staff for the tickets they forwarded). Each posts to
one action through `views.act_in_workspace`, and answers as every other form."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from supportdesk.accounts.models import User
from supportdesk.tickets import actions, quotes
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.scope_forms import (
    CategoryForm,
    OverrideForm,
    QuoteDecisionForm,
    QuoteForm,
    QuoteWithdrawForm,
)
from supportdesk.tickets.views import act_in_workspace, staff_only


def perform_decide_quote(
    ticket: Ticket, form: QuoteDecisionForm, user: User, now: datetime
) -> object:
    return quotes.do_decide_quote(
        ticket, accept=form.cleaned_data["decision"] == "accept", acting_user=user, now=now
    )


@require_POST
@staff_only
def set_category(request: HttpRequest, number: str) -> HttpResponse:
    def perform(ticket: Ticket, form: CategoryForm, user: User, now: datetime) -> object:
        product, category = form.chosen()
        return actions.do_set_category(
            ticket, product=product, category=category, acting_user=user, now=now
        )

    return act_in_workspace(
        request,
        number,
        "category",
        lambda t, u: CategoryForm(request.POST, ticket=t, user=u),
        perform,
    )


@require_POST
@staff_only
def override_scope(request: HttpRequest, number: str) -> HttpResponse:
    def perform(ticket: Ticket, form: OverrideForm, user: User, now: datetime) -> object:
        return actions.do_override_scope(
            ticket, reason=form.cleaned_data["reason"], acting_user=user, now=now
        )

    return act_in_workspace(
        request,
        number,
        "override",
        lambda t, u: OverrideForm(request.POST, ticket=t, user=u),
        perform,
    )


@require_POST
@staff_only
def offer_quote(request: HttpRequest, number: str) -> HttpResponse:
    def perform(ticket: Ticket, form: QuoteForm, user: User, now: datetime) -> object:
        data = form.cleaned_data
        return quotes.do_offer_quote(
            ticket,
            amount=data["amount"],
            currency=data["currency"],
            description=data["description"],
            reason=data["reason"],
            acting_user=user,
            now=now,
        )

    return act_in_workspace(
        request, number, "quote", lambda t, u: QuoteForm(request.POST, ticket=t, user=u), perform
    )


@require_POST
@staff_only
def withdraw_quote(request: HttpRequest, number: str) -> HttpResponse:
    def perform(ticket: Ticket, form: QuoteWithdrawForm, user: User, now: datetime) -> object:
        return quotes.do_withdraw_quote(
            ticket, reason=form.cleaned_data["reason"], acting_user=user, now=now
        )

    return act_in_workspace(
        request,
        number,
        "quote_withdraw",
        lambda t, u: QuoteWithdrawForm(request.POST, ticket=t, user=u),
        perform,
    )


@require_POST
@staff_only
def decide_quote(request: HttpRequest, number: str) -> HttpResponse:
    """Partner staff accepting or declining a quote on a ticket they
    forwarded (they are its customer side now)."""
    return act_in_workspace(
        request,
        number,
        "quote_decide",
        lambda t, u: QuoteDecisionForm(request.POST, ticket=t, user=u),
        perform_decide_quote,
    )
