from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from supportdesk.webhooks.models import Delivery, Webhook
from supportdesk.webhooks.publish import forget_hooks


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin[Webhook]):
    list_display = ("name", "url", "active", "allow_private", "created_at")
    readonly_fields = ("secret", "created_at", "created_by")

    def save_model(self, request: HttpRequest, obj: Webhook, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
        forget_hooks()


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    """The delivery log: what was sent where, and what came back."""

    list_display = ("created_at", "event", "webhook", "state", "attempts", "last_status")
    list_filter = ("state", "event", "webhook")
    readonly_fields = tuple(f.name for f in Delivery._meta.fields)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
