from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from supportdesk.policies.active import active_policy
from supportdesk.policy.render import render_html


@require_GET
def statement(request: HttpRequest) -> HttpResponse:
    """The statement of support, rendered from the policy the desk enforces."""
    policy = active_policy()
    # render_html escapes the policy's text and sanitises the result with nh3.
    body = mark_safe(render_html(policy))
    return render(request, "policies/statement.html", {"policy": policy, "body": body})
