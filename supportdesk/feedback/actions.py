"""Product feedback (§2.4): submitting it and triaging it, for the portal,
the workspace and the API alike."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from supportdesk.accounts.models import User
from supportdesk.feedback.models import Feedback
from supportdesk.policies.active import active_policy
from supportdesk.tickets.actions import ActionError, clean_text

MAX_TEXT = 10_000
MAX_NOTE = 4_000
# A triage that says "no" says why: declined, or which one it duplicates.
NOTE_REQUIRED = frozenset({Feedback.State.DECLINED, Feedback.State.DUPLICATE})


def may_submit(user: User) -> bool:
    """Customers and partner staff give feedback; the vendor's staff triage it."""
    return user.is_active and (user.is_customer or user.is_partner_staff)


def may_triage(user: User) -> bool:
    return user.is_active and user.is_vendor_staff


def do_submit_feedback(*, product: str, text: str, acting_user: User, now: datetime) -> Feedback:
    """Record feedback on one of the policy's products, under the notice
    of the active policy (§2.4), for the author's organization."""
    if not may_submit(acting_user):
        raise ActionError(
            "feedback comes from customers and partners; the vendor's staff triage it",
            "forbidden",
        )
    policy = active_policy()
    if product not in {p.slug for p in policy.products}:
        slugs = ", ".join(p.slug for p in policy.products)
        raise ActionError(f"product must be one of {slugs}")
    text = clean_text(text, limit=MAX_TEXT, what="feedback")
    return Feedback.objects.create(
        author=acting_user,
        organization_id=acting_user.organization_id,
        product=product,
        text=text,
        submitted_at=now,
        policy_version=policy.version,
    )


def do_triage_feedback(
    feedback: Feedback, *, state: str, note: str = "", acting_user: User, now: datetime
) -> Feedback:
    """The vendor's staff set the triage state, with a note (required to
    decline or to mark a duplicate). Triage again replaces the last one."""
    if not may_triage(acting_user):
        raise ActionError("only the vendor's staff triage feedback", "forbidden")
    if state not in Feedback.State.values:
        raise ActionError(f"state must be one of {', '.join(Feedback.State.values)}")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ActionError(f"the note is too long ({len(note)} characters; at most {MAX_NOTE})")
    if state in NOTE_REQUIRED and not note:
        raise ActionError(f"marking feedback {state} needs a note saying why")
    with transaction.atomic():
        row = Feedback.objects.select_for_update().get(pk=feedback.pk)
        if row.state == state and row.staff_note == note:
            return row
        row.state = state
        row.staff_note = note
        row.triaged_by = acting_user
        row.triaged_at = now
        row.save(update_fields=["state", "staff_note", "triaged_by", "triaged_at"])
    return row
