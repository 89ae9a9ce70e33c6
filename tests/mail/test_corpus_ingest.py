"""Every mail of both corpora through the real ingestion path.

The desk corpus (tests/mail/corpus/desk, 204 hand-made mails) states each
mail's expected outcome in manifest.toml; the shared corpus (941 real-world
messages, mostly bounces and broken MIME) must ingest with no crash and
nothing lost, each outcome fitting its kind.
"""

from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from supportdesk.mail import outbound
from supportdesk.mail.addresses import reply_address
from supportdesk.mail.ingest import ingest_raw
from supportdesk.mail.models import InboundMail, OutboundMail, Outcome, Review
from supportdesk.tickets import actions
from supportdesk.tickets.models import Attachment, Channel, Message, Ticket
from tests.tenants import Tenants, build_tenants

CORPUS = Path(__file__).parent / "corpus"
DESK = CORPUS / "desk"
SHARED = CORPUS / "shared"
OUTCOMES = {o.value for o in Outcome}

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("desk_address"),
]


@pytest.fixture
def desk_address(tmp_path: Path) -> Any:
    with override_settings(
        SUPPORTDESK_MAIL_ADDRESS="support@desk.example",
        SUPPORTDESK_ATTACHMENTS_DIR=tmp_path / "attachments",
    ):
        yield


def world() -> tuple[Tenants, dict[str, Ticket]]:
    """The corpus README's world: the tenants with their mail domains, and
    tickets A and B, each acknowledged once by mail."""
    tenants = build_tenants()
    for org, domains in (
        (tenants.acme, "acme.example"),
        (tenants.globex, "globex.example"),
        (tenants.initech, "initech.example"),
    ):
        org.email_domains = domains
        org.save()
    now = timezone.now()
    fixtures = {}
    for key, person, company in (
        ("A", "initech_user", tenants.initech),
        ("B", "acme_user", tenants.acme),
    ):
        requester = tenants.people[person]
        ticket = actions.do_submit_ticket(
            company=company,
            requester=requester,
            subject=f"Fixture ticket {key}",
            body="The fixture the corpus replies to.",
            product="cloud-backup",
            severity=3,
            channel=Channel.EMAIL,
            acting_user=requester,
            now=now,
        )
        outbound.acknowledge(
            ticket, to=requester.email, name=requester.name, in_reply_to="", references=[], now=now
        )
        fixtures[key] = ticket
    return tenants, fixtures


def ack_id(ticket: Ticket) -> str:
    mail = OutboundMail.objects.filter(ticket=ticket, kind="acknowledgement").first()
    assert mail is not None, f"no acknowledgement was queued for {ticket}"
    return mail.message_id


@dataclass
class Run:
    fixtures: dict[str, Ticket]
    created: dict[str, Ticket] = field(default_factory=dict)

    def ticket(self, ref: str) -> Ticket:
        return self.created[ref[1:]] if ref.startswith("@") else self.fixtures[ref]

    def substitute(self, raw: bytes) -> bytes:
        a, b = self.fixtures["A"], self.fixtures["B"]
        # Shaped like ours for ticket A, signed with the wrong key.
        forged = f"sd.{a.pk}.0123456789abcdef.{'0' * 20}@desk.example"
        values = {
            "NUMBER_A": a.number,
            "NUMBER_B": b.number,
            "MSGID_A": ack_id(a),
            "MSGID_B": ack_id(b),
            "FORGED_MSGID_A": forged,
            "REPLY_TO_A": reply_address(a.number),
        }

        def replace(match: re.Match[bytes]) -> bytes:
            name = match[1].decode()
            if name.startswith("MSGID_OF:"):
                return ack_id(self.created[name.removeprefix("MSGID_OF:")]).encode()
            if name.startswith("NUMBER_OF:"):
                return self.created[name.removeprefix("NUMBER_OF:")].number.encode()
            return values[name].encode()

        return re.sub(rb"\{\{([A-Z_]+(?::[^}]+)?)\}\}", replace, raw)


