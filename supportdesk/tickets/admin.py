from django.contrib import admin

from supportdesk.tickets.models import SavedReply, Ticket, TicketEvent


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin[Ticket]):
    """Read-only: tickets change through the desk's actions, so history stays whole."""

    list_display = ("id", "subject", "company", "severity", "status", "tier", "response_due_at")
    list_filter = ("status", "tier", "severity")
    search_fields = ("subject",)

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(TicketEvent)
class TicketEventAdmin(admin.ModelAdmin[TicketEvent]):
    list_display = ("ticket", "seq", "kind", "at", "actor")
    list_filter = ("kind",)

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(SavedReply)
class SavedReplyAdmin(admin.ModelAdmin[SavedReply]):
    list_display = ("title", "organization", "owner")
