"""trim_quoted: what an agent sees first of a reply."""

from __future__ import annotations

import pytest

from supportdesk.mail.trim import trim_quoted


@pytest.mark.parametrize(
    "history",
    [
        "On Mon, 2 Mar 2026 at 09:00, Support <support@desk.example> wrote:\n> old",
        # Gmail wraps a long attribution line.
        "On Mon, Mar 2, 2026 at 9:00 AM Support Team of Example Corporation <\n"
        "support@desk.example> wrote:\n> old",
        "Am 02.03.2026 um 09:00 schrieb Support <support@desk.example>:\n> alt",
        "Le lun. 2 mars 2026 à 09:00, Support <support@desk.example> a écrit :\n> vieux",
        "El lun, 2 mar 2026 a las 9:00, Support escribió:\n> viejo",
        "Op ma 2 mrt. 2026 om 09:00 schreef Support <s@desk.example>:\n> oud",
        "-----Original Message-----\nFrom: Support\nSent: Monday\nTo: Ann\nSubject: old",
        "----- Ursprüngliche Nachricht -----\nVon: Support",
        "________________________________\nFrom: Support <s@desk.example>\nSent: Monday",
        "From: Support <s@desk.example>\nSent: Monday, March 2, 2026 9:00 AM\n"
        "To: Ann <ann@example.com>\nSubject: RE: printer\n\nold text",
        "*From:* Support <s@desk.example>\n*Sent:* Monday\n*To:* Ann\n*Subject:* printer",
        "Von: Support <s@desk.example>\nGesendet: Montag\nAn: Ann\nBetreff: Drucker",
        "> quoted line one\n> quoted line two\n>\n> three",
    ],
)
def test_it_cuts_the_quoted_history(history: str) -> None:
    text = f"Thanks, that fixed it.\n\n{history}\n"

    assert trim_quoted(text) == "Thanks, that fixed it."


@pytest.mark.parametrize(
    "signature",
    [
        "-- \nAnn Example\nExample Corp",
        "--\nAnn",
        "Sent from my iPhone",
        "Get Outlook for iOS",
        "Von meinem iPhone gesendet",
    ],
)
def test_it_cuts_the_signature(signature: str) -> None:
    assert trim_quoted(f"Thanks!\n\n{signature}\n") == "Thanks!"


def test_mobile_signature_above_the_quote_goes_too() -> None:
    text = "Works now.\n\nSent from my iPhone\n\nOn 2 Mar 2026, at 09:00, Support wrote:\n> ok?"

    assert trim_quoted(text) == "Works now."


def test_answers_between_quotes_are_kept_with_their_questions() -> None:
    text = "> Which version?\n3.2\n> Which OS?\nLinux\n"

    assert trim_quoted(text) == text.strip("\n")


def test_a_long_tail_after_dashes_is_not_a_signature() -> None:
    text = "Steps:\n--\n" + "\n".join(f"step {i}" for i in range(20))

    assert trim_quoted(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "> only a quote\n> nothing else",
        "-----Original Message-----\nFrom: a\nSent: b\nTo: c\nSubject: d\n\nforwarded",
        "-- \nJust a signature",
        "",
    ],
)
def test_it_never_trims_to_nothing(text: str) -> None:
    assert trim_quoted(text) == text


def test_forwarded_content_is_kept() -> None:
    text = "Please look at this.\n\n---------- Forwarded message ---------\nFrom: x\n\nThe problem."

    assert trim_quoted(text) == text
