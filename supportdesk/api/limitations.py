"""The limits of support over the API (§3): third-party software and the
customer's answer to the options for unsupported software (§3.3, §3.5),
"cannot reproduce" (§3.2), and the report of resolution causes (§3.1, §3.4).

Each change answers with the ticket; the rules answer 400 (bad input: an
unknown option, too many names), 409 (the ticket's state: nothing offered,
an option already chosen, a closed ticket) or 404 (not yours to change: the
same answer as a ticket you cannot see). The for-fee continuation is a quote
with the reason "third-party" (POST /tickets/{number}/quote); a resolution
cause goes with a status change (POST /tickets/{number}/status, `cause`).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router
from ninja.errors import HttpError
from pydantic import Field

from supportdesk.accounts.access import NotFound, access_ticket_by_number
from supportdesk.api.auth import acting_user
from supportdesk.api.reports import PeriodQuery
from supportdesk.api.schemas import Input, Instant, Output, Text, TicketOut, ticket_out
from supportdesk.api.tickets import ERRORS
from supportdesk.tickets import limitations
from supportdesk.tickets.models import Channel
from supportdesk.tickets.reports import BadPeriod, report_period, resolution_cause_report
from supportdesk.tickets.templatetags.desk import display_zone

router = Router(tags=["limits of support"])


class ThirdPartyIn(Input):
    products: list[Text] = Field(
        description="The ticket's third-party software, the whole list (§3.5): the policy's "
        "slugs or names of supported products, any other name as it is called. Software "
        "the options of §3.3 were never offered for is answered with them; an empty list "
        "(or one without unsupported software) puts a ticket whose work ceased back to work."
    )


class OptionIn(Input):
    option: Text = Field(
        description='The answer to the options of §3.3: "i" (the vendor removes the software '
        'after consulting you), "ii" (work ceases until you remove it) or "for-fee" (go on '
        "beside it under a separate for-fee agreement, answered with a quote)."
    )


class CannotReproduceIn(Input):
    note: Text = Field("", description="The engineer's words, before the policy's request.")


@router.post(
    "/tickets/{number}/third-party",
    response={200: TicketOut, **ERRORS},
    summary="Record the third-party software involved (working side, §3.5)",
)
def record_third_party(request: HttpRequest, number: str, payload: ThirdPartyIn) -> TicketOut:
    user = acting_user(request)
    ticket = access_ticket_by_number(user, number)
    ticket = limitations.do_record_third_party(
        ticket, products=payload.products, via=Channel.API, acting_user=user, now=timezone.now()
    )
    return ticket_out(ticket)


@router.post(
    "/tickets/{number}/third-party/option",
    response={200: TicketOut, **ERRORS},
    summary="Answer the options for unsupported software (customer side, §3.3)",
)
def choose_third_party_option(request: HttpRequest, number: str, payload: OptionIn) -> TicketOut:
    user = acting_user(request)
    ticket = access_ticket_by_number(user, number)
    ticket = limitations.do_choose_third_party_option(
        ticket, option=payload.option.strip(), acting_user=user, now=timezone.now()
    )
    return ticket_out(ticket)


@router.post(
    "/tickets/{number}/cannot-reproduce",
    response={200: TicketOut, **ERRORS},
    summary="Cannot reproduce: ask the customer for the steps (working side, §3.2)",
)
def cannot_reproduce(request: HttpRequest, number: str, payload: CannotReproduceIn) -> TicketOut:
    user = acting_user(request)
    ticket = access_ticket_by_number(user, number)
    limitations.do_cannot_reproduce(
        ticket, note=payload.note, via=Channel.API, acting_user=user, now=timezone.now()
    )
    return ticket_out(access_ticket_by_number(user, number))


# -- the report ----------------------------------------------------------------------------


class CauseCountOut(Output):
    cause: str = Field(description="The limitation's slug.")
    title: str
    section: str = Field(description="The policy section it comes from, e.g. §3.4(a).")
    count: int = Field(description="Tickets resolved or closed with it in the period.")


class CauseReportOut(Output):
    since: Instant
    until: Instant
    total: int
    causes: list[CauseCountOut]


@router.get(
    "/reports/resolution-causes",
    response={200: CauseReportOut, **ERRORS},
    summary="Tickets resolved or closed beyond the limits of support, per cause, with its "
    "section (§3.1, §3.4) (vendor staff)",
    tags=["reports"],
)
def get_resolution_cause_report(request: HttpRequest, period: Query[PeriodQuery]) -> CauseReportOut:
    user = acting_user(request)
    if not user.is_vendor_staff:
        raise NotFound("the resolution cause report is for the vendor's staff")
    try:
        asked = report_period(period.since, period.until, now=timezone.now(), zone=display_zone())
    except BadPeriod as exc:
        raise HttpError(400, str(exc)) from None
    report = resolution_cause_report(user, asked)
    return CauseReportOut(
        since=report.period.since,
        until=report.period.until,
        total=report.total,
        causes=[
            CauseCountOut(cause=c.cause, title=c.title, section=c.section, count=c.count)
            for c in report.causes
        ],
    )
