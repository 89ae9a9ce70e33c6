from django.contrib import admin

from supportdesk.remote.models import RemoteAccess


@admin.register(RemoteAccess)
class RemoteAccessAdmin(admin.ModelAdmin[RemoteAccess]):
    """Read-only: access changes through the desk's actions, with its history."""

    list_display = ("ticket", "state", "minutes", "requested_at", "expires_at")
    list_filter = ("state",)

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