def test_the_desk_corpus_ends_as_its_manifest_says() -> None:
    _, fixtures = world()
    run = Run(fixtures)
    manifest = tomllib.loads((DESK / "manifest.toml").read_text())["mail"]
    assert len(manifest) >= 150
    wrong: list[str] = []
    for entry in manifest:
        name = entry["file"]
        raw = run.substitute((DESK / name).read_bytes())
        result = ingest_raw(raw, f"test:{name}")
        problems = check(entry, result.outcome, result.ticket, result.mail_id, run)
        if result.outcome == Outcome.CREATED:
            run.created[name] = Ticket.objects.get(pk=int(result.ticket.split("-")[1]))
        wrong += [f"{name}: {p} ({entry['note']})" for p in problems]
    assert not wrong, "\n".join(wrong)
    # Nothing lost: every file is a stored mail, with its bytes unless a duplicate.
    assert InboundMail.objects.count() == len(manifest)
    assert not InboundMail.objects.exclude(outcome=Outcome.DUPLICATE).filter(raw=b"").exists()


def check(
    entry: dict[str, Any], outcome: str, number: str | None, mail_id: int, run: Run
) -> list[str]:
    problems = []
    if outcome != entry["outcome"]:
        mail = InboundMail.objects.get(pk=mail_id)
        problems.append(f"outcome {outcome!r} ({mail.reason}), expected {entry['outcome']!r}")
        return problems
    mail = InboundMail.objects.get(pk=mail_id)
    if "ticket" in entry:
        expected = run.ticket(entry["ticket"]).number
        if number != expected:
            problems.append(f"ticket {number}, expected {expected}")
    elif outcome in (Outcome.BOUNCE, Outcome.AUTO_REPLY) and number is not None:
        problems.append(f"linked to {number}, expected no ticket")
    if "reason" in entry and entry["reason"] not in mail.reason.lower():
        problems.append(f"reason {mail.reason!r} lacks {entry['reason']!r}")
    if outcome in (Outcome.HELD, Outcome.QUARANTINED) and mail.review != Review.WAITING:
        problems.append("not waiting for staff")
    message = _message(mail, number)
    if "attachments" in entry or "inline_images" in entry:
        files = Attachment.objects.filter(message=message)
        attached = files.filter(inline=False).count()
        inline = files.filter(inline=True).count()
        if "attachments" in entry and attached != entry["attachments"]:
            problems.append(f"{attached} attachments, expected {entry['attachments']}")
        if "inline_images" in entry and inline != entry["inline_images"]:
            problems.append(f"{inline} inline images, expected {entry['inline_images']}")
    if "severity" in entry and number is not None:
        severity = Ticket.objects.get(pk=int(number.split("-")[1])).severity
        if severity != entry["severity"]:
            problems.append(f"severity {severity}, expected {entry['severity']}")
    return problems


def _message(mail: InboundMail, number: str | None) -> Message | None:
    if mail.ticket_message_id is not None:
        return mail.ticket_message
    if mail.outcome == Outcome.CREATED and number is not None:
        return Message.objects.filter(ticket__pk=int(number.split("-")[1])).order_by("pk").first()
    return None


# -- the shared corpus ----------------------------------------------------------------


def _kinds() -> dict[str, dict[str, str]]:
    with (SHARED / "INDEX.tsv").open(newline="") as f:
        return {row["file"]: row for row in csv.DictReader(f, delimiter="\t")}


def test_every_shared_corpus_message_ingests_and_none_is_lost() -> None:
    world()
    kinds = _kinds()
    files = sorted(p for p in SHARED.rglob("*.eml"))
    assert len(files) == 941
    outcomes: dict[str, int] = {}
    for path in files:
        result = ingest_raw(path.read_bytes(), f"test:{path.name}")
        assert result.outcome in OUTCOMES, path
        outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
        kind = kinds[str(path.relative_to(SHARED))]
        if kind["dsn_rfc3464"] == "1":
            # A standard delivery report is a bounce (or a second copy of one).
            assert result.outcome in (Outcome.BOUNCE, Outcome.DUPLICATE), path
        if result.outcome == Outcome.QUARANTINED:
            # Only a mail that cannot be placed is quarantined, never a crash.
            reason = InboundMail.objects.get(pk=result.mail_id).reason
            assert "could not be processed" not in reason, (path, reason)
    assert InboundMail.objects.count() == len(files)
    # Bounces and automatic mail never open tickets.
    assert outcomes.get(Outcome.BOUNCE, 0) > 500
    opened = Ticket.objects.exclude(subject__startswith="Fixture").count()
    assert opened == outcomes.get(Outcome.CREATED, 0)
