"""Forms of the workspace. They parse what was typed (numbers, choices,
files); the rules live in the `do_*` actions, whose `ActionError` the views
show beside the form. Text fields are not `required` here so that the
action's own message ("message is required") is the one people read."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from supportdesk.accounts.access import assignable_users, visible_companies
from supportdesk.accounts.models import User
from supportdesk.policies.active import active_policy, policy_for_version
from supportdesk.policy import Policy, limits
from supportdesk.tickets.actions import ActionError, Upload, safe_filename
from supportdesk.tickets.models import Status, Ticket
from supportdesk.tickets.queries import QueueFilters, watcher_candidates


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[Any]]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def uploads(files: list[UploadedFile[Any]]) -> list[Upload]:
    """The files as the actions take them. One too big is refused before it
    is read into memory; the action applies the same limits to every channel."""
    limit = settings.SUPPORTDESK_ATTACHMENT_MAX_BYTES
    for f in files:
        if f.size is not None and f.size > limit:
            name = safe_filename(f.name or "")
            raise ActionError(f"{name} is {f.size:,} bytes; the limit is {limit:,}")
    return [Upload(filename=f.name or "attachment", content=f.read()) for f in files]


def form_error(form: forms.Form) -> str:
    """A form's parse errors as one sentence, field by field."""
    parts = []
    for name, errors in form.errors.items():
        label = "" if name == "__all__" else f"{name.replace('_', ' ')}: "
        parts.append(label + " ".join(str(e) for e in errors))
    return "; ".join(parts)


def set_choices(form: forms.Form, name: str, choices: Any) -> None:
    """Choices known only when the form is made (the policy's, the user's)."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def severity_choices(policy: Policy, levels: list[int] | None = None) -> list[tuple[int, str]]:
    return [
        (s.level, f"Severity {s.level} — {s.name}")
        for s in policy.severities
        if levels is None or s.level in levels
    ]


# -- the queue's filter bar -------------------------------------------------------------


class QueueFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200)
    status = forms.ChoiceField(required=False)
    severity = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    tier = forms.ChoiceField(required=False)
    company = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    product = forms.ChoiceField(required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        policy = active_policy()
        set_choices(self, "status", [("", "Open (any)"), *Status.choices, ("all", "Any status")])
        levels = [(s.level, f"{s.level} — {s.name}") for s in policy.severities]
        set_choices(self, "severity", [("", "Any"), *levels])
        tiers = [("vendor", "Vendor"), ("partner", "Partner"), ("any", "Any tier")]
        set_choices(self, "tier", [("", "Default"), *tiers])
        companies = visible_companies(user).only("pk", "name")
        set_choices(self, "company", [("", "Any company"), *((c.pk, c.name) for c in companies)])
        products = [(p.slug, p.name) for p in policy.products]
        set_choices(self, "product", [("", "Any product"), *products])

    def filters(self) -> QueueFilters:
        """The filters asked for, ignoring any value that does not parse."""
        if not self.is_valid():
            data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        else:
            data = self.cleaned_data
        return QueueFilters(
            status=data.get("status") or "",
            severity=data.get("severity"),
            tier=data.get("tier") or "",
            company=data.get("company"),
            product=data.get("product") or "",
            q=(data.get("q") or "").strip(),
        )


# -- the ticket page's actions ---------------------------------------------------------


class TicketForm(forms.Form):
    """A form about one ticket, seen by one user."""

    def __init__(self, *args: Any, ticket: Ticket, user: User, **kwargs: Any) -> None:
        self.ticket = ticket
        self.user = user
        self.policy = policy_for_version(ticket.policy_version)
        super().__init__(*args, **kwargs)


class MessageForm(TicketForm):
    body = forms.CharField(required=False, widget=forms.Textarea)
    attachments = MultipleFileField()


class CallForm(TicketForm):
    direction = forms.ChoiceField(choices=[("outbound", "Outbound"), ("inbound", "Inbound")])
    minutes = forms.IntegerField(required=False, min_value=0, max_value=24 * 60)
    summary = forms.CharField(required=False, widget=forms.Textarea)
    public = forms.BooleanField(required=False, initial=True)


class SeverityForm(TicketForm):
    severity = forms.TypedChoiceField(coerce=int)
    reason = forms.CharField(required=False, widget=forms.Textarea)
    # A downgrade because the customer mis-assigned the severity (§1.7.3).
    misassigned = forms.BooleanField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "severity", severity_choices(self.policy))
        self.fields["severity"].initial = self.ticket.severity


class DecideForm(TicketForm):
    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("decline", "Decline")])
    reason = forms.CharField(required=False, widget=forms.Textarea)


class AssignForm(TicketForm):
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    take = forms.BooleanField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = assignable_users(self.ticket).order_by("name", "email")
        field.initial = self.ticket.assignee_id

    def chosen(self) -> User | None:
        if self.cleaned_data.get("take"):
            return self.user
        assignee = self.cleaned_data.get("assignee")
        return assignee if isinstance(assignee, User) else None


def status_choices(ticket: Ticket, *, working: bool) -> list[tuple[str, str]]:
    """Every status for the working side; resolve, close (and reopen a
    resolved ticket) for the customer side."""
    if working:
        return list(Status.choices)
    allowed = [Status.RESOLVED, Status.CLOSED]
    if ticket.status == Status.RESOLVED:
        allowed.insert(0, Status.OPEN)
    return [(s.value, s.label) for s in allowed]


class StatusForm(TicketForm):
    status = forms.ChoiceField()
    reason = forms.CharField(required=False, max_length=2000)
    # §3.1, §3.4: why the issue lies outside support (the working side, resolving).
    cause = forms.CharField(required=False, max_length=100)

    def __init__(self, *args: Any, working: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any status parses; the action says which this user may set. The
        # page offers only those (`offered`).
        set_choices(self, "status", Status.choices)
        self.offered = status_choices(self.ticket, working=working)
        # When the current status is not one this user may pick, nothing is
        # preselected, so one click cannot resolve the ticket by accident.
        self.current_offered = any(value == self.ticket.status for value, _ in self.offered)
        self.fields["status"].initial = self.ticket.status
        self.causes = limits.causes_for(self.policy, self.ticket.product) if working else ()


class ForwardForm(TicketForm):
    severity = forms.TypedChoiceField(coerce=int)
    note = forms.CharField(required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "severity", severity_choices(self.policy))
        self.fields["severity"].initial = self.ticket.severity


class RequestSeverityForm(TicketForm):
    severity = forms.TypedChoiceField(coerce=int)
    justification = forms.CharField(required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        higher = [s.level for s in self.policy.severities if s.level < self.ticket.severity]
        set_choices(self, "severity", severity_choices(self.policy, higher))


class WorkaroundForm(TicketForm):
    note = forms.CharField(required=False, widget=forms.Textarea)


class WatchersForm(TicketForm):
    watchers = forms.ModelMultipleChoiceField(queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["watchers"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = watcher_candidates(self.user, self.ticket)

    def wanted(self, current: list[User]) -> list[User]:
        """The new set: those chosen, plus current watchers this user could
        not choose (so a partner's edit never drops the vendor's watchers)."""
        field = self.fields["watchers"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        choosable = {u.pk for u in field.queryset or ()}
        kept = [u for u in current if u.pk not in choosable]
        return [*kept, *self.cleaned_data.get("watchers", [])]


class SavedReplyForm(forms.Form):
    title = forms.CharField(required=False, max_length=400)
    body = forms.CharField(required=False, widget=forms.Textarea)
    shared = forms.BooleanField(required=False)
