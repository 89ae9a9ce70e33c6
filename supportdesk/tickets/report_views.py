"""The workspace's reports, for the vendor's staff (anyone else: 404)."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from supportdesk.accounts.access import NotFound
from supportdesk.accounts.models import User
from supportdesk.lib.htmx import login_required
from supportdesk.tickets.reports import BadPeriod, breach_report, report_period
from supportdesk.tickets.templatetags.desk import display_zone


@require_GET
@login_required
def breaches(request: HttpRequest) -> HttpResponse:
    """Missed first-response targets in a period: the vendor's own, and
    those under a severity the customer mis-assigned (§1.7.3)."""
    user = cast(User, request.user)
    if not user.is_vendor_staff:
        # Breaches are the vendor's internal record (its own history events).
        raise NotFound("the breach report is for the vendor's staff")
    zone = display_zone()
    since, until = request.GET.get("since") or None, request.GET.get("until") or None
    context: dict[str, object] = {"since": since or "", "until": until or "", "zone": zone.key}
    try:
        period = report_period(since, until, now=timezone.now(), zone=zone)
    except BadPeriod as exc:
        return render(
            request, "tickets/breach_report.html", {**context, "error": str(exc)}, status=400
        )
    context["report"] = breach_report(user, period)
    return render(request, "tickets/breach_report.html", context)
