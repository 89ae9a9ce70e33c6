"""The statement of support, and the policy versions: the list the vendor's
staff read, and an admin's upload, review of the changes, and confirmation,
and the withdrawal of a version scheduled by mistake.

Pages other than the statement are for the vendor's staff (the upload for
its admins); anyone else gets 404, as for a page that does not exist.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from supportdesk.accounts.access import NotFound, may_read_policy_versions, may_schedule_policy
from supportdesk.accounts.models import User
from supportdesk.lib.htmx import login_required, see_other
from supportdesk.policies.actions import (
    PolicyRefused,
    Review,
    do_schedule_policy_version,
    do_withdraw_policy_version,
    review_policy,
)
from supportdesk.policies.active import active_policy, known_policy
from supportdesk.policies.forms import ConfirmForm, UploadForm
from supportdesk.policies.queries import policy_versions, version_row
from supportdesk.policy.render import render_html
from supportdesk.policy.schedule import business_zone


@require_GET
def statement(request: HttpRequest) -> HttpResponse:
    """The statement of support, rendered from the policy in force; the
    vendor's staff may read any other version the desk knows (`?version=`)."""
    policy = active_policy()
    asked = request.GET.get("version", "")
    row = None
    if asked and asked != policy.version:
        shown = known_policy(asked) if may_read_policy_versions(request.user) else None
        if shown is None:
            raise NotFound("no such policy version")
        row = version_row(asked, now=timezone.now())
        policy = shown
    # render_html escapes the policy's text and sanitises the result with nh3.
    body = mark_safe(render_html(policy))
    context = {
        "policy": policy,
        "body": body,
        "row": row,
        "next_change_at": active_policy.next_change_at() if row is None else None,
        "active_version": active_policy().version,
    }
    return render(request, "policies/statement.html", context)


def _admin(request: HttpRequest) -> User:
    user = cast(User, request.user)
    if not may_schedule_policy(user):
        raise NotFound("policy uploads are for the vendor's admins")
    return user


@require_GET
@login_required
def versions(request: HttpRequest) -> HttpResponse:
    """Every policy version: scheduled, active and superseded, with the open
    tickets each governs."""
    user = cast(User, request.user)
    if not may_read_policy_versions(user):
        raise NotFound("policy versions are for the vendor's staff")
    context = {
        "rows": policy_versions(now=timezone.now()),
        "may_upload": may_schedule_policy(user),
    }
    return render(request, "policies/versions.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def upload(request: HttpRequest) -> HttpResponse:
    """Step one: the file. A valid one answers its review (nothing stored)."""
    _admin(request)
    if request.method == "GET":
        return _upload_page(request, UploadForm())
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_page(request, form, status=422)
    try:
        review = review_policy(form.cleaned_data["policy_text"], now=timezone.now())
    except PolicyRefused as exc:
        return _upload_page(request, form, exc.message, status=422)
    return _review_page(request, review)


@require_POST
@login_required
def confirm(request: HttpRequest) -> HttpResponse:
    """Step two: the reviewed file and its effective date; stores the version."""
    user = _admin(request)
    form = ConfirmForm(request.POST)
    form.is_valid()
    text = form.cleaned_data.get("text")
    if text is None or "against" in form.errors:
        error = "the reviewed file did not come back: upload it again"
        return _upload_page(request, UploadForm(), error, status=422)
    effective = form.cleaned_data.get("effective")
    if effective is None:
        return _again(request, text, "effective: give the date it takes effect, like 2027-01-01")
    try:
        stored = do_schedule_policy_version(
            text,
            effective=effective,
            reviewed_against=form.cleaned_data["against"],
            acting_user=user,
            now=timezone.now(),
        )
    except PolicyRefused as exc:
        return _again(request, text, exc.message, effective)
    messages.success(
        request, f"Policy version {stored.version} takes effect on {stored.effective:%Y-%m-%d}."
    )
    return see_other(reverse("policies:versions"))


@require_POST
@login_required
def withdraw(request: HttpRequest) -> HttpResponse:
    """Take back a scheduled version, with a reason: the versions page again,
    saying what was done or why not."""
    user = _admin(request)
    version = request.POST.get("version", "")
    try:
        row = do_withdraw_policy_version(
            version, reason=request.POST.get("reason", ""), acting_user=user, now=timezone.now()
        )
    except PolicyRefused as exc:
        context = {
            "rows": policy_versions(now=timezone.now()),
            "may_upload": True,
            "withdraw_error": exc.message,
            "withdraw_version": version,
        }
        return render(request, "policies/versions.html", context, status=422)
    messages.success(
        request, f"Policy version {row.version} is withdrawn: it will not take effect."
    )
    return see_other(reverse("policies:versions"))


def _again(
    request: HttpRequest, text: str, error: str, effective: date | None = None
) -> HttpResponse:
    """The review again, with what went wrong; or the upload form, if the
    file itself no longer passes (its version was taken meanwhile)."""
    try:
        review = review_policy(text, now=timezone.now())
    except PolicyRefused as exc:
        return _upload_page(request, UploadForm(), exc.message, status=422)
    return _review_page(request, review, error, effective, status=422)


def _upload_page(
    request: HttpRequest, form: UploadForm, error: str = "", *, status: int = 200
) -> HttpResponse:
    return render(request, "policies/upload.html", {"form": form, "error": error}, status=status)


def _review_page(
    request: HttpRequest,
    review: Review,
    error: str = "",
    effective: date | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    form = ConfirmForm(
        initial={
            "text": ConfirmForm.encode(review.text),
            "against": review.active.version,
            "effective": effective or review.effective,
        }
    )
    context: dict[str, Any] = {
        "review": review,
        "form": form,
        "error": error,
        "zone": business_zone(review.policy).key,
    }
    return render(request, "policies/review.html", context, status=status)
