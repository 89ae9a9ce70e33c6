"""The forms of remote access: what was typed, parsed; the rules are the
actions' (remote/actions.py), whose refusals the views show beside them."""

from __future__ import annotations

from typing import Any

from django import forms

from supportdesk.policy.remote_access import in_words
from supportdesk.tickets.forms import TicketForm


class RequestForm(TicketForm):
    """The working side asks for access: what for, with what, for how long."""

    purpose = forms.CharField(required=False, widget=forms.Textarea)
    tool = forms.CharField(required=False, max_length=100)
    minutes = forms.TypedChoiceField(coerce=int)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rule = self.policy.remote_access
        field = self.fields["minutes"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(int(d.total_seconds() // 60), in_words(d)) for d in rule.durations]
        field.initial = int(rule.default.total_seconds() // 60)


class AnswerForm(forms.Form):
    """Grant, decline or revoke, with an optional note (a reason)."""

    note = forms.CharField(required=False, max_length=2000)
