"""Saved replies in the workspace: the list of a user's own and their
organization's shared ones, adding, changing and deleting them
(tickets/saved_replies.py keeps the rules)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from supportdesk.accounts.access import access_saved_reply_by_id, visible_saved_replies
from supportdesk.tickets.actions import ActionError
from supportdesk.tickets.forms import SavedReplyForm, form_error
from supportdesk.tickets.saved_replies import (
    SHARED_REPLY_ROLES,
    do_delete_saved_reply,
    do_save_saved_reply,
    may_edit_saved_reply,
)
from supportdesk.tickets.views import person, staff_only


@require_http_methods(["GET", "POST"])
@staff_only
def saved_replies(request: HttpRequest) -> HttpResponse:
    """The user's saved replies (their organization's and their own), and a
    form to add one."""
    user = person(request)
    form = SavedReplyForm(request.POST or None)
    error = ""
    if request.method == "POST":
        if form.is_valid():
            try:
                do_save_saved_reply(
                    None,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    shared=form.cleaned_data["shared"],
                    acting_user=user,
                )
            except ActionError as exc:
                error = exc.message
            else:
                return redirect("tickets:saved_replies")
        else:
            error = form_error(form)
    replies = list(visible_saved_replies(user).select_related("owner"))
    return render(
        request,
        "tickets/saved_replies.html",
        {
            "replies": replies,
            "form": form,
            "error": error,
            "may_share": user.role in SHARED_REPLY_ROLES,
            "editable": {r.pk for r in replies if may_edit_saved_reply(user, r, shared=False)},
        },
        status=422 if error else 200,
    )


@require_http_methods(["GET", "POST"])
@staff_only
def saved_reply_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = person(request)
    reply = access_saved_reply_by_id(user, pk)
    initial = {"title": reply.title, "body": reply.body, "shared": reply.owner_id is None}
    form = SavedReplyForm(request.POST or None, initial=initial)
    error = ""
    if request.method == "POST":
        if form.is_valid():
            try:
                do_save_saved_reply(
                    reply,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    shared=form.cleaned_data["shared"],
                    acting_user=user,
                )
            except ActionError as exc:
                error = exc.message
            else:
                return redirect("tickets:saved_replies")
        else:
            error = form_error(form)
    return render(
        request,
        "tickets/saved_reply_edit.html",
        {
            "reply": reply,
            "form": form,
            "error": error,
            "may_share": user.role in SHARED_REPLY_ROLES,
        },
        status=422 if error else 200,
    )


@require_POST
@staff_only
def saved_reply_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = person(request)
    reply = access_saved_reply_by_id(user, pk)
    try:
        do_delete_saved_reply(reply, acting_user=user)
    except ActionError as exc:
        return render(
            request,
            "tickets/saved_reply_edit.html",
            {
                "reply": reply,
                "form": SavedReplyForm(
                    initial={"title": reply.title, "body": reply.body, "shared": not reply.owner_id}
                ),
                "error": exc.message,
                "may_share": user.role in SHARED_REPLY_ROLES,
            },
            status=422,
        )
    return redirect("tickets:saved_replies")
