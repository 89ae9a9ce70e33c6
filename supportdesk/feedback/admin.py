from django.contrib import admin

from supportdesk.feedback.models import Feedback


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin[Feedback]):
    list_display = ("id", "product", "organization", "state", "submitted_at")
    list_filter = ("state", "product")
    search_fields = ("text",)
