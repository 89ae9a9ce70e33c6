"""Remote access (§2.3), the pure rules: who may do what to a request in
each state, when a grant ends, and the policy's table that configures it.
No database, no Django."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from supportdesk.policy import PolicyError, default_policy, parse_policy
from supportdesk.policy import remote_access as core
from supportdesk.policy.load import default_policy_path
from supportdesk.policy.remote_access import Access, Side, State, Step
from supportdesk.policy.schema import RemoteAccessRule

ET = ZoneInfo("America/New_York")
T0 = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)  # Monday 10:00 EST
HOUR = timedelta(hours=1)
RULE = default_policy().remote_access

REQUESTED = Access(State.REQUESTED, 4 * HOUR)
GRANTED = Access(State.GRANTED, 4 * HOUR, granted_at=T0, expires_at=T0 + 4 * HOUR)
DECLINED = Access(State.DECLINED, 4 * HOUR)
REVOKED = Access(State.REVOKED, 4 * HOUR, granted_at=T0, expires_at=T0 + 4 * HOUR, revoked_at=T0)


# -- the policy's table ----------------------------------------------------------------


def test_the_shipped_policy_quotes_section_2_3_and_offers_four_durations() -> None:
    assert RULE.source == "§2.3"
    assert RULE.text.startswith("At Infrascale's request, You shall Yourself, or cause Your")
    assert "remote diagnosis and Service." in RULE.text
    assert "revoke" in RULE.consent
    assert RULE.durations == (HOUR, 4 * HOUR, 8 * HOUR, 24 * HOUR)
    assert RULE.default == 4 * HOUR


def test_the_shipped_policy_quotes_section_2_4_as_the_feedback_notice() -> None:
    rule = default_policy().feedback
    assert rule.source == "§2.4"
    assert rule.notice.startswith("Infrascale shall be free to use, disclose, reproduce, license")
    assert '"Product Feedback" shall mean suggestions, comments or other feedback' in rule.notice


SHIPPED = default_policy_path().read_text(encoding="utf-8")


def _edited(old: str, new: str) -> str:
    assert old in SHIPPED, old
    return SHIPPED.replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            _edited("durations_minutes = [60, 240, 480, 1440]", "durations_minutes = []"),
            "remote_access.durations_minutes: expected at least one duration",
        ),
        (
            _edited("durations_minutes = [60, 240, 480, 1440]", "durations_minutes = [60, 2]"),
            "remote_access.durations_minutes[1]: expected an integer from 5 to 10080",
        ),
        (
            _edited("durations_minutes = [60, 240, 480, 1440]", "durations_minutes = [60, 60]"),
            "remote_access.durations_minutes: durations must be unique",
        ),
        (
            _edited("default_minutes = 240", "default_minutes = 90"),
            "remote_access.default_minutes: expected one of durations_minutes (60, 240, 480, 1440)",
        ),
        (
            _edited("default_minutes = 240", 'default_minutes = "4h"'),
            "remote_access.default_minutes: expected an integer",
        ),
        (
            _edited("default_minutes = 240", "default_minutes = 240\nconsnet = 'typo'"),
            "remote_access.consnet: unknown key",
        ),
        (
            _edited('[feedback]\nsource = "§2.4"', '[feedback]\nsource = "§2.4"\nnotes = "x"'),
            "feedback.notes: unknown key",
        ),
        (
            _edited(
                '[feedback]\nsource = "§2.4"\nnotice = """', '[feedback]\nsource = "§2.4"\nx = """'
            ),
            "feedback",
        ),
    ],
)
def test_a_wrong_table_is_refused_naming_the_key(text: str, words: str) -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy(text)
    assert words in str(caught.value)


def test_a_policy_without_the_tables_gets_the_desks_defaults() -> None:
    start = SHIPPED.index("[remote_access]")
    end = SHIPPED.index("# -- Escalation (§1.8).")
    policy = parse_policy(SHIPPED[:start] + SHIPPED[end:])
    assert policy.remote_access == RemoteAccessRule()
    assert policy.feedback.notice == ""
    assert policy.feedback.source == "§2.4"


def test_durations_are_kept_in_order() -> None:
    policy = parse_policy(
        _edited("durations_minutes = [60, 240, 480, 1440]", "durations_minutes = [480, 60, 240]")
    )
    assert policy.remote_access.durations == (HOUR, 4 * HOUR, 8 * HOUR)


# -- when a grant ends -------------------------------------------------------------------


def test_a_grant_ends_its_duration_after_it_is_given() -> None:
    assert core.expiry(T0, 4 * HOUR) == T0 + 4 * HOUR


# 2026-11-01 02:00 EDT -> 01:00 EST: the night has 25 hours of wall clock.
def test_a_grant_across_the_end_of_dst_lasts_its_hours_of_real_time() -> None:
    granted = datetime(2026, 10, 31, 23, 0, tzinfo=ET)  # Saturday 23:00 EDT
    ends = core.expiry(granted, 8 * HOUR)
    assert ends == datetime(2026, 11, 1, 11, 0, tzinfo=UTC)
    assert ends.astimezone(ET).hour == 6  # 06:00 EST on the clock, not 07:00
    access = Access(State.GRANTED, 8 * HOUR, granted_at=granted, expires_at=ends)
    # Asked on the local clock too, the answer is in real time.
    assert core.remaining(access, granted) == 8 * HOUR
    assert core.state_at(access, datetime(2026, 11, 1, 6, 30, tzinfo=ET)) == State.EXPIRED


# 2026-03-08 02:00 EST -> 03:00 EDT: an hour skipped on the clock.
def test_a_grant_across_the_start_of_dst_lasts_its_hours_of_real_time() -> None:
    granted = datetime(2026, 3, 7, 23, 0, tzinfo=ET)  # Saturday 23:00 EST
    ends = core.expiry(granted, 4 * HOUR)
    assert ends.astimezone(UTC) == datetime(2026, 3, 8, 8, 0, tzinfo=UTC)
    assert ends.astimezone(ET).hour == 4  # 04:00 EDT: 4 real hours later


@pytest.mark.parametrize(
    ("now", "state", "left"),
    [
        (T0, State.GRANTED, 4 * HOUR),
        (T0 + 4 * HOUR - timedelta(seconds=1), State.GRANTED, timedelta(seconds=1)),
        # The end is exclusive: at its instant the grant is over.
        (T0 + 4 * HOUR, State.EXPIRED, None),
        (T0 + 30 * HOUR, State.EXPIRED, None),
    ],
)
def test_a_grant_expires_by_the_clock(now: datetime, state: State, left: timedelta | None) -> None:
    assert core.state_at(GRANTED, now) == state
    assert core.remaining(GRANTED, now) == left
    assert core.is_open(GRANTED, now) is (state == State.GRANTED)


@pytest.mark.parametrize("access", [REQUESTED, DECLINED, REVOKED])
def test_only_a_grant_expires(access: Access) -> None:
    later = T0 + 1000 * HOUR
    assert core.state_at(access, later) == access.state
    assert core.remaining(access, later) is None


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        core.expiry(datetime(2026, 11, 30, 10, 0), HOUR)
    with pytest.raises(ValueError, match="timezone-aware"):
        core.state_at(GRANTED, datetime(2026, 11, 30, 10, 0))


# -- who may do what, in each state ------------------------------------------------------

EXPIRED_AT = T0 + 5 * HOUR  # a moment after GRANTED has run out


@pytest.mark.parametrize(
    ("access", "now", "side", "steps"),
    [
        (REQUESTED, T0, Side.CUSTOMER, (Step.GRANT, Step.DECLINE)),
        (REQUESTED, T0, Side.WORKING, (Step.REVOKE,)),
        (REQUESTED, T0, Side.NONE, ()),
        (GRANTED, T0, Side.CUSTOMER, (Step.REVOKE,)),
        (GRANTED, T0, Side.WORKING, (Step.REVOKE,)),
        (GRANTED, T0, Side.NONE, ()),
        (GRANTED, EXPIRED_AT, Side.CUSTOMER, ()),
        (GRANTED, EXPIRED_AT, Side.WORKING, ()),
        (DECLINED, T0, Side.CUSTOMER, ()),
        (DECLINED, T0, Side.WORKING, ()),
        (REVOKED, T0, Side.CUSTOMER, ()),
        (REVOKED, T0, Side.WORKING, ()),
    ],
)
def test_allowed_steps(access: Access, now: datetime, side: Side, steps: tuple[Step, ...]) -> None:
    assert core.allowed_steps(access, side, now) == steps
    for step in steps:
        assert core.check_step(access, step, side, now) is None


@pytest.mark.parametrize(
    ("access", "now", "step", "side", "code", "words"),
    [
        # Revoked after expiry: nothing left to revoke, and when it ended.
        (
            GRANTED,
            EXPIRED_AT,
            Step.REVOKE,
            Side.CUSTOMER,
            "conflict",
            "the grant expired at 2026-11-30T19:00:00+00:00; there is nothing to revoke",
        ),
        (GRANTED, EXPIRED_AT, Step.REVOKE, Side.WORKING, "conflict", "expired"),
        (GRANTED, T0, Step.GRANT, Side.CUSTOMER, "conflict", "granted already"),
        (DECLINED, T0, Step.GRANT, Side.CUSTOMER, "conflict", "declined already"),
        (REVOKED, T0, Step.REVOKE, Side.WORKING, "conflict", "revoked already"),
        (REQUESTED, T0, Step.GRANT, Side.WORKING, "forbidden", "only the customer side"),
        (REQUESTED, T0, Step.DECLINE, Side.WORKING, "forbidden", "only the customer side"),
        (REQUESTED, T0, Step.REVOKE, Side.CUSTOMER, "conflict", "grant or decline it"),
        (GRANTED, T0, Step.REVOKE, Side.NONE, "forbidden", "customer side or its working side"),
    ],
)
def test_refusals_say_why(
    access: Access, now: datetime, step: Step, side: Side, code: str, words: str
) -> None:
    refusal = core.check_step(access, step, side, now)
    assert refusal is not None
    assert refusal.code == code
    assert words in refusal.message


# -- asking ------------------------------------------------------------------------------


def test_asking_for_one_of_the_durations_with_a_purpose_is_allowed() -> None:
    for duration in RULE.durations:
        assert core.check_request(RULE, duration, "Check the VSS writers", None, T0) is None
    # A request answered or over does not stand in the way.
    for done in (DECLINED, REVOKED):
        assert core.check_request(RULE, HOUR, "Again", done, T0) is None
    assert core.check_request(RULE, HOUR, "Again", GRANTED, EXPIRED_AT) is None


@pytest.mark.parametrize(
    ("duration", "purpose", "current", "now", "code", "words"),
    [
        (HOUR, "  ", None, T0, "invalid", "the purpose is required"),
        (2 * HOUR, "Look", None, T0, "invalid", "one of 1 h, 4 h, 8 h, 1 day (§2.3)"),
        (HOUR, "Look", REQUESTED, T0, "conflict", "already waiting for the customer"),
        (HOUR, "Look", GRANTED, T0 + HOUR, "conflict", "granted for 3 h more"),
    ],
)
def test_asking_is_refused_with_a_reason(
    duration: timedelta,
    purpose: str,
    current: Access | None,
    now: datetime,
    code: str,
    words: str,
) -> None:
    refusal = core.check_request(RULE, duration, purpose, current, now)
    assert refusal is not None
    assert (refusal.code, words in refusal.message) == (code, True), refusal.message


@pytest.mark.parametrize(
    ("span", "words"),
    [
        (timedelta(0), "0 min"),
        (timedelta(seconds=-5), "0 min"),
        (timedelta(seconds=1), "1 min"),  # rounded up: never "0 min" while time is left
        (timedelta(minutes=59, seconds=1), "1 h"),
        (HOUR, "1 h"),
        (timedelta(hours=3, minutes=20), "3 h 20 min"),
        (24 * HOUR, "1 day"),
        (timedelta(days=2, hours=1, minutes=5), "2 days 1 h 5 min"),
    ],
)
def test_durations_in_words(span: timedelta, words: str) -> None:
    assert core.in_words(span) == words


def test_the_statement_says_how_the_desk_asks_for_access() -> None:
    from supportdesk.policy.render import render_markdown

    text = render_markdown(default_policy())
    assert "### Remote access on this desk (§2.3)" in text
    assert "(1 hour, 4 hours, 8 hours, 24 hours)" in text
    assert "At Infrascale's request, You shall Yourself" in text  # the section itself
