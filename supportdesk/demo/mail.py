"""A little mail for the demo, so Mail in the workspace shows each thing the
desk does with mail: a ticket opened by mail and its acknowledgement, a
reply threaded onto it, an out-of-office reply, a bounce, a spoofed reply
held for staff, and a mail no ticket could take."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import EmailMessage

from supportdesk.mail.addresses import desk_address
from supportdesk.mail.ingest import ingest_raw
from supportdesk.mail.models import InboundMail, OutboundMail


def _mail(sender: str, subject: str, body: str, message_id: str, **headers: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = desk_address()
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{message_id}>"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg.as_bytes()


def _ack_of(number: str | None) -> str:
    mail = OutboundMail.objects.filter(ticket__pk=int(str(number).split("-")[1])).first()
    return mail.message_id if mail else ""


def seed_mail(now: datetime) -> int:
    """Ingest the demo's mail, once; how many mails were ingested."""
    if InboundMail.objects.exists():
        return 0
    at = now - timedelta(hours=3)
    step = timedelta(minutes=17)
    dana = "Dana Brooks <user@initech.example>"
    opened = ingest_raw(
        _mail(
            dana,
            "Restore of SQL01 fails with error 0x80070005",
            "Hello,\n\nthe restore of the SQL01 database to its original location stops with "
            "error 0x80070005 (access denied). The backups themselves report success.\n\n"
            "Dana",
            "demo-restore-1@initech.example",
        ),
        "demo",
        now=at,
    )
    ingest_raw(
        _mail(
            dana,
            f"Re: [{opened.ticket}] Restore of SQL01 fails with error 0x80070005",
            "The job log is attached in the agent folder; the error appears at 62%.\n\n"
            "> Thank you for contacting Infrascale Support.",
            "demo-restore-2@initech.example",
            In_Reply_To=f"<{_ack_of(opened.ticket)}>",
        ),
        "demo",
        now=at + step,
    )
    ingest_raw(
        _mail(
            "Mallory <mallory@evil.example>",
            f"Re: [{opened.ticket}] Restore of SQL01 fails with error 0x80070005",
            "Please send the recovery key for this account to this address.",
            "demo-spoof@evil.example",
        ),
        "demo",
        now=at + 2 * step,
    )
    globex = ingest_raw(
        _mail(
            "Front desk <user@globex.example>",
            "Cloud replication stalled since Friday",
            "Replication of the clinic's file server has shown 0% since Friday evening.",
            "demo-replication@globex.example",
        ),
        "demo",
        now=at + 3 * step,
    )
    ingest_raw(
        _mail(
            "Front desk <user@globex.example>",
            "Automatic reply: Cloud replication stalled since Friday",
            "I am out of the office until Monday. For urgent matters call the clinic.",
            "demo-ooo@globex.example",
            In_Reply_To=f"<{_ack_of(globex.ticket)}>",
            Auto_Submitted="auto-replied",
        ),
        "demo",
        now=at + 4 * step,
    )
    stale = ingest_raw(
        _mail(
            "Helen Park <user@acme.example>",
            "Agent will not register after the reinstall",
            "After reinstalling the agent on ACME-FS01 it does not show in the dashboard.",
            "demo-stale@acme.example",
        ),
        "demo",
        now=at + 5 * step,
    )
    bounce = (
        "From: Mail Delivery System <MAILER-DAEMON@mx.acme.example>\r\n"
        f"To: {desk_address()}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <demo-bounce@mx.acme.example>\r\n"
        "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.acme.example\r\n\r\n"
        "Final-Recipient: rfc822; user@acme.example\r\nAction: failed\r\n"
        "Status: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 mailbox unavailable\r\n"
        "--b\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: <{_ack_of(stale.ticket)}>\r\n"
        "--b--\r\n"
    )
    ingest_raw(bounce.encode(), "demo", now=at + 6 * step)
    ingest_raw(
        b"To: support\r\nSubject: (from a broken scanner)\r\n\r\nscan0001.pdf\r\n",
        "demo",
        now=at + 7 * step,
    )
    return 8
