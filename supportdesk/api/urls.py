"""The API's URL patterns, for mounting at /api/v1/.

Ninja answers a wrong method with a plain-text 405 and Django an unknown
path with an HTML 404; both are wrapped here so every API answer is JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import URLPattern, re_path
from django.views.decorators.csrf import csrf_exempt

from supportdesk.api.api import api
from supportdesk.api.errors import problem

View = Callable[..., HttpResponseBase]


def _json_405(view: View) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
            allowed = response.get("Allow", "")
            answer = problem(f"method {request.method} not allowed here; use {allowed}", 405)
            answer["Allow"] = allowed
            return answer
        return response

    return wrapped


@csrf_exempt
def not_found(request: HttpRequest) -> HttpResponse:
    return problem("not found", 404)


_patterns, _app_name, _namespace = api.urls
urlpatterns: list[Any] = [
    URLPattern(p.pattern, _json_405(p.callback), p.default_args, p.name)
    if isinstance(p, URLPattern)
    else p
    for p in _patterns
]
urlpatterns.append(re_path(r"", not_found))

# For `path("api/v1/", api_urls)`: ninja's app name and namespace, our patterns.
api_urls = (urlpatterns, _app_name, _namespace)
