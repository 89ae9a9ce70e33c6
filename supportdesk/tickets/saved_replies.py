"""Saved replies: canned text staff insert into a reply, their own or their
organization's shared ones, kept through the same rules as the actions."""

from __future__ import annotations

from supportdesk.accounts.models import Role, User
from supportdesk.tickets.actions import MAX_BODY, _require, clean_text
from supportdesk.tickets.models import SavedReply

# Shared saved replies speak for the organization, so only its leads edit them.
SHARED_REPLY_ROLES = frozenset({Role.MANAGER, Role.ADMIN, Role.PARTNER_ADMIN})
_SHARED_REFUSAL = "shared saved replies are kept by support managers, admins and partner admins"


def may_edit_saved_reply(user: User, reply: SavedReply | None, *, shared: bool) -> bool:
    """Anyone on staff keeps their own replies; support managers, admins and
    partner admins keep their organization's shared ones."""
    if not user.is_active or not user.works_tickets:
        return False
    if reply is not None and reply.organization_id != user.organization_id:
        return False
    if reply is not None and reply.owner_id is not None and reply.owner_id != user.pk:
        return False
    if shared or (reply is not None and reply.owner_id is None):
        return user.role in SHARED_REPLY_ROLES
    return True


def do_save_saved_reply(
    reply: SavedReply | None, *, title: str, body: str, shared: bool, acting_user: User
) -> SavedReply:
    """Create (`reply` None) or change a saved reply of the user's organization."""
    title = clean_text(title, limit=200, what="title", single_line=True)
    body = clean_text(body, limit=MAX_BODY, what="text")
    shared_now = shared or (reply is not None and reply.owner_id is None)
    _require(
        may_edit_saved_reply(acting_user, reply, shared=shared),
        _SHARED_REFUSAL if shared_now else "that saved reply is someone else's",
    )
    if reply is None:
        reply = SavedReply(organization_id=acting_user.organization_id)
    reply.title = title
    reply.body = body
    reply.owner = None if shared else acting_user
    reply.save()
    return reply


def do_delete_saved_reply(reply: SavedReply, *, acting_user: User) -> None:
    _require(
        may_edit_saved_reply(acting_user, reply, shared=reply.owner_id is None),
        _SHARED_REFUSAL,
    )
    reply.delete()
