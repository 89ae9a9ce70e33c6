"""The forms of a policy upload: the file (or its text pasted), then the
confirmation that carries the reviewed text and the effective date."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django import forms

from supportdesk.policies.actions import (
    MAX_POLICY_BYTES,
    PolicyRefused,
    decode_policy_file,
    normalize,
)


class UploadForm(forms.Form):
    file = forms.FileField(
        required=False,
        label="Policy file",
        help_text="A TOML policy file, like the one the desk ships with.",
    )
    text = forms.CharField(
        required=False,
        strip=False,
        max_length=MAX_POLICY_BYTES,
        label="Or paste its text",
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload, text = data.get("file"), data.get("text") or ""
        if upload and text.strip():
            raise forms.ValidationError("give a file or paste its text, not both")
        if upload:
            try:
                data["policy_text"] = decode_policy_file(upload.read())
            except PolicyRefused as exc:
                raise forms.ValidationError(exc.message) from None
        elif text.strip():
            data["policy_text"] = normalize(text)
        else:
            raise forms.ValidationError("choose a policy file or paste its text")
        return data


class ConfirmForm(forms.Form):
    # The text travels base64-encoded so that what is stored is byte for
    # byte what was reviewed (a form field would fold its line endings).
    text = forms.CharField(
        widget=forms.HiddenInput, strip=False, max_length=4 * (MAX_POLICY_BYTES // 3 + 1)
    )
    against = forms.CharField(widget=forms.HiddenInput, max_length=200)
    effective = forms.DateField(
        label="Takes effect on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    @staticmethod
    def encode(text: str) -> str:
        return base64.b64encode(text.encode()).decode("ascii")

    def clean_text(self) -> str:
        try:
            return base64.b64decode(self.cleaned_data["text"], validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise forms.ValidationError("the reviewed file did not come back intact") from None
