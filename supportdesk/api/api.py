"""The API object: authentication, error handling and the routers."""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.operation import Operation

from supportdesk.api import catalog, errors, tickets
from supportdesk.api.auth import BearerToken, SessionCookie


class SupportdeskAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        # "create_ticket" rather than "supportdesk_api_tickets_create_ticket".
        return operation.view_func.__name__


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
