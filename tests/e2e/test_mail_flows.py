"""Mail in a real browser: the desk's side of DESIGN.md's mail intake.

(1) A customer's mail opens a ticket; the engineer answers it in the
    workspace, and the outbox holds the acknowledgement and the reply.
(2) A reply from a stranger (a spoofed From) waits for staff; its hostile
    HTML is shown as text, and it is discarded with a reason.
(3) A reply from an unknown address waits for staff and is attached to its
    ticket as an internal note.
(4) Customers never see the mail screens; partner staff see only the mail of
    their companies' tickets.

Mail arrives through `ingest_raw` in the test process, as the IMAP poller or
the SMTP receiver would hand it over; everything after that is the browser.
"""

from __future__ import annotations

import re
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from supportdesk.mail.ingest import ingest_raw
from supportdesk.mail.models import InboundMail, OutboundMail, Outcome, Review
from supportdesk.tickets import actions
from supportdesk.tickets.models import Channel, Message, Ticket
from tests.e2e.conftest import PASSWORD, shot
from tests.tenants import Tenants, build_tenants

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESK = "support@desk.example"
IVAN = "Ivan Initech <ivan@initech.example>"
HOSTILE = (
    "<p>Please send me the admin password for Initech.</p>"
    "<script>document.title='pwned'</script>"
    "<img src=x onerror=\"document.title='pwned'\">"
)
# Records every value a script assigns to document.title, from the first byte.
WATCH_TITLE = """
(() => {
  const title = Object.getOwnPropertyDescriptor(Document.prototype, "title");
  window.__titles = [];
  Object.defineProperty(Document.prototype, "title", {
    configurable: true,
    get() { return title.get.call(this); },
    set(value) { window.__titles.push(String(value)); title.set.call(this, value); },
  });
})();
"""


@pytest.fixture(autouse=True)
def _desk_address(settings: Any) -> None:
    settings.SUPPORTDESK_MAIL_ADDRESS = DESK


@pytest.fixture
def tenants() -> Tenants:
    tenants = build_tenants(password=PASSWORD)
    tenants.initech.email_domains = "initech.example"
    tenants.initech.save()
    return tenants


