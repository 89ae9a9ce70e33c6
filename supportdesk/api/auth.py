"""Who is calling: a bearer token, or the signed-in browser session.

A request that sends an `Authorization` header is judged by it alone: a bad
token answers 401 even when a session cookie rides along, so a script never
acts as whoever happens to be signed in. The session path checks CSRF on
unsafe methods, as any form on the site would.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from supportdesk.accounts.models import ApiToken, User
from supportdesk.accounts.tokens import live_token

# last_used_at is for people auditing tokens; a minute's precision saves a
# write on every request.
LAST_USED_PRECISION = timedelta(minutes=1)
MAX_TOKEN_LENGTH = 200
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        token = token.strip()
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        row = live_token(token)
        if row is None:
            return None
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at >= LAST_USED_PRECISION:
            # The filter makes concurrent requests write once between them.
            ApiToken.objects.filter(pk=row.pk).filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_PRECISION)
            ).update(last_used_at=now)
        request.user = row.user
        return row.user


class SessionCookie(APIKeyCookie):
    """The browser session of a signed-in user, for same-origin pages."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        # CSRF is checked in `authenticate`, once we know a user is signed in,
        # so an anonymous POST answers 401 rather than a CSRF refusal.
        super().__init__(csrf=False)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        if "Authorization" in request.headers:
            return None
        user: Any = getattr(request, "user", None)
        if not isinstance(user, User) or not user.is_active:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise HttpError(
                403, "CSRF check failed: send the csrftoken cookie's value in X-CSRFToken"
            )
        return user


def acting_user(request: HttpRequest) -> User:
    """The user the request acts for; every operation requires one."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):  # pragma: no cover - the auth callbacks guarantee it
        raise HttpError(401, "authentication required")
    return user
