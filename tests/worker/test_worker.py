"""`supportdesk worker` against the database queue: mail written by a change
leaves only once the worker runs, and mail whose task was lost still goes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail as django_mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from supportdesk.mail.ingest import ingest_raw
from supportdesk.mail.models import OutboundMail
from tests.mail.test_ingest import mail, ticket_of
from tests.tenants import build_tenants

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def queued_work(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    django_mail.outbox = []
    with override_settings(
        SUPPORTDESK_MAIL_ADDRESS="support@desk.example", SUPPORTDESK_ATTACHMENTS_DIR=tmp_path
    ):
        build_tenants()
        yield


def test_an_acknowledgement_leaves_when_the_worker_runs() -> None:
    result = ingest_raw(mail(), "test")
    ack = OutboundMail.objects.get(ticket=ticket_of(result.ticket))
    assert ack.state == OutboundMail.State.QUEUED
    assert django_mail.outbox == []
    assert DBTaskResult.objects.count() == 1

    call_command("worker", batch=True)

    ack.refresh_from_db()
    assert ack.state == OutboundMail.State.SENT
    assert [m.subject for m in django_mail.outbox] == [ack.subject]
    assert result.ticket in ack.subject


def test_mail_whose_delivery_task_was_lost_is_sent_by_the_next_worker() -> None:
    ingest_raw(mail(), "test")
    DBTaskResult.objects.all().delete()
    ack = OutboundMail.objects.get()
    OutboundMail.objects.filter(pk=ack.pk).update(created_at=timezone.now() - timedelta(hours=2))

    call_command("worker", batch=True)

    ack.refresh_from_db()
    assert ack.state == OutboundMail.State.SENT
    assert len(django_mail.outbox) == 1


def test_mail_queued_moments_ago_is_left_to_its_own_task() -> None:
    ingest_raw(mail(), "test")
    DBTaskResult.objects.all().delete()

    call_command("worker", batch=True)

    assert OutboundMail.objects.get().state == OutboundMail.State.QUEUED
    assert django_mail.outbox == []
