"""The support matrix (§4): what is supported for which product."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from supportdesk.policy.schema import Category, Cell, Coverage, Policy


@dataclass(frozen=True)
class Offer:
    """A category a customer may choose for a product, with what it means."""

    category: Category
    cell: Cell


def offered_categories(policy: Policy, product: str) -> tuple[Offer, ...]:
    """The categories a ticket for `product` may have: every matrix row
    except those that do not apply to the product."""
    policy.product(product)
    return tuple(
        Offer(category, category.cell(product))
        for category in policy.categories
        if category.cell(product).coverage is not Coverage.NOT_APPLICABLE
    )


# -- intake: what the desk does with a ticket, by its row's coverage -----------------


class Intake(StrEnum):
    """What intake does with a ticket of a category (§4)."""

    # `supported`, or no category yet: the ticket is worked as usual.
    PROCEED = "proceed"
    # `not-supported`: answered at once with the row's text; an engineer may
    # override with a reason.
    OUT_OF_SCOPE = "out-of-scope"
    # `fee`: a quote, accepted or declined by the customer, before any work.
    QUOTE = "quote"
    # `finance`: the finance team's queue, with no response target (§4.2.7).
    FINANCE = "finance"


_INTAKE = {
    Coverage.SUPPORTED: Intake.PROCEED,
    Coverage.NOT_SUPPORTED: Intake.OUT_OF_SCOPE,
    Coverage.FEE: Intake.QUOTE,
    Coverage.FINANCE: Intake.FINANCE,
}

# What each coverage means for the person choosing a category, in words.
COVERAGE_WORDS = {
    Coverage.SUPPORTED: "supported",
    Coverage.NOT_SUPPORTED: "not supported: answered at once with the policy's guidance",
    Coverage.FEE: "for a fee: you accept a quote before any work",
    Coverage.FINANCE: "answered by the finance team, with no response-time target",
    Coverage.NOT_APPLICABLE: "does not apply to this product",
}

# §3.3: support beside a non-supported application may go on under a separate
# "for-fee" agreement.
THIRD_PARTY_FEE_SECTION = "§3.3"


class ScopeError(ValueError):
    """A product or category the policy does not know, or a category that
    does not apply to the product. `field` names what was wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Scope:
    """The matrix's answer for a ticket of `category` for `product`, and what
    intake does with it. `category` is "" while nobody has chosen one (a
    mail names none): the ticket proceeds as supported until staff set it."""

    product: str
    product_name: str
    category: str
    category_name: str
    coverage: Coverage | None
    intake: Intake
    text: str  # the row's text for this product ("" without a category)
    source: str  # its section, e.g. "§4.2.3" ("" without a category)

    @property
    def response_target(self) -> bool:
        """Whether the first-response target (§1.6) applies: not to a billing
        question (§4.2.7), nor while a ticket stands answered as out of scope."""
        return self.intake in (Intake.PROCEED, Intake.QUOTE)

    @property
    def words(self) -> str:
        return COVERAGE_WORDS[self.coverage] if self.coverage is not None else ""

    def no_target_reason(self) -> str:
        """Why the ticket has no first-response target, in words ("" if it has one)."""
        match self.intake:
            case Intake.FINANCE:
                return (
                    f"{self.category_name} questions are answered by the finance team and "
                    "carry no response-time target"
                )
            case Intake.OUT_OF_SCOPE:
                return (
                    f"The category {self.category_name} is not supported for "
                    f"{self.product_name}: the ticket was answered at once with the policy's text"
                )
            case _:
                return ""

    def answer(self) -> str:
        """The answer an out-of-scope ticket gets at once: the policy's text
        for its row, with the section, and what the customer may do next."""
        return (
            f"Your ticket's category, {self.category_name}, is not supported for "
            f"{self.product_name} (support policy {self.source}).\n\n{self.text}\n\n"
            "If you think this ticket is about something else, reply and an engineer "
            "will look at it again."
        )


def scope_of(policy: Policy, product: str, category: str) -> Scope:
    """What the matrix says for a ticket of `category` ("" for none yet) for
    `product`, and what intake does with it. Raises ScopeError for an
    unknown product or category, and for a category that does not apply to
    the product (it is never offered for it)."""
    products = ", ".join(p.slug for p in policy.products)
    try:
        named = policy.product(product)
    except KeyError:
        given = f"; {product!r} is not one" if product else ""
        raise ScopeError("product", f"product must be one of {products}{given}") from None
    if not category:
        return Scope(product, named.name, "", "", None, Intake.PROCEED, "", "")
    try:
        row = policy.category(category)
    except KeyError:
        slugs = ", ".join(c.slug for c in policy.categories)
        raise ScopeError(
            "category", f"category must be one of {slugs}; {category!r} is not a support category"
        ) from None
    cell = row.cell(product)
    if cell.coverage is Coverage.NOT_APPLICABLE:
        offered = ", ".join(o.category.slug for o in offered_categories(policy, product))
        raise ScopeError(
            "category",
            f"category {category!r} does not apply to product {product!r} ({cell.source}); "
            f"for {named.name} choose one of {offered}",
        )
    return Scope(
        product=product,
        product_name=named.name,
        category=category,
        category_name=row.name,
        coverage=cell.coverage,
        intake=_INTAKE[cell.coverage],
        text=cell.text,
        source=cell.source,
    )


def quote_section(policy: Policy, reason: str, product: str, category: str) -> str:
    """The section a quote rests on: the matrix row's for work the matrix
    offers for a fee (`reason` "matrix"), §3.3 for support beside a
    non-supported application ("third-party"). Raises ScopeError when the
    ticket's row offers no work for a fee."""
    if reason == "third-party":
        return THIRD_PARTY_FEE_SECTION
    scope = scope_of(policy, product, category)
    if scope.intake is not Intake.QUOTE:
        raise ScopeError(
            "reason",
            "the support matrix offers no work for a fee for this ticket's category "
            f"({scope.category_name or 'none set'}); only its fee rows are quoted (§4)",
        )
    return scope.source


def is_third_party_supported(policy: Policy, slug: str) -> bool:
    """Whether a third-party product is one the vendor supports (§3.5)."""
    return any(p.slug == slug for p in policy.third_party.supported)
