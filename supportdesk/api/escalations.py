"""A ticket's escalation (§1.8): request it, read it, and take its steps.

Each step answers the escalation as it now stands; a step the escalation
does not take answers 409 (not in this state), 404 (not yours to take: the
same answer as a ticket you cannot see) or 400 (bad input), with the reason.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from supportdesk.accounts.access import access_ticket_by_number
from supportdesk.accounts.models import User
from supportdesk.api.auth import acting_user
from supportdesk.api.schemas import (
    ChecklistItemOut,
    ConfirmIn,
    DeescalateIn,
    EngageVendorIn,
    EscalationOut,
    EscalationRequestIn,
    EscalationStepOut,
    EvaluateIn,
    Input,
    InsufficientProgressIn,
    MissedUpdateOut,
    PlanIn,
    PlanOut,
    UpdateIn,
    VendorCaseOut,
)
from supportdesk.api.tickets import ERRORS
from supportdesk.policies.active import policy_for_version
from supportdesk.policy import escalation as machine
from supportdesk.tickets import escalation_actions, escalations, rows
from supportdesk.tickets.models import Ticket

router = Router(tags=["escalations"])


@router.get(
    "/tickets/{number}/escalation",
    response={200: EscalationOut, **ERRORS},
    summary="The ticket's escalation: its state, level, plan, checklist and history",
)
def get_escalation(request: HttpRequest, number: str) -> EscalationOut:
    user = acting_user(request)
    ticket = access_ticket_by_number(user, number)
    return _out(ticket, user, timezone.now())


@router.post(
    "/tickets/{number}/escalation",
    response={200: EscalationOut, **ERRORS},
    summary="Ask for an escalation, with a reason and a statement (customer side, §1.8)",
)
def request_escalation(
    request: HttpRequest, number: str, payload: EscalationRequestIn
) -> EscalationOut:
    return _take(request, number, "request", payload)


@router.post(
    "/tickets/{number}/escalation/evaluate",
    response={200: EscalationOut, **ERRORS},
    summary="Accept (naming the primary engineer) or decline the request (a support manager)",
)
def evaluate_escalation(request: HttpRequest, number: str, payload: EvaluateIn) -> EscalationOut:
    return _take(request, number, "evaluate", payload)


@router.post(
    "/tickets/{number}/escalation/plan",
    response={200: EscalationOut, **ERRORS},
    summary="Record the action plan and the communication plan (working side)",
)
def plan_escalation(request: HttpRequest, number: str, payload: PlanIn) -> EscalationOut:
    return _take(request, number, "plan", payload)


@router.post(
    "/tickets/{number}/escalation/update",
    response={200: EscalationOut, **ERRORS},
    summary="Record an update given to the customer (working side)",
)
def update_escalation(request: HttpRequest, number: str, payload: UpdateIn) -> EscalationOut:
    return _take(request, number, "update", payload)


@router.post(
    "/tickets/{number}/escalation/insufficient-progress",
    response={200: EscalationOut, **ERRORS},
    summary="Say progress is insufficient: the level rises, management owes a call",
)
def report_insufficient_progress(
    request: HttpRequest, number: str, payload: InsufficientProgressIn
) -> EscalationOut:
    return _take(request, number, "insufficient-progress", payload)


@router.post(
    "/tickets/{number}/escalation/engage-vendor",
    response={200: EscalationOut, **ERRORS},
    summary="Record another vendor engaged: vendor, case reference, contact (working side)",
)
def engage_vendor(request: HttpRequest, number: str, payload: EngageVendorIn) -> EscalationOut:
    return _take(request, number, "engage-vendor", payload)


@router.post(
    "/tickets/{number}/escalation/confirm",
    response={200: EscalationOut, **ERRORS},
    summary="Confirm one de-escalation checklist item, by a named person (working side)",
)
def confirm_checklist_item(request: HttpRequest, number: str, payload: ConfirmIn) -> EscalationOut:
    return _take(request, number, "confirm", payload)


@router.post(
    "/tickets/{number}/escalation/de-escalate",
    response={200: EscalationOut, **ERRORS},
    summary="De-escalate, once every checklist item is confirmed (working side)",
)
def deescalate(request: HttpRequest, number: str, payload: DeescalateIn) -> EscalationOut:
    return _take(request, number, "de-escalate", payload)


def _take(request: HttpRequest, number: str, step: str, payload: Input) -> EscalationOut:
    user = acting_user(request)
    ticket = access_ticket_by_number(user, number)
    now = timezone.now()
    row, state = escalation_actions.do_escalation_step(
        ticket, step=step, fields=payload.model_dump(), acting_user=user, now=now
    )
    # The step's own result: the history is not read and folded again.
    return _out(ticket, user, now, (row.seq, state))


def _out(
    ticket: Ticket, user: User, now: datetime, known: tuple[int, machine.State] | None = None
) -> EscalationOut:
    policy = policy_for_version(ticket.policy_version)
    if known is None:
        found = escalations.current(rows.events_of(ticket))
        known = (found[0], machine.compute(policy, found[1])) if found else None
    state = known[1] if known else None
    checklist = [
        _item(item.slug, item.text, state) for item in policy.escalation.deescalation_checklist
    ]
    allowed = machine.allowed_steps(policy, state, escalations.actor_of(user))
    if known is None or state is None:
        return EscalationOut(
            state="none",
            checklist=checklist,
            allowed_steps=allowed,
            section=policy.escalation.source,
        )
    plan = state.plan
    return EscalationOut(
        state=state.status.value,
        escalation=known[0],
        level=state.level,
        reason=state.reason,
        statement=state.statement,
        requested_at=state.requested_at,
        requested_by=state.requested_by,
        primary_engineer=state.primary_engineer,
        plan=PlanOut(
            action_plan=plan.action_plan,
            mode=plan.mode,
            every_minutes=int(plan.every.total_seconds() // 60),
            attendees=list(plan.attendees),
            set_at=plan.set_at,
            set_by=plan.set_by,
        )
        if plan is not None
        else None,
        next_update_due=state.next_update_due,
        missed_updates=[
            MissedUpdateOut(due_at=m.due_at, mode=m.mode)
            for m in machine.missed_updates(state, now)
        ],
        call_requested_at=state.call_requested_at,
        vendors=[
            VendorCaseOut(
                vendor=v.vendor,
                case_reference=v.case_reference,
                contact=v.contact,
                at=v.at,
                by=v.by,
            )
            for v in state.vendors
        ],
        checklist=checklist,
        allowed_steps=allowed,
        history=[
            EscalationStepOut(
                step=step.kind,
                at=step.at,
                by=step.by.name,
                side=step.by.side,
                fields={
                    k: v for k, v in escalations.step_data(step).items() if k not in ("step", "by")
                },
            )
            for step in state.history
        ],
        section=policy.escalation.source,
    )


def _item(slug: str, text: str, state: machine.State | None) -> ChecklistItemOut:
    done = state.confirmation(slug) if state is not None else None
    return ChecklistItemOut(
        item=slug,
        text=text,
        confirmed_by=done.confirmed_by if done else None,
        recorded_by=done.recorded_by if done else None,
        at=done.at if done else None,
    )
