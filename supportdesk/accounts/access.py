"""Who may see and do what: the one place tenant scoping lives.

Every view, API operation, attachment download and search reaches tickets
through these functions. A ticket outside a user's subtree answers "not
found", the same as a ticket that does not exist, so ids leak nothing.

Scopes (DESIGN.md §1):
- vendor staff read every ticket;
- partner staff read the tickets of the partner's companies;
- customer users read the tickets of their own company.

Who works a ticket depends on its tier (§2.2): partner staff of the
ticket's partner while it is with the partner, vendor support staff once it
is with the vendor. The other side is the ticket's customer side: it
replies, requests a higher severity, and may close.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from django.db.models import Q, QuerySet
from django.http import Http404

from supportdesk.accounts.models import PARTNER_ROLES, VENDOR_ROLES, Organization, Role, User
from supportdesk.assets.models import Device

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from supportdesk.feedback.models import Feedback
    from supportdesk.mail.models import InboundMail, OutboundMail
    from supportdesk.remote.models import RemoteAccess
    from supportdesk.tickets.models import Attachment, Message, SavedReply, Ticket, TicketEvent


class NotFound(Http404):
    """Missing or not yours: the two are never told apart."""


def _active(user: User | AnonymousUser) -> User | None:
    if isinstance(user, User) and user.is_active:
        return user
    return None


# -- tickets --------------------------------------------------------------------


def visible_tickets(user: User | AnonymousUser) -> QuerySet[Ticket]:
    from supportdesk.tickets.models import Ticket

    person = _active(user)
    if person is None:
        return Ticket.objects.none()
    if person.is_vendor_staff:
        return Ticket.objects.all()
    if person.is_partner_staff:
        return Ticket.objects.filter(partner_id=person.organization_id)
    if person.is_customer:
        return Ticket.objects.filter(company_id=person.organization_id)
    return Ticket.objects.none()


def access_ticket_by_number(user: User | AnonymousUser, number: str) -> Ticket:
    from supportdesk.tickets.models import Ticket

    pk = Ticket.pk_from_number(number)
    if pk is None:
        raise NotFound(f"no ticket {number!r}")
    return access_ticket_by_id(user, pk)


def access_ticket_by_id(user: User | AnonymousUser, pk: int, *, for_update: bool = False) -> Ticket:
    tickets = visible_tickets(user).select_related("company", "partner", "requester", "assignee")
    if for_update:
        tickets = tickets.select_for_update(of=("self",))
    ticket = tickets.filter(pk=pk).first()
    if ticket is None:
        raise NotFound(f"no ticket {pk}")
    return ticket


def side_of(user: User) -> Literal["vendor", "partner", "customer"]:
    """Which side of support a user is on, as messages and escalations record it."""
    if user.is_vendor_staff:
        return "vendor"
    if user.is_partner_staff:
        return "partner"
    return "customer"


def works_on(user: User, ticket: Ticket) -> bool:
    """Whether `user` is on the side that works the ticket in its current tier."""
    if not user.is_active:
        return False
    if ticket.tier == "partner":
        return user.is_partner_staff and user.organization_id == ticket.partner_id
    if ticket.coverage == "finance" and user.role == "finance":
        return True
    return user.is_vendor_agent


def is_customer_side(user: User, ticket: Ticket) -> bool:
    """The people the working side answers: the company's users and, once a
    ticket is with the vendor, the partner's staff too."""
    if not user.is_active:
        return False
    if user.is_customer:
        return user.organization_id == ticket.company_id
    if user.is_partner_staff:
        return ticket.tier == "vendor" and user.organization_id == ticket.partner_id
    return False


def may_see_internal(user: User, author_org_id: int | None) -> bool:
    """Internal notes stay with the organization that wrote them; the vendor
    reads everything."""
    if user.is_vendor_staff:
        return True
    return user.is_partner_staff and author_org_id == user.organization_id


