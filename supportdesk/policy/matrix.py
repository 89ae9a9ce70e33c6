"""The support matrix (§4): what is supported for which product."""

from __future__ import annotations

from dataclasses import dataclass

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


def is_third_party_supported(policy: Policy, slug: str) -> bool:
    """Whether a third-party product is one the vendor supports (§3.5)."""
    return any(p.slug == slug for p in policy.third_party.supported)
