"""The forms of product feedback: what was typed, parsed; the rules are the
actions' (feedback/actions.py)."""

from __future__ import annotations

from typing import Any

from django import forms

from supportdesk.feedback.models import Feedback
from supportdesk.policy import Policy


def _products(policy: Policy) -> list[tuple[str, str]]:
    return [(p.slug, p.name) for p in policy.products]


class SubmitForm(forms.Form):
    product = forms.ChoiceField()
    text = forms.CharField(required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, policy: Policy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["product"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = _products(policy)


class TriageForm(forms.Form):
    state = forms.ChoiceField(choices=Feedback.State.choices)
    note = forms.CharField(required=False, widget=forms.Textarea)


class FilterForm(forms.Form):
    """The triage list's filters; a value it does not know shows everything."""

    state = forms.ChoiceField(required=False)
    product = forms.ChoiceField(required=False)

    def __init__(self, *args: Any, policy: Policy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        state = self.fields["state"]
        product = self.fields["product"]
        assert isinstance(state, forms.ChoiceField)
        assert isinstance(product, forms.ChoiceField)
        state.choices = [("", "Any state"), *Feedback.State.choices]
        product.choices = [("", "Any product"), *_products(policy)]
