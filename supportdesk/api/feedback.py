"""Product feedback (§2.4) over the API: customers and partner staff give
it; the vendor's staff read all of it and triage it; everyone else reads
their own organization's, and another organization's answers 404.

Only the vendor's staff see the staff note; the others see the state.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router
from ninja import Status as WithStatus
from ninja.errors import HttpError
from pydantic import BaseModel

from supportdesk.accounts.access import access_feedback_by_id, visible_feedback
from supportdesk.accounts.models import User
from supportdesk.api.auth import acting_user
from supportdesk.api.pagination import decode_cursor, encode_cursor
from supportdesk.api.schemas import Input, Instant, Output, Text
from supportdesk.api.tickets import ERRORS
from supportdesk.feedback import actions
from supportdesk.feedback.models import Feedback
from supportdesk.policies.active import active_policy

router = Router(tags=["feedback"])


class FeedbackCreate(Input):
    product: Text = Field(description="A product slug of the policy (GET /products).")
    text: Text = Field(description="The suggestion or comment.")


class FeedbackTriage(Input):
    state: Text = Field(description="new, planned, declined, duplicate or done.")
    note: Text = Field("", description="Required to decline or to mark a duplicate.")


class FeedbackFilters(BaseModel):
    state: str | None = Field(None, max_length=20)
    product: str | None = Field(None, max_length=80)
    cursor: str | None = Field(None, max_length=1000)
    limit: int = Field(50, ge=1, le=100)


class FeedbackOut(Output):
    id: int
    product: str
    text: str
    author: str | None
    organization: str
    submitted_at: Instant
    state: str
    staff_note: str | None = Field(description="The vendor's staff only; null for others.")
    triaged_at: Instant | None
    policy_version: str


class FeedbackPage(Output):
    items: list[FeedbackOut]
    next_cursor: str | None
    notice: str = Field(description="How the vendor may use feedback (§2.4).")
    section: str


@router.post(
    "/feedback",
    response={201: FeedbackOut, **ERRORS},
    summary="Give product feedback (customers and partner staff), under the notice of §2.4",
)
def submit_feedback(request: HttpRequest, payload: FeedbackCreate) -> WithStatus[FeedbackOut]:
    user = acting_user(request)
    row = actions.do_submit_feedback(
        product=payload.product, text=payload.text, acting_user=user, now=timezone.now()
    )
    return WithStatus(201, _out(row, user))


@router.get(
    "/feedback",
    response={200: FeedbackPage, **ERRORS},
    summary="Feedback you may see, newest first: all for the vendor's staff, else your own",
)
def list_feedback(request: HttpRequest, filters: Query[FeedbackFilters]) -> FeedbackPage:
    user = acting_user(request)
    rows = visible_feedback(user).select_related("author", "organization").order_by("-id")
    if filters.state:
        if filters.state not in Feedback.State.values:
            raise HttpError(400, f"state: must be one of {', '.join(Feedback.State.values)}")
        rows = rows.filter(state=filters.state)
    if filters.product:
        rows = rows.filter(product=filters.product)
    if filters.cursor:
        key = decode_cursor("feedback", filters.cursor)
        if len(key) != 1 or not isinstance(key[0], int):
            raise HttpError(400, "cursor: not a cursor this API gave out")
        rows = rows.filter(id__lt=key[0])
    page = list(rows[: filters.limit + 1])
    next_cursor = None
    if len(page) > filters.limit:
        page = page[: filters.limit]
        next_cursor = encode_cursor("feedback", [page[-1].pk])
    rule = active_policy().feedback
    return FeedbackPage(
        items=[_out(row, user) for row in page],
        next_cursor=next_cursor,
        notice=rule.notice,
        section=rule.source,
    )


@router.get(
    "/feedback/{feedback_id}",
    response={200: FeedbackOut, **ERRORS},
    summary="One piece of feedback",
)
def get_feedback(request: HttpRequest, feedback_id: int) -> FeedbackOut:
    user = acting_user(request)
    return _out(_access(user, feedback_id), user)


@router.post(
    "/feedback/{feedback_id}/triage",
    response={200: FeedbackOut, **ERRORS},
    summary="Triage feedback: its state and a staff note (the vendor's staff)",
)
def triage_feedback(request: HttpRequest, feedback_id: int, payload: FeedbackTriage) -> FeedbackOut:
    user = acting_user(request)
    row = actions.do_triage_feedback(
        _access(user, feedback_id),
        state=payload.state,
        note=payload.note,
        acting_user=user,
        now=timezone.now(),
    )
    return _out(row, user)


def _access(user: User, pk: int) -> Feedback:
    return access_feedback_by_id(user, pk)


def _out(row: Feedback, user: User) -> FeedbackOut:
    return FeedbackOut(
        id=row.pk,
        product=row.product,
        text=row.text,
        author=row.author.display_name if row.author is not None else None,
        organization=row.organization.name,
        submitted_at=row.submitted_at,
        state=row.state,
        staff_note=row.staff_note if user.is_vendor_staff else None,
        triaged_at=row.triaged_at,
        policy_version=row.policy_version,
    )
