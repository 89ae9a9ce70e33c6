"""The two journeys the desk exists for, through the screens people use."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import htmx

pytestmark = pytest.mark.usefixtures("clock")


def rows(page: str) -> list[str]:
    """Ticket numbers of the queue rows, in order."""
    return re.findall(r'<tr data-ticket="(SD-\d+)"', page)


def test_it_takes_a_direct_customers_ticket_to_the_engineer_and_back(cast, as_user, submit):
    ivan, erin = as_user(cast.ivan), as_user(cast.erin)
    submit(cast.ivan, "Older, less urgent", severity=4)

    response = ivan.post(
        "/portal/new",
        {
            "product": "cloud-backup",
            "category": "dashboard-troubleshooting",
            "severity": "2",
            "subject": "Restore hangs at 99%",
            "description": "Restoring the finance share hangs at 99% since this morning.",
        },
    )
    assert response.status_code == 302
    number = response["Location"].rstrip("/").split("/")[-1]
    assert response["Location"] == f"/portal/tickets/{number}/"

    # First in the queue: Severity 2 on Monday 10:00 EST is due at 12:00 EST.
    queue = erin.get("/desk/").content.decode()
    assert rows(queue)[0] == number
    assert 'data-due="2026-11-30T17:00:00Z"' in queue
    assert "due in 2h 0m" in queue

    page = erin.get(f"/desk/tickets/{number}/").content.decode()
    assert "Restore hangs at 99%" in page
    assert "Due Mon 30 Nov 2026 12:00 EST." in page  # the SLA explanation
    response = erin.post(
        f"/desk/tickets/{number}/reply",
        {"body": "Looking at it now: please send the restore log."},
        headers=htmx(),
    )
    assert response.status_code == 200
    assert "Looking at it now" in response.content.decode()

    mine = ivan.get(f"/portal/tickets/{number}/").content.decode()
    assert "Looking at it now: please send the restore log." in mine
    assert "Erin Engineer" in mine
    assert ">responded<" in mine


def test_it_keeps_a_partners_ticket_with_the_partner_until_forwarded(cast, as_user):
    alice, nora, erin = as_user(cast.alice), as_user(cast.nora), as_user(cast.erin)
    response = alice.post(
        "/portal/new",
        {
            "product": "cloud-backup",
            "severity": "3",
            "device": str(cast.acme_server.pk),
            "subject": "Agent offline on FS01",
            "description": "The agent shows offline since Friday.",
        },
    )
    assert response.status_code == 302, response.content.decode()
    number = response["Location"].rstrip("/").split("/")[-1]

    # With the partner: in Nora's queue without a vendor due time…
    queue = nora.get("/desk/queue/unassigned/").content.decode()
    assert rows(queue) == [number]
    row = queue[queue.index(f'data-ticket="{number}"') :]
    row = row[: row.index("</tr>")]
    assert "data-due" not in row
    assert 'title="No vendor response target"' in row
    # …and not in the vendor's.
    assert number not in rows(erin.get("/desk/").content.decode())
    # Contoso's technician does not see it at all.
    assert number not in rows(as_user(cast.carl).get("/desk/").content.decode())

    response = nora.post(
        f"/desk/tickets/{number}/forward",
        {"severity": "2", "note": "Agent reinstall did not help."},
        headers=htmx(),
    )
    assert response.status_code == 200, response.content.decode()
    assert 'id="ticket-tier"' in response.content.decode()  # the header, out of band

    queue = erin.get("/desk/").content.decode()
    assert rows(queue) == [number]
    # Forwarded Monday 10:00 EST at Severity 2: due 12:00 EST.
    assert 'data-due="2026-11-30T17:00:00Z"' in queue
    assert nora.get("/desk/queue/unassigned/").content.decode().count("data-ticket=") == 0
