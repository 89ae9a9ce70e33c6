"""What the ticket pages (workspace and portal) show and post for the limits
of support (§3): third-party software and the answer to the options for
unsupported software (§3.3, §3.5), "cannot reproduce" (§3.2) and the
resolution cause (§3.1, §3.4). The for-fee continuation is a quote with the
reason "third-party" (scope_forms.QuoteForm). As every form here, they
parse; the actions in `limitations.py` decide."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms

from supportdesk.accounts.models import User
from supportdesk.policies.active import policy_for_version
from supportdesk.policy import limits
from supportdesk.policy import thirdparty as tp
from supportdesk.policy.matrix import is_third_party_supported
from supportdesk.policy.schema import Limitation
from supportdesk.tickets import limits_events
from supportdesk.tickets.forms import TicketForm
from supportdesk.tickets.models import Status, Ticket


def names_of(text: str) -> list[str]:
    """Third-party software as typed in a box: one name a line."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class ThirdPartyForm(TicketForm):
    products = forms.CharField(required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = [tp.display_name(self.policy, str(p)) for p in self.ticket.third_party]
        self.fields["products"].initial = "\n".join(names)

    def names(self) -> list[str]:
        return names_of(self.cleaned_data.get("products") or "")


class ThirdPartyOptionForm(TicketForm):
    # Any text parses; the action names the options when it refuses one.
    option = forms.CharField(required=False, max_length=40)


class CannotReproduceForm(TicketForm):
    note = forms.CharField(required=False, widget=forms.Textarea)


# -- the pages ---------------------------------------------------------------------------


def permissions(ticket: Ticket, *, working: bool, customer: bool) -> dict[str, bool]:
    """What the page offers (the actions check again). Reads the ticket's
    history only for the customer side of a ticket with third-party software."""
    is_open = ticket.is_open
    policy = policy_for_version(ticket.policy_version)
    unsupported = bool(ticket.third_party) and bool(
        tp.read_software(policy, [str(p) for p in ticket.third_party]).unsupported
    )
    wf = limits_events.workflow_of(ticket) if customer and is_open and unsupported else None
    awaiting = wf is not None and wf.awaiting_choice
    return {
        "third_party": working and is_open,
        "cannot_reproduce": working
        and is_open
        and ticket.status not in (Status.WORK_CEASED, Status.OUT_OF_SCOPE),
        "third_party_option": awaiting,
        "third_party_fee": awaiting and wf is not None and not wf.fee_requested,
    }


def blank_forms(user: User, ticket: Ticket, can: dict[str, bool]) -> dict[str, TicketForm]:
    kw: dict[str, Any] = {"ticket": ticket, "user": user}
    made: dict[str, Callable[[], TicketForm]] = {
        "third_party": lambda: ThirdPartyForm(**kw),
        "cannot_reproduce": lambda: CannotReproduceForm(**kw),
        "third_party_option": lambda: ThirdPartyOptionForm(**kw),
    }
    return {name: make() for name, make in made.items() if can.get(name)}


@dataclass(frozen=True)
class Software:
    name: str
    supported: bool


@dataclass(frozen=True)
class Panel:
    """The ticket's third-party software, the options of §3.3 and its
    resolution cause, for the header and the forms."""

    software: list[Software]
    options: tuple[tp.Option, ...]
    options_section: str
    third_party_section: str
    reproduction_section: str
    cause: Limitation | None

    @property
    def unsupported(self) -> list[str]:
        return [s.name for s in self.software if not s.supported]


def panel(ticket: Ticket) -> Panel:
    policy = policy_for_version(ticket.policy_version)
    software = [
        Software(tp.display_name(policy, str(p)), is_third_party_supported(policy, str(p)))
        for p in ticket.third_party
    ]
    cause = None
    if ticket.resolution_cause:
        try:
            cause = policy.limitation(ticket.resolution_cause)
        except KeyError:
            cause = Limitation(ticket.resolution_cause, ticket.resolution_cause, "")
    return Panel(
        software,
        tp.options(policy),
        policy.third_party.options_section,
        policy.third_party.source,
        limits.reproduction_source(policy),
        cause,
    )
