"""Policy versions: the people of tests/tenants.py, a clock on Monday
2026-11-30 10:00 Eastern, and policy files edited from the shipped one."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client

from supportdesk.accounts.models import User
from supportdesk.policy.load import default_policy_path
from supportdesk.tickets.actions import do_submit_ticket
from supportdesk.tickets.models import Ticket
from tests.tenants import Tenants, build_tenants

FILE_VERSION = "2021-09-14+desk.1"
TEXT = default_policy_path().read_text(encoding="utf-8")
# Monday 2026-11-30 10:00 EST
MONDAY_10_EST = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
# Tuesday 2026-12-01 00:00 EST: when a version effective that day starts.
DEC_1_START = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)
SEV3_HOURS = 'targets = [{ channels = ["*"], hours = 4, calendar = "business", source = "§1.6" }]'


def policy_text(version: str, *edits: tuple[str, str], effective: str = "2026-12-01") -> str:
    """The shipped policy file as `version`, effective on `effective`, with
    each `old` text replaced by `new`."""
    text = TEXT.replace(f'version = "{FILE_VERSION}"', f'version = "{version}"', 1)
    text = text.replace("effective = 2021-09-14", f"effective = {effective}", 1)
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def sev3_in(hours: int) -> tuple[str, str]:
    """The edit that gives Severity 3 a first-response target of `hours`."""
    return SEV3_HOURS, SEV3_HOURS.replace("hours = 4", f"hours = {hours}")


@pytest.fixture
def tenants(db: None) -> Tenants:
    return build_tenants()


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(MONDAY_10_EST, tick=False) as traveller:
        yield traveller


@pytest.fixture
def signed_in(tenants: Tenants):
    """A client signed in as the persona named (tests/tenants.py)."""

    def sign_in(persona: str) -> Client:
        client = Client()
        client.force_login(tenants.people[persona])
        return client

    return sign_in


@pytest.fixture
def open_ticket(tenants: Tenants):
    """A Severity 3 portal ticket from Initech's user, opened now."""

    def make(now: datetime, subject: str = "Backups fail") -> Ticket:
        user: User = tenants.people["initech_user"]
        return do_submit_ticket(
            company=user.organization,
            requester=user,
            subject=subject,
            body="The nightly job stops.",
            product="cloud-backup",
            severity=3,
            channel="portal",
            acting_user=user,
            now=now,
        )

    return make
