"""Release rows become the policy core's `Release` values here, and a
device's version is judged against them (§3.2).

A `ReleaseBook` holds the releases of the products a request needs, read in
one query: a page of tickets or devices asks it for every row and makes no
query per row. Build one per request and pass it along; a release edited in
the admin shows on the next request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from supportdesk.assets.models import Device
from supportdesk.assets.models import Release as ReleaseRow
from supportdesk.policy import Policy
from supportdesk.policy.versions import Release, VersionStatus, known_version_status


class ReleaseBook:
    """Releases by product id, oldest first."""

    def __init__(self, releases: Mapping[int, tuple[Release, ...]]) -> None:
        self._releases = releases

    @classmethod
    def of(cls, product_ids: Iterable[int]) -> ReleaseBook:
        """The releases of these products: one query, none for no products."""
        wanted = set(product_ids)
        found: dict[int, list[Release]] = {pk: [] for pk in wanted}
        if wanted:
            rows = ReleaseRow.objects.filter(product_id__in=wanted).order_by("released_on", "id")
            for product_id, version, released_on in rows.values_list(
                "product_id", "version", "released_on"
            ):
                found[product_id].append(Release(version, released_on))
        return cls({pk: tuple(releases) for pk, releases in found.items()})

    @classmethod
    def for_devices(cls, devices: Iterable[Device | None]) -> ReleaseBook:
        """The releases of these devices' products (a missing device, or one
        with no version, needs none)."""
        return cls.of(d.product_id for d in devices if d is not None and d.version.strip())

    def releases(self, product_id: int) -> tuple[Release, ...]:
        return self._releases.get(product_id, ())

    def latest(self, product_id: int, on: date) -> Release | None:
        """The newest release out on `on`: what to update to."""
        out = [r for r in self.releases(product_id) if r.released_on <= on]
        return out[-1] if out else None

    def judge(self, policy: Policy, device: Device | None, on: date) -> DeviceVersion | None:
        """What the desk says about the device's version on `on`; None for no
        device or a blank version."""
        if device is None or not device.version.strip():
            return None
        if device.product_id not in self._releases:
            # A book read without this product: a bug, not an unknown version.
            raise KeyError(f"the book holds no releases of product {device.product_id}")
        releases = self.releases(device.product_id)
        latest = self.latest(device.product_id, on)
        return DeviceVersion(
            version=device.version.strip(),
            status=known_version_status(policy, releases, device.version, on),
            latest=latest.version if latest is not None else None,
        )


@dataclass(frozen=True)
class DeviceVersion:
    """A device's version and its support (§3.2); `status` is None when the
    version is not in the product's release history (unknown: neither
    flagged nor vouched for)."""

    version: str
    status: VersionStatus | None
    latest: str | None  # the newest release out: what to update to

    @property
    def unknown(self) -> bool:
        return self.status is None

    @property
    def out_of_support(self) -> bool:
        return self.status is not None and not self.status.supported

    @property
    def supported(self) -> bool | None:
        """True, False, or None for unknown (the API's `device_version_supported`)."""
        return None if self.status is None else self.status.supported

    @property
    def support_ended_on(self) -> date | None:
        """The first day without support, once it has come; else None."""
        return self.status.support_ends_on if self.out_of_support and self.status else None


def policy_day(policy: Policy, at: datetime) -> date:
    """The calendar day `at` falls on where the desk keeps time: the zone
    of the policy's business calendar, else of its first calendar."""
    names = [name for name, _ in policy.calendars]
    zone = policy.calendar("business" if "business" in names else names[0]).zone
    return at.astimezone(zone).date()


def judge_device(policy: Policy, device: Device | None, now: datetime) -> DeviceVersion | None:
    """One device's version support today (one query when it has a version)."""
    return ReleaseBook.for_devices([device]).judge(policy, device, policy_day(policy, now))
