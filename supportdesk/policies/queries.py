"""The policy versions the desk knows, as the versions page and the API
list them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

from django.db.models import Count

from supportdesk.policies.active import active_policy, file_policy
from supportdesk.policies.models import PolicyVersion
from supportdesk.policy.schedule import business_zone, takes_effect_at
from supportdesk.tickets.models import OPEN_STATUSES, Ticket


class State(StrEnum):
    ACTIVE = "active"
    SCHEDULED = "scheduled"
    SUPERSEDED = "superseded"
    # Scheduled, then taken back before it took effect: it never governed.
    WITHDRAWN = "withdrawn"
    # A version tickets were opened under that the desk never stored; they
    # are judged by the active policy.
    UNRECORDED = "unrecorded"


@dataclass(frozen=True)
class VersionRow:
    version: str
    state: State
    effective: date | None
    takes_effect_at: datetime | None
    open_tickets: int
    recorded_at: datetime | None
    uploaded_by: str  # "" for the policy file
    from_file: bool  # the policy file the desk runs with (SUPPORTDESK_POLICY)
    withdrawn: str = ""  # who withdrew it, when and why, for a withdrawn one


def policy_versions(*, now: datetime) -> list[VersionRow]:
    """Every version: scheduled ones first (latest first), then the active
    one, then those it superseded; each with the open tickets it governs.
    Two queries, however many versions and tickets."""
    active, file = active_policy(), file_policy()
    zone = business_zone(file)
    counts = dict(
        Ticket.objects.filter(status__in=OPEN_STATUSES)
        .order_by()
        .values_list("policy_version")
        .annotate(n=Count("id"))
        .values_list("policy_version", "n")
    )
    rows: list[VersionRow] = []
    stored = PolicyVersion.objects.select_related("uploaded_by", "withdrawn_by").defer("text")
    for v in stored:
        starts_at = v.takes_effect_at or takes_effect_at(v.effective, zone)
        withdrawn = ""
        if v.withdrawn_at is not None:
            who = str(v.withdrawn_by) if v.withdrawn_by else "an admin"
            withdrawn = f"by {who} on {v.withdrawn_at:%Y-%m-%d}: {v.withdrawn_reason}"
        rows.append(
            VersionRow(
                version=v.version,
                state=State.WITHDRAWN
                if withdrawn
                else _state(v.version, active.version, starts_at, now),
                effective=v.effective,
                takes_effect_at=starts_at,
                open_tickets=counts.pop(v.version, 0),
                recorded_at=v.first_seen_at,
                uploaded_by=str(v.uploaded_by) if v.uploaded_by else "",
                from_file=v.version == file.version,
                withdrawn=withdrawn,
            )
        )
    if file.version not in {r.version for r in rows}:
        starts_at = takes_effect_at(file.meta.effective, zone)
        rows.append(
            VersionRow(
                version=file.version,
                state=_state(file.version, active.version, starts_at, now),
                effective=file.meta.effective,
                takes_effect_at=starts_at,
                open_tickets=counts.pop(file.version, 0),
                recorded_at=None,
                uploaded_by="",
                from_file=True,
            )
        )
    rows.sort(key=_order, reverse=True)
    rows += [
        VersionRow(version, State.UNRECORDED, None, None, n, None, "", False)
        for version, n in sorted(counts.items())
    ]
    return rows


def version_row(version: str, *, now: datetime) -> VersionRow | None:
    return next((r for r in policy_versions(now=now) if r.version == version), None)


def _state(version: str, active: str, starts_at: datetime, now: datetime) -> State:
    if version == active:
        return State.ACTIVE
    return State.SCHEDULED if starts_at > now else State.SUPERSEDED


_FLOOR = datetime.min.replace(tzinfo=UTC)


def _order(row: VersionRow) -> tuple[datetime, datetime]:
    return (row.takes_effect_at or _FLOOR, row.recorded_at or _FLOOR)
