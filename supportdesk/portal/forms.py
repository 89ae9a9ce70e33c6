"""The portal's forms. As in the workspace, they parse; `do_submit_ticket`
and the other actions decide."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django import forms
from django.utils import timezone

from supportdesk.accounts.access import visible_companies, visible_devices
from supportdesk.accounts.models import Organization, User
from supportdesk.assets.adapters import DeviceVersion, ReleaseBook, policy_day
from supportdesk.assets.models import Device
from supportdesk.policies.active import active_policy
from supportdesk.policy.matrix import (
    COVERAGE_WORDS,
    Offer,
    Scope,
    ScopeError,
    offered_categories,
    scope_of,
)
from supportdesk.tickets.forms import MultipleFileField, set_choices, severity_choices


class SubmitForm(forms.Form):
    """A new ticket. Customers open tickets for their own company; partner
    staff choose one of their companies and may send it straight to the
    vendor (§2.2)."""

    company = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    product = forms.ChoiceField()
    category = forms.ChoiceField(required=False)
    device = forms.IntegerField(required=False, min_value=1)
    severity = forms.TypedChoiceField(coerce=int)
    dedicated_contact = forms.CharField(required=False, max_length=200)
    vendor_outage = forms.BooleanField(required=False)
    subject = forms.CharField(required=False, max_length=1000)
    description = forms.CharField(required=False, widget=forms.Textarea)
    attachments = MultipleFileField()
    to_vendor = forms.BooleanField(required=False)
    # §3.5: third-party software involved, one a line; §3.2: for a defect,
    # the steps that reproduce it.
    third_party = forms.CharField(required=False, widget=forms.Textarea)
    reproduction_steps = forms.CharField(required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.policy = active_policy()
        self.companies = list(visible_companies(user).only("pk", "name", "parent_id"))
        set_choices(
            self, "company", [("", "Choose a company…"), *((c.pk, c.name) for c in self.companies)]
        )
        set_choices(self, "product", [(p.slug, p.name) for p in self.policy.products])
        set_choices(self, "severity", severity_choices(self.policy))
        # Categories depend on the product chosen: accept any here and let
        # the action judge against the support matrix.
        categories = [(c.slug, c.name) for c in self.policy.categories]
        set_choices(self, "category", [("", "Not sure"), *categories])

    # -- what the page shows for the current choices ----------------------------
    # (Not named after fields: a template's `form.product` is the field.)

    def chosen(self, name: str) -> str:
        value = self[name].value()
        return "" if value is None else str(value)

    def chosen_company(self) -> Organization | None:
        """The company the ticket is for, as far as the form knows yet."""
        if self.user.is_customer:
            return next((c for c in self.companies if c.pk == self.user.organization_id), None)
        wanted = self.chosen("company")
        return next((c for c in self.companies if str(c.pk) == wanted), None)

    def product_slug(self) -> str:
        wanted = self.chosen("product")
        slugs = [p.slug for p in self.policy.products]
        return wanted if wanted in slugs else slugs[0]

    def offers(self) -> tuple[Offer, ...]:
        return offered_categories(self.policy, self.product_slug())

    def offers_in_words(self) -> list[tuple[Offer, str]]:
        """The product's categories, each with what its coverage means (§4)."""
        return [(offer, COVERAGE_WORDS[offer.cell.coverage]) for offer in self.offers()]

    def chosen_scope(self) -> Scope | None:
        """The chosen category's row for the product, to say what follows."""
        category = self.chosen("category")
        if not category:
            return None
        try:
            return scope_of(self.policy, self.product_slug(), category)
        except ScopeError:
            return None

    def devices(self) -> list[Device]:
        company = self.chosen_company()
        if company is None:
            return []
        return list(visible_devices(self.user).filter(company=company).order_by("name"))

    @cached_property
    def device_choices(self) -> list[tuple[Device, DeviceVersion | None]]:
        """The company's devices, each with its version support today (§3.2):
        one query for their releases, none per device."""
        devices = self.devices()
        releases = ReleaseBook.for_devices(devices)
        today = policy_day(self.policy, timezone.now())
        return [(d, releases.judge(self.policy, d, today)) for d in devices]

    def chosen_device_version(self) -> tuple[Device, DeviceVersion] | None:
        """The chosen device when its version is out of support, to warn about."""
        wanted = self.chosen("device")
        for device, version in self.device_choices:
            if str(device.pk) == wanted and version is not None and version.out_of_support:
                return device, version
        return None
