"""Every failure as JSON `{"detail": "…"}` with a 4xx status (DESIGN.md §7).

ActionError codes map to statuses here and nowhere else: "invalid" is 400,
"forbidden" is 404 (a refusal must not tell another tenant's ticket from a
missing one), "conflict" is 409.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from supportdesk.tickets.actions import ActionError

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger("django.request")

MAX_BODY_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 32

ACTION_STATUS = {"invalid": 400, "forbidden": 404, "conflict": 409}


def json_text(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


def json_response(data: Any, status: int) -> HttpResponse:
    """The one way API answers are written, so a replayed answer is byte for byte the first."""
    return raw_json_response(json_text(data), status)


def raw_json_response(text: str, status: int) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="application/json; charset=utf-8")


def problem(detail: str, status: int) -> HttpResponse:
    return json_response({"detail": detail}, status)


# -- request bodies ----------------------------------------------------------------


class BadBody(Exception):
    """A request body refused before validation: too big, not JSON, too deep."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json_body(body: bytes) -> Any:
    """The JSON value of a request body, or BadBody saying what is wrong."""
    if len(body) > MAX_BODY_BYTES:
        raise BadBody(f"request body over {MAX_BODY_BYTES} bytes", 413)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadBody("malformed JSON: the body is not UTF-8") from None
    try:
        value = json.loads(text, parse_constant=_no_constants)
    except RecursionError:
        raise BadBody(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError as exc:
        raise BadBody(f"malformed JSON: {exc}") from None
    if json_depth(value) > MAX_JSON_DEPTH:
        raise BadBody(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    return value


def json_depth(value: Any) -> int:
    """How deeply arrays and objects nest (a scalar is 0, `{}` is 1). Stops
    counting past MAX_JSON_DEPTH; iterative, so no input can exhaust the stack."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest


class JsonBodyParser(Parser):
    """Ninja's parser with our limits. Ninja wraps anything raised here in a
    generic 400 `HttpError`; `on_http_error` recovers the BadBody it came from."""

    def parse_body(self, request: HttpRequest) -> Any:
        length = request.META.get("CONTENT_LENGTH") or "0"
        if not length.isdigit():
            raise BadBody("bad Content-Length header")
        if int(length) > MAX_BODY_BYTES:
            raise BadBody(f"request body over {MAX_BODY_BYTES} bytes", 413)
        return parse_json_body(request.body)


# -- handlers ------------------------------------------------------------------------


def on_action_error(request: HttpRequest, exc: ActionError) -> HttpResponse:
    return problem(exc.message, ACTION_STATUS.get(exc.code, 400))


def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem("not found", 404)


def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    cause = exc.__cause__
    if isinstance(cause, BadBody):
        return problem(cause.message, cause.status)
    if isinstance(cause, RequestDataTooBig):
        return on_too_big(request, cause)
    return problem(str(exc), exc.status_code)


def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = problem("authentication required: send Authorization: Bearer <token>", 401)
    response["WWW-Authenticate"] = 'Bearer realm="supportdesk"'
    return response


def on_too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Django refuses bodies over DATA_UPLOAD_MAX_MEMORY_SIZE before we see them.
    return problem(f"request body over {MAX_BODY_BYTES} bytes", 413)


_MESSAGES = {"missing": "required", "extra_forbidden": "unknown field"}


def field_errors(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Pydantic's errors as {field, message, type}, the field named as the
    client wrote it ("subject", "limit"), not by where ninja found it."""
    out = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        source = loc.pop(0) if loc else "body"
        if source == "body" and loc and loc[0] == "payload":
            loc.pop(0)
        field = ".".join(loc) or source
        kind = str(error.get("type", ""))
        message = _MESSAGES.get(kind, str(error.get("msg", "invalid")))
        out.append({"field": field, "message": message, "type": kind})
    return out


def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = field_errors(exc.errors)
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "invalid request"
    return json_response({"detail": detail, "errors": errors}, 422)


def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.error(
        "Internal Server Error: %s", request.path, exc_info=exc, extra={"request": request}
    )
    return problem("internal error", 500)


HANDLERS: dict[type[Exception], Callable[..., HttpResponse]] = {
    ActionError: on_action_error,
    Http404: on_not_found,
    HttpError: on_http_error,
    AuthenticationError: on_unauthenticated,
    ValidationError: on_validation_error,
    RequestDataTooBig: on_too_big,
    Exception: on_unexpected,
}


def install(api: NinjaAPI) -> None:
    for exc_class, handler in HANDLERS.items():
        api.add_exception_handler(exc_class, handler)
