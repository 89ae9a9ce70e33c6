"""`/`: everyone to their own starting page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from supportdesk.accounts.models import User


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Staff to the workspace queue, customers to their tickets, anyone
    else to the sign-in page."""
    user = request.user
    if not isinstance(user, User) or not user.is_active:
        return redirect("accounts:login")
    if user.works_tickets:
        return redirect("tickets:workspace")
    if user.is_customer:
        return redirect("portal:tickets")
    return redirect("policies:statement")
