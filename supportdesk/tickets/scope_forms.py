"""Forms of the support matrix (§4) on the ticket pages: the product and
category, the override of "out of scope", and quotes. They parse; the
actions (`do_set_category`, `do_override_scope`, `quotes.do_*`) decide."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from supportdesk.policy.matrix import COVERAGE_WORDS, offered_categories
from supportdesk.tickets.forms import TicketForm, set_choices
from supportdesk.tickets.models import Quote


def scope_value(product: str, category: str) -> str:
    return f"{product}:{category}"


class CategoryForm(TicketForm):
    """The product and category as one choice, grouped by product, so only
    the categories that apply to each product are offered (§4), with what
    each means; no script is needed to keep the two in step."""

    scope = forms.ChoiceField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups: list[tuple[str, list[tuple[str, str]]]] = []
        for product in self.policy.products:
            options = [(scope_value(product.slug, ""), f"{product.name}: not sure yet")]
            options += [
                (
                    scope_value(product.slug, offer.category.slug),
                    f"{offer.category.name} — {COVERAGE_WORDS[offer.cell.coverage]}",
                )
                for offer in offered_categories(self.policy, product.slug)
            ]
            groups.append((product.name, options))
        set_choices(self, "scope", groups)
        self.fields["scope"].initial = scope_value(self.ticket.product, self.ticket.category)

    def chosen(self) -> tuple[str, str]:
        product, _, category = str(self.cleaned_data["scope"]).partition(":")
        return product, category


class OverrideForm(TicketForm):
    reason = forms.CharField(required=False, widget=forms.Textarea)


class QuoteForm(TicketForm):
    amount = forms.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    currency = forms.CharField(required=False, max_length=20, initial="USD")
    description = forms.CharField(required=False, widget=forms.Textarea)
    reason = forms.ChoiceField(choices=Quote.Reason.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A fee row of the matrix is what is quoted most (§4); otherwise the
        # for-fee continuation beside unsupported software (§3.3).
        self.fields["reason"].initial = (
            Quote.Reason.MATRIX if self.ticket.coverage == "fee" else Quote.Reason.THIRD_PARTY
        )


class QuoteDecisionForm(TicketForm):
    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("decline", "Decline")])


class QuoteWithdrawForm(TicketForm):
    reason = forms.CharField(required=False, widget=forms.Textarea)
