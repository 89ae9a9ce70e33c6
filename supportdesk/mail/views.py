"""The mail screens of the workspace: mail waiting for staff, all inbound
mail, the outbox, and each mail whole (its original downloadable)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from supportdesk.accounts.access import (
    NotFound,
    access_inbound_mail_by_id,
    access_outbound_mail_by_id,
    access_ticket_by_number,
    may_review_mail,
    visible_inbound_mail,
    visible_outbound_mail,
)
from supportdesk.lib.htmx import see_other
from supportdesk.mail import review
from supportdesk.mail.ingest import limits
from supportdesk.mail.models import InboundMail, Outcome, Review
from supportdesk.mail.parse import parse_mail
from supportdesk.tickets.actions import ActionError
from supportdesk.tickets.views import person, staff_only

PAGE = 100
VIEWS = {
    "waiting": "Waiting for staff",
    "all": "All inbound mail",
}


@require_GET
@staff_only
def inbox(request: HttpRequest) -> HttpResponse:
    user = person(request)
    view = request.GET.get("view", "waiting")
    if view not in VIEWS:
        view = "waiting"
    mail: QuerySet[InboundMail] = visible_inbound_mail(user).select_related("ticket")
    waiting = mail.filter(review=Review.WAITING)
    outcome = request.GET.get("outcome", "")
    shown = waiting if view == "waiting" else mail
    if outcome in Outcome.values:
        shown = shown.filter(outcome=outcome)
    return render(
        request,
        "mail/inbox.html",
        {
            "view": view,
            "views": VIEWS,
            "outcome": outcome,
            "outcomes": Outcome.choices,
            "mail": list(shown.defer("raw")[:PAGE]),
            "waiting_count": waiting.count(),
        },
    )


@require_GET
@staff_only
def inbound(request: HttpRequest, pk: int) -> HttpResponse:
    mail = access_inbound_mail_by_id(person(request), pk)
    return _inbound_page(request, mail)


def _inbound_page(request: HttpRequest, mail: InboundMail, error: str = "") -> HttpResponse:
    parsed = parse_mail(bytes(mail.raw), limits()) if mail.raw else None
    return render(
        request,
        "mail/inbound.html",
        {
            "mail": mail,
            "parsed": parsed,
            "may_review": may_review_mail(person(request)) and mail.review == Review.WAITING,
            "error": error,
        },
        status=422 if error else 200,
    )


@require_GET
@staff_only
def raw(request: HttpRequest, pk: int) -> HttpResponse:
    """The mail exactly as it arrived, as a download (never shown inline)."""
    mail = access_inbound_mail_by_id(person(request), pk)
    response = HttpResponse(bytes(mail.raw), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="mail-{mail.pk}.eml"'
    return response


@require_POST
@staff_only
def reprocess(request: HttpRequest, pk: int) -> HttpResponse:
    user = person(request)
    mail = access_inbound_mail_by_id(user, pk)
    try:
        review.do_reprocess(mail, acting_user=user, now=timezone.now())
    except ActionError as exc:
        return _inbound_page(request, mail, exc.message)
    return _done(mail)


@require_POST
@staff_only
def attach(request: HttpRequest, pk: int) -> HttpResponse:
    user = person(request)
    mail = access_inbound_mail_by_id(user, pk)
    number = request.POST.get("ticket", "").strip().upper()
    try:
        ticket = access_ticket_by_number(user, number)
    except NotFound:
        return _inbound_page(request, mail, f"no ticket {number or '(none given)'}")
    try:
        review.do_attach(
            mail,
            ticket,
            public=request.POST.get("visibility") == "public",
            acting_user=user,
            now=timezone.now(),
        )
    except ActionError as exc:
        return _inbound_page(request, mail, exc.message)
    return _done(mail)


@require_POST
@staff_only
def discard(request: HttpRequest, pk: int) -> HttpResponse:
    user = person(request)
    mail = access_inbound_mail_by_id(user, pk)
    try:
        review.do_discard(
            mail, reason=request.POST.get("reason", ""), acting_user=user, now=timezone.now()
        )
    except ActionError as exc:
        return _inbound_page(request, mail, exc.message)
    return _done(mail)


def _done(mail: InboundMail) -> HttpResponse:
    return see_other(reverse("mail:inbound", kwargs={"pk": mail.pk}))


@require_GET
@staff_only
def outbox(request: HttpRequest) -> HttpResponse:
    user = person(request)
    mail = visible_outbound_mail(user).select_related("ticket")[:PAGE]
    waiting = visible_inbound_mail(user).filter(review=Review.WAITING).count()
    return render(request, "mail/outbox.html", {"mail": list(mail), "waiting_count": waiting})


@require_GET
@staff_only
def outbound(request: HttpRequest, pk: int) -> HttpResponse:
    mail = access_outbound_mail_by_id(person(request), pk)
    return render(request, "mail/outbound.html", {"mail": mail})
