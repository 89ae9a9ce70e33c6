"""Product feedback on screen (§2.4): the form customers and partner staff
give it through, with the policy's notice on how it may be used and what
their organization gave before; and the vendor staff's triage list and page.

Reads go through `accounts.access` (another organization's feedback is "not
found"), changes through the actions in feedback/actions.py.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from supportdesk.accounts.access import NotFound, access_feedback_by_id, visible_feedback
from supportdesk.accounts.models import User
from supportdesk.feedback import actions
from supportdesk.feedback.forms import FilterForm, SubmitForm, TriageForm
from supportdesk.feedback.models import Feedback
from supportdesk.lib.htmx import login_required, see_other
from supportdesk.policies.active import active_policy
from supportdesk.tickets.actions import ActionError
from supportdesk.tickets.forms import form_error

# The lists show this many, newest first.
PAGE = 200


def _only[View: Callable[..., HttpResponse]](
    allowed: Callable[[User], bool], why: str
) -> Callable[[View], View]:
    """Signed in (else to the login page), and `allowed` (else 404)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not allowed(cast(User, request.user)):
                raise NotFound(why)
            return view(request, *args, **kwargs)

        return cast(View, login_required(wrapper))

    return decorate


submitters_only = _only(actions.may_submit, "feedback is given by customers and partners")
triagers_only = _only(actions.may_triage, "feedback is triaged by the vendor's staff")


def _names() -> dict[str, str]:
    return {p.slug: p.name for p in active_policy().products}


@require_http_methods(["GET", "POST"])
@submitters_only
def submit(request: HttpRequest) -> HttpResponse:
    """The form, beside the policy's notice (§2.4), and what the user's
    organization gave before with its triage state."""
    user = cast(User, request.user)
    policy = active_policy()
    form = SubmitForm(request.POST or None, policy=policy)
    error = ""
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.do_submit_feedback(
                    product=form.cleaned_data["product"],
                    text=form.cleaned_data["text"],
                    acting_user=user,
                    now=timezone.now(),
                )
            except ActionError as exc:
                error = exc.message
            else:
                messages.success(request, "Thank you: your feedback is with us.")
                return see_other(reverse("feedback:submit"))
        else:
            error = form_error(form)
    given = list(visible_feedback(user).select_related("author")[:PAGE])
    context = {
        "form": form,
        "error": error,
        "rule": policy.feedback,
        "given": given,
        "names": _names(),
    }
    return render(request, "feedback/submit.html", context, status=422 if error else 200)


@require_GET
@triagers_only
def triage_list(request: HttpRequest) -> HttpResponse:
    """All feedback, newest first, filtered by state and product."""
    user = cast(User, request.user)
    form = FilterForm(request.GET or None, policy=active_policy())
    rows = visible_feedback(user).select_related("author", "organization")
    if form.is_valid():
        if form.cleaned_data["state"]:
            rows = rows.filter(state=form.cleaned_data["state"])
        if form.cleaned_data["product"]:
            rows = rows.filter(product=form.cleaned_data["product"])
    # One query for the counts by state, whatever the filters.
    by_state = dict(visible_feedback(user).order_by().values_list("state").annotate(n=Count("id")))
    context = {
        "form": form,
        "rows": list(rows[:PAGE]),
        "names": _names(),
        "counts": [(state, by_state.get(state.value, 0)) for state in Feedback.State],
    }
    return render(request, "feedback/triage_list.html", context)


@require_http_methods(["GET", "POST"])
@triagers_only
def triage_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    feedback = access_feedback_by_id(user, pk)
    initial = {"state": feedback.state, "note": feedback.staff_note}
    form = TriageForm(request.POST or None, initial=initial)
    error = ""
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.do_triage_feedback(
                    feedback,
                    state=form.cleaned_data["state"],
                    note=form.cleaned_data["note"],
                    acting_user=user,
                    now=timezone.now(),
                )
            except ActionError as exc:
                error = exc.message
            else:
                messages.success(request, f"Feedback {feedback.pk} triaged.")
                return see_other(reverse("feedback:detail", args=[feedback.pk]))
        else:
            error = form_error(form)
    context = {"feedback": feedback, "form": form, "error": error, "names": _names()}
    return render(request, "feedback/triage_detail.html", context, status=422 if error else 200)
