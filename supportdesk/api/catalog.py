"""What tickets are about: the policy's products and support matrix, and the
devices the caller may see."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router
from ninja.errors import HttpError
from pydantic import BaseModel, Field

from supportdesk.accounts.access import NotFound, access_device_by_id, visible_devices
from supportdesk.api.auth import acting_user
from supportdesk.api.pagination import decode_cursor, encode_cursor
from supportdesk.api.schemas import (
    MAX_ID,
    DeviceOut,
    DevicePage,
    ProductList,
    device_out,
    products_out,
)
from supportdesk.api.tickets import ERRORS
from supportdesk.policies.active import active_policy

router = Router(tags=["catalog"])


@router.get(
    "/products",
    response={200: ProductList, **ERRORS},
    summary="Products, their support categories and coverage (§4)",
)
def list_products(request: HttpRequest) -> ProductList:
    acting_user(request)
    return products_out(active_policy())


class DeviceFilters(BaseModel):
    company: int | None = Field(None, ge=1, le=MAX_ID, description="A company id.")
    cursor: str | None = Field(None, max_length=1000)
    limit: int = Field(50, ge=1, le=100)


@router.get("/devices", response={200: DevicePage, **ERRORS}, summary="Devices you may see")
def list_devices(request: HttpRequest, filters: Query[DeviceFilters]) -> DevicePage:
    devices = visible_devices(acting_user(request)).order_by("id")
    if filters.company is not None:
        devices = devices.filter(company_id=filters.company)
    if filters.cursor:
        devices = devices.filter(id__gt=_after_id(decode_cursor("devices", filters.cursor)))
    page = list(devices[: filters.limit + 1])
    next_cursor = None
    if len(page) > filters.limit:
        page = page[: filters.limit]
        next_cursor = encode_cursor("devices", [page[-1].pk])
    return DevicePage(items=[device_out(d) for d in page], next_cursor=next_cursor)


def _after_id(key: list[object]) -> int:
    if len(key) != 1 or not isinstance(key[0], int):
        raise HttpError(400, "cursor: not a cursor this API gave out")
    return key[0]


@router.get("/devices/{device_id}", response={200: DeviceOut, **ERRORS}, summary="One device")
def get_device(request: HttpRequest, device_id: int) -> DeviceOut:
    if not 0 < device_id <= MAX_ID:
        raise NotFound(f"no device {device_id}")
    return device_out(access_device_by_id(acting_user(request), device_id))