def visible_messages(user: User, ticket: Ticket) -> QuerySet[Message]:
    from supportdesk.tickets.models import Message

    messages = Message.objects.filter(ticket=ticket).select_related("author", "author_org")
    if user.is_vendor_staff:
        return messages
    if user.is_partner_staff:
        return messages.filter(visibility=Message.Visibility.PUBLIC) | messages.filter(
            author_org_id=user.organization_id
        )
    return messages.filter(visibility=Message.Visibility.PUBLIC)


def visible_events(user: User, ticket: Ticket) -> QuerySet[TicketEvent]:
    from supportdesk.tickets.models import TicketEvent

    events = TicketEvent.objects.filter(ticket=ticket).select_related("actor")
    if user.is_vendor_staff:
        return events
    if user.is_partner_staff:
        return events.filter(public=True) | events.filter(data__org=user.organization_id)
    return events.filter(public=True)


def access_attachment_by_id(user: User | AnonymousUser, pk: int) -> Attachment:
    from supportdesk.tickets.models import Attachment

    person = _active(user)
    attachment = (
        Attachment.objects.filter(pk=pk, ticket__in=visible_tickets(user))
        .select_related("message", "ticket")
        .first()
    )
    if attachment is None or person is None:
        raise NotFound(f"no attachment {pk}")
    message = attachment.message
    if (
        message is not None
        and not message.is_public
        and not may_see_internal(person, message.author_org_id)
    ):
        raise NotFound(f"no attachment {pk}")
    return attachment


# -- organizations and devices ------------------------------------------------


def visible_companies(user: User | AnonymousUser) -> QuerySet[Organization]:
    companies = Organization.objects.filter(kind=Organization.Kind.COMPANY)
    person = _active(user)
    if person is None:
        return companies.none()
    if person.is_vendor_staff:
        return companies
    if person.is_partner_staff:
        return companies.filter(parent_id=person.organization_id)
    return companies.filter(pk=person.organization_id)


def access_company_by_id(user: User | AnonymousUser, pk: int) -> Organization:
    company = visible_companies(user).filter(pk=pk).first()
    if company is None:
        raise NotFound(f"no company {pk}")
    return company


def visible_devices(user: User | AnonymousUser) -> QuerySet[Device]:
    return Device.objects.filter(company__in=visible_companies(user)).select_related(
        "product", "company"
    )


def access_device_by_id(user: User | AnonymousUser, pk: int) -> Device:
    device = visible_devices(user).filter(pk=pk).first()
    if device is None:
        raise NotFound(f"no device {pk}")
    return device


def assignable_users(ticket: Ticket) -> QuerySet[User]:
    """Who may be assigned: the working side of the ticket's current tier."""
    users = User.objects.filter(is_active=True)
    if ticket.tier == "partner":
        if ticket.partner_id is None:
            return users.none()
        return users.filter(organization_id=ticket.partner_id, role__in=PARTNER_ROLES)
    return users.filter(role__in=VENDOR_ROLES)


def users_who_see(ticket: Ticket) -> QuerySet[User]:
    """The active users `visible_tickets` lets see `ticket`: vendor staff,
    the users of its company, and the staff of its partner."""
    scope = Q(role__in=VENDOR_ROLES) | Q(organization_id=ticket.company_id, role="customer")
    if ticket.partner_id is not None:
        scope |= Q(organization_id=ticket.partner_id, role__in=PARTNER_ROLES)
    return User.objects.filter(scope, is_active=True)


# -- saved replies --------------------------------------------------------------


def visible_saved_replies(user: User | AnonymousUser) -> QuerySet[SavedReply]:
    """The canned answers a member of staff may use: their organization's
    shared ones and their own."""
    from django.db.models import Q

    from supportdesk.tickets.models import SavedReply

    person = _active(user)
    if person is None or not person.works_tickets:
        return SavedReply.objects.none()
    return SavedReply.objects.filter(organization_id=person.organization_id).filter(
        Q(owner__isnull=True) | Q(owner_id=person.pk)
    )


