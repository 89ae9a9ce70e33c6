"""The forms of an escalation's steps (§1.8), one per step. They parse what
was typed into the fields `tickets/escalations.make_step` takes; the policy
core decides whether the step may be taken, and its refusal is the message
people read beside the form. Text is never `required` here for that reason."""

from __future__ import annotations

from typing import Any

from django import forms

from supportdesk.accounts.access import assignable_users
from supportdesk.accounts.models import VENDOR_AGENT_ROLES, User
from supportdesk.policy import Policy
from supportdesk.tickets.models import Ticket

# The plan's frequency as people choose it; the API takes any whole number
# of minutes within the policy core's bounds.
FREQUENCIES = (
    (30, "Every 30 minutes"),
    (60, "Every hour"),
    (120, "Every 2 hours"),
    (240, "Every 4 hours"),
    (480, "Every 8 hours"),
    (1440, "Every day"),
    (2880, "Every 2 days"),
    (10080, "Every week"),
)

MODE_NAMES = {"email": "Email", "phone": "Phone call", "conference-call": "Conference call"}


def _text(rows: int = 0, max_length: int = 4000) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(required=False, max_length=max_length, widget=widget)


class StepForm(forms.Form):
    """A step's form: `fields_for_step` is what the action takes."""

    def __init__(self, *args: Any, policy: Policy, ticket: Ticket, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.policy = policy
        self.ticket = ticket

    def fields_for_step(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class RequestForm(StepForm):
    reason = forms.ChoiceField(choices=())
    statement = _text(rows=4)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reason = self.fields["reason"]
        assert isinstance(reason, forms.ChoiceField)
        reason.choices = [(r.slug, r.title) for r in self.policy.escalation.reasons]


class EvaluateForm(StepForm):
    decision = forms.ChoiceField(choices=(("accept", "Accept"), ("decline", "Decline")))
    primary_engineer = forms.CharField(required=False, max_length=254)
    note = _text(rows=2)

    def engineers(self) -> list[User]:
        people = assignable_users(self.ticket).filter(role__in=VENDOR_AGENT_ROLES)
        return list(people.order_by("name", "email"))

    def fields_for_step(self) -> dict[str, Any]:
        data = self.cleaned_data
        accept = data["decision"] == "accept"
        out: dict[str, Any] = {"accept": accept, "note": data["note"]}
        if accept:
            out["primary_engineer"] = data["primary_engineer"]
        return out


class PlanForm(StepForm):
    action_plan = _text(rows=4)
    mode = forms.ChoiceField(choices=())
    every_minutes = forms.TypedChoiceField(choices=FREQUENCIES, coerce=int)
    attendees = _text(rows=3)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mode = self.fields["mode"]
        assert isinstance(mode, forms.ChoiceField)
        mode.choices = [
            (m, MODE_NAMES.get(m, m)) for m in self.policy.escalation.communication_modes
        ]

    def fields_for_step(self) -> dict[str, Any]:
        data = self.cleaned_data
        names = [line.strip() for line in data["attendees"].replace(",", "\n").splitlines()]
        return {
            "action_plan": data["action_plan"],
            "mode": data["mode"],
            "every_minutes": data["every_minutes"],
            "attendees": [name for name in names if name],
        }


class UpdateForm(StepForm):
    note = _text(rows=3)


class InsufficientProgressForm(StepForm):
    statement = _text(rows=3)


class EngageVendorForm(StepForm):
    vendor = _text(max_length=200)
    case_reference = _text(max_length=200)
    contact = _text(max_length=200)


class ConfirmForm(StepForm):
    item = forms.ChoiceField(choices=())
    confirmed_by = _text(max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        item = self.fields["item"]
        assert isinstance(item, forms.ChoiceField)
        item.choices = [(i.slug, i.text) for i in self.policy.escalation.deescalation_checklist]


class DeescalateForm(StepForm):
    note = _text(rows=2)


STEP_FORMS: dict[str, type[StepForm]] = {
    "request": RequestForm,
    "evaluate": EvaluateForm,
    "plan": PlanForm,
    "update": UpdateForm,
    "insufficient-progress": InsufficientProgressForm,
    "engage-vendor": EngageVendorForm,
    "confirm": ConfirmForm,
    "de-escalate": DeescalateForm,
}
