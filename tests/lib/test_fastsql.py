"""lib/fastsql writes what the ORM would write: the same values, of the same
types, for every column of the models it inserts and updates, and rows of a
many-row insert come back to the objects they were made from."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection
from django.db.models import Model

from supportdesk.lib.fastsql import Inserter, preparer
from supportdesk.mail.models import InboundMail, OutboundMail
from supportdesk.tickets.models import Channel, Message, Status, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

AT = datetime(2026, 11, 30, 14, 5, tzinfo=UTC)


class Shade(enum.IntEnum):
    DARK = 2


def django_value(field: Any, obj: Model, *, new: bool) -> Any:
    value = field.pre_save(obj, True) if new else getattr(obj, field.attname)
    return field.get_db_prep_save(value, connection)


def samples() -> list[Model]:
    return [
        Ticket(
            subject="Backup fails",
            requester_id=7,
            company_id=3,
            severity=2,
            channel=Channel.EMAIL,
            status=Status.NEW,
            submitted_at=AT,
            breached=False,
            event_count=4,
            response_due_at=None,
        ),
        # What a careless caller might hand over: numbers as text and text as
        # numbers, an int enum, a bool where an int goes.
        Ticket(
            subject=1234,
            requester_id="7",
            company_id=3,
            severity=Shade.DARK,
            channel="email",
            status="open",
            submitted_at=AT,
            breached=1,
            event_count=True,
        ),
        Message(ticket_id=9, author_id=7, author_org_id=3, body="Hello", created_at=AT),
        TicketEvent(ticket_id=9, seq=1, kind="submitted", at=AT, data={"a": 1}, public=True),
        InboundMail(received_at=AT, raw=b"From: a@b\n\nx", size=12, dedupe_key="k", subject="s"),
        OutboundMail(created_at=AT, kind="reply", to=["a@example.com"], subject="s", body="b"),
    ]


@pytest.mark.parametrize("new", [True, False])
def test_every_column_gets_the_value_and_type_django_gives(new: bool) -> None:
    for obj in samples():
        for field in obj._meta.concrete_fields:
            if field.primary_key:
                continue
            ours = preparer(field, new=new)(obj, connection)
            theirs = django_value(field, obj, new=new)
            where = f"{type(obj).__name__}.{field.name}"
            if hasattr(theirs, "obj"):  # psycopg's Jsonb wraps the value
                assert type(ours) is type(theirs), where
                assert ours.obj == theirs.obj, where
                continue
            assert ours == theirs, where
            assert type(ours) is type(theirs), where


def test_a_many_row_insert_gives_each_object_its_own_row() -> None:
    rows = [
        InboundMail(received_at=AT, raw=b"x", size=n, dedupe_key=f"key-{n}", subject=f"mail {n}")
        for n in range(5)
    ]
    Inserter(InboundMail).insert(*rows)
    stored = dict(InboundMail.objects.values_list("pk", "subject"))
    assert [stored[row.pk] for row in rows] == [f"mail {n}" for n in range(5)]


def test_insert_new_many_skips_what_is_stored_and_says_which() -> None:
    insert = Inserter(InboundMail)
    first = InboundMail(received_at=AT, raw=b"x", size=1, dedupe_key="same", subject="first")
    insert.insert(first)
    batch = [
        InboundMail(received_at=AT, raw=b"x", size=1, dedupe_key="same", subject="again"),
        InboundMail(received_at=AT, raw=b"x", size=1, dedupe_key="other", subject="other"),
    ]
    assert insert.insert_new_many(batch, key="dedupe_key") == [False, True]
    assert InboundMail.objects.get(pk=batch[1].pk).subject == "other"
    assert InboundMail.objects.get(dedupe_key="same").subject == "first"


def test_a_made_object_is_the_object_django_would_build() -> None:
    from supportdesk.accounts.models import Organization, User
    from supportdesk.lib.fastsql import Maker

    company = Organization(pk=3, kind="company", name="Initech")
    user = User(pk=7, email="a@initech.example", organization=company)
    values: dict[str, Any] = {
        "subject": "Backup fails",
        "requester": user,
        "company": company,
        "partner": None,
        "device_id": None,
        "status": Status.NEW,
        "submitted_at": AT,
        "updated_at": AT,
    }
    made = Maker(Ticket)(**values)
    built = Ticket(**values)
    for field in Ticket._meta.concrete_fields:
        assert getattr(made, field.attname) == getattr(built, field.attname), field.name
    # Related objects come from the cache, as after Django's own assignment.
    assert made.requester is user
    assert made.company is company
    assert made.partner is None
    assert made._state.adding


def test_making_an_object_with_an_unknown_field_fails() -> None:
    from supportdesk.lib.fastsql import Maker

    with pytest.raises(TypeError, match="colour"):
        Maker(Ticket)(subject="x", colour="red")
