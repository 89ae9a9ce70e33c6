"""Third-party software on a ticket (§3.3, §3.5), and the workflow for
software the vendor does not support.

A ticket records the third-party software involved: the policy's slug for a
product on its supported list (§3.5), the name as given for anything else.
Anything else starts the non-supported-application workflow: the options of
§3.3 are offered to the customer once for each new unsupported name; the
customer chooses one of them, or asks to continue under a for-fee agreement
(which does not stop them choosing an option afterwards, should they decline
the price). Option (ii) ceases work until the software is removed, which
stops the response clock (policy/sla.py).

Pure: values in, decisions out; names compare case-insensitively.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from supportdesk.policy.matrix import is_third_party_supported
from supportdesk.policy.schema import Policy

MAX_PRODUCTS = 20
MAX_NAME = 100
# The customer's request to go on beside the software under a separate
# for-fee agreement (§3.3), answered with a quote.
FOR_FEE = "for-fee"
# The option of §3.3 that ceases work until the customer removes the software.
CEASE_WORK = "ii"

_ROMAN = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x")


class BadNames(ValueError):
    """Third-party names the desk cannot record; the message says why."""


@dataclass(frozen=True)
class Software:
    """The third-party software of a ticket as the desk records it."""

    products: tuple[str, ...]  # in the order given: slugs of supported ones, else names
    supported: tuple[str, ...]  # the policy's slugs
    unsupported: tuple[str, ...]  # the names as given


def _clean(name: str) -> str:
    text = unicodedata.normalize("NFC", name)
    return " ".join("".join(c for c in text if c.isprintable()).split())


def read_software(policy: Policy, names: Iterable[str]) -> Software:
    """The software `names` list, checked: blanks dropped, repeats (in any
    case) kept once, a supported product's slug or name (any case) recorded
    as its slug. At most MAX_PRODUCTS names of at most MAX_NAME characters."""
    by_key: dict[str, str] = {}
    for product in policy.third_party.supported:
        by_key[product.slug.casefold()] = product.slug
        by_key[_clean(product.name).casefold()] = product.slug
    products: list[str] = []
    seen: set[str] = set()
    for raw in names:
        name = _clean(raw)
        if not name:
            continue
        if len(name) > MAX_NAME:
            raise BadNames(
                f"third-party name too long ({len(name)} characters; at most {MAX_NAME})"
            )
        entry = by_key.get(name.casefold(), name)
        if entry.casefold() in seen:
            continue
        seen.add(entry.casefold())
        products.append(entry)
    if len(products) > MAX_PRODUCTS:
        raise BadNames(f"at most {MAX_PRODUCTS} third-party products per ticket")
    supported = tuple(p for p in products if is_third_party_supported(policy, p))
    unsupported = tuple(p for p in products if not is_third_party_supported(policy, p))
    return Software(tuple(products), supported, unsupported)


def display_name(policy: Policy, entry: str) -> str:
    """A recorded entry for people: a supported product's name, else the entry."""
    for product in policy.third_party.supported:
        if product.slug == entry:
            return product.name
    return entry


# -- the options of §3.3 ---------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    code: str  # "i", "ii" … as §3.3 numbers them
    text: str


def options(policy: Policy) -> tuple[Option, ...]:
    """The options of §3.3, numbered as the policy numbers them."""
    return tuple(
        Option(_ROMAN[i] if i < len(_ROMAN) else str(i + 1), text)
        for i, text in enumerate(policy.third_party.options)
    )


def choices(policy: Policy) -> tuple[str, ...]:
    """What a customer may answer an offer with: an option, or for-fee."""
    return (*(o.code for o in options(policy)), FOR_FEE)


def option_text(policy: Policy, code: str) -> str:
    if code == FOR_FEE:
        return "continue with the software in place under a separate for-fee agreement"
    for option in options(policy):
        if option.code == code:
            return option.text
    raise KeyError(f"no option {code!r}")


