"""Mail in batches: what a batch reads once and writes together must come
out exactly as if each mail had come alone, including when one mail in the
middle fails."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from supportdesk.accounts.models import User
from supportdesk.mail import outbound
from supportdesk.mail.ingest import ingest_many
from supportdesk.mail.models import InboundMail, OutboundMail, Outcome
from supportdesk.tickets import actions
from supportdesk.tickets.models import Ticket
from tests.mail.test_ingest import NOW, mail, ticket_of
from tests.tenants import Tenants, build_tenants

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenants(tmp_path: Path) -> Iterator[Tenants]:
    with override_settings(
        SUPPORTDESK_MAIL_ADDRESS="support@desk.example",
        SUPPORTDESK_ATTACHMENTS_DIR=tmp_path,
    ):
        yield build_tenants()


def test_the_same_mail_twice_in_one_batch_is_one_ticket(tenants: Tenants) -> None:
    raw = mail(message_id="<twice@initech.example>")
    results = ingest_many([(raw, "a"), (raw, "b")], now=NOW)
    assert [r.outcome for r in results] == [Outcome.CREATED, Outcome.DUPLICATE]
    assert results[1].ticket == results[0].ticket
    duplicate = InboundMail.objects.get(pk=results[1].mail_id)
    assert duplicate.duplicate_of_id == results[0].mail_id
    assert Ticket.objects.count() == 1


def test_the_same_words_twice_in_one_batch_are_a_loop(tenants: Tenants) -> None:
    results = ingest_many(
        [(mail(message_id=f"<same{n}@initech.example>"), "batch") for n in range(3)], now=NOW
    )
    assert [r.outcome for r in results] == [Outcome.CREATED, Outcome.HELD, Outcome.HELD]


def test_a_new_person_writing_twice_in_one_batch_is_one_user(tenants: Tenants) -> None:
    results = ingest_many(
        [
            (mail(sender="Pat <pat@initech.example>", subject=f"Problem {n}", message_id=None), "b")
            for n in range(2)
        ],
        now=NOW,
    )
    assert [r.outcome for r in results] == [Outcome.CREATED, Outcome.CREATED]
    requesters = {ticket_of(r.ticket).requester_id for r in results}
    assert requesters == {User.objects.get(email="pat@initech.example").pk}


def test_the_automatic_mail_cap_counts_the_batchs_own_acknowledgements(tenants: Tenants) -> None:
    mails = [
        (mail(subject=f"Problem number {n}", message_id=f"<cap{n}@initech.example>"), "b")
        for n in range(outbound.AUTOMATIC_PER_RECIPIENT + 3)
    ]
    results = ingest_many(mails, now=NOW)
    assert all(r.outcome == Outcome.CREATED for r in results)
    acks = OutboundMail.objects.filter(kind=OutboundMail.Kind.ACKNOWLEDGEMENT)
    assert acks.count() == outbound.AUTOMATIC_PER_RECIPIENT


def explode_after_acknowledging(
    monkeypatch: pytest.MonkeyPatch, failure: Callable[[], None]
) -> None:
    """Acknowledging a ticket whose subject says "explode" fails after the
    ticket, its new requester and its acknowledgement were written: all of
    it must go, and nothing of the other mails."""
    acknowledge = outbound.acknowledge

    def failing(ticket: Ticket, **kwargs: Any) -> OutboundMail | None:
        acknowledge(ticket, **kwargs)
        if "explode" in ticket.subject:
            failure()
        return None

    monkeypatch.setattr(outbound, "acknowledge", failing)


def test_a_mail_that_fails_is_quarantined_and_the_rest_of_its_batch_goes_in(
    tenants: Tenants, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_on_fire() -> None:
        raise RuntimeError("disk on fire")

    explode_after_acknowledging(monkeypatch, disk_on_fire)
    batch = [
        mail(sender="Pat <pat@initech.example>", subject="First", message_id="<a@x>"),
        mail(sender="Quinn <quinn@initech.example>", subject="explode", message_id="<b@x>"),
        mail(sender="Quinn <quinn@initech.example>", subject="Third", message_id="<c@x>"),
    ]
    results = ingest_many([(raw, "batch") for raw in batch], now=NOW)

    assert [r.outcome for r in results] == [Outcome.CREATED, Outcome.QUARANTINED, Outcome.CREATED]
    assert "RuntimeError: disk on fire" in results[1].reason
    assert InboundMail.objects.get(pk=results[1].mail_id).waiting
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["First", "Third"]
    acked = OutboundMail.objects.filter(kind=OutboundMail.Kind.ACKNOWLEDGEMENT)
    assert sorted(m.ticket.subject for m in acked) == ["First", "Third"]
    quinn = User.objects.get(email="quinn@initech.example")
    assert ticket_of(results[2].ticket).requester == quinn


def test_a_mail_refused_by_the_rules_is_quarantined_with_the_reason(
    tenants: Tenants, monkeypatch: pytest.MonkeyPatch
) -> None:
    submit = actions.do_submit_ticket

    def refusing(**kwargs: Any) -> Ticket:
        if kwargs["subject"] == "refuse me":
            raise actions.ActionError("no tickets today")
        return submit(**kwargs)

    monkeypatch.setattr(actions, "do_submit_ticket", refusing)
    results = ingest_many(
        [(mail(subject=s, message_id=f"<{n}@x>"), "b") for n, s in enumerate(["ok", "refuse me"])],
        now=NOW,
    )
    assert [r.outcome for r in results] == [Outcome.CREATED, Outcome.QUARANTINED]
    assert results[1].reason == "not accepted: no tickets today"


def test_a_database_error_in_one_mail_quarantines_it_whenever_it_surfaces(
    tenants: Tenants, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On PostgreSQL a batch's statements go down a pipeline, where a failed
    # statement is reported at a later one (or at the end) and the rest are
    # abandoned. The batch must still come out as mail by mail would.
    from django.db import connection

    def nameless_company() -> None:
        with connection.cursor() as cursor:
            # A row without its name: refused by a NOT NULL constraint.
            cursor.execute("INSERT INTO accounts_organization (kind) VALUES ('company')")

    explode_after_acknowledging(monkeypatch, nameless_company)
    subjects = ["One", "explode", "Three", "Four"]
    batch = [
        mail(sender=f"p{n}@initech.example", subject=s, message_id=f"<{n}@x>")
        for n, s in enumerate(subjects)
    ]
    results = ingest_many([(raw, "batch") for raw in batch], now=NOW)

    assert [r.outcome for r in results] == [
        Outcome.CREATED,
        Outcome.QUARANTINED,
        Outcome.CREATED,
        Outcome.CREATED,
    ]
    assert "IntegrityError" in results[1].reason
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["Four", "One", "Three"]
    assert [ticket_of(r.ticket).subject for r in results if r.ticket] == ["One", "Three", "Four"]
