"""The API object: authentication, error handling and the routers."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation

from supportdesk.api import (
    catalog,
    errors,
    escalations,
    feedback,
    limitations,
    policies,
    remote_access,
    reports,
    scope,
    tickets,
    workarounds,
)
from supportdesk.api.auth import BearerToken, SessionCookie


class SupportdeskAPI(NinjaAPI):
    _schemas: dict[str, OpenAPISchema]

    def get_openapi_operation_id(self, operation: Operation) -> str:
        # "create_ticket" rather than "supportdesk_api_tickets_create_ticket".
        return operation.view_func.__name__

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        # The document is public and costs ~125 ms of CPU to build; the routes
        # cannot change while the process runs, so build it once per prefix.
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        cache: dict[str, OpenAPISchema] = self.__dict__.setdefault("_schemas", {})
        if path_prefix not in cache:
            cache[path_prefix] = super().get_openapi_schema(path_prefix=path_prefix)
        return cache[path_prefix]


api = SupportdeskAPI(
    title="supportdesk",
    version="1",
    description=(
        "The support desk's REST API. Authenticate with `Authorization: Bearer <token>` "
        '(`supportdesk create-token --user EMAIL`). Errors are JSON `{"detail": …}` with '
        "a 4xx status; a ticket you may not see answers 404, the same as one that does "
        "not exist."
    ),
    urls_namespace="api-v1",
    auth=[BearerToken(), SessionCookie()],
    parser=errors.JsonBodyParser(),
)
errors.install(api)
api.add_router("", tickets.router)
api.add_router("", catalog.router)
api.add_router("", escalations.router)
api.add_router("", workarounds.router)
api.add_router("", reports.router)
api.add_router("", policies.router)
api.add_router("", scope.router)
api.add_router("", remote_access.router)
api.add_router("", feedback.router)
api.add_router("", limitations.router)
