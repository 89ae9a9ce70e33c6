"""Remote access (§2.3) across the tenants of tests/tenants.py:

    Infrascale (vendor)      erin (engineer), fiona (finance)
    Northwind IT (partner)   nora (technician)
      └ Acme Dental          alice
    Contoso MSP (partner)    carl
      └ Globex Clinic        gina
    Initech (direct)         ivan

Ivan's ticket is with the vendor from the start; Alice's is forwarded by
Nora, so Alice and Nora are both its customer side. The clock stands at
Monday 2026-11-30 10:00 Eastern; `later` moves it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client, override_settings

from supportdesk.accounts.models import ApiToken, User
from supportdesk.tickets import actions
from supportdesk.tickets.models import Ticket
from tests.tenants import Tenants, build_tenants

T0 = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)  # Monday 10:00 EST


@dataclass
class Desk:
    tenants: Tenants
    ivan_ticket: Ticket  # Initech, direct: with the vendor
    alice_ticket: Ticket  # Acme, forwarded by Northwind: with the vendor
    gina_ticket: Ticket  # Globex, still with Contoso

    def __getattr__(self, name: str) -> User:
        people = {
            "erin": "engineer",
            "fiona": "finance",
            "nora": "northwind_tech",
            "carl": "contoso_tech",
            "alice": "acme_user",
            "gina": "globex_user",
            "ivan": "initech_user",
        }
        if name in people:
            return self.tenants.people[people[name]]
        raise AttributeError(name)

    def fresh(self, ticket: Ticket) -> Ticket:
        return Ticket.objects.get(pk=ticket.pk)


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def desk(db: None, tmp_path: Path, clock: time_machine.Traveller) -> Iterator[Desk]:
    with override_settings(
        SUPPORTDESK_ATTACHMENTS_DIR=tmp_path, SUPPORTDESK_MAIL_ADDRESS="support@desk.example"
    ):
        tenants = build_tenants()
        people = tenants.people

        def submit(user: User, subject: str) -> Ticket:
            return actions.do_submit_ticket(
                company=user.organization,
                requester=user,
                subject=subject,
                body="The nightly backup stops at 40%.",
                product="cloud-backup",
                severity=3,
                channel="portal",
                acting_user=user,
                now=T0,
            )

        ivan_ticket = submit(people["initech_user"], "FS01 backups fail")
        alice_ticket = submit(people["acme_user"], "Dental images not backed up")
        actions.do_forward_to_vendor(
            alice_ticket, severity=3, acting_user=people["northwind_tech"], now=T0
        )
        gina_ticket = submit(people["globex_user"], "Clinic server slow")
        yield Desk(tenants, ivan_ticket, alice_ticket, gina_ticket)


class Api:
    """JSON to /api/v1/ as one person, with their bearer token."""

    def __init__(self, user: User) -> None:
        self.token = ApiToken.issue(user, "tests")[1]
        self.client = Client()

    def get(self, path: str) -> Any:
        return self.client.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {self.token}"})

    def post(self, path: str, data: Any = None) -> Any:
        return self.client.post(
            f"/api/v1{path}",
            json.dumps(data if data is not None else {}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {self.token}"},
        )


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def hours(n: float) -> timedelta:
    return timedelta(hours=n)
