"""The workspace queues: order, filters, search, pages, and a fixed cost."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from supportdesk.tickets import actions
from tests.web.conftest import htmx

pytestmark = pytest.mark.usefixtures("clock")


def rows(page: str) -> list[str]:
    return re.findall(r'<tr data-ticket="(SD-\d+)"', page)


def test_it_orders_by_due_time_then_number(cast, as_user, submit):
    sev4 = submit(cast.ivan, "Question about retention", severity=4)  # due Tue 10:00
    sev3 = submit(cast.ivan, "Slow backups", severity=3)  # due 14:00
    sev2 = submit(cast.ivan, "Restore hangs", severity=2)  # due 12:00
    also2 = submit(cast.ivan, "Another restore hangs", severity=2)  # due 12:00, later id
    page = as_user(cast.erin).get("/desk/").content.decode()
    assert rows(page) == [sev2.number, also2.number, sev3.number, sev4.number]


def test_the_by_severity_queue_groups_by_severity(cast, as_user, submit):
    sev3 = submit(cast.ivan, "Slow backups", severity=3)
    sev4 = submit(cast.ivan, "Question", severity=4)
    sev2 = submit(cast.ivan, "Restore hangs", severity=2)
    page = as_user(cast.erin).get("/desk/queue/severity/").content.decode()
    assert rows(page) == [sev2.number, sev3.number, sev4.number]
    assert "Severity 2 — Major/Urgent" in page


def test_mine_and_unassigned(cast, as_user, submit):
    taken = submit(cast.ivan, "Taken")
    free = submit(cast.ivan, "Free")
    actions.do_assign(taken, assignee=cast.erin, acting_user=cast.erin, now=timezone.now())
    erin = as_user(cast.erin)
    assert rows(erin.get("/desk/queue/mine/").content.decode()) == [taken.number]
    assert rows(erin.get("/desk/queue/unassigned/").content.decode()) == [free.number]
    page = erin.get("/desk/").content.decode()
    assert '<span class="count" data-testid="queue-count-mine">1</span>' in page
    assert '<span class="count" data-testid="queue-count-open">2</span>' in page


def test_breaching_soon_holds_tickets_due_within_two_hours_or_overdue(cast, as_user, submit, clock):
    overdue = submit(cast.ivan, "Overdue", severity=2, now=timezone.now() - timedelta(hours=3))
    soon = submit(cast.ivan, "Soon", severity=2)  # due in exactly 2 h
    submit(cast.ivan, "Later", severity=3)  # due in 4 h
    answered = submit(cast.ivan, "Answered", severity=2)
    actions.do_reply(answered, body="On it.", acting_user=cast.erin, now=timezone.now())
    page = as_user(cast.erin).get("/desk/queue/breaching/").content.decode()
    assert rows(page) == [overdue.number, soon.number]
    assert "overdue 1h 0m" in page
    assert 'class="due overdue"' in page


def test_filters_and_search(cast, as_user, submit):
    restore = submit(cast.ivan, "Restore hangs", severity=2)
    slow = submit(cast.ivan, "Slow backups", severity=3)
    acme = submit(cast.nora, "Acme agent", company=cast.acme, to_vendor=True)
    erin = as_user(cast.erin)

    def found(query: str) -> list[str]:
        return rows(erin.get(f"/desk/?{query}").content.decode())

    assert found("severity=2") == [restore.number]
    assert found("q=slow") == [slow.number]
    assert found(f"q={restore.number}") == [restore.number]
    assert found(f"q={restore.pk}") == [restore.number]
    assert found(f"company={cast.acme.pk}") == [acme.number]
    assert set(found("product=cloud-backup")) == {restore.number, slow.number, acme.number}
    assert found("product=disaster-recovery") == []
    actions.do_change_status(slow, status="resolved", acting_user=cast.erin, now=timezone.now())
    assert slow.number not in found("")
    assert found("status=resolved") == [slow.number]
    assert slow.number in found("status=all")
    # Nonsense in a filter is ignored, not an error.
    assert erin.get("/desk/?severity=x&company=y&page=z").status_code == 200


def test_the_tier_filter(cast, as_user, submit):
    partner = submit(cast.alice, "With Northwind")
    vendor = submit(cast.ivan, "With the vendor")
    erin = as_user(cast.erin)
    assert rows(erin.get("/desk/").content.decode()) == [vendor.number]
    assert rows(erin.get("/desk/?tier=partner").content.decode()) == [partner.number]
    assert set(rows(erin.get("/desk/?tier=any").content.decode())) == {
        partner.number,
        vendor.number,
    }


def test_partner_staff_see_their_tiers_and_their_companies_only(cast, as_user, submit):
    own = submit(cast.alice, "Acme, with Northwind")
    forwarded = submit(cast.nora, "Acme, forwarded", company=cast.acme, to_vendor=True)
    submit(cast.gina, "Globex, with Contoso")
    submit(cast.ivan, "Initech, direct")
    page = as_user(cast.nora).get("/desk/").content.decode()
    assert set(rows(page)) == {own.number, forwarded.number}
    # The company filter offers Northwind's companies only.
    assert "Acme Dental</option>" in page
    assert "Globex Clinic</option>" not in page


def test_an_htmx_request_gets_the_results_not_the_page(cast, as_user, submit):
    ticket = submit(cast.ivan, "Restore hangs")
    response = as_user(cast.erin).get("/desk/?q=restore", headers=htmx())
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert "<header" not in body
    assert body.lstrip().startswith('<div id="queue-results"')
    assert f'data-ticket="{ticket.number}"' in body
    assert 'id="queue-nav" hx-swap-oob="true"' in body  # the counts, out of band
    assert response["Vary"] == "HX-Request" or "HX-Request" in response["Vary"]


def test_it_pages_by_fifty(cast, as_user, submit):
    numbers = [submit(cast.ivan, f"Ticket {i}", severity=4).number for i in range(51)]
    erin = as_user(cast.erin)
    first = erin.get("/desk/").content.decode()
    assert rows(first) == numbers[:50]
    assert 'id="page-next"' in first
    second = erin.get("/desk/?page=2").content.decode()
    assert rows(second) == numbers[50:]
    assert 'id="page-previous"' in second
    assert 'id="page-next"' not in second


@pytest.mark.parametrize("count", [5, 50])
def test_the_queue_costs_the_same_queries_for_5_or_50_tickets(
    cast, as_user, submit, django_assert_max_num_queries, count
):
    for i in range(count):
        ticket = submit(cast.ivan if i % 2 else cast.alice, f"Ticket {i}", to_vendor=None)
        if i % 3 == 0:
            actions.do_assign(
                ticket,
                assignee=cast.erin if ticket.tier == "vendor" else cast.nora,
                acting_user=cast.erin if ticket.tier == "vendor" else cast.nora,
                now=timezone.now(),
            )
    erin = as_user(cast.erin)
    # session, user, the user's organization, tab counts, companies, rows,
    # the unread notifications in the top bar
    with django_assert_max_num_queries(7):
        page = erin.get("/desk/?tier=any").content.decode()
    assert len(rows(page)) == count
