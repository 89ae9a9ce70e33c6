"""Our mail identities: signed Message-IDs and per-ticket reply addresses.

A reply is threaded by the ids we issued, so each id carries the ticket and
an HMAC under the site's secret: a guessed or forged id (or one copied from
another desk) names no ticket. The reply address `support+SD-12@…` and the
`[SD-12]` subject token are weaker hints; the sender check still applies to
mail they place.
"""

from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

from supportdesk.tickets.models import NUMBER_PREFIX

_SALT = "supportdesk.mail.message-id"
_OUR_ID = re.compile(r"^sd\.(\d{1,18})\.([0-9a-z]{1,32})\.([0-9a-f]{20})@(.+)$")
_SUBJECT_TOKEN = re.compile(r"\[" + re.escape(NUMBER_PREFIX) + r"(\d{1,18})\]", re.IGNORECASE)


def desk_address() -> str:
    return str(settings.SUPPORTDESK_MAIL_ADDRESS).lower()


def desk_domain() -> str:
    return desk_address().rpartition("@")[2]


def _signature(ticket_pk: int, nonce: str) -> str:
    return salted_hmac(_SALT, f"{ticket_pk}.{nonce}", algorithm="sha256").hexdigest()[:20]


def new_message_id(ticket_pk: int) -> str:
    """A fresh Message-ID (without <>) that names the ticket, signed."""
    nonce = secrets.token_hex(8)
    return f"sd.{ticket_pk}.{nonce}.{_signature(ticket_pk, nonce)}@{desk_domain()}"


def ticket_of_message_id(message_id: str) -> int | None:
    """The ticket an id we issued names; None for anything else."""
    match = _OUR_ID.match(message_id.strip().strip("<>").lower())
    if match is None:
        return None
    pk, nonce, signature = int(match[1]), match[2], match[3]
    return pk if constant_time_compare(signature, _signature(pk, nonce)) else None


def reply_address(number: str) -> str:
    """`support+SD-12@desk.example`: where replies to one ticket go."""
    local, _, domain = desk_address().partition("@")
    return f"{local}+{number}@{domain}"


def ticket_pk_of_address(address: str) -> int | None:
    local, _, domain = address.lower().partition("@")
    base, _, tag = local.partition("+")
    ours_local, _, ours_domain = desk_address().partition("@")
    if domain != ours_domain or base != ours_local:
        return None
    prefix = NUMBER_PREFIX.lower()
    if not tag.startswith(prefix) or not tag[len(prefix) :].isdigit():
        return None
    return int(tag[len(prefix) :])


def is_desk_address(address: str) -> bool:
    local, _, domain = address.lower().partition("@")
    ours_local, _, ours_domain = desk_address().partition("@")
    return domain == ours_domain and local.partition("+")[0] == ours_local


def ticket_pk_in_subject(subject: str) -> int | None:
    match = _SUBJECT_TOKEN.search(subject)
    return int(match[1]) if match else None
