"""The policy versions the desk knows, for the vendor's staff."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router
from pydantic import Field

from supportdesk.accounts.access import NotFound, may_read_policy_versions
from supportdesk.api.auth import acting_user
from supportdesk.api.schemas import Instant, Output
from supportdesk.api.tickets import ERRORS
from supportdesk.policies.queries import State, VersionRow, policy_versions

router = Router(tags=["policy"])


class PolicyVersionOut(Output):
    version: str
    state: State = Field(
        description="`active`: governs new tickets; `scheduled`: takes effect later; "
        "`superseded`: replaced by a later version; `withdrawn`: scheduled, then taken back "
        "before it took effect; `unrecorded`: named by tickets but never stored (they are "
        "judged by the active version)."
    )
    effective: date | None
    takes_effect_at: Instant | None = Field(
        description="The start of `effective` in the policy's business zone."
    )
    open_tickets: int = Field(description="Open tickets opened under this version.")
    recorded_at: Instant | None
    uploaded_by: str | None = Field(description="Null for the policy file the desk runs with.")
    from_file: bool
    withdrawn: str | None = Field(description="Who withdrew it, when and why; else null.")


class PolicyVersionList(Output):
    active: str
    items: list[PolicyVersionOut]


@router.get(
    "/policy/versions",
    response={200: PolicyVersionList, **ERRORS},
    summary="Policy versions: active, scheduled and superseded, with the open tickets each "
    "governs (vendor staff)",
)
def list_policy_versions(request: HttpRequest) -> PolicyVersionList:
    user = acting_user(request)
    if not may_read_policy_versions(user):
        raise NotFound("policy versions are for the vendor's staff")
    rows = policy_versions(now=timezone.now())
    active = next(r.version for r in rows if r.state == State.ACTIVE)
    return PolicyVersionList(active=active, items=[_out(r) for r in rows])


def _out(row: VersionRow) -> PolicyVersionOut:
    return PolicyVersionOut(
        version=row.version,
        state=row.state,
        effective=row.effective,
        takes_effect_at=row.takes_effect_at,
        open_tickets=row.open_tickets,
        recorded_at=row.recorded_at,
        uploaded_by=row.uploaded_by or None,
        from_file=row.from_file,
        withdrawn=row.withdrawn or None,
    )
