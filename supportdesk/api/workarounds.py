"""Severity 1 continuous effort (§1.6) over the API: record a workaround.

The ticket answers as every ticket does, with `continuous_effort_owed` and
`workaround_at`; a workaround the rules refuse answers 400 (no note), 409
(the ticket is no longer open) or 404 (not yours to record: the same answer
as a ticket you cannot see).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from supportdesk.accounts.access import access_ticket_by_number
from supportdesk.api.auth import acting_user
from supportdesk.api.schemas import TicketOut, WorkaroundCreate, ticket_out
from supportdesk.api.tickets import ERRORS
from supportdesk.tickets import actions

router = Router(tags=["continuous effort"])


@router.post(
    "/tickets/{number}/workaround",
    response={200: TicketOut, **ERRORS},
    summary="Record a workaround (working side); it ends a Severity 1's continuous effort (§1.6)",
)
def record_workaround(request: HttpRequest, number: str, payload: WorkaroundCreate) -> TicketOut:
    user = acting_user(request)
    ticket = access_ticket_by_number(user, number)
    ticket = actions.do_record_workaround(
        ticket, note=payload.note, acting_user=user, now=timezone.now()
    )
    return ticket_out(ticket)