def mail(
    sender: str,
    subject: str,
    body: str,
    message_id: str,
    *,
    html: bool = False,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = DESK
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    if html:
        msg.set_content(body, subtype="html")
    else:
        msg.set_content(body)
    return msg.as_bytes()


def ticket_by_mail(subject: str, body: str, message_id: str) -> Ticket:
    """Ivan mails the desk: a new ticket."""
    result = ingest_raw(mail(IVAN, subject, body, message_id), "test")
    assert result.outcome == Outcome.CREATED, result
    pk = Ticket.pk_from_number(result.ticket or "")
    assert pk is not None, result
    return Ticket.objects.get(pk=pk)


def held_reply(sender: str, ticket: Ticket, body: str, message_id: str, **kw: Any) -> InboundMail:
    """A reply naming `ticket` by its subject token, from someone not on it."""
    subject = f"Re: [{ticket.number}] {ticket.subject}"
    result = ingest_raw(mail(sender, subject, body, message_id, **kw), "test")
    assert result.outcome == Outcome.HELD, result
    held = InboundMail.objects.get(pk=result.mail_id)
    assert held.review == Review.WAITING
    return held


def status_of(page: Page, path: str) -> int:
    response = page.goto(path)
    assert response is not None
    return response.status


def open_waiting(page: Page) -> None:
    page.locator("#nav-mail").click()
    expect(page.locator("#mail-tab-waiting")).to_have_attribute("aria-current", "page")


def listed_mail(page: Page) -> list[int]:
    return [
        int(pk)
        for pk in page.locator("#mail-table tr[data-mail]").evaluate_all(
            "rows => rows.map(r => r.dataset.mail)"
        )
    ]


def test_a_customer_mail_becomes_a_ticket_answered_by_mail(
    tenants: Tenants, sign_in: Any, artifacts: Path
) -> None:
    text = "Since last night the FS01 backup fails with VSS error 0x800423F4."
    ticket = ticket_by_mail("Backups of FS01 fail", text, "<fs01@initech.example>")
    assert ticket.requester == tenants.people["initech_user"]
    assert ticket.channel == Channel.EMAIL
    ack = OutboundMail.objects.get(ticket=ticket)
    assert ack.kind == OutboundMail.Kind.ACKNOWLEDGEMENT

    engineer = sign_in("engineer")
    engineer.locator("#nav-workspace").click()
    row = engineer.locator(f'tr[data-ticket="{ticket.number}"]')
    expect(row).to_contain_text(ticket.subject)
    row.locator("a").first.click()
    expect(engineer.locator("#ticket-subject")).to_have_text(ticket.subject)
    first = engineer.locator("#timeline [data-testid=public-message]").first
    expect(first).to_contain_text(text)
    expect(first.locator(".meta")).to_contain_text("via Email")

    reply = "The VSS writer was stuck; we restarted it. Tonight's backup should pass."
    engineer.locator("#reply-body").fill(reply)
    engineer.locator("#reply-submit").click()
    expect(engineer.locator("#timeline")).to_contain_text(reply)

    engineer.locator("#nav-mail").click()
    engineer.locator("#mail-tab-outbox").click()
    expect(engineer.locator("#mail-tab-outbox")).to_have_attribute("aria-current", "page")
    rows = engineer.locator("#outbox-table tr[data-outbound]")
    expect(rows).to_have_count(2)
    token = re.compile(rf"\[{re.escape(ticket.number)}\]")
    for kind in ("acknowledgement", "reply"):
        outbound_row = engineer.locator(f'#outbox-table tr[data-kind="{kind}"]')
        expect(outbound_row).to_contain_text("ivan@initech.example")
        expect(outbound_row.locator("a[id^=outbound-link-]")).to_have_text(token)
    shot(engineer, artifacts, "mail-outbox")

    sent = OutboundMail.objects.get(ticket=ticket, kind=OutboundMail.Kind.REPLY)
    assert sent.to == ["ivan@initech.example"]
    engineer.locator(f"#outbound-link-{sent.pk}").click()
    expect(engineer.locator("#outbound-subject")).to_have_text(
        f"Re: [{ticket.number}] {ticket.subject}"
    )
    expect(engineer.locator("#outbound-to")).to_have_text("ivan@initech.example")
    expect(engineer.locator("#outbound-body")).to_contain_text(reply)
    in_reply_to = (
        engineer.locator("#outbound-facts > div")
        .filter(has=engineer.locator("dt", has_text="In-Reply-To"))
        .locator("dd")
    )
    # It answers Ivan's mail (our acknowledgement of it is in References).
    assert sent.in_reply_to == "fs01@initech.example"
    expect(in_reply_to).to_have_text(f"<{sent.in_reply_to}>")


def test_a_spoofed_reply_waits_for_staff_and_is_discarded(
    tenants: Tenants, sign_in: Any, artifacts: Path
) -> None:
    ticket = ticket_by_mail("Payroll share is read-only", "Since 9:00.", "<pay@initech.example>")
    held = held_reply(
        "Mallory <mallory@evil.example>", ticket, HOSTILE, "<spoof@evil.example>", html=True
    )

    engineer = sign_in("engineer")
    engineer.add_init_script(WATCH_TITLE)
    open_waiting(engineer)
    expect(engineer.locator("#mail-tab-waiting .count")).to_have_text("1")
    assert listed_mail(engineer) == [held.pk]
    row = engineer.locator(f'tr[data-mail="{held.pk}"]')
    expect(row).to_have_attribute("data-outcome", "held")
    expect(row).to_contain_text("mallory@evil.example")
    expect(row.locator("td").nth(4)).to_contain_text("sender mallory@evil.example")
    shot(engineer, artifacts, "mail-waiting")

    engineer.locator(f"#mail-link-{held.pk}").click()
    expect(engineer.locator("#mail-sender")).to_have_text("mallory@evil.example")
    expect(engineer.locator("#mail-reason")).to_contain_text("mallory@evil.example")
    expect(engineer.locator("#mail-text")).to_contain_text("admin password for Initech")
    engineer.wait_for_load_state("load")  # the img's onerror would have fired by now
    assert engineer.evaluate("window.__titles") == []
    assert engineer.title() != "pwned"
    assert engineer.locator("#mail-body script, #mail-body img").count() == 0
    assert (
        engineer.evaluate(
            "[...document.scripts].filter(s => s.textContent.includes('pwned')).length"
        )
        == 0
    )
    assert engineer.locator("img[onerror]").count() == 0

    engineer.locator("#mail-discard-reason").fill("spoofed sender")
    engineer.locator("#mail-discard").click()
    expect(engineer.locator("#mail-review")).to_contain_text("Discarded")
    expect(engineer.locator("#mail-review")).to_contain_text("spoofed sender")
    expect(engineer.locator("#mail-review-actions")).to_have_count(0)
    assert engineer.evaluate("window.__titles") == []

    open_waiting(engineer)
    expect(engineer.locator("#mail-empty")).to_have_text("No mail is waiting for staff.")
    expect(engineer.locator("#mail-tab-waiting .count")).to_have_count(0)
    held.refresh_from_db()
    assert held.review == Review.DISCARDED
    assert held.review_note == "spoofed sender"
    assert held.reviewed_by == tenants.people["engineer"]


def test_a_held_mail_is_attached_to_its_ticket_as_an_internal_note(
    tenants: Tenants, sign_in: Any, artifacts: Path
) -> None:
    ticket = ticket_by_mail("New laptop cannot back up", "Error 17.", "<lap@initech.example>")
    held = held_reply(
        "Nina Newhire <newhire@gmail.example>",
        ticket,
        "I am the new hire with that laptop; this is my private address.",
        "<nina@gmail.example>",
    )

    engineer = sign_in("engineer")
    engineer.goto(f"/desk/mail/in/{held.pk}/")
    expect(engineer.locator("#mail-reason")).to_contain_text("newhire@gmail.example")
    expect(engineer.locator("#mail-attach-ticket")).to_have_value(ticket.number)
    engineer.locator("#mail-attach-visibility").select_option("internal")
    engineer.locator("#mail-attach").click()
    expect(engineer.locator("#mail-review")).to_contain_text("Attached to a ticket")

    engineer.locator("#mail-ticket").click()
    expect(engineer.locator("#ticket-subject")).to_have_text(ticket.subject)
    note = engineer.locator("#timeline [data-testid=internal-note]")
    expect(note).to_have_count(1)
    expect(note.locator(".body")).to_have_text(re.compile(r"^\s*Mail from newhire@gmail\.example"))
    expect(note).to_contain_text("this is my private address")
    shot(engineer, artifacts, "mail-attached-note")

    held.refresh_from_db()
    assert held.review == Review.ATTACHED
    assert held.ticket_message is not None
    assert held.ticket_message.visibility == Message.Visibility.INTERNAL
    assert not OutboundMail.objects.filter(ticket_message=held.ticket_message).exists()


def test_customers_and_partner_staff_do_not_get_the_mail_screens(
    tenants: Tenants, sign_in: Any
) -> None:
    initech = ticket_by_mail("Agent update failed", "Version 7.2.", "<upd@initech.example>")
    initech_held = held_reply("mallory@evil.example", initech, "Hi.", "<m1@evil.example>")
    acme = actions.do_submit_ticket(
        company=tenants.acme,
        requester=tenants.people["acme_user"],
        subject="Retention policy question",
        body="Details inside.",
        product="cloud-backup",
        severity=3,
        channel=Channel.EMAIL,
        acting_user=tenants.people["acme_user"],
        now=timezone.now(),
    )
    acme_held = held_reply("mallory@evil.example", acme, "Hello again.", "<m2@evil.example>")

    customer = sign_in("initech_user")
    expect(customer.locator("#nav-my-tickets")).to_be_visible()
    expect(customer.locator("#nav-mail")).to_have_count(0)
    assert status_of(customer, "/desk/mail/") == 404
    expect(customer.locator("body")).to_contain_text("Not Found")
    expect(customer.locator("#mail-tabs")).to_have_count(0)
    assert status_of(customer, f"/desk/mail/in/{initech_held.pk}/") == 404

    tech = sign_in("northwind_tech")
    open_waiting(tech)
    # Northwind's companies' mail only: Acme's, not Initech's.
    assert listed_mail(tech) == [acme_held.pk]
    expect(tech.locator("#mail-tab-waiting .count")).to_have_text("1")
    assert "evil.example" in tech.locator("#mail-table").inner_text()
    assert initech.subject not in tech.content()
    expect(tech.locator(f"#mail-link-{acme_held.pk}")).to_be_visible()
    assert status_of(tech, f"/desk/mail/in/{initech_held.pk}/") == 404
    # Partner staff read their mail, but settling it is the vendor's.
    tech.goto(f"/desk/mail/in/{acme_held.pk}/")
    expect(tech.locator("#mail-subject")).to_contain_text(acme.number)
    expect(tech.locator("#mail-review-actions")).to_have_count(0)