def access_saved_reply_by_id(user: User | AnonymousUser, pk: int) -> SavedReply:
    reply = visible_saved_replies(user).filter(pk=pk).first()
    if reply is None:
        raise NotFound(f"no saved reply {pk}")
    return reply


# -- policy versions ------------------------------------------------------------------
# Everyone reads the policy in force (the statement of support); stored,
# scheduled and past versions are the vendor's staff's to read, and only
# its admins put a new version in place (DESIGN.md §1).


def may_read_policy_versions(user: User | AnonymousUser) -> bool:
    person = _active(user)
    return person is not None and person.is_vendor_staff


def may_schedule_policy(user: User | AnonymousUser) -> bool:
    person = _active(user)
    return person is not None and person.role == Role.ADMIN


# -- mail -------------------------------------------------------------------------------
# The desk's mailbox is the vendor's: its support staff see all of it,
# unplaced mail included. Partner staff see the mail of tickets they may
# see; customers read their tickets' messages, not the mail around them.


def visible_inbound_mail(user: User | AnonymousUser) -> QuerySet[InboundMail]:
    from supportdesk.mail.models import InboundMail

    person = _active(user)
    if person is None or not person.works_tickets:
        return InboundMail.objects.none()
    if person.is_vendor_agent:
        return InboundMail.objects.all()
    return InboundMail.objects.filter(ticket__in=visible_tickets(person))


def visible_outbound_mail(user: User | AnonymousUser) -> QuerySet[OutboundMail]:
    from supportdesk.mail.models import OutboundMail

    person = _active(user)
    if person is None or not person.works_tickets:
        return OutboundMail.objects.none()
    if person.is_vendor_agent:
        return OutboundMail.objects.all()
    return OutboundMail.objects.filter(ticket__in=visible_tickets(person))


def access_inbound_mail_by_id(user: User | AnonymousUser, pk: int) -> InboundMail:
    mail = visible_inbound_mail(user).select_related("ticket").filter(pk=pk).first()
    if mail is None:
        raise NotFound(f"no mail {pk}")
    return mail


def access_outbound_mail_by_id(user: User | AnonymousUser, pk: int) -> OutboundMail:
    mail = visible_outbound_mail(user).select_related("ticket").filter(pk=pk).first()
    if mail is None:
        raise NotFound(f"no mail {pk}")
    return mail


def may_review_mail(user: User) -> bool:
    """Held and quarantined mail is the vendor support staff's to settle."""
    return user.is_active and user.is_vendor_agent


# -- remote access (§2.3) and product feedback (§2.4) ---------------------------------


def _id(pk: int) -> bool:
    """Whether `pk` fits an id column: a URL may carry any number of digits."""
    return 0 < pk < 2**63


def access_remote_access_by_id(user: User | AnonymousUser, number: str, pk: int) -> RemoteAccess:
    """A request for remote access on a ticket `user` sees, named by both:
    an id of another ticket's request answers "not found"."""
    from supportdesk.remote.models import RemoteAccess

    ticket = access_ticket_by_number(user, number)
    access = RemoteAccess.objects.filter(ticket=ticket, pk=pk).first() if _id(pk) else None
    if access is None:
        raise NotFound(f"no remote access {pk}")
    access.ticket = ticket
    return access


def visible_feedback(user: User | AnonymousUser) -> QuerySet[Feedback]:
    """The vendor's staff read all feedback; everyone else their own
    organization's (a partner's staff, the partner's own, not its companies')."""
    from supportdesk.feedback.models import Feedback

    person = _active(user)
    if person is None:
        return Feedback.objects.none()
    if person.is_vendor_staff:
        return Feedback.objects.all()
    return Feedback.objects.filter(organization_id=person.organization_id)


def access_feedback_by_id(user: User | AnonymousUser, pk: int) -> Feedback:
    found = visible_feedback(user).select_related("author", "organization").filter(pk=pk)
    feedback = found.first() if _id(pk) else None
    if feedback is None:
        raise NotFound(f"no feedback {pk}")
    return feedback
