"""htmx done simply: one view answers the page, or just the fragment an htmx
request asked for (NetBox's habit, without a dependency).

A fragment is a Django 6 template partial, `"app/page.html#name"`. Extra
partials go out of band: their root element carries
`{% if oob %}hx-swap-oob="true"{% endif %}`, and htmx swaps each into the
element with the same id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import wraps
from typing import Any, cast
from urllib.parse import urlsplit

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers


def is_htmx(request: HttpRequest) -> bool:
    """An htmx request (it sends `HX-Request: true`), but not a history
    restore, which needs the whole page."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render_fragments(
    request: HttpRequest,
    template: str,
    context: Mapping[str, Any],
    main: str,
    *,
    oob: Iterable[str] = (),
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    """The partial `main` of `template`, then each of `oob` marked out of band."""
    parts = [render_to_string(f"{template}#{main}", {**context, "oob": False}, request)]
    parts.extend(
        render_to_string(f"{template}#{name}", {**context, "oob": True}, request) for name in oob
    )
    response = HttpResponse("".join(parts), status=status)
    # The same URL answers a page or a fragment; caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def render_page(
    request: HttpRequest, template: str, context: Mapping[str, Any], *, status: int = 200
) -> HttpResponse:
    """The whole page, from a URL that may also answer a fragment."""
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def see_other(url: str) -> HttpResponseRedirect:
    """303 after a POST, so a reload never posts the form again."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def login_required[View: Callable[..., HttpResponseBase]](view: View) -> View:
    """Django's `login_required`, but an htmx request whose session ran out
    sends the whole window to the sign-in page (and back to the page it was
    on), instead of swapping the sign-in form into a fragment."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if is_htmx(request):
            current = urlsplit(request.headers.get("HX-Current-URL", ""))
            back = current.path + (f"?{current.query}" if current.query else "")
            target = redirect_to_login(back or request.get_full_path())
            return HttpResponse(status=204, headers={"HX-Redirect": target["Location"]})
        return redirect_to_login(request.get_full_path())

    return cast(View, wrapper)