def offer_text(policy: Policy, unsupported: Sequence[str]) -> str:
    """The public answer that offers the options: which software, why, and
    the policy's own words."""
    tp = policy.third_party
    names = ", ".join(unsupported)
    verb = "is" if len(unsupported) == 1 else "are"
    lines = [
        f"{names} {verb} not among the third-party applications {policy.meta.vendor} supports "
        f"({tp.source}).",
        "",
        tp.text,
        "",
        f"The options ({tp.options_section}):",
    ]
    lines += [f"({o.code}) {o.text}" for o in options(policy)]
    lines += [
        "",
        "Please choose an option on the ticket page, or ask to continue under a for-fee agreement;",
        "or reply to this message with a first line such as 'Option (ii)' or 'For fee'.",
    ]
    return "\n".join(lines)


# -- the workflow, folded from the ticket's history ------------------------------------


@dataclass(frozen=True)
class SoftwareRecorded:
    """The ticket's third-party software was recorded; `offered`: the
    options were offered for the unsupported names."""

    at: datetime
    unsupported: tuple[str, ...]
    offered: bool


@dataclass(frozen=True)
class OptionChosen:
    at: datetime
    option: str


Step = SoftwareRecorded | OptionChosen


@dataclass(frozen=True)
class Workflow:
    unsupported: tuple[str, ...] = ()  # recorded now
    offered: tuple[str, ...] = ()  # every name the options were offered for
    offered_at: datetime | None = None  # the latest offer
    option: str | None = None  # the §3.3 option chosen since it
    fee_requested: bool = False  # asked since it to go on for a fee

    @property
    def open_offer(self) -> bool:
        """Options offered and still relevant: unsupported software remains."""
        return self.offered_at is not None and bool(self.unsupported)

    @property
    def awaiting_choice(self) -> bool:
        return self.open_offer and self.option is None


def fold(steps: Iterable[Step]) -> Workflow:
    """The workflow after `steps`, in order. A new offer starts a new answer."""
    wf = Workflow()
    for step in steps:
        match step:
            case SoftwareRecorded(offered=True):
                known = {n.casefold() for n in wf.offered}
                offered = wf.offered + tuple(
                    n for n in step.unsupported if n.casefold() not in known
                )
                wf = Workflow(step.unsupported, offered, step.at)
            case SoftwareRecorded():
                wf = Workflow(
                    step.unsupported, wf.offered, wf.offered_at, wf.option, wf.fee_requested
                )
            case OptionChosen(option=option) if option == FOR_FEE:
                wf = Workflow(wf.unsupported, wf.offered, wf.offered_at, wf.option, True)
            case OptionChosen():
                wf = Workflow(
                    wf.unsupported, wf.offered, wf.offered_at, step.option, wf.fee_requested
                )
    return wf


def needs_offer(wf: Workflow, software: Software) -> bool:
    """Whether recording `software` offers the options: it names unsupported
    software they were never offered for."""
    known = {n.casefold() for n in wf.offered}
    return any(n.casefold() not in known for n in software.unsupported)


@dataclass(frozen=True)
class Refusal:
    message: str
    conflict: bool  # the ticket's state refuses it, not the input


def check_choice(policy: Policy, wf: Workflow, choice: str) -> Refusal | None:
    """Why the customer may not answer the offer with `choice` now, or None.
    One option per offer; a for-fee request once, and not after an option."""
    allowed = choices(policy)
    section = policy.third_party.options_section
    if choice not in allowed:
        return Refusal(f"option must be one of {', '.join(allowed)} ({section})", conflict=False)
    if not wf.open_offer:
        return Refusal(
            f"no options are waiting for an answer on this ticket ({section})", conflict=True
        )
    if wf.option is not None:
        return Refusal(
            f"option ({wf.option}) was already chosen for this software ({section})", conflict=True
        )
    if choice == FOR_FEE and wf.fee_requested:
        return Refusal(f"a for-fee continuation was already asked for ({section})", conflict=True)
    return None
