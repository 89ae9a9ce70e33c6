"""A person's notifications: newest first, and marking them read."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from supportdesk.lib.htmx import see_other
from supportdesk.notifications.models import Notification
from supportdesk.tickets.views import person, staff_only

PAGE = 100


@require_GET
@staff_only
def inbox(request: HttpRequest) -> HttpResponse:
    mine = Notification.objects.filter(user=person(request)).select_related("ticket")
    return render(request, "notifications/inbox.html", {"notifications": list(mine[:PAGE])})


@require_POST
@staff_only
def mark_read(request: HttpRequest) -> HttpResponse:
    Notification.objects.filter(user=person(request), read_at=None).update(read_at=timezone.now())
    return see_other(reverse("notifications:inbox"))


def unread(request: HttpRequest) -> dict[str, Callable[[], int]]:
    """For every page: the signed-in staff member's unread count, counted
    only by a page that shows it (templates call it; htmx fragments do not)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.works_tickets:
        return {}
    return {
        "unread_notifications": cache(
            lambda: Notification.objects.filter(user=user, read_at=None).count()
        )
    }
