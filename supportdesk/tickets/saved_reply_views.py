"""Saved replies in the workspace: the list of a user's own and their
organization's shared ones, adding, changing and deleting them
(tickets/saved_replies.py keeps the rules)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from supportdesk.accounts.access import access_saved_reply_by_id, visible_saved_replies
from supportdesk.accounts.models import User
from supportdesk.tickets.actions import ActionError
from supportdesk.tickets.forms import SavedReplyForm, form_error
from supportdesk.tickets.models import SavedReply
from supportdesk.tickets.saved_replies import (
    SHARED_REPLY_ROLES,
    do_delete_saved_reply,
    do_save_saved_reply,
    may_edit_saved_reply,
)
from supportdesk.tickets.views import person, staff_only


def _save(
    request: HttpRequest, form: SavedReplyForm, reply: SavedReply | None, user: User
) -> str | None:
    """A posted form saved as `reply` (None: a new one): None once saved,
    else what went wrong ("" for a page only read)."""
    if request.method != "POST":
        return ""
    if not form.is_valid():
        return form_error(form)
    try:
        do_save_saved_reply(
            reply,
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
            shared=form.cleaned_data["shared"],
            acting_user=user,
        )
    except ActionError as exc:
        return exc.message
    return None


@require_http_methods(["GET", "POST"])
@staff_only
def saved_replies(request: HttpRequest) -> HttpResponse:
    """The user's saved replies (their organization's and their own), and a
    form to add one."""
    user = person(request)
    form = SavedReplyForm(request.POST or None)
    error = _save(request, form, None, user)
    if error is None:
        return redirect("tickets:saved_replies")
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
    error = _save(request, form, reply, user)
    if error is None:
        return redirect("tickets:saved_replies")
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
