"""Release rows to version support (§3.2): one query for a page's products,
none per device; a version the history does not know is "unknown"."""

from datetime import UTC, date, datetime

import pytest

from supportdesk.assets.adapters import ReleaseBook, judge_device, policy_day
from supportdesk.assets.models import Device, Product, Release
from supportdesk.policies.active import active_policy

# Monday 2026-11-30 09:00 Eastern.
NOW = datetime(2026, 11, 30, 14, tzinfo=UTC)


@pytest.fixture
def fleet(people):
    backup = Product.objects.create(slug="cloud-backup", name="Cloud Backup")
    dr = Product.objects.create(slug="disaster-recovery", name="Disaster Recovery")
    Product.objects.create(slug="cloud-application-backup", name="Cloud Application Backup")
    for product, version, day in [
        (backup, "8.3.0", date(2024, 2, 13)),
        (backup, "8.4.0", date(2024, 9, 24)),
        (backup, "8.5.0", date(2025, 5, 6)),
        (backup, "8.6.0", date(2026, 1, 27)),
        (dr, "6.3", date(2025, 3, 11)),
        (dr, "7.0", date(2026, 4, 21)),
    ]:
        Release.objects.create(product=product, version=version, released_on=day)

    def device(name, product, version):
        return Device.objects.create(
            company=people.acme, product=product, name=name, version=version
        )

    return {
        "old": device("ACME-XRAY", backup, "8.3.0"),
        "current": device("ACME-FS01", backup, "8.6.0"),
        "ending": device("ACME-LAP", backup, "8.5.0"),
        "dr": device("ACME-DR", dr, "6.3"),
        "unknown": device("ACME-BETA", backup, "9.0-beta"),
        "blank": device("ACME-NEW", backup, ""),
        "no history": device(
            "acme.onmicrosoft.com", Product.objects.get(slug="cloud-application-backup"), "3.3"
        ),
    }


def test_one_query_for_a_page_of_devices(fleet, django_assert_num_queries):
    devices = list(Device.objects.all())
    with django_assert_num_queries(1):
        book = ReleaseBook.for_devices([*devices, None])
    policy, today = active_policy(), policy_day(active_policy(), NOW)
    with django_assert_num_queries(0):
        judged = {d.name: book.judge(policy, d, today) for d in devices}

    old = judged["ACME-XRAY"]
    assert old is not None
    # 8.4.0 came out 2024-09-24: 8.3.0 lost support on 2025-09-24.
    assert (old.out_of_support, old.supported, old.support_ended_on) == (
        True,
        False,
        date(2025, 9, 24),
    )
    assert (old.status.successor, old.latest) == ("8.4.0", "8.6.0")

    ending = judged["ACME-LAP"]
    assert ending is not None
    # 8.6.0 came out 2026-01-27: 8.5.0 is supported until 2027-01-27.
    assert (ending.supported, ending.support_ended_on) == (True, None)
    assert ending.status.support_ends_on == date(2027, 1, 27)

    assert judged["ACME-FS01"].supported is True
    # DR 7.0 came out 2026-04-21: 6.3 still has until 2027-04-21.
    assert judged["ACME-DR"].supported is True

    for name in ("ACME-BETA", "acme.onmicrosoft.com"):
        unknown = judged[name]
        assert unknown is not None
        assert (unknown.unknown, unknown.supported, unknown.out_of_support) == (True, None, False)
        assert unknown.support_ended_on is None
    assert judged["ACME-NEW"] is None


def test_no_devices_no_query(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        book = ReleaseBook.for_devices([None])
    assert book.judge(active_policy(), None, date(2026, 1, 1)) is None


def test_a_book_without_the_devices_product_is_a_bug_not_an_unknown(fleet):
    book = ReleaseBook.for_devices([fleet["dr"]])
    with pytest.raises(KeyError):
        book.judge(active_policy(), fleet["old"], date(2026, 1, 1))


def test_today_is_the_day_in_eastern_time(fleet):
    # 2025-09-24 03:00 UTC is still 2025-09-23 in New York: supported one last evening.
    evening = datetime(2025, 9, 24, 3, tzinfo=UTC)
    assert judge_device(active_policy(), fleet["old"], evening).supported is True
    midnight = datetime(2025, 9, 24, 4, tzinfo=UTC)  # 00:00 EDT
    assert judge_device(active_policy(), fleet["old"], midnight).supported is False
