"""Reports over the tickets' history, for the vendor's staff."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router
from ninja.errors import HttpError
from pydantic import BaseModel, Field

from supportdesk.accounts.access import NotFound
from supportdesk.api.auth import acting_user
from supportdesk.api.schemas import BreachReportOut, Text, breach_report_out
from supportdesk.api.tickets import ERRORS
from supportdesk.tickets.reports import BadPeriod, breach_report, report_period
from supportdesk.tickets.templatetags.desk import display_zone

router = Router(tags=["reports"])


class PeriodQuery(BaseModel):
    since: Text | None = Field(
        None,
        description="From this date (its start, in the policy's business-hours zone) or "
        "instant with its offset; default: 30 days before `until`.",
    )
    until: Text | None = Field(
        None,
        description="Up to this date (its end) or instant, exclusive; default: now.",
    )


@router.get(
    "/reports/breaches",
    response={200: BreachReportOut, **ERRORS},
    summary="Missed first-response targets: the vendor's own, and those under a severity "
    "mis-assigned by the customer (§1.7.3) (vendor staff)",
)
def get_breach_report(request: HttpRequest, period: Query[PeriodQuery]) -> BreachReportOut:
    user = acting_user(request)
    if not user.is_vendor_staff:
        # Breaches are the vendor's internal record: to anyone else, no such thing.
        raise NotFound("the breach report is for the vendor's staff")
    try:
        asked = report_period(period.since, period.until, now=timezone.now(), zone=display_zone())
    except BadPeriod as exc:
        raise HttpError(400, str(exc)) from None
    return breach_report_out(breach_report(user, asked))
